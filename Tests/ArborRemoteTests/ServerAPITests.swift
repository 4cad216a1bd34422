import ArborModel
import ArborRemote
import ArborRuntime
import ArborSchema
import Foundation
import XCTest

/// Request and reply shapes of vLLM and SGLang (which need a GPU) against fixtures written
/// from their documented APIs, and llama-server's against a recorded reply.
final class ServerAPITests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) throws -> JSONValue {
        try JSONValue(parsing: Array(try Data(contentsOf: fixtures.appendingPathComponent(name))))
    }

    static let request = SegmentRequest(prompt: [1, 4093, 198], grammar: "root ::= \"yes\" | \"no\"\n", maxTokens: 16,
                                        sampling: { var s = SamplerSettings.greedy; s.seed = 7; return s }(), cachePrompt: true)
    static let endIDs: Set<Int32> = [0, 2]

    func testVLLMRequestPutsTheGrammarInStructuredOutputsAndAsksForTokenIDs() throws {
        let api = ServerAPI(engine: ServingEngine(kind: .vllm, url: "http://gpu:8000", model: "HuggingFaceTB/SmolLM2-135M-Instruct"))
        XCTAssertEqual(api.segmentPath, "/v1/completions")
        XCTAssertEqual(api.body(Self.request), try Self.fixture("vllm-request.json"))
    }

    func testVLLMReplyGivesTokenIDsTheEndAndTheCachedCount() throws {
        let api = ServerAPI(engine: ServingEngine(kind: .vllm, url: "http://gpu:8000"))
        let reply = try api.reply(try Self.fixture("vllm-reply.json"), endIDs: Self.endIDs)
        XCTAssertEqual(reply, SegmentReply(tokens: [10407], endedText: true, promptTokens: 3, cachedTokens: 2))
    }

    func testSGLangRequestPutsTheGrammarInSamplingParamsEBNF() throws {
        let api = ServerAPI(engine: ServingEngine(kind: .sglang, url: "http://gpu:30000"))
        XCTAssertEqual(api.segmentPath, "/generate")
        XCTAssertEqual(api.body(Self.request), try Self.fixture("sglang-request.json"))
    }

    func testSGLangReplyAtItsLengthLimitDoesNotEndTheText() throws {
        let api = ServerAPI(engine: ServingEngine(kind: .sglang, url: "http://gpu:30000"))
        let reply = try api.reply(try Self.fixture("sglang-reply.json"), endIDs: Self.endIDs)
        XCTAssertEqual(reply, SegmentReply(tokens: [10407], endedText: false, promptTokens: 3, cachedTokens: 0))
    }

    func testLlamaServerReplyDropsItsEndTokenAndReadsTheTimings() throws {
        let api = ServerAPI(engine: ServingEngine(kind: .llamaServer, url: "http://127.0.0.1:8080"))
        let reply = try api.reply(try Self.fixture("llama-server-reply.json"), endIDs: Self.endIDs)
        XCTAssertTrue(reply.endedText)
        XCTAssertFalse(reply.tokens.contains { Self.endIDs.contains($0) })
        XCTAssertGreaterThan(reply.tokens.count, 0)
        XCTAssertGreaterThan(reply.cachedTokens, 0)
    }

    func testAReplyWithoutTokenIDsIsAnErrorNamingTheServer() throws {
        let api = ServerAPI(engine: ServingEngine(kind: .vllm, url: "http://gpu:8000"))
        XCTAssertThrowsError(try api.reply(["choices": [["text": "yes"]]], endIDs: Self.endIDs)) { error in
            XCTAssertEqual(error as? RemoteError, .malformedReply(server: "http://gpu:8000", reason: "no token ids in the reply"))
        }
    }
}
