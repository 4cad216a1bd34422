import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 request to 127.0.0.1 over a bare socket, its response read as it comes, so a
/// test can send what no MCP client sends (a body that is not JSON) and hang up in the
/// middle of a streamed answer.
///
/// ```swift
/// let exchange = try RawHTTPExchange(port: port, body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, session: id)
/// let text = try exchange.read(until: { $0.contains(#""id":1"#) }, seconds: 10)
/// exchange.hangUp()
/// ```
final class RawHTTPExchange {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let socket: Int32
    private var received = Data()

    /// Connects and sends a POST to /mcp with `body` (and the session header when given), or
    /// with no body a GET, which opens the session's stream of server messages.
    init(port: Int, body: String?, session: String? = nil) throws {
        #if canImport(Glibc)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
        let bytes = Array((body ?? "").utf8)
        var head = "\(body == nil ? "GET" : "POST") /mcp HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        head += body == nil ? "Accept: text/event-stream\r\n"
            : "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: \(bytes.count)\r\n"
        if let session { head += "Mcp-Session-Id: \(session)\r\n" }
        let request = Array((head + "\r\n").utf8) + bytes
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { throw Failure(description: "send() failed: errno \(errno)") }
            sent += written
        }
    }

    deinit {
        hangUp()
    }

    /// Everything read so far, as text.
    var text: String { String(decoding: received, as: UTF8.self) }

    /// The HTTP status code of the response, once its first line is read.
    var statusCode: Int? {
        guard let line = text.split(separator: "\r\n").first, line.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(line.dropFirst(9).prefix(3))
    }

    /// The value of a response header, once read.
    func header(_ name: String) -> String? {
        let lines = text.components(separatedBy: "\r\n\r\n").first?.split(separator: "\r\n") ?? []
        let prefix = name.lowercased() + ":"
        return lines.first { $0.lowercased().hasPrefix(prefix) }.map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
    }

    /// Reads until `done` holds for the text read so far, the server closes the connection,
    /// or `seconds` pass; returns the text.
    @discardableResult
    func read(until done: (String) -> Bool, seconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while !done(text) {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure(description: "no complete answer within \(seconds) s; read so far:\n\(text)") }
            var ready = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, Int32(min(left, 1) * 1000)) > 0 else { continue }
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received.append(contentsOf: buffer[..<count])
        }
        return text
    }

    /// Reads a response with a `Content-Length` to its end.
    @discardableResult
    func readWholeResponse(seconds: Double) throws -> String {
        try read(until: { text in
            guard let end = text.range(of: "\r\n\r\n") else { return false }
            let length = self.header("Content-Length").flatMap { Int($0) } ?? 0
            return text.utf8.count - text.utf8.distance(from: text.startIndex, to: end.upperBound) >= length
        }, seconds: seconds)
    }

    private var isOpen = true

    /// Closes the connection, as a client that goes away does.
    func hangUp() {
        guard isOpen else { return }
        isOpen = false
        close(socket)
    }
}
