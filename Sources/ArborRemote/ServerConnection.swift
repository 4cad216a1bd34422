import ArborSchema
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// JSON over HTTP to one serving engine, with bounded retries: a server that is down or
/// restarting, a 5xx, a timeout or a dropped connection is tried again after a growing pause;
/// a 4xx is final and carries the server's own message.
///
/// Calls block the calling thread: the decode loop is synchronous, and a step waits for
/// its segment as it waits for a forward pass.
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
    private let session: URLSession

    public init(baseURL: String, apiKey: String? = nil, retry: RetryPolicy = RetryPolicy()) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.retry = retry
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = retry.timeout
        configuration.timeoutIntervalForResource = retry.timeout
        session = URLSession(configuration: configuration)
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
        guard let url = URL(string: baseURL + path) else {
            throw RemoteError.refused(server: baseURL, status: 0, message: "\(baseURL + path) is not a URL")
        }
        var request = URLRequest(url: url, timeoutInterval: retry.timeout)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = Data(body) }
        var problem = ""
        for attempt in 0..<max(1, retry.attempts) {
            if attempt > 0 {
                retries += 1
                Thread.sleep(forTimeInterval: retry.firstDelay * Double(1 << min(attempt - 1, 10)))
            }
            let (status, data, failure) = exchange(request)
            if let failure {
                problem = failure
                continue
            }
            let text = String(decoding: data, as: UTF8.self)
            switch status {
            case 200..<300:
                do { return try JSONValue(parsing: Array(data)) } catch {
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

    /// One request; a transport failure comes back as its description.
    private func exchange(_ request: URLRequest) -> (Int, Data, String?) {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, Data, String?) = (0, Data(), "no reply")
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                result = (0, Data(), error.localizedDescription)
            } else {
                result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data(), nil)
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return result
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
