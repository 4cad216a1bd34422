import ArborSchema
import CArborHTTP
import Foundation

/// JSON over HTTP to one serving engine, with bounded retries: a server that is down or
/// restarting, a 5xx, a timeout or a dropped connection is tried again after a growing pause;
/// a 4xx is final and carries the server's own message.
///
/// Calls block the calling thread (libcurl's easy interface, no dispatch queue involved): the
/// decode loop is synchronous, and a step waits for its segment as it waits for a forward pass.
///
/// ```swift
/// let connection = ServerConnection(baseURL: "http://127.0.0.1:8080")
/// let reply = try connection.post("/tokenize", ["content": "hello"])
/// ```
public final class ServerConnection: @unchecked Sendable {
    /// How often and how patiently to retry.
    public struct RetryPolicy: Sendable, Equatable {
        /// Attempts in all (the first included).
        public var attempts: Int
        /// The pause before the second attempt; each later pause doubles it.
        public var firstDelay: Double
        /// Seconds one request may take before it counts as failed.
        public var timeout: Double

        public init(attempts: Int = 5, firstDelay: Double = 0.5, timeout: Double = 300) {
            self.attempts = attempts
            self.firstDelay = firstDelay
            self.timeout = timeout
        }
    }

    public let baseURL: String
    public let apiKey: String?
    public var retry: RetryPolicy
    /// Requests retried so far (each retry once).
    public private(set) var retries = 0

    public init(baseURL: String, apiKey: String? = nil, retry: RetryPolicy = RetryPolicy()) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.retry = retry
    }

    /// POSTs `body` to `path` and returns the reply's JSON.
    public func post(_ path: String, _ body: JSONValue) throws -> JSONValue {
        try send(path, method: "POST", body: Array(body.compactString.utf8))
    }

    /// GETs `path` and returns the reply's JSON.
    public func get(_ path: String) throws -> JSONValue {
        try send(path, method: "GET", body: nil)
    }

    private func send(_ path: String, method: String, body: [UInt8]?) throws -> JSONValue {
        var problem = ""
        for attempt in 0..<max(1, retry.attempts) {
            if attempt > 0 {
                retries += 1
                Thread.sleep(forTimeInterval: retry.firstDelay * Double(1 << min(attempt - 1, 10)))
            }
            let (status, data, failure) = exchange(baseURL + path, method: method, body: body)
            if let failure {
                problem = failure
                continue
            }
            let text = String(decoding: data, as: UTF8.self)
            switch status {
            case 200..<300:
                do { return try JSONValue(parsing: data) } catch {
                    throw RemoteError.malformedReply(server: baseURL, reason: "\(path) did not return JSON: \(text.prefix(200))")
                }
            case 400..<500:
                throw RemoteError.refused(server: baseURL, status: status, message: Self.message(in: text))
            default:
                problem = "HTTP \(status) from \(path): \(Self.message(in: text))"
            }
        }
        throw RemoteError.unavailable(server: baseURL, attempts: max(1, retry.attempts), problem: problem)
    }

    /// One exchange; a transport failure comes back as its description.
    private func exchange(_ url: String, method: String, body: [UInt8]?) -> (Int, [UInt8], String?) {
        var response = arbor_http_response()
        defer { arbor_http_response_free(&response) }
        let bytes = body ?? []
        let result = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                arbor_http_exchange(url, method, chars.baseAddress, chars.count, apiKey, retry.timeout, &response)
            }
        }
        guard result == 0 else {
            let error = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return (0, [], error)
        }
        let data = response.body.map { Array(UnsafeRawBufferPointer(start: $0, count: response.length)) } ?? []
        return (Int(response.status), data, nil)
    }

    /// The human part of an error reply: `error.message` (llama-server, vLLM), `message`,
    /// `detail`, or the text itself.
    static func message(in text: String) -> String {
        guard let json = try? JSONValue(parsing: Array(text.utf8)), let object = json.objectValue else {
            return String(text.prefix(500))
        }
        if let error = object["error"]?.objectValue, let message = error["message"]?.stringValue { return message }
        if let message = object["message"]?.stringValue { return message }
        if let message = object["error"]?.stringValue { return message }
        if let detail = object["detail"] { return detail.stringValue ?? detail.compactString }
        return String(text.prefix(500))
    }
}
