/// Follows JSON text byte by byte and reports where containers and values begin and end.
///
/// The runtime feeds it every byte the model writes (generated, forced or inserted), so it
/// always knows where in the reasoning tree the next token lands. It assumes well-formed
/// input — the grammar guarantees that — and never allocates per byte except for keys.
struct JSONStructureScanner: Sendable {
    enum Container: Sendable { case object, array }

    /// One open container.
    struct Frame: Sendable {
        var container: Container
        /// The key this container is the value of in its parent object (nil in an array).
        var key: String?
        /// Offset of the opening `{` or `[`.
        var openOffset: Int
        /// Objects: the key whose value comes next or is being read.
        var currentKey: String?
        /// Objects: whether the next string is a key.
        var expectsKey: Bool
        /// Arrays: how many elements have begun.
        var elementCount: Int
    }

    /// What one byte completed or began.
    enum Event: Sendable, Equatable {
        /// A container opened; `depth` is its index in ``frames``.
        case opened(Container, key: String?, depth: Int, offset: Int)
        /// A container closed; `range` spans from its opening to its closing byte.
        case closed(Container, key: String?, depth: Int, range: ClosedRange<Int>)
        /// A string, number or literal value ended; `key` is its key in the enclosing object.
        case scalar(key: String?, depth: Int, range: Range<Int>)
    }

    private(set) var frames: [Frame] = []
    private var inString = false
    private var stringIsKey = false
    private var escaped = false
    private var stringStart = 0
    private var keyBytes: [UInt8] = []
    private var scalarStart: Int?
    /// Bytes consumed so far (the offset of the next byte).
    private(set) var offset = 0

    /// Consumes one byte and appends what it completed to `events`.
    mutating func consume(_ byte: UInt8, into events: inout [Event]) {
        defer { offset += 1 }
        let at = offset
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
                if stringIsKey {
                    frames[frames.count - 1].currentKey = String(decoding: keyBytes, as: UTF8.self)
                } else {
                    events.append(.scalar(key: valueKey, depth: frames.count - 1, range: stringStart..<(at + 1)))
                }
            } else if stringIsKey {
                keyBytes.append(byte)
            }
            return
        }
        if let start = scalarStart, Self.endsScalar(byte) {
            events.append(.scalar(key: valueKey, depth: frames.count - 1, range: start..<at))
            scalarStart = nil
        }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let container: Container = byte == UInt8(ascii: "{") ? .object : .array
            let key = valueKey
            beginValue()
            frames.append(Frame(container: container, key: key, openOffset: at, currentKey: nil,
                                expectsKey: container == .object, elementCount: 0))
            events.append(.opened(container, key: key, depth: frames.count - 1, offset: at))
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            guard let frame = frames.popLast() else { return }
            events.append(.closed(frame.container, key: frame.key, depth: frames.count, range: frame.openOffset...at))
        case UInt8(ascii: "\""):
            inString = true
            escaped = false
            if let top = frames.last, top.container == .object, top.expectsKey {
                stringIsKey = true
                keyBytes.removeAll(keepingCapacity: true)
                frames[frames.count - 1].expectsKey = false
            } else {
                stringIsKey = false
                stringStart = at
                beginValue()
            }
        case UInt8(ascii: ","):
            if let top = frames.last, top.container == .object {
                frames[frames.count - 1].expectsKey = true
                frames[frames.count - 1].currentKey = nil
            }
        case UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
            break
        default:
            if scalarStart == nil {
                scalarStart = at
                beginValue()
            }
        }
    }

    /// The key of the value that begins now: the current key in an object, nil in an array.
    private var valueKey: String? {
        guard let top = frames.last, top.container == .object else { return nil }
        return top.currentKey
    }

    private mutating func beginValue() {
        if let top = frames.last, top.container == .array { frames[frames.count - 1].elementCount += 1 }
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "),
             UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): return true
        default: return false
        }
    }
}
