import ArborSchema
import ArborSpec
import Foundation
import XCTest

/// What a loaded workflow holds, read from the shipped examples.
final class WorkflowLoaderTests: XCTestCase {
    func load(_ name: String) throws -> Workflow {
        try WorkflowLoader.loadValid(path: FixturePaths.packageRoot.appendingPathComponent("Workflows/\(name)").path)
    }

    func testResearchAgentHasServersToolsAndSteps() throws {
        let workflow = try load("research-agent.yaml")
        XCTAssertEqual(workflow.version, 1)
        XCTAssertEqual(workflow.model.contextSize, 8192)
        XCTAssertEqual(workflow.model.sampling, Sampling(temperature: 0.3, topP: 0.9, topK: 40, seed: 42))
        XCTAssertEqual(workflow.inputs.map(\.name), ["question", "max_sources"])
        XCTAssertEqual(workflow.inputs[1].defaultValue, 4)
        XCTAssertTrue(workflow.inputs[0].isRequired)
        XCTAssertEqual(workflow.servers.map(\.name), ["web", "fetcher"])
        XCTAssertEqual(workflow.servers[0].transport,
                       .stdio(command: ["npx", "-y", "@modelcontextprotocol/server-brave-search"],
                              environment: [HTTPHeader(name: "BRAVE_API_KEY", value: "${BRAVE_API_KEY}")]))
        XCTAssertEqual(workflow.servers[1].transport, .http(url: "http://127.0.0.1:8931/mcp", headers: []))
        XCTAssertEqual(workflow.tools.map(\.name), ["search", "fetch"])
        XCTAssertEqual(workflow.tools[0].implementation, .mcp(MCPToolBinding(server: "web", tool: "brave_web_search")))
        XCTAssertEqual(workflow.tools[0].parameterNames, ["query", "count"])
        XCTAssertEqual(workflow.tools[1].implementation, .mcp(MCPToolBinding(server: "fetcher", tool: "fetch")))
        XCTAssertEqual(workflow.tools[1].parameters, .fromServer)
        XCTAssertEqual(workflow.steps.map(\.tools), [["search"], ["fetch"], []])
        XCTAssertEqual(workflow.limits.pruneBuffer, 2)
        XCTAssertEqual(workflow.tests.count, 1)
        XCTAssertEqual(workflow.outputSchema["$defs"]?.objectValue?.keys, ["Claim", "Source"])
    }

    func testInstructionsRenderInputs() throws {
        let workflow = try load("math-solver.yaml")
        let text = workflow.instructions.render(["problem": "What is 2+2?", "precision": 2])
        XCTAssertTrue(text.contains("Problem: What is 2+2?"))
        XCTAssertTrue(text.contains("to 2 decimal places"))
        XCTAssertEqual(workflow.instructions.variables.map(\.name), ["precision", "problem"])
    }

    func testBuiltinToolsGetTheirFixedParametersAndSummary() throws {
        let workflow = try load("math-solver.yaml")
        let calculator = try XCTUnwrap(workflow.tool(named: "calculator"))
        XCTAssertEqual(calculator.implementation, .builtin(.calculator))
        XCTAssertEqual(calculator.description, BuiltinTool.calculator.summary)
        XCTAssertEqual(calculator.parameters, .schema(BuiltinTool.calculator.parametersSchema))
        for builtin in BuiltinTool.allCases {
            XCTAssertNoThrow(try SchemaDocument(compiling: builtin.parametersSchema), builtin.rawValue)
        }
    }

    func testHTTPAndCommandToolsKeepTheirTemplates() throws {
        let workflow = try load("triage-issue.yaml")
        guard case .http(let search)? = workflow.tool(named: "search_issues")?.implementation else { return XCTFail("not http") }
        XCTAssertEqual(search.method, .get)
        XCTAssertEqual(search.allowedHosts, ["api.github.com"])
        XCTAssertEqual(search.headers.map(\.name), ["Accept", "Authorization"])
        XCTAssertEqual(search.timeoutSeconds, 15)
        guard case .http(let note)? = workflow.tool(named: "post_note")?.implementation else { return XCTFail("not http") }
        XCTAssertEqual(note.allowedHosts, ["hooks.example.com"], "the URL's host is allowed by default")
        XCTAssertEqual(note.body?["priority"], "{{priority}}")
        guard case .command(let grep)? = workflow.tool(named: "grep")?.implementation else { return XCTFail("not command") }
        XCTAssertEqual(grep.argv, ["python3", "Workflows/tools/search_repo.py"])
        XCTAssertEqual(grep.timeoutSeconds, 10)
    }

