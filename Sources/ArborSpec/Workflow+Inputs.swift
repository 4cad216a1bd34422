import ArborSchema

extension Workflow {
    /// The inputs for a run: `given` plus the defaults of inputs not given, checked against
    /// ``inputsSchema``. Unknown names and every schema violation are reported together.
    ///
    /// ```swift
    /// let inputs = try workflow.resolveInputs(["problem": "2+2"])   // adds "precision": 4
    /// let prompt = workflow.instructions.render(inputs)
    /// ```
    public func resolveInputs(_ given: JSONObject) throws(SpecError) -> JSONObject {
        var problems: [String] = []
        let names = inputs.map(\.name)
        for key in given.keys where !names.contains(key) {
            let hint = SpellingHint.didYouMean(key, in: names).map { " (\($0))" } ?? ""
            problems.append("`\(key)` is not an input of the workflow `\(name)`\(hint)")
        }
        var resolved = JSONObject()
        for input in inputs {
            if let value = given[input.name] {
                resolved[input.name] = value
            } else if let value = input.defaultValue {
                resolved[input.name] = value
            }
        }
        do {
            let document = try SchemaDocument(compiling: inputsSchema)
            for violation in document.validate(.object(resolved)) {
                if violation.keyword == "required", violation.instancePath.isRoot {
                    problems.append(violation.message)
                } else {
                    problems.append("input \(violation.instancePath.string.dropFirst()): \(violation.message)")
                }
            }
        } catch {
            problems.append(error.description)
        }
        if !problems.isEmpty { throw .invalidInputs(problems: problems) }
        return resolved
    }

    /// Inputs given as text on a command line (`--input depth=3`): an input whose schema is
    /// a plain string takes the text as it is; any other input parses the text as JSON, and
    /// falls back to the text when it is not JSON (so the schema check names the problem).
    ///
    /// ```swift
    /// workflow.inputs(fromText: ["problem": "2+2", "precision": "2"])
    /// // ["problem": "2+2", "precision": 2]
    /// ```
    public func inputs(fromText texts: [(name: String, text: String)]) -> JSONObject {
        var values = JSONObject()
        for (name, text) in texts {
            let schema = inputs.first { $0.name == name }?.schema
            if schema?["type"] == "string" {
                values[name] = .string(text)
            } else if let parsed = try? JSONValue(parsing: text) {
                values[name] = parsed
            } else {
                values[name] = .string(text)
            }
        }
        return values
    }
}
