import ArborGrammar
import ArborModel
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
    /// The text decoded as it arrives, through its last whole character (`decodedEnd`): the
    /// questions asked before every token read it without decoding the whole text again.
    private var decoded = ""
    private var decodedEnd = 0
    /// Where the last line begins (just past the last newline).
    private var lastLineStart = 0
    /// Steps: whether `\nAnswer:` is written (the grammar allows it only as the answer line).
    private var answerLineWritten = false
    /// Whether a line ended since the steps were last read (only a newline finishes a step).
    private var lineEndedSinceRead = false
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

    mutating func consume(_ bytes: [UInt8]) {
        let start = text.count
        text += bytes
        if let newline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
            lastLineStart = start + newline + 1
            lineEndedSinceRead = true
        }
        if syntax == .steps && !answerLineWritten {
            // the marker may begin in the bytes before these
            answerLineWritten = text[max(0, start - Self.answerLineMarker.count + 1)...].firstRange(of: Self.answerLineMarker) != nil
        }
        // A character cut between tokens waits for its last bytes: decoded whole, as the
        // whole text would decode it.
        let complete = text.count - StreamingDecoder.incompleteSuffixLength(text)
        if complete > decodedEnd {
            decoded += String(decoding: text[decodedEnd..<complete], as: UTF8.self)
            decodedEnd = complete
        }
    }

    /// The text as a string: what `String(decoding: text, as: UTF8.self)` gives, without
    /// decoding it all again (only a character cut at the end is decoded on its own).
    var writtenText: String {
        decodedEnd == text.count ? decoded : decoded + String(decoding: text[decodedEnd...], as: UTF8.self)
    }

    private static let answerLineMarker = Array("\nAnswer:".utf8)

    /// The text as the tree, with the run's tool calls in it.
    func document(toolCalls: [ToolOutcome]) -> StepsDocument {
        StepsDocument(text: writtenText, toolCalls: toolCalls, answerMember: answerMember,
                      syntax: syntax, callOffsets: callOffsets)
    }

    /// The path of the step being written (the finished steps' count).
    var currentPath: NodePath { NodePath([steps.count]) }

    /// Reads the finished steps again after a step's tokens, and returns those that finished
    /// with them as tasks (a line finishes at its newline).
    mutating func readSteps(toolCalls: [ToolOutcome]) -> [TaskRecord] {
        guard lineEndedSinceRead else { return [] }
        lineEndedSinceRead = false
        let known = steps.count
        steps = document(toolCalls: toolCalls).steps
        return steps.indices.dropFirst(known).map { index in
            let step = steps[index]
            let tool = step.callCount == 1 && step.firstCall < toolCalls.count ? toolCalls[step.firstCall].tool : nil
            return TaskRecord(path: NodePath([index]), thought: step.text, conclusion: step.resultTexts.last ?? step.text, toolName: tool)
        }
    }

    /// Whether the text has reached its answer: in prose, the last line begins with an answer
    /// marker; in steps, `\nAnswer:` is written. Read from what ``consume(_:)`` kept, as bytes:
    /// the grammars keep `\r` out of the text and let no line but the answer's begin with a
    /// marker, so the bytes say what the characters would.
    var isInAnswer: Bool {
        if syntax == .prose {
            let line = text[lastLineStart...]
            return ProseGrammarBuilder.answerMarkers.contains { line.starts(with: $0.utf8) }
        }
        return answerLineWritten
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
        let written = writtenText
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
