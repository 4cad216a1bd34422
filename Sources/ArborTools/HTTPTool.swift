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
/// text. Header values read `${NAME}` from the environment given at construction (headers
/// take no `{{parameter}}`, so a model-chosen value can never expand a secret). The request
/// goes out only when the URL's host is in `allowed_hosts`, and never with a `.` or `..`
/// path segment made by an argument. A 2xx JSON response is the result; a `text/*` response
/// becomes `{"text": …}`; anything else is an error. The body is bounded by
/// ``responseLimit``; see ``HTTPTransfer`` for redirects.
public struct HTTPTool: ArborTool {
    public let name: String
    public let description: String
    public let parametersSchema: JSONValue
    public let template: HTTPRequestTemplate
    public var timeoutSeconds: Double { template.timeoutSeconds }
    /// A response body beyond this many bytes stops the transfer and fails the call (the
    /// same bound as a command tool's output).
    public var responseLimit = HTTPTool.defaultResponseLimit
    public static let defaultResponseLimit = 4 << 20
    private let environment: [String: String]

    public init(name: String, description: String, parametersSchema: JSONValue, template: HTTPRequestTemplate,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = name
        self.description = description
        self.parametersSchema = parametersSchema
        self.template = template
        self.environment = environment
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
        // `/api/{{name}}/info` with name `..` would request `/info`: refuse dot segments.
        let path = filled.split(separator: "?", maxSplits: 1)[0].split(separator: "#", maxSplits: 1)[0]
        if path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(3).contains(where: { $0 == "." || $0 == ".." }) {
            throw ToolError.pathTraversal(tool: name, url: filled)
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
        let data: Data, http: HTTPURLResponse
        switch await HTTPTransfer.perform(request, allowedHosts: template.allowedHosts, limit: responseLimit,
                                          originHeaders: template.headers.map(\.name)) {
        case .response(let response, let body): (http, data) = (response, body)
        case .tooLarge: throw ToolError.responseTooLarge(tool: name, url: url, limit: responseLimit)
        case .failed(let error):
            try Task.checkCancellation()
            throw ToolError.httpTransport(tool: name, url: url, message: error.localizedDescription)
        }
        return try interpret(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"), body: data, url: url)
    }

    /// The tool's result for a response: a 2xx JSON body, `{"text": …}` for `text/*`,
    /// `{"status": …}` for an empty body; every other answer is a ``ToolError``.
    func interpret(status: Int, contentType: String?, body data: Data, url: String) throws(ToolError) -> JSONValue {
        let text = String(decoding: data, as: UTF8.self)
        guard (200..<300).contains(status) else {
            throw ToolError.httpStatus(tool: name, url: url, status: status, bodyExcerpt: excerpt(text))
        }
        if data.isEmpty { return ["status": .integer(Int64(status))] }
        if let json = try? JSONValue(parsing: data) { return json }
        if contentType?.lowercased().hasPrefix("text/") == true { return ["text": .string(text)] }
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
