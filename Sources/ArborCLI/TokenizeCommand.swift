import ArborModel
import ArgumentParser

/// `arbor tokenize`: prints the token ids of a text as a JSON array.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of TEXT as a JSON array, as the model's tokenizer produces them."
    )

    @Option(name: .long, help: "GGUF model file (default: $ARBOR_MODEL or models/SmolLM2-135M-Instruct.Q4_1.gguf).")
    var model: String?

    @Flag(name: .customLong("no-special"), help: "Treat special-token text such as <|im_start|> as plain text.")
    var noSpecial = false

    @Flag(name: .customLong("add-special"), help: "Add BOS/EOS when the model's metadata asks for them.")
    var addSpecial = false

    @Argument(help: "The text to tokenize.")
    var text: String

    func run() throws {
        let path = try ModelLocator.resolve(explicitPath: model)
        let tokenizer = try BPETokenizer(gguf: GGUFFile(path: path))
        let ids = tokenizer.encode(text, parseSpecial: !noSpecial, addSpecial: addSpecial)
        print("[" + ids.map(String.init).joined(separator: ", ") + "]")
    }
}
