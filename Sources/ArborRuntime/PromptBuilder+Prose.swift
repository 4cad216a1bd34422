import ArborModel
import ArborSchema

/// The plain-chat question: the `prose` tree syntax asks it, and so does `arbor eval`'s
/// plain-chat baseline, so that the calculator and the answer's grammar are the only
/// difference between the two.
public enum ProsePrompt {
    /// What the model is told after the instructions.
    public static let instruction = "Solve it step by step. End with a last line of the form \"Answer: <the final answer>\"."

    /// The instructions rendered over the inputs, then ``instruction``.
    public static func question(instructions: String) -> String {
        instructions + "\n\n" + instruction
    }
}

extension PromptBuilder {
    /// The messages for the `prose` tree syntax: one user message, as plain chat asks.
    func proseMessages(inputs: JSONObject) -> [ChatMessage] {
        [.user(ProsePrompt.question(instructions: workflow.instructions.render(inputs)))]
    }
}
