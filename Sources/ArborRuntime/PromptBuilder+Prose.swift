import ArborModel
import ArborSchema
import ArborSpec
import ArborTools

/// The plain-chat question: the `prose` tree syntax asks it, and so does `arbor eval`'s
/// plain-chat baseline, so that the tools and the answer's grammar are the only difference
/// between the two.
public enum ProsePrompt {
    /// What the model is told after the instructions.
    public static let instruction = "Solve it step by step. End with a last line of the form \"Answer: <the final answer>\"."

    /// The instructions rendered over the inputs, then `facts` (when there are any), then
    /// ``instruction``.
    public static func question(instructions: String, facts: String? = nil) -> String {
        instructions + (facts.map { "\n\n" + $0 } ?? "") + "\n\n" + instruction
    }

    /// What the workflow's tools state before the model starts: with the built-in
    /// `unit_convert`, the conversions between the units the instructions name, from the
    /// converter's table (``UnitFacts``), under a heading that says where they come from.
    public static func facts(instructions: String, workflow: Workflow) -> String? {
        guard workflow.tools.contains(where: { $0.implementation == .builtin(.unitConvert) }) else { return nil }
        let lines = UnitFacts.lines(mentionedIn: instructions)
        return lines.isEmpty ? nil : (["Exact conversions (from the unit converter):"] + lines.map { "- \($0)" }).joined(separator: "\n")
    }
}

extension PromptBuilder {
    /// The messages for the `prose` tree syntax: one user message, as plain chat asks, with
    /// the tools' facts (``ProsePrompt/facts(instructions:workflow:)``) under the instructions.
    func proseMessages(inputs: JSONObject) -> [ChatMessage] {
        let instructions = workflow.instructions.render(inputs)
        return [.user(ProsePrompt.question(instructions: instructions, facts: ProsePrompt.facts(instructions: instructions, workflow: workflow)))]
    }
}
