/// A byte string used as a dictionary key.
///
/// Vocabulary texts are compared byte for byte, as llama.cpp compares `std::string`s. Swift
/// `String` keys would compare by canonical equivalence and hash through Unicode
/// normalisation, which is both slower and not what the vocabulary means.
struct ByteKey: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init<S: Sequence>(_ bytes: S) where S.Element == UInt8 { self.bytes = Array(bytes) }
    init(_ text: String) { self.bytes = Array(text.utf8) }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
