import ArborModel
import ArborRuntime
import ArborSchema
import ArborStore

extension Run {
    /// A new run record for a workflow given as spec text, with the real identity a resume
    /// checks: the SHA-256 of the spec text and of the model file.
    ///
    /// ```swift
    /// try store.createRun(try Run.recording(id: Run.makeID(), workflowName: workflow.name, specText: yaml,
    ///                                       inputs: ["start": 7], modelPath: path, options: options))
    /// ```
    public static func recording(id: String, workflowName: String, specText: String, inputs: JSONObject,
                                 modelPath: String, modelSHA256: String? = nil, options: RunOptions) throws -> Run {
        Run(id: id, workflow: workflowName, specText: specText, specSHA256: FileDigest.sha256(Array(specText.utf8)),
            inputsJSON: JSONValue.object(inputs).compactString, modelPath: modelPath,
            modelSHA256: try modelSHA256 ?? FileDigest.sha256(ofFileAt: modelPath), samplingJSON: options.jsonText)
    }
}
