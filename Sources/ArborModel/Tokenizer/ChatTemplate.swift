import Foundation

/// One message of a chat conversation.
public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: "system", content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: "user", content: content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: "assistant", content: content) }
}

/// Renders a conversation into the prompt text a chat model was trained on.
///
/// Arbor does not run Jinja: it recognises the template family from the model's
/// `tokenizer.chat_template` and renders it natively, as llama.cpp's built-in templates do.
/// ChatML (SmolLM2, Qwen2/2.5/3) is `<|im_start|>ROLE\nCONTENT<|im_end|>\n` per message and
/// `<|im_start|>assistant\n` as the generation prompt.
///
/// Some models' Jinja templates insert a default system message when the conversation has none
/// (SmolLM2: "You are a helpful AI assistant named SmolLM…", Qwen: "You are Qwen, created by
/// Alibaba Cloud…"). llama.cpp's built-in ChatML does not, and Arbor's reference outputs were
/// made that way, so by default neither does `render`; the detected text is in
/// `defaultSystemPrompt`, and setting `injectsDefaultSystemPrompt` reproduces the Jinja template.
///
/// ```swift
/// let template = try ChatTemplate(gguf: gguf)
/// let prompt = template.render(messages: [.user("What is 2+2?")], addGenerationPrompt: true)
/// // "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"
/// ```
public struct ChatTemplate: Sendable, Equatable {
    /// The template families Arbor renders.
    public enum Format: String, Sendable, CaseIterable {
        case chatml
    }

    public let format: Format
    /// The system message the model's own template inserts when there is none, if it has one.
    public let defaultSystemPrompt: String?
    /// Insert `defaultSystemPrompt` when the conversation does not start with a system message.
    public var injectsDefaultSystemPrompt: Bool

    /// Names accepted by `named(_:)` (and a `--chat-template` option).
    public static let knownNames = Format.allCases.map(\.rawValue)

    public init(format: Format, defaultSystemPrompt: String? = nil, injectsDefaultSystemPrompt: Bool = false) {
        self.format = format
        self.defaultSystemPrompt = defaultSystemPrompt
        self.injectsDefaultSystemPrompt = injectsDefaultSystemPrompt
    }

    /// A template by name, for models whose own template is missing or unrecognised.
    public static func named(_ name: String) throws -> ChatTemplate {
        guard let format = Format(rawValue: name.lowercased()) else {
            throw TokenizerError.unknownChatTemplateName(name)
        }
        return ChatTemplate(format: format)
    }

    /// The template of a model, recognised from `tokenizer.chat_template`.
    public init(gguf: GGUFFile) throws {
        guard gguf.contains("tokenizer.chat_template") else { throw TokenizerError.missingChatTemplate }
        try self.init(templateSource: try gguf.string("tokenizer.chat_template"))
    }

    /// Recognises the family of a Jinja chat template's source text.
    public init(templateSource source: String) throws {
        if source.contains("<|im_start|>") && source.contains("<|im_end|>") {
            self.init(format: .chatml, defaultSystemPrompt: ChatTemplate.literalSystemPrompt(in: source))
            return
        }
        let excerpt = String(source.prefix(60)).replacingOccurrences(of: "\n", with: "\\n")
        throw TokenizerError.unknownChatTemplate(excerpt: excerpt)
    }

    /// Renders `messages`; with `addGenerationPrompt`, ends with the opening of an assistant turn.
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var out = ""
        if injectsDefaultSystemPrompt, let defaultSystemPrompt, messages.first?.role != "system" {
            appendChatML(&out, role: "system", content: defaultSystemPrompt)
        }
        for message in messages { appendChatML(&out, role: message.role, content: message.content) }
        if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }

    private func appendChatML(_ out: inout String, role: String, content: String) {
        out += "<|im_start|>"
        out += role
        out += "\n"
        out += content
        out += "<|im_end|>\n"
    }

    /// Finds a literal `<|im_start|>system\n…<|im_end|>` in the template: the text a Jinja
    /// template emits when no system message is given.
    static func literalSystemPrompt(in source: String) -> String? {
        let opening = "<|im_start|>system"
        var searchStart = source.startIndex
        while let open = source.range(of: opening, range: searchStart..<source.endIndex) {
            searchStart = open.upperBound
            var rest = source[open.upperBound...]
            if rest.hasPrefix("\\n") {
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix("\n") {
                rest = rest.dropFirst(1)
            } else {
                continue
            }
            guard let close = rest.range(of: "<|im_end|>") else { continue }
            let body = rest[..<close.lowerBound]
            // Template code (quotes, concatenation, tags) means the content is not a literal.
            if body.isEmpty || body.contains(where: { "'\"{}+".contains($0) }) { continue }
            return body.replacingOccurrences(of: "\\n", with: "\n")
        }
        return nil
    }
}
