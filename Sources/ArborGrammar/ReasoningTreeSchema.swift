import ArborSchema

extension ReasoningTreeSpec {
    /// The reasoning tree as a JSON Schema (draft 2020-12), for `arbor compile --emit
    /// tree-schema` and for serving engines that take a JSON Schema instead of a grammar.
    ///
    /// It describes the same trees as ``TreeGrammarBuilder``'s grammar — depth unrolled into
    /// `$defs/task-1` … `task-N`, breadth as `maxItems`, steps as `prefixItems` — except the
    /// tool-call limit, which JSON Schema cannot count: a backend that decodes from this
    /// schema must enforce it by other means. Each tool's parameter schema and the output
    /// schema are embedded under `$defs` with their local `$ref`s rewritten to the new place.
    ///
    /// ```swift
    /// let schema = spec.treeSchema
    /// let document = try SchemaDocument(compiling: schema)   // validates finished trees
    /// ```
    public var treeSchema: JSONValue {
        var definitions = JSONObject()
        for tool in tools {
            definitions["tool-\(tool.name)"] = Self.embedded(tool.parameters.source, at: "#/$defs/tool-\(tool.name)")
        }
        if !isSummaryRound { definitions["output"] = Self.embedded(output.source, at: "#/$defs/output") }

        var taskNames: [String: String] = [:]
        func taskReference(depth: Int, tools allowed: [String]) -> JSONValue {
            let key = "\(depth):" + allowed.joined(separator: "\u{0}")
            if let name = taskNames[key] { return ["$ref": .string("#/$defs/" + name)] }
            let name = "task-\(depth)" + (taskNames.values.contains("task-\(depth)") ? "-\(taskNames.count)" : "")
            taskNames[key] = name
            var properties: JSONObject = ["thought": ["type": "string"]]
            if !allowed.isEmpty {
                properties["tooluse"] = .object(["anyOf": .array(allowed.map { tool in
                    [
                        "type": "object",
                        "properties": ["tool_name": ["const": .string(tool)], "parameters": ["$ref": .string("#/$defs/tool-\(tool)")], "tool_result": [:]],
                        "required": ["tool_name", "parameters", "tool_result"],
                        "additionalProperties": false,
                    ]
                })])
            }
            if depth < maxDepth {
                properties["subtasks"] = list(of: taskReference(depth: depth + 1, tools: allowed))
            }
            properties["conclusion"] = ["type": "string"]
            definitions[name] = .object([
                "type": "object", "properties": .object(properties),
                "required": ["thought", "conclusion"], "additionalProperties": false,
            ])
            return ["$ref": .string("#/$defs/" + name)]
        }
        func list(of task: JSONValue) -> JSONValue {
            var schema: JSONObject = ["type": "array", "items": task, "minItems": 1]
            if let maxBreadth { schema["maxItems"] = .integer(Int64(maxBreadth)) }
            return .object(schema)
        }

        let allTools = maxToolCalls == 0 ? [] : tools.map(\.name)
        let reasoning: JSONValue
        if steps.isEmpty {
            reasoning = list(of: taskReference(depth: 1, tools: allTools))
        } else {
            reasoning = .object([
                "type": "array",
                "prefixItems": .array(steps.map { taskReference(depth: 1, tools: maxToolCalls == 0 ? [] : $0.allowedTools) }),
                "items": false, "minItems": .integer(Int64(steps.count)),
            ])
        }
        let ending = isSummaryRound ? "summary" : "answer"
        return .object([
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": .object(["reasoning": reasoning, ending: isSummaryRound ? ["type": "string"] : ["$ref": "#/$defs/output"]]),
            "required": ["reasoning", .string(ending)],
            "additionalProperties": false,
            "$defs": .object(definitions),
        ])
    }

    /// `schema` moved to `base`: local `$ref`s re-rooted there, root-only keywords dropped.
    static func embedded(_ schema: JSONValue, at base: String) -> JSONValue {
        func rewrite(_ value: JSONValue) -> JSONValue {
            switch value {
            case .array(let elements):
                return .array(elements.map(rewrite))
            case .object(let object):
                var result = JSONObject()
                for (key, member) in object {
                    if key == "$ref", case .string(let reference) = member, reference.hasPrefix("#") {
                        result[key] = .string(base + reference.dropFirst())
                    } else {
                        result[key] = rewrite(member)
                    }
                }
                return .object(result)
            default:
                return value
            }
        }
        guard case .object(var root) = rewrite(schema) else { return schema }
        root["$schema"] = nil
        root["$id"] = nil
        return .object(root)
    }
}