    func testCommandToolTakesTheShortListForm() throws {
        let yaml = """
            arbor: 1
            name: short-command
            instructions: Count.
            tools:
              - name: count
                description: Count characters.
                parameters: {text: str}
                command: [python3, count.py, "{{text}}"]
            output: {n: int}
            """
        let (workflow, diagnostics) = WorkflowLoader.load(text: yaml, file: "short.yaml")
        XCTAssertEqual(diagnostics.map(\.message), [])
        guard case .command(let command)? = workflow?.tool(named: "count")?.implementation else { return XCTFail("not command") }
        XCTAssertEqual(command.argv, ["python3", "count.py", "{{text}}"])
    }

    func testOutputSchemaOfTheExtractionWorkflowValidatesAnExample() throws {
        let workflow = try load("extract-invoice.yaml")
        let document = try SchemaDocument(compiling: workflow.outputSchema)
        let party: JSONValue = ["name": "ACME GmbH", "address": nil, "vat_id": "DE123456789", "email": nil]
        var invoice: JSONObject = [
            "invoice_number": "2024-0042", "issue_date": "2024-03-01", "due_date": nil, "currency": "EUR",
            "seller": party, "buyer": party,
            "items": [["description": "Widget", "quantity": 2, "unit_price": 10.0, "total": 20.0, "tax_rate": 0.19]],
            "totals": ["subtotal": 20.0, "tax": 3.8, "total": 23.8],
            "payment": ["method": "bank_transfer", "iban": "DE89370400440532013000"],
            "arithmetic_checked": true,
        ]
        XCTAssertEqual(document.validate(.object(invoice)).map(\.description), [])
        invoice["currency"] = "EURO"
        invoice["items"] = []
        XCTAssertEqual(Set(document.validate(.object(invoice)).map(\.instancePath.string)), ["/currency", "/items"])
    }

    func testWorkflowRoundTripsThroughCodable() throws {
        let workflow = try load("research-agent.yaml")
        let data = try JSONEncoder().encode(workflow)
        XCTAssertEqual(try JSONDecoder().decode(Workflow.self, from: data), workflow)
    }

    func testValidateOnAWorkflowBuiltInCodeReportsCrossReferences() throws {
        var workflow = try load("math-solver.yaml")
        XCTAssertNoThrow(try workflow.validate())
        workflow.steps = [Step(name: "solve", goal: "Solve it.", tools: ["calculater"])]
        workflow.tools.append(workflow.tools[0])
        XCTAssertThrowsError(try workflow.validate()) { error in
            guard case SpecError.invalidWorkflow(let problems) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.map(\.pointer.string), ["/tools/1/name", "/steps/0/tools/0"])
        }
    }

    func testAllProblemsAreCollectedNotJustTheFirst() {
        let yaml = """
            arbor: 1
            name: demo
            instructions: "{{a}} {{b}}"
            output: {answer: strr}
            limits: {max_depht: 2}
            """
        let (_, diagnostics) = WorkflowLoader.load(text: yaml, file: "f.yaml")
        XCTAssertEqual(diagnostics.map { "\($0.line):\($0.column)" }, ["3:16", "3:22", "4:18", "5:10"])
    }

    func testMissingFileIsADiagnosticNotACrash() {
        let (workflow, diagnostics) = WorkflowLoader.load(path: "/nonexistent/flow.yaml")
        XCTAssertNil(workflow)
        XCTAssertEqual(diagnostics.first?.message, "cannot read the workflow file: no such file")
    }
}

final class PromptTemplateTests: XCTestCase {
    func testPlaceholdersWithSpacesAndNonStringValues() throws {
        let template = try PromptTemplate("Hi {{ name }}, list: {{items}} {{missing}}")
        XCTAssertEqual(template.variables.map(\.offset), [3, 21, 31])
        XCTAssertEqual(template.render(["name": "Ada", "items": [1, "x"]]), "Hi Ada, list: [1,\"x\"] {{missing}}")
    }

    func testMalformedPlaceholdersAreErrorsWithOffsets() {
        for (text, offset) in [("ab {{x", 3), ("{{ a b }}", 0), ("x {{}}", 2)] {
            XCTAssertThrowsError(try PromptTemplate(text), text) { error in
                XCTAssertEqual((error as? PromptTemplate.SyntaxError)?.offset, offset, text)
            }
        }
    }
}

final class WorkflowDetailsTests: XCTestCase {
    func testAnInputMissingFromTheInstructionsIsAWarning() {
        let yaml = "arbor: 1\nname: w\ninputs:\n  question: str\n  unused: int\ninstructions: \"{{question}}\"\noutput: str\n"
        let (workflow, diagnostics) = WorkflowLoader.load(text: yaml, file: "w.yaml")
        XCTAssertNotNil(workflow, "warnings do not stop loading")
        XCTAssertEqual(diagnostics.map(\.description),
                       ["w.yaml:5:3: warning: the input `unused` never appears in the instructions, so the model will not see it\n  hint: add `{{unused}}` to `instructions`"])
    }

