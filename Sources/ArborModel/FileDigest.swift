import CArborKernels
import Foundation

/// SHA-256 digests as lowercase hex, the identity the run store keeps for model and spec files.
///
/// ```swift
/// try FileDigest.sha256(ofFileAt: "models/SmolLM2-135M-Instruct.Q4_1.gguf")  // "b179c952…"
/// ```
public enum FileDigest {
    public static func sha256(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { hex($0.baseAddress, $0.count) }
    }

    /// The digest of a file, read through a memory map.
    public static func sha256(ofFileAt path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        return data.withUnsafeBytes { hex($0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
    }

    private static func hex(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let empty: [UInt8] = [0]
        empty.withUnsafeBufferPointer { fallback in
            arbor_sha256(bytes ?? fallback.baseAddress!, count, &digest)
        }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
