import ArborStore

extension RuntimeFixtures {
    /// A run row for `workflow` on the default model, with placeholder hashes: all a recorder
    /// needs before it writes the run's tokens.
    static func run(id: String, workflow: String) -> Run {
        let hash = String(repeating: "0", count: 64)
        return Run(id: id, workflow: workflow, specText: "", specSHA256: hash, inputsJSON: "{}",
                   modelPath: modelPath, modelSHA256: hash, samplingJSON: "{}")
    }
}
