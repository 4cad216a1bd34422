import ArborSchema
import ArborSpec
import Foundation

/// Reads test cases from the JSON form of a YAML file, recording a located problem for
/// every mistake instead of stopping.
struct TestCaseDecoder {
    let document: YAMLDocument
    let workflow: Workflow
    let workflowPath: String
    private(set) var problems: [SpecProblem] = []

    init(document: YAMLDocument, workflow: Workflow, workflowPath: String) {
        self.document = document
        self.workflow = workflow
        self.workflowPath = workflowPath
    }

    static let caseKeys = ["name", "description", "inputs", "tools", "cassette", "live", "expect", "skip"]
    static let fixtureKeys = ["arguments", "match", "result", "error"]
    static let assertionKeys = ["description", "path", "equals", "tolerance", "contains", "matches", "gt", "gte", "lt", "lte",
                                "length", "tool", "called_with", "match", "at_least", "at_most", "times", "tool_order", "limits", "command", "snapshot"]
    /// The keys that decide what an assertion checks; exactly one per assertion (the
    /// comparisons count as one).
    static let assertionKinds = ["equals", "contains", "matches", "compare", "length", "tool", "tool_order", "limits", "command", "snapshot"]

    private mutating func report(_ pointer: JSONPointer, anchor: SpecProblem.Anchor = .value, _ message: String, hint: String? = nil) {
        problems.append(SpecProblem(pointer, anchor: anchor, message: message, hint: hint))
    }

    private func location(_ pointer: JSONPointer) -> SourceLocation {
        let (line, column) = document.position(of: pointer)
        return SourceLocation(file: document.file, line: line, column: column)
    }

    private var directory: String { (document.file as NSString).deletingLastPathComponent }

    private func resolve(_ relative: String, from directory: String) -> String {
        relative.hasPrefix("/") || directory.isEmpty ? relative : directory + "/" + relative
    }

    /// Top-level keys of a `*.test.yaml` file.
    mutating func checkTestFileKeys() {
        guard let object = document.value.objectValue else {
            report(.root, "a test file must be a mapping with a `tests:` list")
            return
        }
        for key in object.keys where key != "tests" && key != "workflow" {
            report(JSONPointer(tokens: [key]), anchor: .key, "unknown key `\(key)` in a test file", hint: "allowed keys: workflow, tests")
        }
        if object["tests"] == nil { report(.root, "a test file needs a `tests:` list") }
    }

    mutating func decodeCases(at pointer: JSONPointer, existing: [TestCase]) -> [TestCase] {
        guard let value = pointer.resolve(in: document.value) else { return [] }
        guard let entries = value.arrayValue else {
            report(pointer, "`tests` must be a list of test cases (`- name: ...`)")
            return []
        }
        var cases: [TestCase] = []
        var names = Set(existing.map(\.name))
        for (index, entry) in entries.enumerated() {
            let here = pointer.appending(index: index)
            guard let testCase = decodeCase(entry, at: here, index: index) else { continue }
            if !names.insert(testCase.name).inserted {
                report(here.appending("name"), "the test name `\(testCase.name)` is used twice in workflow \(workflow.name)",
                       hint: "give every case its own name; it names its cassette file")
                continue
            }
            cases.append(testCase)
        }
        return cases
    }

    private mutating func mapping(_ value: JSONValue, at pointer: JSONPointer, what: String, keys: [String]) -> JSONObject? {
        guard let object = value.objectValue else {
            report(pointer, "\(what) must be a mapping")
            return nil
        }
        for key in object.keys where !keys.contains(key) {
            report(pointer.appending(key), anchor: .key, "unknown key `\(key)` in \(what)", hint: "allowed keys: \(keys.joined(separator: ", "))")
        }
        return object
    }

