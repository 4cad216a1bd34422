@testable import ArborModel
import ArborTestSupport
import Foundation
import XCTest

final class ChatTemplateTests: XCTestCase {
    struct GreedyLine: Decodable {
        let prompt: String
        let prompt_ids: [Int32]
    }

    /// Every chat prompt of the greedy references, re-rendered from its messages, tokenizes to
    /// the reference prompt ids.
    private func checkChatPrompts(fixture: String, modelPath: String) throws {
        let file = try GGUFTestSupport.open(modelPath)
        let template = try ChatTemplate(gguf: file)
        XCTAssertEqual(template.format, .chatml)
        let tokenizer = try TokenizerCache.tokenizer(for: modelPath)
        let path = GGUFTestSupport.packageRoot + "/Tests/ArborModelTests/Fixtures/" + fixture
        var checked = 0
        for raw in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let line = try JSONDecoder().decode(GreedyLine.self, from: Data(raw.utf8))
            let prefix = "<|im_start|>user\n", suffix = "<|im_end|>\n<|im_start|>assistant\n"
            guard line.prompt.hasPrefix(prefix), line.prompt.hasSuffix(suffix) else { continue }
            let question = String(line.prompt.dropFirst(prefix.count).dropLast(suffix.count))
            let rendered = template.render(messages: [.user(question)], addGenerationPrompt: true)
            XCTAssertEqual(rendered, line.prompt)
            XCTAssertEqual(tokenizer.encode(rendered, parseSpecial: true), line.prompt_ids)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 2)
    }

    func testSmolLM2ChatPromptsMatchReferencePromptIds() throws {
        try checkChatPrompts(fixture: "greedy.jsonl", modelPath: try ModelFiles.defaultModelPath())
    }

    func testQwen2ChatPromptsMatchReferencePromptIds() throws {
        try checkChatPrompts(fixture: "qwen2-greedy.jsonl", modelPath: try ModelFiles.requiredQwenModelPath())
    }

    func testDefaultSystemPromptsAreReadFromTheModelTemplates() throws {
        let smol = try ChatTemplate(gguf: GGUFTestSupport.open(try ModelFiles.defaultModelPath()))
        XCTAssertEqual(smol.defaultSystemPrompt, "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        let qwen = try ChatTemplate(gguf: GGUFTestSupport.open(try ModelFiles.requiredQwenModelPath()))
        XCTAssertEqual(qwen.defaultSystemPrompt, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")
    }

    func testInjectedSystemPromptOnlyWhenTheConversationHasNone() {
        var template = ChatTemplate(format: .chatml, defaultSystemPrompt: "Be brief.")
        XCTAssertEqual(template.render(messages: [.user("Hi")], addGenerationPrompt: false),
                       "<|im_start|>user\nHi<|im_end|>\n")
        template.injectsDefaultSystemPrompt = true
        XCTAssertEqual(template.render(messages: [.user("Hi")], addGenerationPrompt: true),
                       "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        XCTAssertEqual(template.render(messages: [.system("Own."), .user("Hi"), .assistant("Hello")], addGenerationPrompt: false),
                       "<|im_start|>system\nOwn.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n")
    }

    func testUnknownTemplateErrorSaysHowToPassOne() {
        let llama3 = "{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n{{ m['content'] }}<|eot_id|>{% endfor %}"
        XCTAssertThrowsError(try ChatTemplate(templateSource: llama3)) { error in
            guard case .unknownChatTemplate = error as? TokenizerError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("--chat-template chatml"))
        }
        XCTAssertEqual(try ChatTemplate.named("ChatML").format, .chatml)
        XCTAssertThrowsError(try ChatTemplate.named("llama3")) { error in
            XCTAssertEqual(error as? TokenizerError, .unknownChatTemplateName("llama3"))
        }
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        XCTAssertThrowsError(try ChatTemplate(gguf: GGUFFile(bytes: writer.bytes()))) { error in
            XCTAssertEqual(error as? TokenizerError, .missingChatTemplate)
        }
    }
}
