import Foundation
import Hummingbird

/// Lets a request to the API through only with the server's token, as `Authorization: Bearer T`
/// or as `?token=T` (a browser's `EventSource` cannot set headers); anything else is a 401.
/// The page's own files hold no run data and are served without it: the browser fetches
/// `style.css` and `app.js` without the page's query, and the page passes the token on to the API.
struct TokenCheck<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        let header = request.headers[.authorization].flatMap { value in
            value.hasPrefix("Bearer ") ? String(value.dropFirst("Bearer ".count)) : nil
        }
        let query = request.uri.queryParameters.get("token")
        guard let given = header ?? query, Self.equalInConstantTime(given, token) else {
            return WebServer.json(APIError(status: 401, message: "This server needs its token: send `Authorization: Bearer <token>` or add ?token=<token> to the URL.").json,
                                  status: 401)
        }
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference, so the time taken says nothing about
    /// how much of a guess was right.
    static func equalInConstantTime(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
