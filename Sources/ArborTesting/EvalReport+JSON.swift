import ArborSchema

extension EvalReport {
    /// The report as JSON: `workflow`, `samples`, `cases` (each with `expected`, `tree` and
    /// `baseline`, with what the first sample wrote as `reasoning`), `totals` (with `baseline_label`), `load_errors` and `errored_cases` (cases that could not run).
    /// `correct` is the case's verdict, `answer_right` the answer alone (see ``Outcome``); the
    /// totals count both (`tree_correct`, `tree_answers_right`, and the baseline's).
    public var json: JSONValue {
        func object(_ outcome: Outcome) -> JSONValue {
            ["answer": outcome.answer ?? .null, "correct": .bool(outcome.correct), "answer_right": .bool(outcome.answerRight),
             "correct_samples": .integer(Int64(outcome.correctSamples)), "samples": .integer(Int64(outcome.samples)),
             "tokens": .integer(Int64(outcome.tokens)), "tool_calls": .integer(Int64(outcome.toolCalls)),
             "tool_errors": .integer(Int64(outcome.toolErrors)), "pruned_share": .number(outcome.prunedShare),
             "seconds": .number(outcome.seconds), "problems": .array(outcome.problems.map { .string($0) }),
             "reasoning": outcome.reasoning ?? .null]
        }
        let cases: [JSONValue] = rows.map { row in
            ["name": .string(row.name), "expected": row.expected.expected, "tolerance": .number(row.expected.tolerance),
             "tree": object(row.tree), "baseline": row.baseline.map(object) ?? .null]
        }
        var totals: JSONObject = ["cases": .integer(Int64(rows.count)), "tree_correct": .integer(Int64(treeCorrect)),
                                    "tree_answers_right": .integer(Int64(treeAnswersRight))]
        totals["tree"] = object(total(\.tree))
        if let baselineCorrect, let baselineAnswersRight {
            totals["baseline_correct"] = .integer(Int64(baselineCorrect))
            totals["baseline_answers_right"] = .integer(Int64(baselineAnswersRight))
            totals["baseline"] = object(total { $0.baseline! })
            totals["baseline_label"] = .string(baselineLabel)
        }
        return ["workflow": .string(workflow), "samples": .integer(Int64(samples)), "cases": .array(cases),
                "totals": .object(totals), "load_errors": .array(loadErrors.map { .string($0) }),
                "errored_cases": .array(erroredCases.map { ["name": .string($0.name), "error": .string($0.error)] }), "seconds": .number(seconds)]
    }
}
