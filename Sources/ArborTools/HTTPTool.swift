import ArborSchema
import ArborSpec
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A tool that makes one HTTP request through URLSession (libcurl on Linux).
///
/// The URL's `{{parameter}}`s are filled with percent-encoded arguments; a body string that
/// is exactly `{{parameter}}` becomes the argument's JSON value, other strings are filled as
/// text. Header values read `${NAME}` from the environment given at construction. The
/// request goes out only when the URL's host is in `allowed_hosts`. A 2xx JSON response is
/// the result; a `text/*` response becomes `{"text": …}`; anything else is an error.
public struct HTTPTool: ArborTool {
    public let name: String
    public let description: String
    public let parametersSchema: JSONValue
    public let template: HTTPRequestTemplate
    public var timeoutSeconds: Double { template.timeoutSeconds }
    private let environment: [String: String]
    /// This tool's session; its delegate keeps redirects inside `allowed_hosts`.
    private let session: URLSession

    public init(name: String, description: String, parametersSchema: JSONValue, template: HTTPRequestTemplate,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = name
        self.description = description
        self.parametersSchema = parametersSchema
        self.template = template
        self.environment = environment
        session = URLSession(configuration: .ephemeral, delegate: RedirectGuard(allowedHosts: template.allowedHosts), delegateQueue: nil)
    }

    /// The request for `arguments`, checked against `allowed_hosts`.
    public func request(for arguments: JSONValue) throws(ToolError) -> URLRequest {
        let filled = fillPlaceholders(template.url, from: arguments, encode: Self.percentEncode)
        guard let url = URL(string: filled), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host?.lowercased() else {
            throw ToolError.invalidURL(tool: name, url: filled)
        }
        guard template.allowedHosts.contains(where: { $0.lowercased() == host }) else {
            throw ToolError.hostNotAllowed(tool: name, url: filled, allowed: template.allowedHosts)
        }
        var request = URLRequest(url: url, timeoutInterval: template.timeoutSeconds)
        request.httpMethod = template.method.rawValue
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        for header in template.headers {
            let value = try expandEnvironment(header.value, environment: environment) { variable throws(ToolError) in
                throw ToolError.missingEnvironmentVariable(tool: name, variable: variable, context: "the header \(header.name)")
            }
            request.setValue(value, forHTTPHeaderField: header.name)
        }
        if let body = template.body {
            request.httpBody = Data(Self.fillBody(body, arguments).compactString.utf8)
            if request.value(forHTTPHeaderField: "Content-Type") == nil {
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
        }
        return request
    }

    public func call(arguments: JSONValue) async throws -> JSONValue {
        let request = try request(for: arguments)
        let url = request.url!.absoluteString
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw ToolError.httpTransport(tool: name, url: url, message: error.localizedDescription)
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let http = response as? HTTPURLResponse else {
            throw ToolError.httpTransport(tool: name, url: url, message: "the response is not HTTP")
        }
        guard (200..<300).contains(http.statusCode) else {
            throw ToolError.httpStatus(tool: name, url: url, status: http.statusCode, bodyExcerpt: excerpt(text))
        }
        if data.isEmpty { return ["status": .integer(Int64(http.statusCode))] }
        if let json = try? JSONValue(parsing: data) { return json }
        let type = http.value(forHTTPHeaderField: "Content-Type")?.lowercased() ?? ""
        if type.hasPrefix("text/") { return ["text": .string(text)] }
        throw ToolError.nonJSONOutput(tool: name, source: "\(template.method.rawValue) \(url)", excerpt: excerpt(text))
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func fillBody(_ body: JSONValue, _ arguments: JSONValue) -> JSONValue {
        switch body {
        case .string(let s):
            let trimmed = s.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.dropFirst(2).dropLast(2).allSatisfy({ $0 != "{" && $0 != "}" }),
               let value = arguments[String(trimmed.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces)] {
                return value
            }
            return .string(fillPlaceholders(s, from: arguments, encode: { $0 }))
        case .array(let items): return .array(items.map { fillBody($0, arguments) })
        case .object(let object): return .object(JSONObject(object.entries.map { ($0.key, fillBody($0.value, arguments)) }))
        default: return body
        }
    }
}

/// Follows a redirect only to a host the request's tool allows; otherwise the 3xx response
/// itself comes back and becomes an ``ToolError/httpStatus(tool:url:status:bodyExcerpt:)``.
final class RedirectGuard: NSObject, URLSessionTaskDelegate, Sendable {
    let allowedHosts: Set<String>

    init(allowedHosts: [String]) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        guard let host = request.url?.host?.lowercased(), allowedHosts.contains(host) else { return completionHandler(nil) }
        completionHandler(request)
    }
}

/// Replaces each `${NAME}` in `text` by the environment variable; `missing` decides what an
/// unset one does (it throws).
func expandEnvironment(_ text: String, environment: [String: String],
                       missing: (String) throws(ToolError) -> Void) throws(ToolError) -> String {
    var output = "", rest = Substring(text)
    while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
        output += rest[..<open.lowerBound]
        let variable = String(rest[open.upperBound..<close])
        if let value = environment[variable] {
            output += value
        } else {
            try missing(variable)
        }
        rest = rest[rest.index(after: close)...]
    }
    return output + rest
}
