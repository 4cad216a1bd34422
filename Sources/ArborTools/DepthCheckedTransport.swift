import Foundation
import Logging
import MCP

/// An MCP transport that refuses replies nested deeper than ``maximumDepth`` before the MCP
/// SDK decodes them.
///
/// The SDK decodes every message with Foundation's `JSONDecoder`, and its `Value` type tries
/// one type after another at each level: the time grows with the cube of the depth (a 3 KB
/// reply nested 500 deep took 17 s in a release build; found by the `mcp-reply` fuzz target).
/// A server could stall every later call that way. A reply past the limit is replaced by a
/// JSON-RPC error for the same request id, so the call fails at once with a message that
/// says why; one without a readable id is replaced by an empty object, which the SDK drops.
actor DepthCheckedTransport: Transport {
    /// Deeper than any tool result a model can use (tool results in the tree are cut to 384
    /// tokens anyway), far below where decoding gets slow (64 levels decode in microseconds).
    static let maximumDepth = 64

    private let inner: any Transport
    nonisolated let logger: Logger

    init(_ inner: any Transport) {
        self.inner = inner
        logger = Logger(label: "arbor.mcp.depth-check")
    }

    func connect() async throws { try await inner.connect() }

    func disconnect() async { await inner.disconnect() }

    func send(_ data: Data) async throws { try await inner.send(data) }

    func receive() -> AsyncThrowingStream<Data, Swift.Error> {
        let inner = self.inner
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await message in await inner.receive() {
                        continuation.yield(Self.checked(message))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// `message` itself, or its replacement when it nests deeper than the limit.
    static func checked(_ message: Data) -> Data {
        let bytes = [UInt8](message)
        var depth = 0, deepest = 0, inString = false, escaped = false
        var keyStart = 0, lastKey: ArraySlice<UInt8> = [], idStart: Int?, id: ArraySlice<UInt8>?
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 1 { lastKey = bytes[keyStart..<index] }
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                keyStart = index + 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ","):
                if depth == 1, let start = idStart, id == nil { id = bytes[start..<index] }
                if byte != UInt8(ascii: ",") { depth -= 1 }
            case UInt8(ascii: ":") where depth == 1 && lastKey.elementsEqual("id".utf8):
                idStart = index + 1
            default:
                break
            }
        }
        guard deepest > maximumDepth else { return message }
        let text = "a reply nested \(deepest) levels deep; Arbor reads MCP replies of at most \(maximumDepth) levels"
        guard let id, case let trimmed = String(decoding: id, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            return Data("{}".utf8)
        }
        return Data(#"{"jsonrpc":"2.0","id":\#(trimmed),"error":{"code":-32600,"message":"\#(text)"}}"#.utf8)
    }
}
