import ArborGrammar
import ArborModel
import ArborRuntime
import ArborSchema
import Foundation

/// `arbor bench grammar --corpus PATH`: the correctness target run with the real model.
///
/// Every schema of the corpus is compiled to its grammar and decoded with every seed by
/// ``ConstrainedDecoder`` (the runtime's own path) under random sampling over the whole
/// distribution (temperature 1 by default, no top-k/top-p/min-p cut), and the finished value
/// is validated against the schema, post-checks included. Prints one line per failure and
/// `N/M valid` at the end; exits non-zero unless every output is valid.
struct GrammarCorpusBench {
    let path: String
    let modelPath: String
    let threads: Int
    let maxTokens: Int
    let seeds: Int
    let temperature: Float
    let json: Bool

    /// The schemas of a `.jsonl` file (one per line; blank lines skipped) or of a folder's
    /// `.json` files (in name order), each with a label for reports.
    static func loadCorpus(_ path: String) throws -> [(label: String, text: String)] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw GrammarBenchError.corpusMissing(path: path)
        }
        if isFolder.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
            return try names.map { ($0, try String(contentsOfFile: (path as NSString).appendingPathComponent($0), encoding: .utf8)) }
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.enumerated().compactMap { index, line in
            line.trimmingCharacters(in: .whitespaces).isEmpty ? nil : ("line \(index + 1)", String(line))
        }
    }

    func run() throws {
        let schemas = try Self.loadCorpus(path)
        let file = try GGUFFile(path: modelPath)
        let tokenizer = try BPETokenizer(gguf: file)
        let prompt = tokenizer.encode("Answer in JSON:", parseSpecial: false, addSpecial: true)
        let model = try Transformer(file: file, threads: threads, contextSlots: prompt.count + maxTokens + 8)
        var valid = 0, incomplete = 0, invalid = 0, postChecked = 0, closed = 0
        var tokens = 0, forced = 0
        var maskSeconds = 0.0, decodeSeconds = 0.0, compileSeconds = 0.0
        var failures: [String] = []
        let started = DispatchTime.now()
        for (index, (label, text)) in schemas.enumerated() {
            if index % 20 == 0 {
                FileHandle.standardError.write(Data("[\(index)/\(schemas.count)] \(valid) valid so far, \(Int(Self.seconds(since: started))) s\n".utf8))
            }
            let compileStart = DispatchTime.now()
            let document: SchemaDocument
            let built: SchemaGrammar
            let compiled: CompiledGrammar
            do {
                document = try SchemaDocument(jsonText: text)
                built = try SchemaGrammarBuilder.grammar(for: document)
                compiled = try VocabularyCache.shared.compiled(built.grammar, for: tokenizer)
            } catch {
                failures.append("\(label): does not compile: \(error)")
                invalid += seeds
                continue
            }
            compileSeconds += Self.seconds(since: compileStart)
            if !built.postChecks.isEmpty { postChecked += 1 }
            for seed in 0..<seeds {
                model.reset()
                var sampler = Sampler(settings: SamplerSettings(temperature: temperature, topK: 0, topP: 1, minP: 0,
                                                                seed: UInt64(seed)))
                let decoder = ConstrainedDecoder(model: model, tokenizer: tokenizer, grammar: compiled)
                do {
                    let output = try decoder.generate(prompt: prompt, sampler: &sampler, maxTokens: maxTokens, schema: document)
                    valid += 1
                    if output.closedAtTokenLimit { closed += 1 }
                    tokens += output.generatedTokens + output.forcedTokens
                    forced += output.forcedTokens
                    maskSeconds += output.maskSeconds
                    decodeSeconds += output.decodeSeconds
                } catch RuntimeError.incomplete {
                    incomplete += 1
                    failures.append("\(label) seed \(seed): not complete within \(maxTokens) tokens")
                } catch {
                    invalid += 1
                    failures.append("\(label) seed \(seed): \(error)")
                }
            }
        }
        let total = schemas.count * seeds
        let wall = Self.seconds(since: started)
        if json {
            let object: [String: Any] = [
                "schemas": schemas.count, "seeds": seeds, "temperature": temperature, "max_tokens": maxTokens,
                "outputs": total, "valid": valid, "closed_at_token_limit": closed, "incomplete": incomplete, "invalid": invalid,
                "schemas_with_post_checks": postChecked, "tokens": tokens, "forced_tokens": forced,
                "mask_seconds": maskSeconds, "decode_seconds": decodeSeconds, "compile_seconds": compileSeconds,
                "wall_seconds": wall, "failures": failures,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            for failure in failures { print(failure) }
            print(String(format: "%d schemas × %d seeds, temperature %.2f (full distribution), at most %d tokens each",
                         schemas.count, seeds, temperature, maxTokens))
            print(String(format: "%d tokens (%d forced) in %.1f s of decoding, %.1f s of it computing masks; grammars compiled in %.2f s; %.0f s in all",
                         tokens, forced, decodeSeconds, maskSeconds, compileSeconds, wall))
            print("\(postChecked) schemas have post-checks; \(closed) valid outputs were closed by the shortest completion at the token limit; \(incomplete) were cut off incomplete; \(invalid) are invalid")
            print("\(valid)/\(total) valid")
        }
        if valid != total { throw GrammarBenchError.notAllValid(valid: valid, total: total) }
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// Why `arbor bench grammar` stopped.
enum GrammarBenchError: Error, CustomStringConvertible {
    case corpusMissing(path: String)
    case notAllValid(valid: Int, total: Int)

    var description: String {
        switch self {
        case .corpusMissing(let path):
            return "No schema corpus at \(path); pass a .jsonl file with one schema per line or a folder of .json schema files."
        case let .notAllValid(valid, total):
            return "Only \(valid) of \(total) outputs are valid; the lines above say which schema and seed failed and why."
        }
    }
}
