// Arbor used as a Swift library: load a workflow, fill its inputs, render its instructions,
// check a candidate answer against its output schema, and tokenize the prompt with the
// default model's tokenizer. Built with the package (`swift build`), so CI keeps it compiling.
//
//     swift run LibraryUsageExample Workflows/math-solver.yaml
import ArborModel
import ArborSchema
import ArborSpec
import Foundation

let path = CommandLine.arguments.dropFirst().first ?? "Workflows/math-solver.yaml"

// 1. Load and check the workflow; diagnostics carry file:line:column.
let (loaded, diagnostics) = WorkflowLoader.load(path: path)
for diagnostic in diagnostics { print(diagnostic) }
guard let workflow = loaded else { exit(1) }
print("workflow \(workflow.name): \(workflow.tools.count) tools, \(workflow.inputs.count) inputs")

// 2. Inputs are typed: defaults are filled in and every value is checked against its schema.
var given = JSONObject()
for input in workflow.inputs where input.name == "problem" {
    given[input.name] = "A train travels at 80 km/h for 2.5 hours. How far does it go?"
}
do {
    let inputs = try workflow.resolveInputs(given)
    print("instructions:\n\(workflow.instructions.render(inputs))")
} catch {
    print("inputs rejected: \(error)")
}

// 3. The output schema is plain JSON Schema; a candidate answer is validated with pointers.
let outputSchema = try SchemaDocument(compiling: workflow.outputSchema)
let candidate = try JSONValue(parsing: #"{"answer": "200", "steps": []}"#)
for problem in outputSchema.validate(candidate) { print("answer problem: \(problem)") }

// 4. The model's tokenizer comes straight from the GGUF file.
if let modelPath = try? ModelLocator.resolve(explicitPath: nil) {
    let tokenizer = try BPETokenizer(gguf: GGUFFile(path: modelPath))
    let ids = tokenizer.encode(workflow.instructions.render(given), parseSpecial: false)
    print("the instructions are \(ids.count) tokens for \(URL(fileURLWithPath: modelPath).lastPathComponent)")
} else {
    print("no model found: run `make setup` or set ARBOR_MODEL to see the tokenizer part")
}
