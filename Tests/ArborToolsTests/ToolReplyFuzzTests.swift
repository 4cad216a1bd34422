@testable import ArborTools
import ArborFuzzSupport
import ArborSchema
import ArborSpec
import Foundation
import MCP
import XCTest

/// What servers answer is outside input: mutated MCP `tools/call` replies (decoded as the
/// client decodes them, then turned into a result) and HTTP bodies each give a result or a
/// `ToolError` that names the tool.
final class ToolReplyFuzzTests: XCTestCase {
    static let mcpSeeds: [[UInt8]] = [
        #"{"jsonrpc":"2.0","id":3,"result":{"content":[{"type":"text","text":"{\"sum\":3.5}"}],"structuredContent":{"sum":3.5}}}"#,
        #"{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"Hello, Grace!"}]}}"#,
        #"{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"the fixture was asked to fail"}],"isError":true}}"#,
        #"{"jsonrpc":"2.0","id":6,"result":{"content":[{"type":"image","data":"iVBORw0KGgo=","mimeType":"image/png"},{"type":"text","text":"x"},{"type":"resource_link","uri":"file:///a","name":"a"}]}}"#,
        #"{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"unknown tool"}}"#,
        #"{"jsonrpc":"2.0","id":"a","result":{"content":[],"structuredContent":{"rows":[[1,2],[3,{"deep":[null,true,"s"]}]]}}}"#,
    ].map { Array($0.utf8) }

    func testMutatedMCPRepliesGiveAResultOrAToolError() {
        let mutator = Mutator(seeds: Self.mcpSeeds, dictionary: FuzzTokens.json + [
            "\"type\":\"text\"", "\"type\":\"audio\"", "\"type\":\"resource\"", "\"isError\":", "\"structuredContent\":", "\"content\":",
        ].map { Array($0.utf8) }, nesting: FuzzTokens.jsonNesting)
        let decoder = JSONDecoder()
        let report = FuzzDriver.run("mcp-reply", mutator: mutator, iterations: FuzzDriver.iterations("mcp-reply", default: 2000)) { input in
            // As the connection reads it: the depth check first, then the SDK's decoding.
            let message = DepthCheckedTransport.checked(Data(input))
            guard let response = try? decoder.decode(Response<CallTool>.self, from: message) else { return .rejected }
            guard case .success(let result) = response.result else { return .rejected }
            do {
                _ = try MCPServerConnection.value(of: result, tool: "fuzzed", server: "fixture")
                return .accepted
            } catch let error as ToolError {
                return error.description.contains("'fuzzed'") && error.description.contains("'fixture'") ? .rejected : .unclear(error.description)
            } catch {
                return .unclear("not a ToolError: \(error)")
            }
        }
        XCTAssertEqual(report.unclearCount, 0, report.unclear.map(\.reason).joined(separator: "\n"))
        XCTAssertGreaterThan(report.accepted, 0)
        XCTAssertGreaterThan(report.rejected, 0)
    }

    func testADeeplyNestedMCPReplyBecomesAnErrorForItsRequestBeforeDecoding() throws {
        let deep = #"{"jsonrpc":"2.0","id":3,"result":{"content":[],"structuredContent":"#
            + String(repeating: #"{"a":"#, count: 500) + "1" + String(repeating: "}", count: 500) + "}}"
        let start = Date()
        let checked = DepthCheckedTransport.checked(Data(deep.utf8))
        let response = try JSONDecoder().decode(Response<CallTool>.self, from: checked)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "decoding the nested reply itself takes seconds")
        XCTAssertEqual(response.id, 3)
        guard case .failure(let error) = response.result else { return XCTFail("\(response)") }
        XCTAssertTrue("\(error)".contains("a reply nested 502 levels deep; Arbor reads MCP replies of at most 64 levels"), "\(error)")
        let string = #"{"jsonrpc":"2.0","result":"#.utf8 + Array(repeating: UInt8(ascii: "["), count: 100) + #","id":"req-7"}"#.utf8
        XCTAssertTrue(String(decoding: DepthCheckedTransport.checked(Data(string)), as: UTF8.self).contains(#""id":"req-7""#) == false,
                      "an unclosed reply has no id at the top level")
        let shallow = Data(Self.mcpSeeds[0])
        XCTAssertEqual(DepthCheckedTransport.checked(shallow), shallow)
    }

    func testMutatedHTTPBodiesGiveAResultOrAToolError() {
        let seeds: [[UInt8]] = [#"{"results":[{"title":"a","url":"https://x.example/1"}],"next":null}"#, #"[1,2.5,"x",{"k":[]}]"#,
                                "plain words", "", #"{"error":"status 503"}"#].map { Array($0.utf8) }
        let tool = HTTPTool(name: "fuzzed", description: "", parametersSchema: ["type": "object"],
                            template: HTTPRequestTemplate(url: "http://127.0.0.1/x", allowedHosts: ["127.0.0.1"]))
        let mutator = Mutator(seeds: seeds, dictionary: FuzzTokens.json, nesting: FuzzTokens.jsonNesting)
        var rng = FuzzRandom(seed: 11)
        let statuses = [200, 201, 204, 299, 301, 404, 500, 503]
        let types: [String?] = ["application/json", "text/plain; charset=utf-8", "text/html", nil, "application/octet-stream"]
        let report = FuzzDriver.run("http-reply", mutator: mutator, iterations: FuzzDriver.iterations("http-reply", default: 3000)) { input in
            do {
                _ = try tool.interpret(status: statuses[rng.below(statuses.count)], contentType: types[rng.below(types.count)],
                                       body: Data(input), url: "http://127.0.0.1/x")
                return .accepted
            } catch let error as ToolError {
                return error.description.hasPrefix("Tool 'fuzzed'") ? .rejected : .unclear(error.description)
            } catch {
                return .unclear("not a ToolError: \(error)")
            }
        }
        XCTAssertEqual(report.unclearCount, 0, report.unclear.map(\.reason).joined(separator: "\n"))
        XCTAssertGreaterThan(report.accepted, 0)
        XCTAssertGreaterThan(report.rejected, 0)
    }
}
