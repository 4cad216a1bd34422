import ArborGrammar
import ArborModel
import ArborRuntime
import ArborSchema
import ArborSpec
import ArgumentParser
import Foundation

/// `arbor generate`: runs the local model on a prompt and streams the continuation.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text with the local GGUF model, streaming it to standard output.",
        discussion: "Prefill and decode speeds (tokens/s) are printed to standard error at the end.")

    @Option(name: .long, help: "Path of the GGUF model (default: models/SmolLM2-135M-Instruct.Q4_1.gguf, or ARBOR_MODEL).")
    var model: String?

    @Flag(name: .long, help: "Wrap the prompt as a user message in the model's chat template.")
    var chat = false

    @Option(name: .long, help: "The prompt text.")
    var prompt: String?

    @Option(name: .customLong("prompt-file"), help: "Read the prompt from this file.")
    var promptFile: String?

    @Flag(name: .customLong("no-special"), help: "Treat special-token text such as <|im_start|> in the prompt as plain text (as `arbor tokenize --no-special`).")
    var noSpecial = false

    @Option(name: .short, help: "Maximum number of tokens to generate.")
    var n: Int = 128

    @Option(name: .long, parsing: .unconditional, help: "Sampling temperature; 0 is greedy.")
    var temp: Float = 0

    @Option(name: .long, help: "Seed of the sampler's random generator.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Kernel threads.")
    var threads: Int = 2

    @Flag(name: .long, help: "Print one JSON object with the prompt ids, generated ids and text instead of streaming.")
    var json = false

    @Option(name: .long, help: "Constrain the output to JSON valid under this JSON Schema file.")
    var schema: String?

    @Option(name: .long, help: "Constrain the output to JSON valid under this workflow's output schema.")
    var spec: String?

    @OptionGroup var numerics: NumericsOption

    func validate() throws {
        if (prompt == nil) == (promptFile == nil) {
            throw ValidationError("Pass exactly one of --prompt TEXT or --prompt-file FILE.")
        }
        if n < 0 { throw ValidationError("-n must be zero or more.") }
        if threads < 1 { throw ValidationError("--threads must be at least 1.") }
        if schema != nil && spec != nil { throw ValidationError("Pass at most one of --schema and --spec.") }
        try OptionChecks.temperature(temp)
        try OptionChecks.readableFile(promptFile, option: "--prompt-file")
    }

    func run() async throws {
        numerics.apply()
        let path = try ModelLocator.resolve(explicitPath: model)
        let loaded = try LoadedModel(path: path)
        let tokenizer = loaded.tokenizer
        var text = try prompt ?? String(contentsOfFile: promptFile!, encoding: .utf8)
        if chat {
            text = try loaded.chatTemplate.render(messages: [.user(text)], addGenerationPrompt: true)
        }
        // Special-token text is parsed as `arbor tokenize` and llama.cpp parse it; the chat
        // template's own markers always are.
        let promptIDs = tokenizer.encode(text, parseSpecial: chat || !noSpecial, addSpecial: true)
        let transformer = try loaded.transformer(threads: threads, contextSlots: max(promptIDs.count + n + 1, 16))

        if let outputSchema = try loadOutputSchema() {
            try generateJSON(outputSchema, model: transformer, tokenizer: tokenizer, promptIDs: promptIDs)
            return
        }

        let prefillStart = DispatchTime.now()
        if !promptIDs.isEmpty {
            _ = try transformer.prefill(tokens: promptIDs, positions: (0..<Int32(promptIDs.count)).map { $0 })
        }
        let prefillSeconds = Self.seconds(since: prefillStart)

        var sampler = Sampler(settings: SamplerSettings(temperature: temp, topK: temp > 0 ? 40 : 1,
                                                        topP: 0.95, minP: 0.05, seed: seed))
        var streaming = StreamingDecoder(tokenizer: tokenizer)
        var generated: [Int32] = []
        var output = ""
        let decodeStart = DispatchTime.now()
        var position = Int32(promptIDs.count)
        var decodeCalls = 0
        while generated.count < n, !promptIDs.isEmpty {
            let token = sampler.sample(transformer.logits, history: generated)
            if token < 0 || tokenizer.isEndOfGeneration(token) { break }
            generated.append(token)
            let piece = streaming.push(token)
            output += piece
            if !json {
                FileHandle.standardOutput.write(Data(piece.utf8))
            }
            if generated.count == n { break }
            _ = try transformer.decode(token: token, position: position)
            decodeCalls += 1
            position += 1
        }
        let rest = streaming.finish()
        output += rest
        let decodeSeconds = Self.seconds(since: decodeStart)
        if json {
            let object: [String: Any] = ["prompt_ids": promptIDs, "output_ids": generated, "output": output]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data((rest + "\n").utf8))
        }
        let prefillRate = prefillSeconds > 0 ? Double(promptIDs.count) / prefillSeconds : 0
        let decodeRate = decodeSeconds > 0 ? Double(decodeCalls) / decodeSeconds : 0
        FileHandle.standardError.write(Data(String(
            format: "prefill: %d tokens, %.1f tokens/s; decode: %d steps, %.1f tokens/s (%d threads)\n",
            promptIDs.count, prefillRate, decodeCalls, decodeRate, threads).utf8))
    }

    /// The schema that constrains the output, from `--schema` or `--spec`; nil for free text.
    private func loadOutputSchema() throws -> SchemaDocument? {
        if let schema {
            let text = try String(contentsOfFile: schema, encoding: .utf8)
            return try SchemaDocument(compiling: JSONValue(parsing: text))
        }
        if let spec {
            return try SchemaDocument(compiling: WorkflowLoader.loadValid(path: spec).outputSchema)
        }
        return nil
    }

    /// Decodes under the schema's grammar: every token keeps the output valid, forced text
    /// is inserted without sampling, and the finished value is validated once more.
    private func generateJSON(_ document: SchemaDocument, model: Transformer, tokenizer: BPETokenizer,
                              promptIDs: [Int32]) throws {
        let grammar = try SchemaGrammarBuilder.grammar(for: document).grammar
        let compiled = try VocabularyCache.shared.compiled(grammar, for: tokenizer)
        var sampler = Sampler(settings: SamplerSettings(temperature: temp, topK: temp > 0 ? 40 : 1,
                                                        topP: 0.95, minP: 0.05, seed: seed))
        let decoder = ConstrainedDecoder(model: model, tokenizer: tokenizer, grammar: compiled)
        let output = try decoder.generate(prompt: promptIDs, sampler: &sampler, maxTokens: n, schema: document)
        let text = json ? output.value.compactString : output.value.prettyString
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
        let tokens = output.generatedTokens + output.forcedTokens
        FileHandle.standardError.write(Data(String(
            format: "%d tokens (%d sampled, %d forced) in %.2f s, %.1f tokens/s; token masks %.1f ms in all\n",
            tokens, output.generatedTokens, output.forcedTokens, output.decodeSeconds,
            output.decodeSeconds > 0 ? Double(tokens) / output.decodeSeconds : 0, output.maskSeconds * 1000).utf8))
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
