import ArborSchema

extension TestReport {
    /// The report as JSON for tools: `{"passed", "failed", "skipped", "seconds", "cases": [{"id",
    /// "workflow", "name", "status", "file", "line", "column", "seconds", "errors",
    /// "failures": [{"assertion", "file", "line", "column", "message", "expected", "actual"}],
    /// "run": {"output", "tool_calls", "metrics"}}]}`.
    public var json: JSONValue {
        let cases: [JSONValue] = results.map { result in
            var object: JSONObject = [
                "id": .string(result.id), "workflow": .string(result.suite), "name": .string(result.name),
                "status": .string(result.status.rawValue), "file": .string(result.location.file),
                "line": .integer(Int64(result.location.line)), "column": .integer(Int64(result.location.column)),
                "seconds": .number(result.seconds), "errors": .array(result.errors.map(JSONValue.string)),
            ]
            object["failures"] = .array(result.failures.map { failure in
                var entry: JSONObject = ["assertion": .string(failure.assertion.summary), "message": .string(failure.message)]
                if let location = failure.assertion.location {
                    entry["file"] = .string(location.file)
                    entry["line"] = .integer(Int64(location.line))
                    entry["column"] = .integer(Int64(location.column))
                }
                if let expected = failure.expected { entry["expected"] = .string(expected) }
                if let actual = failure.actual { entry["actual"] = .string(actual) }
                return .object(entry)
            })
            if let execution = result.execution { object["run"] = execution.json }
            return .object(object)
        }
        return ["passed": .integer(Int64(passedCount)), "failed": .integer(Int64(failedCount)), "skipped": .integer(Int64(skippedCount)),
                "seconds": .number(seconds), "cases": .array(cases)]
    }
}
