import ArborGrammar
import ArborSchema
import ArborSpec
import ArborTools

/// Text in the `steps` tree syntax (``StepsGrammarBuilder``) read as the reasoning tree, and
/// the parts the decoder needs while it is being written: the tool call that just reached its
/// `=`, the steps finished so far, the text a tool's result is shown as.
///
/// Each `Step k:` line is a top-level task whose thought is the line. One inline call makes
/// the task's `tooluse`; several make one subtask each (thought: the call as written,
/// conclusion: its result). The conclusion is the line's last result, or the line itself.
///
/// ```swift
/// let text = "Step 1: Pens cost <<8*7=56>> dollars.\nAnswer: 56"
/// let tree = StepsDocument(text: text, toolCalls: [outcome], answerMember: "answer").document
/// // {"reasoning":[{"thought":"Pens cost <<8*7=56>> dollars.","tooluse":{…},"conclusion":"56"}],"answer":{"answer":56}}
/// ```
struct StepsDocument {
    /// One finished `Step k:` line.
    struct Step: Equatable {
        var text: String
        /// The calls written in it, as `(first call's index, count)` over the run's calls.
        var firstCall: Int
        var callCount: Int
        var resultTexts: [String]
    }

    let text: String
    let toolCalls: [ToolOutcome]
    /// The output member `Answer:` writes alone; nil when it writes the whole output.
    let answerMember: String?
    /// `steps` or `prose` (``TreeSyntax/json`` is not read here).
    var syntax: TreeSyntax = .steps
    /// Prose only: the UTF-8 offset just past the `=` of each call, in the order of `toolCalls`.
    var callOffsets: [Int] = []

    /// The finished step lines (prose: the finished non-empty lines before the answer), in order.
    var steps: [Step] {
        if syntax == .prose { return proseSteps }
        var steps: [Step] = []
        var callIndex = 0
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // the last piece is unfinished unless a newline ended it
        for line in lines.dropLast() where line.hasPrefix("Step ") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let body = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let results = Self.results(in: body)
            steps.append(Step(text: body, firstCall: callIndex, callCount: results.count, resultTexts: results))
            callIndex += results.count
        }
        return steps
    }

    /// The text written after `<<` in every finished call, with its result between `=` and `>>`.
    private static func results(in line: String) -> [String] {
        var results: [String] = []
        var rest = Substring(line)
        while let open = rest.range(of: "<<"), let close = rest[open.upperBound...].range(of: ">>") {
            let call = rest[open.upperBound..<close.lowerBound]
            if let equals = call.lastIndex(of: "=") { results.append(String(call[call.index(after: equals)...])) }
            rest = rest[close.upperBound...]
        }
        return results
    }

    /// The tree document, `{"reasoning": [...], "answer": …}`; nil answer text gives no `answer`.
    var document: JSONValue {
        var tasks: [JSONValue] = []
        for step in steps {
            var task: JSONObject = ["thought": .string(step.text)]
            let calls = (step.firstCall..<step.firstCall + step.callCount).filter { $0 < toolCalls.count }.map { toolCalls[$0] }
            if calls.count == 1 {
                task["tooluse"] = Self.tooluse(calls[0])
            } else if calls.count > 1 {
                task["subtasks"] = .array(zip(calls, step.resultTexts).map { call, result in
                    ["thought": .string(call.arguments.compactString), "tooluse": Self.tooluse(call), "conclusion": .string(result)]
                })
            }
            task["conclusion"] = .string(step.resultTexts.last ?? step.text)
            tasks.append(.object(task))
        }
        var document: JSONObject = ["reasoning": .array(tasks)]
        if let answer { document["answer"] = answer }
        return .object(document)
    }

    /// The answer after `Answer:`, wrapped in its member when written alone; nil when missing
    /// or not JSON.
    var answer: JSONValue? {
        if syntax == .prose { return proseAnswer }
        guard let range = text.range(of: "\nAnswer:", options: .backwards) else { return nil }
        let written = text[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = try? JSONValue(parsing: Array(written.utf8)) else { return nil }
        return answerMember.map { .object([$0: value]) } ?? value
    }

    private static func tooluse(_ call: ToolOutcome) -> JSONValue {
        ["tool_name": .string(call.tool), "parameters": call.arguments, "tool_result": call.modelJSON]
    }

    /// The call that has just reached its `=`: the tool and its arguments. The text must end
    /// with `<<…=`.
    static func pendingCall(in text: String, spec: ReasoningTreeSpec) -> (tool: String, arguments: JSONValue)? {
        guard text.hasSuffix("="), let open = text.range(of: "<<", options: .backwards) else { return nil }
        let call = String(text[open.upperBound...].dropLast())
        for tool in spec.tools where tool.name != spec.inlineExpression?.tool {
            guard call.hasPrefix(tool.name + "("), call.hasSuffix(")") else { continue }
            let inside = call.dropFirst(tool.name.count + 1).dropLast()
            guard let values = try? JSONValue(parsing: Array(("[" + inside + "]").utf8)).arrayValue,
                  values.count == tool.positionalParameters.count else { return nil }
            return (tool.name, .object(JSONObject(zip(tool.positionalParameters.map(\.name), values).map { ($0, $1) })))
        }
        guard let inline = spec.inlineExpression else { return nil }
        return (inline.tool, .object([inline.parameter: .string(call)]))
    }

    /// What a call's result looks like in the text: the number itself when the result is
    /// one (or an object whose `result` or `value` is one), compact JSON otherwise; a failure
    /// is a JSON string `"error: …"`.
    static func resultValue(of outcome: ToolOutcome) -> JSONValue {
        switch outcome.result {
        case .failure(let error):
            return .string("error: \(error.description)")
        case .success(let value):
            if let number = readableNumber(value) { return number }
            if let object = value.objectValue {
                for key in ["result", "value"] { if let member = object[key], let number = readableNumber(member) { return number } }
            }
            return value
        }
    }

    /// A number as a person writes it: whole numbers without a fraction, others to at most
    /// six decimals.
    private static func readableNumber(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .integer: return value
        case .number(let number):
            guard number.isFinite else { return nil }
            if number == number.rounded(), abs(number) < 9e15 { return .integer(Int64(number)) }
            let rounded = (number * 1e6).rounded() / 1e6
            return rounded == 0 ? value : .number(rounded)
        default: return nil
        }
    }
}