    func testAnUnusedServerIsAWarning() {
        let yaml = "arbor: 1\nname: w\ninstructions: x\noutput: str\nservers:\n  idle: {url: \"https://mcp.example.com\"}\n"
        let (workflow, diagnostics) = WorkflowLoader.load(text: yaml, file: "w.yaml")
        XCTAssertNotNil(workflow)
        XCTAssertEqual(diagnostics.map { "\($0.line):\($0.column) \($0.severity): \($0.message)" },
                       ["6:3 warning: no tool uses the server `idle`, so it will not be started"])
    }

    func testModelFileResolvesAgainstTheWorkflowDirectory() {
        XCTAssertEqual(ModelSettings(file: "m.gguf").resolvedFile(workflowPath: "/flows/a.yaml"), "/flows/m.gguf")
        XCTAssertEqual(ModelSettings(file: "../models/m.gguf").resolvedFile(workflowPath: "flows/a.yaml"), "flows/../models/m.gguf")
        XCTAssertEqual(ModelSettings(file: "/abs/m.gguf").resolvedFile(workflowPath: "flows/a.yaml"), "/abs/m.gguf")
        XCTAssertEqual(ModelSettings(file: "m.gguf").resolvedFile(workflowPath: "a.yaml"), "m.gguf")
        XCTAssertNil(ModelSettings().resolvedFile(workflowPath: "a.yaml"))
    }

    func testNonASCIIColumnsCountUnicodeScalars() {
        let yaml = "arbor: 1\nname: w\ninstructions: \"Réponds à {{q}}\"\noutput: str\n"
        let (_, diagnostics) = WorkflowLoader.load(text: yaml)
        XCTAssertEqual(diagnostics.map { "\($0.line):\($0.column)" }, ["3:26"])
    }

    func testTheExampleInTheFormatDocumentLoads() throws {
        let url = FixturePaths.packageRoot.appendingPathComponent("docs/workflow-format.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        let complete = try XCTUnwrap(blocks.first { $0.contains("arbor: 1") })
        let (workflow, diagnostics) = WorkflowLoader.load(text: complete, file: "workflow-format.md")
        XCTAssertEqual(diagnostics.map(\.description), [])
        XCTAssertEqual(workflow?.name, "math-solver")
    }
}

final class YAMLScalarTests: XCTestCase {
    func testScalarsResolveWithTheYAML12CoreSchema() throws {
        let yaml = """
            a: yes
            b: true
            c: 042
            d: 0x1F
            e: 2.50
            f: 1e3
            g: 2024-03-01
            h: ~
            i: "12"
            j: off
            k: .5
            l: 1.2.3
            m: -7
            """
        let value = try WorkflowLoader.json(fromYAML: yaml)
        XCTAssertEqual(value, ["a": "yes", "b": true, "c": 42, "d": 31, "e": 2.5, "f": 1000.0, "g": "2024-03-01",
                               "h": nil, "i": "12", "j": "off", "k": 0.5, "l": "1.2.3", "m": -7])
        XCTAssertEqual(value["c"], .integer(42))
        XCTAssertEqual(value["f"], .number(1000))
    }
}

final class WorkflowInputsTests: XCTestCase {
    func mathSolver() throws -> Workflow {
        try WorkflowLoader.loadValid(path: FixturePaths.packageRoot.appendingPathComponent("Workflows/math-solver.yaml").path)
    }

    func testDefaultsFillMissingInputs() throws {
        let inputs = try mathSolver().resolveInputs(["problem": "2+2"])
        XCTAssertEqual(inputs, ["problem": "2+2", "precision": 4])
        XCTAssertEqual(inputs.keys, ["problem", "precision"])
    }

    func testMissingUnknownAndOutOfRangeInputsAreAllReported() throws {
        XCTAssertThrowsError(try mathSolver().resolveInputs(["precison": 2, "precision": 20])) { error in
            guard case SpecError.invalidInputs(let problems) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.count, 3, "\(problems)")
            XCTAssertTrue(problems[0].contains("`precison` is not an input") && problems[0].contains("did you mean `precision`?"), problems[0])
            XCTAssertTrue(problems.contains { $0.contains("problem") }, "\(problems)")
            XCTAssertTrue(problems.contains { $0.hasPrefix("input precision:") }, "\(problems)")
        }
    }

    func testCommandLineTextBecomesTypedValues() throws {
        let workflow = try mathSolver()
        let values = workflow.inputs(fromText: [("problem", "42"), ("precision", "3")])
        XCTAssertEqual(values["problem"], .string("42"), "a str input keeps the text")
        XCTAssertEqual(values["precision"], .integer(3))
        XCTAssertEqual(workflow.inputs(fromText: [("precision", "three")])["precision"], "three")
    }
}
