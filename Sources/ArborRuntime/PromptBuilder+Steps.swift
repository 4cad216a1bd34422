import ArborGrammar
import ArborModel
import ArborSchema
import ArborSpec

extension PromptBuilder {
    /// The messages for the `steps` tree syntax: a system message with the format and the
    /// tools, then — shown, not described — a worked example as an earlier user / assistant
    /// turn, then the workflow's instructions over the inputs.
    ///
    /// Small models copy a format from an earlier turn far better than from a description
    /// in the instructions; the example uses only the workflow's own tools.
    func stepsMessages(inputs: JSONObject, spec: ReasoningTreeSpec) -> [ChatMessage] {
        var messages: [ChatMessage] = [.system(stepsSystemText(spec: spec))]
        if let example = stepsExample(spec: spec) { messages += [.user(example.question), .assistant(example.answer)] }
        messages.append(.user(userText(inputs: inputs, summary: nil)))
        return messages
    }

    private func stepsSystemText(spec: ReasoningTreeSpec) -> String {
        var lines = ["Solve the task step by step. Write one step per line: \"Step 1: ...\", \"Step 2: ...\"."]
        let inline = spec.maxToolCalls == 0 ? nil : spec.inlineExpression
        if let inline {
            lines.append("Write every calculation as <<expression=>>: the \(inline.tool) writes the exact result after the = sign, "
                         + "for example <<12*3+5=41>>. Use the results it writes.")
        }
        for tool in tools where tool.name != inline?.tool && spec.maxToolCalls != 0 {
            let positional = spec.tools.first { $0.name == tool.name }?.positionalParameters.map(\.name) ?? []
            let properties = tool.parameters.objectValue?["properties"]?.objectValue
            let arguments = positional.map { name in
                let description = properties?[name]?.objectValue?["description"]?.stringValue.map { " (\($0))" } ?? ""
                return name + description
            }
            lines.append("To use \(tool.name) (\(tool.description)) write <<\(tool.name)(\(positional.joined(separator: ", ")))=>> "
                         + "with the arguments in this order: \(arguments.joined(separator: "; ")); strings in double quotes. "
                         + "Its result is written after the = sign.")
        }
        if StepsGrammarBuilder.unwrappedAnswerMember(of: spec.output) != nil {
            lines.append("End with a last line \"Answer: \" and the final answer alone.")
        } else {
            lines.append("End with a last line \"Answer: \" and the final answer as JSON following this JSON Schema: \(workflow.outputSchema.compactString)")
        }
        return lines.joined(separator: "\n")
    }

    /// A worked example with the workflow's own built-in tools (or none when no call is
    /// allowed); nil when the answer is not a single value or there is no calculator.
    private func stepsExample(spec: ReasoningTreeSpec) -> (question: String, answer: String)? {
        guard StepsGrammarBuilder.unwrappedAnswerMember(of: spec.output) != nil else { return nil }
        let question = "A shop sells 3 boxes of 12 eggs and 5 single eggs. How many eggs does it sell?"
        if spec.maxToolCalls == 0 {
            return (question, "Step 1: The boxes hold 3*12 = 36 eggs.\nStep 2: With the single eggs that makes 36+5 = 41 eggs.\nAnswer: 41")
        }
        guard spec.inlineExpression != nil else { return nil }
        let converter = workflow.tools.first { $0.implementation == .builtin(.unitConvert) }?.name
        if let converter {
            return ("A plank is 2 meters long. How many inches long are 3 planks laid end to end?",
                    "Step 1: The planks are <<3*2=6>> meters long together.\n"
                    + "Step 2: In inches that is <<\(converter)(6, \"m\", \"inch\")=236.220472>> inches.\nAnswer: 236.220472")
        }
        return (question,
                "Step 1: The boxes hold <<3*12=36>> eggs.\nStep 2: With the single eggs that makes <<36+5=41>> eggs.\nAnswer: 41")
    }
}
