import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 over a plain socket to 127.0.0.1, with chunked bodies decoded as they arrive: the
/// tests see exactly the bytes the server sent, and an event stream can be read a piece at a
/// time and dropped mid-way, as a browser drops it.
final class RawHTTPClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
        var jsonArray: [[String: Any]]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] }
    }

    enum ClientError: Error { case connect(Int32), closedEarly(String), timeout }

    private let socketFD: Int32
    private var raw: [UInt8] = []
    private var bodyBytes: [UInt8] = []
    private var chunked = false
    private var headerDone = false
    private var finished = false
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]

    /// Connects and sends `METHOD path` with `headers` (and `body`, for a POST).
    init(port: Int, path: String, method: String = "GET", headers extra: [String: String] = [:], body: String? = nil,
         timeoutSeconds: Int = 20) throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socketFD)
            throw ClientError.connect(errno)
        }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in extra { request += "\(name): \(value)\r\n" }
        if let body { request += "Content-Length: \(body.utf8.count)\r\n\r\n" + body } else if method != "GET" { request += "Content-Length: 0\r\n\r\n" } else { request += "\r\n" }
        _ = request.withCString { send(socketFD, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    deinit { close(socketFD) }

    /// The whole response (the server closes or the body's length is reached).
    static func get(port: Int, _ path: String, headers: [String: String] = [:]) throws -> Response {
        let client = try RawHTTPClient(port: port, path: path, headers: headers.merging(["Connection": "close"]) { a, _ in a })
        while try client.readMore() {}
        return Response(status: client.status, headers: client.headers, body: String(decoding: client.bodyBytes, as: UTF8.self))
    }

    /// The whole response to a POST of `body` (JSON).
    static func post(port: Int, _ path: String, body: String? = nil, headers: [String: String] = [:]) throws -> Response {
        var all = headers.merging(["Connection": "close"]) { a, _ in a }
        if body != nil { all["Content-Type"] = "application/json" }
        let client = try RawHTTPClient(port: port, path: path, method: "POST", headers: all, body: body)
        while try client.readMore() {}
        return Response(status: client.status, headers: client.headers, body: String(decoding: client.bodyBytes, as: UTF8.self))
    }

    /// Reads until `done` holds for the body so far; throws on a timeout or an early close.
    func read(until done: (String) -> Bool) throws -> String {
        while true {
            let text = String(decoding: bodyBytes, as: UTF8.self)
            if headerDone && done(text) { return text }
            guard try readMore() else { throw ClientError.closedEarly(text) }
        }
    }

    /// Reads what the socket has; false once the response is complete or the peer closed.
    @discardableResult
    func readMore() throws -> Bool {
        if finished { return false }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(socketFD, &buffer, buffer.count, 0)
        if count < 0 { throw errno == EAGAIN || errno == EWOULDBLOCK ? ClientError.timeout : ClientError.connect(errno) }
        if count == 0 { finished = true; return false }
        raw += buffer[0..<count]
        parse()
        return !finished
    }

    private func parse() {
        if !headerDone {
            guard let end = find([13, 10, 13, 10], in: raw) else { return }
            let head = String(decoding: raw[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
            status = Int(head[0].split(separator: " ")[1]) ?? 0
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
            raw.removeFirst(end + 4)
            headerDone = true
        }
        if !chunked {
            bodyBytes += raw
            raw.removeAll()
            if let length = headers["content-length"].flatMap(Int.init), bodyBytes.count >= length { finished = true }
            return
        }
        while let lineEnd = find([13, 10], in: raw) {
            guard let size = Int(String(decoding: raw[0..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) else { return }
            guard raw.count >= lineEnd + 2 + size + 2 else { return }
            bodyBytes += raw[(lineEnd + 2)..<(lineEnd + 2 + size)]
            raw.removeFirst(lineEnd + 2 + size + 2)
            if size == 0 { finished = true; return }
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }
}

/// The `id:` of each event in a Server-Sent Events text, in order.
func eventIDs(in text: String) -> [Int] {
    text.split(separator: "\n").compactMap { line in line.hasPrefix("id: ") ? Int(line.dropFirst(4)) : nil }
}
