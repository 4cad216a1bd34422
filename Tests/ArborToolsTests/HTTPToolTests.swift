@testable import ArborTools
import ArborSchema
import ArborSpec
import Foundation
import XCTest

final class HTTPToolTests: XCTestCase {
    private var server: FixtureServer!

    override func setUpWithError() throws {
        server = try FixtureServer(script: "http_server.py")
    }

    override func tearDown() {
        server.stop()
        server = nil
    }

    private func tool(_ method: HTTPRequestTemplate.Method = .get, path: String, headers: [HTTPHeader] = [], body: JSONValue? = nil,
                      allowed: [String] = ["127.0.0.1"], timeout: Double = 30, environment: [String: String] = [:]) -> HTTPTool {
        HTTPTool(name: "web", description: "The HTTP fixture.", parametersSchema: ["type": "object"],
                 template: HTTPRequestTemplate(method: method, url: server.baseURL + path, headers: headers, body: body,
                                               allowedHosts: allowed, timeoutSeconds: timeout),
                 environment: environment)
    }

    func testURLPlaceholdersArePercentEncoded() async throws {
        let web = tool(path: "/echo/{{city}}?q={{query}}&n={{count}}")
        let result = try await web.call(arguments: ["city": "São Paulo/x", "query": "a&b=c #1", "count": 3])
        XCTAssertEqual(result["method"], "GET")
        XCTAssertEqual(result["raw_path"], "/echo/S%C3%A3o%20Paulo%2Fx?q=a%26b%3Dc%20%231&n=3")
        XCTAssertEqual(result["query"], ["q": "a&b=c #1", "n": "3"])
    }

    func testHeadersReadTheEnvironmentAndBodyKeepsJSONTypes() async throws {
        let web = tool(.post, path: "/echo", headers: [HTTPHeader(name: "Authorization", value: "Bearer ${FIXTURE_TOKEN}")],
                       body: ["whole": "{{filters}}", "text": "city={{city}}", "fixed": 7],
                       environment: ["FIXTURE_TOKEN": "s3cret"])
        let result = try await web.call(arguments: ["filters": ["min": 1, "tags": ["a"]], "city": "Oslo"])
        XCTAssertEqual(result["method"], "POST")
        XCTAssertEqual(result["headers"]?["authorization"], "Bearer s3cret")
        XCTAssertEqual(result["headers"]?["content-type"], "application/json")
        XCTAssertEqual(result["body"], ["whole": ["min": 1, "tags": ["a"]], "text": "city=Oslo", "fixed": 7])
    }

    func testMissingEnvironmentVariableIsAClearError() async throws {
        let web = tool(path: "/echo", headers: [HTTPHeader(name: "X-Key", value: "${ARBOR_TEST_UNSET_VARIABLE}")])
        let outcome = try await ToolBox(tools: [web]).call("web", arguments: [:])
        XCTAssertEqual(outcome.error?.description,
                       "Tool 'web': the header X-Key uses ${ARBOR_TEST_UNSET_VARIABLE} but the environment variable ARBOR_TEST_UNSET_VARIABLE is not set; export it before the run.")
    }

    func testHostsOutsideTheAllowListAreRefusedBeforeAnyRequest() async throws {
        let web = tool(path: "/echo", allowed: ["example.com"])
        let outcome = try await ToolBox(tools: [web]).call("web", arguments: [:])
        XCTAssertEqual(outcome.error, .hostNotAllowed(tool: "web", url: server.baseURL + "/echo", allowed: ["example.com"]))
    }

    func testRedirectsAreFollowedOnlyToAllowedHosts() async throws {
        // 127.0.0.1 and localhost are the same server under two names; only 127.0.0.1 is allowed.
        let inside = tool(path: "/redirect?to={{target}}")
        let followed = try await inside.call(arguments: ["target": .string(server.baseURL + "/echo?hop=1")])
        XCTAssertEqual(followed["query"], ["hop": "1"])
        let outcome = try await ToolBox(tools: [inside]).call("web", arguments: ["target": .string("http://localhost:\(server.port)/echo")])
        guard case .httpStatus(_, _, let status, _)? = outcome.error else { return XCTFail("\(outcome.result)") }
        XCTAssertEqual(status, 302)
    }

    func testErrorStatusTextAndBinaryResponses() async throws {
        let box = try ToolBox(tools: [
            HTTPTool(name: "status", description: "", parametersSchema: ["type": "object"],
                     template: HTTPRequestTemplate(url: server.baseURL + "/status/{{code}}", allowedHosts: ["127.0.0.1"])),
            HTTPTool(name: "text", description: "", parametersSchema: ["type": "object"],
                     template: HTTPRequestTemplate(url: server.baseURL + "/text", allowedHosts: ["127.0.0.1"])),
            HTTPTool(name: "binary", description: "", parametersSchema: ["type": "object"],
                     template: HTTPRequestTemplate(url: server.baseURL + "/binary", allowedHosts: ["127.0.0.1"])),
        ])
        let notFound = await box.call("status", arguments: ["code": 503])
        XCTAssertEqual(notFound.error, .httpStatus(tool: "status", url: server.baseURL + "/status/503", status: 503,
                                                   bodyExcerpt: #"{"error": "status 503"}"#))
        XCTAssertTrue(notFound.error?.description.contains("answered with HTTP status 503") ?? false)
        let text = await box.call("text", arguments: [:])
        XCTAssertEqual(text.value, ["text": "plain words"])
        let binary = await box.call("binary", arguments: [:])
        guard case .nonJSONOutput(let tool, let source, _)? = binary.error else { return XCTFail("\(binary.result)") }
        XCTAssertEqual(tool, "binary")
        XCTAssertEqual(source, "GET \(server.baseURL)/binary")
    }

    func testSlowServerTimesOut() async throws {
        let slow = tool(path: "/slow?seconds=20", timeout: 1)
        let outcome = try await ToolBox(tools: [slow]).call("web", arguments: [:])
        guard case .timedOut(let name, let target, _)? = outcome.error else { return XCTFail("\(outcome.result)") }
        XCTAssertEqual(name, "web")
        XCTAssertEqual(target, "GET \(server.baseURL)/slow?seconds=20")
    }

    func testUnreachablePortIsATransportError() async throws {
        let port = server.port
        server.stop()
        let web = HTTPTool(name: "down", description: "", parametersSchema: ["type": "object"],
                           template: HTTPRequestTemplate(url: "http://127.0.0.1:\(port)/echo", allowedHosts: ["127.0.0.1"], timeoutSeconds: 5))
        let outcome = try await ToolBox(tools: [web]).call("down", arguments: [:])
        guard case .httpTransport(let name, let url, _)? = outcome.error else { return XCTFail("\(outcome.result)") }
        XCTAssertEqual(name, "down")
        XCTAssertEqual(url, "http://127.0.0.1:\(port)/echo")
    }
}
