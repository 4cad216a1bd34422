import ArborSchema
import ArborStore
import Foundation

/// Why `arbor serve` refuses to start or a request fails, as a sentence saying what to do.
public enum WebServerError: Error, CustomStringConvertible, Equatable {
    /// Bound to an interface other than loopback without a token: anyone on that network could
    /// read every run.
    case tokenRequired(host: String)
    /// The page's files are missing from the package's resources (a broken install).
    case pageMissing(path: String)

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            return "arbor serve: binding to \(host) exposes every run to that network; give a token with --token or $ARBOR_TOKEN, or bind to 127.0.0.1."
        case .pageMissing(let path):
            return "arbor serve: the page's files are missing (\(path)); reinstall Arbor."
        }
    }
}

/// An error answered as JSON: `{"error": "...", "status": 404}`, with `"pointer"` (the JSON
/// pointer of the bad value) when a request's input is at fault.
struct APIError: Error {
    var status: Int
    var message: String
    var pointer: JSONPointer?

    var json: String {
        var members = [ReportJSON.Member("error", .string(message)), ReportJSON.Member("status", .integer(status))]
        if let pointer { members.append(ReportJSON.Member("pointer", .string(pointer.string))) }
        return ReportJSON.object(members: members).compact()
    }

    /// The store's errors mapped to statuses: an unknown run is 404, a database that cannot be
    /// opened or read is 503 (the server stays up and tries again on the next request).
    init(_ error: any Error) {
        if let apiError = error as? APIError {
            self = apiError
        } else if case StoreError.runNotFound = error {
            status = 404
            message = "\(error)"
        } else {
            status = 503
            message = "\(error)"
        }
    }

    init(status: Int, message: String, pointer: JSONPointer? = nil) {
        self.status = status
        self.message = message
        self.pointer = pointer
    }
}
