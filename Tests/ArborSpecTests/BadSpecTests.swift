import ArborSpec
import XCTest

/// Each bad workflow yields a diagnostic with the expected message at the exact line and column.
final class BadSpecTests: XCTestCase {
    struct Case {
        var name: String
        var yaml: String
        var line: Int
        var column: Int
        var message: String
        var hint: String? = nil
    }

    /// A small valid workflow that the cases below break in one place each.
    static let valid = """
        arbor: 1
        name: demo
        inputs:
          question: str
        instructions: Answer {{question}}
        output:
          answer: str
        """

    static let cases: [Case] = [
        Case(name: "yaml syntax error", yaml: "arbor: 1\nname: [demo\ninstructions: x\n", line: 3, column: 13,
             message: "YAML syntax error"),
        Case(name: "unquoted shorthand in a flow mapping", yaml: "arbor: 1\nname: x\ninstructions: y\noutput: {n: int[1,10], s: str}\n",
             line: 4, column: 16, message: "YAML syntax error",
             hint: "inside `{...}`, quote shorthand types that use brackets or commas, e.g. {n: \"int[0,10]\"}, or use block style"),
        Case(name: "duplicate key", yaml: "arbor: 1\nname: a\nname: b\ninstructions: x\noutput: str\n", line: 2, column: 1,
             message: "the key `name` appears more than once"),
        Case(name: "empty file", yaml: "", line: 1, column: 1, message: "the file is empty"),
        Case(name: "top level is a list", yaml: "- arbor: 1\n", line: 1, column: 1, message: "must be a YAML mapping"),
        Case(name: "unsupported version", yaml: valid.replacingOccurrences(of: "arbor: 1", with: "arbor: 2"), line: 1, column: 8,
             message: "reads workflow format version 1", hint: "write `arbor: 1`, or upgrade Arbor"),
        Case(name: "version as text", yaml: valid.replacingOccurrences(of: "arbor: 1", with: "arbor: \"1\""), line: 1, column: 8,
             message: "`arbor` is the format version and must be the number 1"),
        Case(name: "missing version", yaml: valid.replacingOccurrences(of: "arbor: 1\n", with: ""), line: 1, column: 1,
             message: "missing the required key `arbor`"),
        Case(name: "missing name", yaml: valid.replacingOccurrences(of: "name: demo\n", with: ""), line: 1, column: 1,
             message: "missing the required key `name`"),
        Case(name: "missing instructions", yaml: valid.replacingOccurrences(of: "instructions: Answer {{question}}\n", with: ""),
             line: 1, column: 1, message: "missing the required key `instructions`"),
        Case(name: "missing output", yaml: "arbor: 1\nname: demo\ninstructions: x\n", line: 1, column: 1,
             message: "missing the required key `output`"),
        Case(name: "misspelt top-level key", yaml: valid + "\ninstruction: more", line: 8, column: 1,
             message: "unknown key `instruction` in the workflow", hint: "did you mean `instructions`?"),
        Case(name: "name is a list", yaml: valid.replacingOccurrences(of: "name: demo", with: "name: [a, b]"), line: 2, column: 7,
             message: "`name` must be text, found a list"),
        Case(name: "name with spaces", yaml: valid.replacingOccurrences(of: "name: demo", with: "name: my demo"), line: 2, column: 7,
             message: "may only use letters, digits"),
        Case(name: "context size not a number", yaml: valid + "\nmodel:\n  context_size: big", line: 9, column: 17,
             message: "`context_size` must be a whole number, found the text \"big\""),
        Case(name: "temperature out of range", yaml: valid + "\nmodel:\n  sampling:\n    temperature: 9", line: 10, column: 18,
             message: "`temperature` must be at least 0 and at most 5, found 9"),
        Case(name: "top_p zero", yaml: valid + "\nmodel:\n  sampling: {top_p: 0}", line: 9, column: 21,
             message: "`top_p` must be greater than 0"),
        Case(name: "misspelt model key", yaml: valid + "\nmodel:\n  contxt_size: 2048", line: 9, column: 3,
             message: "unknown key `contxt_size` in `model`", hint: "did you mean `context_size`?"),
        Case(name: "model file not gguf", yaml: valid + "\nmodel:\n  file: model.bin", line: 9, column: 9,
             message: "must name a GGUF file"),
        Case(name: "inputs as a list", yaml: valid.replacingOccurrences(of: "  question: str", with: "  - question"), line: 4, column: 3,
             message: "`inputs` must be a mapping of input names to types"),
        Case(name: "unknown scalar type", yaml: valid.replacingOccurrences(of: "question: str", with: "question: strng"), line: 4, column: 13,
             message: "unknown type `strng`", hint: "did you mean `str`?"),
        Case(name: "unclosed generic", yaml: valid.replacingOccurrences(of: "question: str", with: "question: list[int"), line: 4, column: 21,
             message: "expected `]` to close `list[`"),
        Case(name: "unknown template variable", yaml: valid.replacingOccurrences(of: "{{question}}", with: "{{questoin}}"), line: 5, column: 22,
             message: "`{{questoin}}` in the instructions is not an input", hint: "did you mean `question`?"),
        Case(name: "unknown variable in a literal block",
             yaml: valid.replacingOccurrences(of: "instructions: Answer {{question}}", with: "instructions: |\n  Answer {{question}}\n  Then {{topic}}."),
             line: 7, column: 8, message: "`{{topic}}` in the instructions is not an input"),
        Case(name: "unclosed placeholder", yaml: valid.replacingOccurrences(of: "{{question}}", with: "{{question"), line: 5, column: 22,
             message: "`{{` has no closing `}}`"),
        Case(name: "unknown named type", yaml: valid.replacingOccurrences(of: "answer: str", with: "answer: list[Sorce]") + "\ntypes:\n  Source: {url: str}",
             line: 7, column: 11, message: "unknown type `Sorce`", hint: "did you mean `Source`?"),
        Case(name: "recursive output with no base case",
             yaml: valid.replacingOccurrences(of: "output:\n  answer: str", with: "output: Node") + "\ntypes:\n  Node:\n    label: str\n    child: Node",
             line: 6, column: 9, message: "the output has no finite value: every value must contain another of its own kind",
             hint: "give the recursion a way to end, e.g. a field of type `Optional[Node]` with `default: null`, or `list[Node]`"),
        Case(name: "recursive alias", yaml: valid + "\ntypes:\n  A: list[B]\n  B: Optional[A]", line: 9, column: 6,
             message: "refers to itself"),
        Case(name: "bad type name", yaml: valid + "\ntypes:\n  my type: {a: int}", line: 9, column: 12,
             message: "the type name `my type` is not an identifier"),
        Case(name: "output and output_schema", yaml: valid + "\noutput_schema: {type: object}", line: 8, column: 1,
             message: "give either `output` (shorthand) or `output_schema`"),
        Case(name: "unsupported schema keyword",
             yaml: "arbor: 1\nname: demo\ninstructions: x\noutput_schema:\n  type: object\n  properties:\n    a:\n      type: string\n      not: {const: x}\n",
             line: 9, column: 12, message: "the keyword `not` is not supported"),
        Case(name: "bad regex in output_schema",
             yaml: "arbor: 1\nname: demo\ninstructions: x\noutput_schema:\n  type: string\n  pattern: \"(ab\"\n",
             line: 6, column: 12, message: "the pattern \"(ab\" cannot be used"),
        Case(name: "bad regex in a shorthand pattern",
             yaml: valid.replacingOccurrences(of: "answer: str", with: "answer:\n    type: str\n    pattern: \"a(?<=b)\""), line: 9, column: 14,
             message: "the pattern \"a(?<=b)\" cannot be used"),
        Case(name: "constraint on the wrong type",
             yaml: valid.replacingOccurrences(of: "answer: str", with: "answer:\n    type: str\n    ge: 1"), line: 9, column: 9,
             message: "`ge` applies only to int and float fields"),
        Case(name: "misspelt field option",
             yaml: valid.replacingOccurrences(of: "answer: str", with: "answer:\n    type: str\n    descripton: The answer."), line: 9, column: 5,
             message: "`descripton` is not a field option", hint: "did you mean `description`?"),
        Case(name: "tools as a mapping", yaml: valid + "\ntools:\n  calc: {builtin: calculator}", line: 9, column: 3,
             message: "`tools` must be a list of tools"),
        Case(name: "tool without a name", yaml: valid + "\ntools:\n  - builtin: calculator", line: 9, column: 5,
             message: "a tool is missing the required key `name`"),
        Case(name: "tool without implementation", yaml: valid + "\ntools:\n  - name: t\n    description: d", line: 9, column: 5,
             message: "needs exactly one implementation"),
        Case(name: "tool with two implementations", yaml: valid + "\ntools:\n  - name: t\n    builtin: calculator\n    command: [ls]", line: 11, column: 5,
             message: "has more than one implementation"),
        Case(name: "duplicate tool names", yaml: valid + "\ntools:\n  - name: calc\n    builtin: calculator\n  - name: calc\n    builtin: datetime",
             line: 11, column: 11, message: "the tool name `calc` is used twice"),
        Case(name: "misspelt tool key",
             yaml: valid + "\nservers:\n  web: {url: \"https://mcp.example.com/mcp\"}\ntools:\n  - name: s\n    description: d\n    mcp: {server: web}\n    paramters: {q: str}",
             line: 14, column: 5, message: "unknown key `paramters` in a tool", hint: "did you mean `parameters`?"),
        Case(name: "unknown builtin", yaml: valid + "\ntools:\n  - name: c\n    builtin: calculater", line: 10, column: 14,
             message: "`calculater` is not a built-in tool", hint: "did you mean `calculator`?"),
        Case(name: "builtin with parameters", yaml: valid + "\ntools:\n  - name: c\n    builtin: calculator\n    parameters: {x: str}", line: 11, column: 5,
             message: "a built-in tool has fixed parameters"),
        Case(name: "command as a string", yaml: valid + "\ntools:\n  - name: wc\n    description: d\n    command: wc -l", line: 11, column: 14,
             message: "`command` must be a list of arguments, not one string", hint: "write `command: [\"wc\", \"-l\"]`"),
        Case(name: "command placeholder not a parameter",
             yaml: valid + "\ntools:\n  - name: wc\n    description: d\n    parameters: {path: str}\n    command: [wc, -l, \"{{file}}\"]",
             line: 12, column: 24, message: "`{{file}}` is not a parameter of the tool `wc`"),
        Case(name: "command program is a placeholder",
             yaml: valid + "\ntools:\n  - name: run\n    description: d\n    parameters: {prog: str}\n    command:\n      argv: [\"{{prog}}\"]",
             line: 13, column: 14, message: "the program to run must be fixed"),
        Case(name: "mcp tool on an unknown server",
             yaml: valid + "\nservers:\n  web: {url: \"https://mcp.example.com/mcp\"}\ntools:\n  - name: s\n    description: d\n    mcp: {server: webb}",
             line: 13, column: 19, message: "uses the server `webb`, which is not declared", hint: "did you mean `web`?"),
        Case(name: "server without command or url", yaml: valid + "\nservers:\n  web: {env: {A: b}}", line: 9, column: 8,
             message: "needs `command:`"),
        Case(name: "server command as a string", yaml: valid + "\nservers:\n  web:\n    command: npx server", line: 10, column: 14,
             message: "`command` must be a list, found the text"),
        Case(name: "server url not http", yaml: valid + "\nservers:\n  web:\n    url: ftp://x", line: 10, column: 10,
             message: "must start with http:// or https://"),
        Case(name: "http url placeholder not a parameter",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    parameters: {city: str}\n    http:\n      url: https://api.example.com/w?q={{town}}",
             line: 13, column: 40, message: "`{{town}}` is not a parameter of the tool `w`"),
        Case(name: "http host not allowed",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    http:\n      url: https://api.example.com/w\n      allowed_hosts: [example.org]",
             line: 12, column: 12, message: "the URL's host `api.example.com` is not in `allowed_hosts`"),
        Case(name: "http get with body",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    http:\n      url: https://api.example.com/w\n      body: {a: 1}",
             line: 13, column: 7, message: "a GET request has no body"),
        Case(name: "http method unknown",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    http:\n      method: FETCH\n      url: https://api.example.com/w",
             line: 12, column: 15, message: "`FETCH` is not an HTTP method"),
        Case(name: "http header with a broken env reference",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    http:\n      url: https://api.example.com/w\n      headers:\n        Authorization: \"Bearer ${TOKEN\"",
             line: 14, column: 32, message: "`${` must be followed by an environment variable name"),
        Case(name: "http header with a parameter placeholder",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    parameters: {query: str}\n    http:\n      url: https://api.example.com/w?q={{query}}\n      headers:\n        X-Echo: \"q={{query}}\"",
             line: 15, column: 20, message: "`{{query}}` in the header `X-Echo` is not filled in: headers are sent as written and may only read `${ENV}` variables",
             hint: "pass `query` in the URL's query or in the body instead"),
        Case(name: "http url with a templated host",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    parameters: {h: str}\n    http:\n      url: \"https://{{h}}/x\"",
             line: 13, column: 12, message: "`url` must be an absolute http:// or https:// URL with a fixed host"),
        Case(name: "parameters_schema not an object",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    command: [date]\n    parameters_schema: {type: string}",
             line: 12, column: 24, message: "must describe an object"),
        Case(name: "parameters as a list",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    command: [date]\n    parameters: [a, b]",
             line: 12, column: 17, message: "`parameters` must be a mapping", hint: "for a full JSON Schema use `parameters_schema:`"),
        Case(name: "tool without description", yaml: valid + "\ntools:\n  - name: w\n    command: [date]", line: 9, column: 5,
             message: "the tool `w` is missing the required key `description`"),
        Case(name: "step naming an unknown tool",
             yaml: valid + "\ntools:\n  - name: calc\n    builtin: calculator\nsteps:\n  - name: work\n    goal: Compute.\n    tools: [calk]",
             line: 14, column: 13, message: "names the tool `calk`, which the workflow does not declare", hint: "did you mean `calc`?"),
        Case(name: "step goal naming an unknown input", yaml: valid + "\nsteps:\n  - name: a\n    goal: Think about {{topic}}.",
             line: 10, column: 23, message: "`{{topic}}` in the goal of the step `a` is not an input"),
        Case(name: "step without a goal", yaml: valid + "\nsteps:\n  - name: work", line: 9, column: 5,
             message: "a step is missing the required key `goal`"),
        Case(name: "duplicate step names", yaml: valid + "\nsteps:\n  - {name: a, goal: x}\n  - {name: a, goal: y}", line: 10, column: 12,
             message: "the step name `a` is used twice"),
        Case(name: "step tools as a string",
             yaml: valid + "\ntools:\n  - name: calc\n    builtin: calculator\nsteps:\n  - name: work\n    goal: Compute.\n    tools: calc",
             line: 14, column: 12, message: "a step's `tools` must be a list", hint: "write `tools: [calc]`"),
        Case(name: "round budget beyond the context", yaml: valid + "\nlimits:\n  round_budget: 8192", line: 9, column: 17,
             message: "`round_budget` (8192) must be smaller than the model's context size (4096)"),
        Case(name: "max depth zero", yaml: valid + "\nlimits:\n  max_depth: 0", line: 9, column: 14,
             message: "`max_depth` must be between 1 and 16, found 0"),
        Case(name: "misspelt limit", yaml: valid + "\nlimits:\n  max_depht: 3", line: 9, column: 3,
             message: "unknown key `max_depht` in `limits`", hint: "did you mean `max_depth`?"),
        Case(name: "max tokens beyond the context without rounds", yaml: valid + "\nlimits:\n  max_tokens: 10000", line: 9, column: 15,
             message: "`max_tokens` (10000) exceeds the context size (4096)"),
        Case(name: "tests as a mapping", yaml: valid + "\ntests:\n  first: {inputs: {question: hi}}", line: 9, column: 3,
             message: "`tests` must be a list of test cases"),
        Case(name: "test case not a mapping", yaml: valid + "\ntests:\n  - just text", line: 9, column: 5,
             message: "each test case must be a mapping"),
        Case(name: "unclosed literal in shorthand", yaml: valid.replacingOccurrences(of: "answer: str", with: "answer: Literal[\"a]"), line: 7, column: 19,
             message: "the string literal is not closed"),
        Case(name: "dict with non-string keys", yaml: valid.replacingOccurrences(of: "answer: str", with: "answer: dict[int, str]"), line: 7, column: 16,
             message: "a dict's key type must be `str`"),
        Case(name: "description not text", yaml: valid.replacingOccurrences(of: "answer: str", with: "answer:\n    type: str\n    description: [a]"), line: 9, column: 18,
             message: "a description must be a string"),
        Case(name: "default outside the field's range",
             yaml: valid.replacingOccurrences(of: "question: str", with: "question: str\n  depth:\n    type: int[1,5]\n    default: 9"),
             line: 7, column: 14, message: "the default 9 does not fit the field `depth`"),
        Case(name: "default of the wrong type in tool parameters",
             yaml: valid + "\ntools:\n  - name: w\n    description: d\n    command: [date]\n    parameters:\n      n: {type: int, default: many}",
             line: 13, column: 31, message: "the default \"many\" does not fit the field `n`"),
    ]

