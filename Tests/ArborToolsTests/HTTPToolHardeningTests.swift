@testable import ArborTools
import ArborSchema
import ArborSpec
import Foundation
import XCTest

/// An allowed host that misbehaves: a huge body, a redirect to another origin, a `..` argument.
final class HTTPToolHardeningTests: XCTestCase {
    private var server: FixtureServer!

    override func setUpWithError() throws {
        server = try FixtureServer(script: "http_server.py")
    }

    override func tearDown() {
        server.stop()
        server = nil
    }

    private func tool(url: String, headers: [HTTPHeader] = [], environment: [String: String] = [:]) -> HTTPTool {
        HTTPTool(name: "web", description: "The HTTP fixture.", parametersSchema: ["type": "object"],
                 template: HTTPRequestTemplate(url: url, headers: headers, allowedHosts: ["127.0.0.1"], timeoutSeconds: 30),
                 environment: environment)
    }

    func testABodyPastALowLimitIsStoppedWithAClearError() async throws {
        var web = tool(url: server.baseURL + "/big?bytes={{n}}")
        web.responseLimit = 64 << 10
        let small = try await web.call(arguments: ["n": 1000])
        XCTAssertEqual(small.stringValue?.count, 998)
        let outcome = try await ToolBox(tools: [web]).call("web", arguments: ["n": 300_000])
        XCTAssertEqual(outcome.error, .responseTooLarge(tool: "web", url: server.baseURL + "/big?bytes=300000", limit: 64 << 10))
        XCTAssertEqual(outcome.error?.description,
                       "Tool 'web': the response from \(server.baseURL)/big?bytes=300000 is larger than the limit of 64 KiB and was stopped there; ask for less (a narrower query, a smaller page).")
    }

    func testTheDefaultLimitStopsAStreamJustPastIt() async throws {
        let web = tool(url: server.baseURL + "/big?bytes={{n}}")
        XCTAssertEqual(web.responseLimit, 4 << 20)
        let atLimit = try await ToolBox(tools: [web]).call("web", arguments: ["n": .integer(Int64(4 << 20))])
        XCTAssertNil(atLimit.error, "a body of exactly the limit is accepted")
        let over = try await ToolBox(tools: [web]).call("web", arguments: ["n": .integer(Int64((4 << 20) + 100_000))])
        guard case .responseTooLarge(let name, _, let limit)? = over.error else { return XCTFail("\(over.result)") }
        XCTAssertEqual(name, "web")
        XCTAssertEqual(limit, 4 << 20)
    }

    func testADeclaredHugeBodyIsRefusedBeforeReadingIt() async throws {
        let web = tool(url: server.baseURL + "/big?bytes=200000&declare=6000000000")
        let start = Date()
        let outcome = try await ToolBox(tools: [web]).call("web", arguments: [:])
        guard case .responseTooLarge? = outcome.error else { return XCTFail("\(outcome.result)") }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testARedirectToAnotherPortDropsTheSecretHeaders() async throws {
        let other = try FixtureServer(script: "http_server.py")
        defer { other.stop() }
        let web = tool(url: server.baseURL + "/redirect?to={{target}}",
                       headers: [HTTPHeader(name: "Authorization", value: "Bearer ${TOKEN}"), HTTPHeader(name: "X-Api-Key", value: "${TOKEN}")],
                       environment: ["TOKEN": "s3cret"])
        let sameOrigin = try await web.call(arguments: ["target": .string(server.baseURL + "/echo")])
        XCTAssertEqual(sameOrigin["headers"]?["authorization"], "Bearer s3cret", "a redirect within the origin keeps the headers")
        XCTAssertEqual(sameOrigin["headers"]?["x-api-key"], "s3cret")
        let otherPort = try await web.call(arguments: ["target": .string(other.baseURL + "/echo?hop=1")])
        XCTAssertEqual(otherPort["query"], ["hop": "1"], "the redirect is followed")
        XCTAssertNil(otherPort["headers"]?["authorization"], "\(otherPort)")
        XCTAssertNil(otherPort["headers"]?["x-api-key"], "\(otherPort)")
        XCTAssertFalse(otherPort.compactString.contains("s3cret"))
    }

    func testOriginComparisonCoversSchemeHostAndPort() throws {
        func url(_ text: String) throws -> URL { try XCTUnwrap(URL(string: text)) }
        XCTAssertTrue(HTTPTransfer.sameOrigin(try url("https://a.example/x"), try url("https://A.example:443/y")))
        XCTAssertFalse(HTTPTransfer.sameOrigin(try url("https://a.example/x"), try url("http://a.example/x")))
        XCTAssertFalse(HTTPTransfer.sameOrigin(try url("http://a.example/x"), try url("http://a.example:8080/x")))
        XCTAssertFalse(HTTPTransfer.sameOrigin(try url("http://a.example/x"), try url("http://b.example/x")))
    }

    func testDotSegmentsFromArgumentsAreRefused() async throws {
        let web = tool(url: server.baseURL + "/echo/api/{{query}}/info")
        for walk in ["..", "."] {
            let outcome = try await ToolBox(tools: [web]).call("web", arguments: ["query": .string(walk)])
            XCTAssertEqual(outcome.error, .pathTraversal(tool: "web", url: server.baseURL + "/echo/api/\(walk)/info"))
        }
        let slash = try await web.call(arguments: ["query": "../x"])
        XCTAssertEqual(slash["path"], "/echo/api/..%2Fx/info", "a slash is encoded, so the value stays one segment")
        let dots = try await web.call(arguments: ["query": "a..b"])
        XCTAssertEqual(dots["path"], "/echo/api/a..b/info")
        let inQuery = try await tool(url: server.baseURL + "/echo?q={{query}}").call(arguments: ["query": ".."])
        XCTAssertEqual(inQuery["query"], ["q": ".."], "dots in the query string walk nothing")
    }
}
