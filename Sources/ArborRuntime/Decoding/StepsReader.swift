import ArborGrammar
import ArborSchema
import ArborSpec
import ArborTools

/// The `steps` and `prose` tree syntaxes as a consumer of the decode steps: it reads the
/// text the model types into the reasoning tree (``StepsDocument``) as it is written, says
/// where the answer begins, and which call a `=` asks for.
///
/// `steps` (``StepsGrammarBuilder``): numbered prose steps with inline tool calls, then
/// `Answer: …`. `prose` (``ProseGrammarBuilder``): free prose where a calculation's `=` calls
/// the calculator (``ProseArithmetic``), then `Answer: …`. Steps have no subtask lists, so
/// nothing is pruned and a run is one round. Near the token limit the text is closed the
/// shortest way up to `Answer:` and the model writes the answer in the reserve
/// (``answerReserve`` tokens, ``AnswerReserveClosing``).
///
/// ```swift
/// var reader = StepsReader(syntax: .steps, spec: spec)
/// reader.consume(Array("Step 1: Pens cost <<8*7=".utf8))
/// try reader.pendingCall(callCount: 0)   // ("calculator", {"expression": "8*7"})
/// ```
struct StepsReader {
    /// `steps` or `prose`.
    let syntax: TreeSyntax
    let spec: ReasoningTreeSpec
    /// The output member `Answer:` writes alone; nil when it writes the whole output.
    let answerMember: String?
    /// The text typed so far (generated, forced and tool results).
    private(set) var text: [UInt8] = []
    /// Prose: the UTF-8 offset just past each call's `=` (``StepsDocument/callOffsets``).
    private(set) var callOffsets: [Int] = []
    /// The steps finished so far, as last read (``readSteps(toolCalls:)``).
    private(set) var steps: [StepsDocument.Step] = []

    /// Tokens kept for the closing text and the answer when the token limit nears.
    static let answerReserve = 48

    init(syntax: TreeSyntax, spec: ReasoningTreeSpec) {
        self.syntax = syntax
        self.spec = spec
        answerMember = StepsGrammarBuilder.unwrappedAnswerMember(of: spec.output)
    }

    mutating func consume(_ bytes: [UInt8]) { text += bytes }

    /// The text as the tree, with the run's tool calls in it.
    func document(toolCalls: [ToolOutcome]) -> StepsDocument {
        StepsDocument(text: String(decoding: text, as: UTF8.self), toolCalls: toolCalls, answerMember: answerMember,
                      syntax: syntax, callOffsets: callOffsets)
    }

    /// The path of the step being written (the finished steps' count).
    var currentPath: NodePath { NodePath([steps.count]) }

    /// Reads the finished steps again after a step's tokens, and returns those that finished
    /// with them as tasks (a line finishes at its newline).
    mutating func readSteps(toolCalls: [ToolOutcome]) -> [TaskRecord] {
        let known = steps.count
        steps = document(toolCalls: toolCalls).steps
        return steps.indices.dropFirst(known).map { index in
            let step = steps[index]
            let tool = step.callCount == 1 && step.firstCall < toolCalls.count ? toolCalls[step.firstCall].tool : nil
            return TaskRecord(path: NodePath([index]), thought: step.text, conclusion: step.resultTexts.last ?? step.text, toolName: tool)
        }
    }

    /// Whether the text has reached its answer.
    var isInAnswer: Bool {
        let written = String(decoding: text, as: UTF8.self)
        if syntax == .prose {
            let line = written.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
            return ProseGrammarBuilder.answerMarkers.contains { line.hasPrefix($0) }
        }
        return text.count >= 8 && written.contains("\nAnswer:")
    }

    /// How many of `completion`'s bytes bring the text to its answer (through `Answer:`);
    /// nil when they never do.
    static func bytesToAnswer(in completion: [UInt8]) -> Int? {
        completion.firstRange(of: Array("Answer:".utf8))?.upperBound
    }

    /// What the `=` that ends the text calls: the steps syntax's call as written; in prose,
    /// the calculation written just before it, within the tool-call budget (nil: the `=` is
    /// prose, and nothing is written after it). `callCount` is the calls made so far.
    func pendingCall(callCount: Int) throws -> (name: String, arguments: JSONValue)? {
        let written = String(decoding: text, as: UTF8.self)
        guard syntax == .prose else {
            guard let call = StepsDocument.pendingCall(in: written, spec: spec) else {
                throw RuntimeError.toolCallUnreadable(text: String(written.suffix(200)))
            }
            return (call.tool, call.arguments)
        }
        guard let inline = spec.inlineExpression, callCount < spec.maxToolCalls ?? Int.max,
              let expression = ProseArithmetic.expression(before: written.dropLast()) else { return nil }
        return (inline.tool, .object([inline.parameter: .string(expression)]))
    }

    /// Marks the call whose `=` ends the text as made (prose reads its result from there).
    mutating func callMade() { callOffsets.append(text.count) }

    /// What a calculation's result looks like after its `=`: the number, after a space when
    /// the model wrote one before the `=`; nothing for a failure or a result that is no number.
    static func proseResultText(of outcome: ToolOutcome, after written: String) -> String {
        let value = StepsDocument.resultValue(of: outcome)
        guard value.doubleValue != nil else { return "" }
        return (written.dropLast().hasSuffix(" ") ? " " : "") + value.compactString
    }
}