    func testEveryBadSpecIsReportedAtItsLineAndColumn() {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 40)
        XCTAssertEqual(Set(Self.cases.map(\.name)).count, Self.cases.count, "case names must be distinct")
        for testCase in Self.cases {
            let (workflow, diagnostics) = WorkflowLoader.load(text: testCase.yaml, file: "bad.yaml")
            XCTAssertNil(workflow, "\(testCase.name): a workflow with errors must not load")
            let matching = diagnostics.filter { $0.message.contains(testCase.message) }
            guard let diagnostic = matching.first else {
                XCTFail("\(testCase.name): no diagnostic contains \"\(testCase.message)\"; got:\n\(diagnostics.map(\.description).joined(separator: "\n"))")
                continue
            }
            XCTAssertEqual("\(diagnostic.line):\(diagnostic.column)", "\(testCase.line):\(testCase.column)", "\(testCase.name): \(diagnostic)")
            XCTAssertEqual(diagnostic.file, "bad.yaml")
            XCTAssertEqual(diagnostic.severity, .error, testCase.name)
            if let hint = testCase.hint {
                XCTAssertEqual(diagnostic.hint, hint, testCase.name)
            }
        }
    }

    func testTheValidBaseLoadsCleanly() {
        let (workflow, diagnostics) = WorkflowLoader.load(text: Self.valid)
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(workflow?.name, "demo")
    }
}