    private mutating func decodeCase(_ value: JSONValue, at pointer: JSONPointer, index: Int) -> TestCase? {
        guard let object = mapping(value, at: pointer, what: "a test case", keys: Self.caseKeys) else { return nil }
        let problemsBefore = problems.count
        var name = "case-\(index + 1)"
        if let written = object["name"] {
            if let text = written.stringValue, !text.isEmpty,
               text.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }) {
                name = text
            } else {
                report(pointer.appending("name"), "a test name must be text of letters, digits, `-`, `_` and `.`", hint: "it names the cassette file")
            }
        }
        var inputs = JSONObject()
        if let written = object["inputs"] {
            if let given = written.objectValue {
                inputs = given
                do {
                    _ = try workflow.resolveInputs(given)
                } catch {
                    if case .invalidInputs(let found) = error {
                        for problem in found { report(pointer.appending("inputs"), "the inputs do not fit the workflow: \(problem)") }
                    }
                }
            } else {
                report(pointer.appending("inputs"), "`inputs` must be a mapping of input names to values")
            }
        } else if workflow.inputs.contains(where: \.isRequired) {
            report(pointer, "the test case gives no `inputs`, and the workflow requires " + workflow.inputs.filter(\.isRequired).map { "`\($0.name)`" }.joined(separator: ", "))
        }
        let fixtures = decodeFixtures(object["tools"], at: pointer.appending("tools"))
        var cassettePath = resolve("cassettes/\(Self.stem(of: workflowPath))/\(name).json", from: (workflowPath as NSString).deletingLastPathComponent)
        if let written = object["cassette"] {
            if let text = written.stringValue, !text.isEmpty {
                cassettePath = resolve(text, from: directory)
                if !Self.isInside(cassettePath, folder: (workflowPath as NSString).deletingLastPathComponent) {
                    report(pointer.appending("cassette"), "the cassette `\(text)` lies outside the workflow's folder; `arbor test --record` writes only inside it",
                           hint: "use a path such as cassettes/\(name).json")
                }
            } else {
                report(pointer.appending("cassette"), "`cassette` must be a file path (relative to this file)")
            }
        }
        let live = object["live"]?.boolValue ?? false
        if let written = object["live"], written.boolValue == nil { report(pointer.appending("live"), "`live` must be true or false") }
        var assertions: [Assertion] = []
        if let written = object["expect"] {
            if let entries = written.arrayValue {
                for (position, entry) in entries.enumerated() {
                    if let assertion = decodeAssertion(entry, at: pointer.appending("expect").appending(index: position)) { assertions.append(assertion) }
                }
            } else {
                report(pointer.appending("expect"), "`expect` must be a list of assertions (`- {path: $.answer, equals: 4}`)")
            }
        }
        var skipReason: String?
        if let written = object["skip"] {
            if let text = written.stringValue, !text.isEmpty { skipReason = text }
            else { report(pointer.appending("skip"), "`skip` must be the reason the case is not run") }
        }
        guard problems.count == problemsBefore else { return nil }
        return TestCase(name: name, workflowName: workflow.name, workflowPath: workflowPath, location: location(pointer),
                        inputs: inputs, fixtures: fixtures, cassettePath: cassettePath, assertions: assertions,
                        skipReason: skipReason, live: live)
    }

    static func stem(of path: String) -> String {
        let file = (path as NSString).lastPathComponent
        return (file as NSString).deletingPathExtension
    }

    private mutating func checkTool(_ name: String, at pointer: JSONPointer, anchor: SpecProblem.Anchor = .value) -> Bool {
        guard workflow.tool(named: name) != nil else {
            report(pointer, anchor: anchor, "the workflow has no tool called `\(name)`",
                   hint: workflow.tools.isEmpty ? "it declares no tools" : "its tools are: \(workflow.tools.map(\.name).joined(separator: ", "))")
            return false
        }
        return true
    }

    // MARK: Fixtures

    private mutating func decodeFixtures(_ value: JSONValue?, at pointer: JSONPointer) -> [ToolFixture] {
        guard let value else { return [] }
        guard let object = value.objectValue else {
            report(pointer, "`tools` must map tool names to fixtures (`calculator: [{arguments: ..., result: ...}]`)")
            return []
        }
        var fixtures: [ToolFixture] = []
        for (tool, entry) in object {
            let here = pointer.appending(tool)
            guard checkTool(tool, at: here, anchor: .key) else { continue }
            let list = entry.arrayValue.map { $0.enumerated().map { ($0.element, here.appending(index: $0.offset)) } } ?? [(entry, here)]
            for (fixture, fixturePointer) in list {
                if let decoded = decodeFixture(fixture, tool: tool, at: fixturePointer) { fixtures.append(decoded) }
            }
        }
        return fixtures
    }

    private mutating func decodeFixture(_ value: JSONValue, tool: String, at pointer: JSONPointer) -> ToolFixture? {
        guard let object = mapping(value, at: pointer, what: "a tool fixture", keys: Self.fixtureKeys) else { return nil }
        guard let arguments = decodeMatch(object["arguments"], mode: object["match"], key: "arguments", at: pointer) else { return nil }
        let response: ToolFixture.Response
        switch (object["result"], object["error"]) {
        case (let result?, nil):
            response = .result(result)
        case (nil, let error?):
            guard let message = error.stringValue else {
                report(pointer.appending("error"), "`error` must be the error text the model sees")
                return nil
            }
            response = .error(message)
        default:
            report(pointer, "a tool fixture needs exactly one of `result` and `error`")
            return nil
        }
        return ToolFixture(tool: tool, arguments: arguments, response: response, location: location(pointer))
    }

    /// `arguments` with `match: exact | subset | pattern` (default exact); no arguments
    /// matches every call.
    private mutating func decodeMatch(_ arguments: JSONValue?, mode: JSONValue?, key: String, at pointer: JSONPointer) -> ArgumentMatch? {
        let modeName = mode?.stringValue ?? "exact"
        guard ["exact", "subset", "pattern"].contains(modeName) else {
            report(pointer.appending("match"), "`match` must be `exact`, `subset` or `pattern`")
            return nil
        }
        guard let arguments else {
            if mode != nil { report(pointer.appending("match"), "`match` needs `\(key)` to compare")
                return nil }
            return .any
        }
        let match: ArgumentMatch = modeName == "subset" ? .subset(arguments) : modeName == "pattern" ? .pattern(arguments) : .exact(arguments)
        let invalid = match.invalidPatterns()
        for (inner, message) in invalid {
            report(pointer.appending(key).appending(inner), "this pattern is not a valid regular expression: \(message)")
        }
        return invalid.isEmpty ? match : nil
    }

    // MARK: Assertions

    private mutating func decodeAssertion(_ value: JSONValue, at pointer: JSONPointer) -> Assertion? {
        guard let object = mapping(value, at: pointer, what: "an assertion", keys: Self.assertionKeys) else { return nil }
        let comparisonKeys = Comparison.Operator.allCases.map(\.rawValue).filter { object[$0] != nil }
        var kinds = Self.assertionKinds.filter { $0 != "compare" && object[$0] != nil }
        if !comparisonKeys.isEmpty { kinds.append("compare") }
        guard kinds.count == 1, let kind = kinds.first else {
            report(pointer, kinds.isEmpty ? "an assertion must say what it checks"
                                          : "an assertion checks one thing; this one has " + kinds.map { "`\($0)`" }.joined(separator: " and "),
                   hint: "use one of: equals, contains, matches, gt/gte/lt/lte, length, tool, tool_order, limits, command, snapshot")
            return nil
        }
        let label = object["description"]?.stringValue
        var path = JSONPath.root
        if let written = object["path"] {
            guard let text = written.stringValue else {
                report(pointer.appending("path"), "`path` must be text such as `$.items[0].total`")
                return nil
            }
            do {
                path = try JSONPath(text)
            } catch {
                report(pointer.appending("path"), error.description)
                return nil
            }
            if ["tool", "tool_order", "limits", "command", "snapshot"].contains(kind) {
                report(pointer.appending("path"), anchor: .key, "`path` selects output values; `\(kind)` does not use it")
                return nil
            }
        }
        if object["tolerance"] != nil, kind != "equals" {
            report(pointer.appending("tolerance"), anchor: .key, "`tolerance` applies to `equals` only")
            return nil
        }
        let toolKeys = ["called_with", "match", "at_least", "at_most", "times"].filter { object[$0] != nil }
        if kind != "tool", let key = toolKeys.first {
            report(pointer.appending(key), anchor: .key, "`\(key)` belongs to a `tool:` assertion")
            return nil
        }
        let decoded: Assertion.Kind?
        switch kind {
        case "equals":
            var tolerance = 0.0
            if let written = object["tolerance"] {
                guard let number = written.doubleValue, number >= 0 else {
                    report(pointer.appending("tolerance"), "`tolerance` must be a number ≥ 0")
                    return nil
                }
                tolerance = number
            }
            decoded = .equals(path: path, value: object["equals"]!, tolerance: tolerance)
        case "contains":
            decoded = .contains(path: path, value: object["contains"]!)
        case "matches":
            guard let pattern = object["matches"]?.stringValue else {
                report(pointer.appending("matches"), "`matches` must be a regular expression")
                return nil
            }
            do { _ = try RegexPattern(pattern) } catch {
                report(pointer.appending("matches"), "this is not a valid regular expression: \(error)")
                return nil
            }
            decoded = .matches(path: path, pattern: pattern)
        case "compare":
            var comparisons: [Comparison] = []
            for key in comparisonKeys {
                guard let bound = object[key]?.doubleValue else {
                    report(pointer.appending(key), "`\(key)` must be a number")
                    return nil
                }
                comparisons.append(Comparison(Comparison.Operator(rawValue: key)!, bound))
            }
            decoded = .compare(path: path, comparisons: comparisons)
        case "length":
            decoded = decodeLength(object["length"]!, path: path, at: pointer.appending("length"))
        case "tool":
            decoded = decodeToolAssertion(object, at: pointer)
        case "tool_order":
            guard let names = object["tool_order"]?.arrayValue?.compactMap(\.stringValue), !names.isEmpty,
                  names.count == object["tool_order"]?.arrayValue?.count else {
                report(pointer.appending("tool_order"), "`tool_order` must be a list of tool names")
                return nil
            }
            for (index, name) in names.enumerated() { _ = checkTool(name, at: pointer.appending("tool_order").appending(index: index)) }
            decoded = .toolOrder(names)
        case "snapshot":
            guard object["snapshot"] == true else {
                report(pointer.appending("snapshot"), "write `snapshot: true` to compare the output with the recorded one")
                return nil
            }
            decoded = .snapshot
        case "limits":
            decoded = decodeLimits(object["limits"]!, at: pointer.appending("limits"))
        case "command":
            guard let argv = object["command"]?.arrayValue?.compactMap(\.stringValue), !argv.isEmpty,
                  argv.count == object["command"]?.arrayValue?.count else {
                report(pointer.appending("command"), "`command` must be a list: the program and its arguments",
                       hint: "write `command: [python3, check.py]`; it is not run through a shell")
                return nil
            }
            decoded = .command(argv: argv)
        default:
            decoded = nil
        }
        return decoded.map { Assertion($0, location: location(pointer), label: label) }
    }

    private mutating func count(_ value: JSONValue?, at pointer: JSONPointer, what: String) -> Int?? {
        guard let value else { return .some(nil) }
        guard let number = value.integerValue, number >= 0, number <= Int64(Int32.max) else {
            report(pointer, "\(what) must be a whole number ≥ 0")
            return nil
        }
        return .some(Int(number))
    }

    private mutating func decodeLength(_ value: JSONValue, path: JSONPath, at pointer: JSONPointer) -> Assertion.Kind? {
        if value.integerValue != nil {
            guard case .some(let exact) = count(value, at: pointer, what: "`length`") else { return nil }
            return .length(path: path, minimum: exact, maximum: exact)
        }
        guard let object = mapping(value, at: pointer, what: "`length`", keys: ["min", "max"]) else { return nil }
        guard case .some(let minimum) = count(object["min"], at: pointer.appending("min"), what: "`min`"),
              case .some(let maximum) = count(object["max"], at: pointer.appending("max"), what: "`max`") else { return nil }
        guard minimum != nil || maximum != nil else {
            report(pointer, "`length` needs a number, or `min` and/or `max`")
            return nil
        }
        return .length(path: path, minimum: minimum, maximum: maximum)
    }

    private mutating func decodeToolAssertion(_ object: JSONObject, at pointer: JSONPointer) -> Assertion.Kind? {
        guard let tool = object["tool"]?.stringValue else {
            report(pointer.appending("tool"), "`tool` must be a tool name")
            return nil
        }
        guard checkTool(tool, at: pointer.appending("tool")) else { return nil }
        guard let arguments = decodeMatch(object["called_with"], mode: object["match"], key: "called_with", at: pointer) else { return nil }
        guard case .some(var atLeast) = count(object["at_least"], at: pointer.appending("at_least"), what: "`at_least`"),
              case .some(var atMost) = count(object["at_most"], at: pointer.appending("at_most"), what: "`at_most`"),
              case .some(let times) = count(object["times"], at: pointer.appending("times"), what: "`times`") else { return nil }
        if let times {
            guard atLeast == nil, atMost == nil else {
                report(pointer.appending("times"), anchor: .key, "`times` cannot be combined with `at_least` or `at_most`")
                return nil
            }
            atLeast = times
            atMost = times
        }
        if let atLeast, let atMost, atLeast > atMost {
            report(pointer.appending("at_least"), "`at_least` (\(atLeast)) is more than `at_most` (\(atMost))")
            return nil
        }
        return .toolCalled(tool: tool, arguments: arguments, atLeast: atLeast, atMost: atMost)
    }

    private mutating func decodeLimits(_ value: JSONValue, at pointer: JSONPointer) -> Assertion.Kind? {
        let keys = RunLimit.allCases.map(\.rawValue)
        guard let object = mapping(value, at: pointer, what: "`limits`", keys: keys) else { return nil }
        var limits: [RunLimit: Int] = [:]
        for key in RunLimit.allCases {
            guard case .some(let bound) = count(object[key.rawValue], at: pointer.appending(key.rawValue), what: "`\(key.rawValue)`") else { return nil }
            limits[key] = bound
        }
        guard !limits.isEmpty else {
            report(pointer, "`limits` needs at least one of: \(keys.joined(separator: ", "))")
            return nil
        }
        return .limits(limits)
    }
}
