import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request of an ``HTTPTool``, read through a session delegate so that the body is
/// counted as it arrives and the redirects are checked one by one.
///
/// - The body stops at `limit` bytes: a declared `Content-Length` above it is refused before
///   any byte is read, and a body that grows past it is cancelled there, so a hostile server
///   costs at most `limit` bytes of memory.
/// - A redirect is followed only to an allowed host. When it changes the scheme, host or
///   port, the headers the workflow configured (they carry `${SECRET}` values) and
///   `Authorization`/`Cookie` are removed from the redirected request.
// @unchecked Sendable: the mutable state is touched only on the session's serial delegate
// queue, and the continuation is resumed exactly once, from `didCompleteWithError`.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome {
        case response(HTTPURLResponse, Data)
        case tooLarge
        case failed(Error)
    }

    private let allowedHosts: Set<String>
    private let limit: Int
    /// Header names (lowercased) that must not leave the original origin.
    private let originHeaders: Set<String>
    private var body = Data()
    private var tooLarge = false
    private var continuation: CheckedContinuation<Outcome, Never>?

    init(allowedHosts: [String], limit: Int, originHeaders: [String]) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        self.limit = limit
        self.originHeaders = Set((originHeaders + ["Authorization", "Cookie", "Proxy-Authorization"]).map { $0.lowercased() })
    }

    /// Sends `request` on a session of its own and waits for the whole (bounded) body;
    /// cancelling the calling task cancels the transfer.
    static func perform(_ request: URLRequest, allowedHosts: [String], limit: Int, originHeaders: [String]) async -> Outcome {
        let transfer = HTTPTransfer(allowedHosts: allowedHosts, limit: limit, originHeaders: originHeaders)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: .ephemeral, delegate: transfer, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.addOperation {
                    transfer.continuation = continuation
                    task.resume()
                }
            }
        } onCancel: {
            task.cancel()
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        if response.expectedContentLength > Int64(limit) {
            tooLarge = true
            return completionHandler(.cancel)
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard !tooLarge else { return }
        if body.count + data.count > limit {
            tooLarge = true
            body = Data()
            dataTask.cancel()
            return
        }
        body.append(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        guard let target = request.url, let host = target.host?.lowercased(), allowedHosts.contains(host) else {
            return completionHandler(nil)
        }
        var redirected = request
        if let origin = task.originalRequest?.url, !Self.sameOrigin(origin, target) {
            for name in redirected.allHTTPHeaderFields?.keys.map({ $0 }) ?? [] where originHeaders.contains(name.lowercased()) {
                redirected.setValue(nil, forHTTPHeaderField: name)
            }
        }
        completionHandler(redirected)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let outcome: Outcome
        if tooLarge {
            outcome = .tooLarge
        } else if let error {
            outcome = .failed(error)
        } else if let response = task.response as? HTTPURLResponse {
            outcome = .response(response, body)
        } else {
            outcome = .failed(URLError(.badServerResponse))
        }
        continuation?.resume(returning: outcome)
        continuation = nil
    }

    /// Same scheme, host and port (a missing port is the scheme's default).
    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func origin(_ url: URL) -> (String, String, Int) {
            let scheme = url.scheme?.lowercased() ?? ""
            return (scheme, url.host?.lowercased() ?? "", url.port ?? (scheme == "https" ? 443 : 80))
        }
        return origin(a) == origin(b)
    }
}
