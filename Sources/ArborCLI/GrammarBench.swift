import ArborBench
import ArborGrammar
import ArborModel
import ArborRuntime
import ArborSchema
import ArborSpec
import Foundation

/// `arbor bench grammar --spec|--schema`: what constrained decoding costs on one grammar.
///
/// In one run, on one prompt: the grammar's compile time (filling the mask cache
/// included) and the cache's size; then `1 + r` decodings of the same length, constrained
/// and free, alternating. The first constrained decoding is the *cold* one: it finds the
/// cache as the compiler left it, its masks are split into first visits (a position the
/// compiler did not fill) and cached steps, the first visits over 50 µs are listed with the
/// text before them, and its overall p99 is held against the goal of 100 µs
/// (`cold p99 … : PASS`). The next `r` find the cache warm, and their tokens/s against the
/// free decodings' is the slowdown that matters. Greedy by default, so every
/// repetition decodes the same text and free and constrained sampling cost the same (an argmax).
struct GrammarBench {
    let options: BenchGrammarCommand
    let modelPath: String
    let threads: Int
    let maxTokens: Int
    let repetitions: Int
    let json: Bool

    /// Text inserted at every `tool_result` hole: a stand-in for a tool's answer.
    static let holeFill = Array(#"{"ok":true}"#.utf8)

    /// The goal for one token mask, which must hold from the first decoding on.
    static let maskGoalMicroseconds = 100.0
    /// First visits slower than this are listed with the text before them.
    static let slowFirstVisitMicroseconds = 50.0
    static let slowFirstVisitsShown = 20
    /// How much of the text before a slow first visit is shown.
    static let contextBytes = 32

    func run() throws {
        if let corpus = options.corpus {
            try GrammarCorpusBench(path: corpus, modelPath: modelPath, threads: threads, maxTokens: maxTokens,
                                   seeds: options.seeds, temperature: options.temp ?? 1, json: json).run()
            return
        }
        let file = try GGUFFile(path: modelPath)
        let tokenizer = try BPETokenizer(gguf: file)
        let clock = ContinuousClock()
        var vocabulary: TokenVocabulary?
        let vocabularyTime = clock.measure { vocabulary = VocabularyCache().vocabulary(for: tokenizer) }

        var built: SchemaGrammar?
        var compiled: CompiledGrammar?
        var target = ""
        var defaultPrompt = "Answer in JSON:"
        let buildTime = try clock.measure {
            if let spec = options.spec {
                let workflow = try WorkflowLoader.loadValid(path: spec)
                built = try TreeGrammarBuilder.grammar(for: try ReasoningTreeSpec(workflow: workflow))
                target = "tree grammar of \(spec)"
                defaultPrompt = "\(workflow.description ?? workflow.name)\nThink step by step as a JSON reasoning tree, then answer:"
            } else if let schema = options.schema {
                let document = try SchemaDocument(jsonText: String(contentsOfFile: schema, encoding: .utf8))
                built = try SchemaGrammarBuilder.grammar(for: document)
                target = "schema \(schema)"
            }
        }
        guard let built, let vocabulary else { return }
        let cacheFill: CompiledGrammar.MaskCacheFill = options.lazyCache ? .onFirstUse : .atCompile
        let automatonTime = try clock.measure {
            compiled = try CompiledGrammar(built.grammar, vocabulary: vocabulary, cacheFill: cacheFill)
        }
        guard let compiled else { return }
        let disk = cacheFill == .atCompile ? try diskCacheTimes(built.grammar, vocabulary: vocabulary) : nil
        if cacheFill == .atCompile, disk == nil { FileHandle.standardError.write(Data("warning: the masks were not read back from the disk cache\n".utf8)) }
        let compiledPositions = compiled.cachedPositionCount
        let compiledBytes = compiled.cachedByteCount

        let prompt = tokenizer.encode(options.prompt ?? defaultPrompt, parseSpecial: false, addSpecial: true)
        let contextSlots = min(prompt.count + maxTokens + 8, try ModelConfig(file: file).contextLength)
        let model = try Transformer(file: file, threads: threads, contextSlots: contextSlots)
        let settings = SamplerSettings(temperature: options.temp ?? 0, topK: (options.temp ?? 0) > 0 ? 40 : 1,
                                       topP: 0.95, minP: 0.05, seed: 0)

        var cold: DecodeRun?
        var warm: [DecodeRun] = []
        var free: [DecodeRun] = []
        var warmTimings = MaskTimings()
        // The compiled grammar is fresh: the first decoding meets every position for the first time.
        for repetition in 0...repetitions {
            let constrained = try constrainedRun(model: model, tokenizer: tokenizer, grammar: compiled,
                                                 prompt: prompt, settings: settings)
            let unconstrained = try freeRun(model: model, prompt: prompt, tokens: constrained.tokens, settings: settings)
            if repetition == 0 {
                cold = constrained
            } else {
                warm.append(constrained)
                free.append(unconstrained)
                warmTimings.append(constrained.timings)
            }
        }
        guard let cold else { return }
        let coldP99 = cold.timings.summary(of: .all).p99Microseconds
        let verdict = coldP99 < Self.maskGoalMicroseconds ? "PASS" : "FAIL"
        let constrainedRate = warm.map(\.tokensPerSecond).reduce(0, +) / Double(warm.count)
        let freeRate = free.map(\.tokensPerSecond).reduce(0, +) / Double(free.count)
        // Load on a shared machine moves tokens/s a lot between runs; the time spent outside
        // the model per token does not depend on it, and is what the grammar adds.
        let constrainedOutside = warm.map(\.outsideModelMicroseconds).reduce(0, +) / Double(warm.count)
        let freeOutside = free.map(\.outsideModelMicroseconds).reduce(0, +) / Double(free.count)
        let modelPerToken = free.map { $0.modelSeconds / Double(max($0.tokens, 1)) * 1e6 }.reduce(0, +) / Double(free.count)
        let estimatedSlowdown = (constrainedOutside - freeOutside) / (modelPerToken + freeOutside)
        let compileMilliseconds = (buildTime + automatonTime) / .milliseconds(1)
        let maskCompileMilliseconds = automatonTime / .milliseconds(1)
        let apply = MaskApplyTiming.measure(cold.masks, vocabularySize: model.vocabularySize)

        if json {
            func summary(_ timings: MaskTimings, _ kind: MaskTimings.Kind) -> [String: Any] {
                let s = timings.summary(of: kind)
                return ["count": s.count, "p50_us": s.p50Microseconds, "p99_us": s.p99Microseconds,
                        "mean_us": s.meanMicroseconds, "max_us": s.maximumMicroseconds]
            }
            let object: [String: Any] = [
                "target": target, "model": modelPath, "threads": threads,
                "vocabulary_ms": vocabularyTime / .milliseconds(1), "compile_ms": compileMilliseconds,
                "automaton_nodes": compiled.automatonNodeCount, "post_checks": built.postChecks.map(\.description),
                "tokens": cold.tokens, "forced_tokens": cold.forced, "complete": cold.complete, "text": cold.text,
                "cold_masks": ["all": summary(cold.timings, .all), "first_visit": summary(cold.timings, .firstVisit),
                               "cached": summary(cold.timings, .cached)],
                "cold_p99_us": coldP99, "cold_p99_goal_us": Self.maskGoalMicroseconds, "cold_p99_pass": verdict == "PASS",
                "slow_first_visits": cold.slowFirstVisits.map { ["us": $0.microseconds, "after": $0.after] as [String: Any] },
                "cache_positions": ["compiled": compiledPositions, "after_cold_run": compiled.cachedPositionCount],
                "cache_bytes": ["compiled": compiledBytes, "after_cold_run": compiled.cachedByteCount],
                "warm_masks": summary(warmTimings, .all),
                "cold_constrained_tokens_per_second": cold.tokensPerSecond,
                "constrained_tokens_per_second": constrainedRate, "free_tokens_per_second": freeRate,
                "constrained_over_free": constrainedRate / freeRate,
                "outside_model_us_per_token": ["constrained": constrainedOutside, "free": freeOutside],
                "model_us_per_token": modelPerToken, "estimated_slowdown": estimatedSlowdown,
                "grammar_build_ms": buildTime / .milliseconds(1), "compiled_grammar_ms": maskCompileMilliseconds,
                "disk_cache_ms": disk.map { ["write": $0.write / .milliseconds(1), "read": $0.read / .milliseconds(1),
                                             "without_masks": $0.withoutMasks / .milliseconds(1), "file_bytes": $0.fileBytes] as [String: Any] } ?? [:],
                "mask_apply_us": ["words": apply.wordsMicroseconds, "token_by_token": apply.perTokenMicroseconds],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
            return
        }
        print("grammar bench: \(target)")
        print(String(format: "  compile: %.1f ms (%d automaton nodes); vocabulary (%d tokens): %.1f ms",
                     compileMilliseconds, compiled.automatonNodeCount, vocabulary.count, vocabularyTime / .milliseconds(1)))
        if let disk {
            let read = disk.read / .milliseconds(1)
            print(String(format: "  disk cache (%.1f MiB file): compile %.1f ms (the grammar from its tree: %.1f ms more), compile and write %.1f ms, read back %.1f ms: %.0f× faster than compiling",
                         Double(disk.fileBytes) / 1_048_576, maskCompileMilliseconds, buildTime / .milliseconds(1),
                         disk.write / .milliseconds(1), read, maskCompileMilliseconds / max(read, 0.001)))
            print(String(format: "    read back = automaton and analyses %.1f ms + the file %.1f ms",
                         disk.withoutMasks / .milliseconds(1), read - disk.withoutMasks / .milliseconds(1)))
        }
        print("  output: \(cold.tokens) tokens (\(cold.forced) forced)\(cold.complete ? "" : ", stopped at -n before the grammar was complete")")
        print("    \(cold.text.prefix(160).debugDescription)\(cold.text.count > 160 ? "…" : "")")
        print(String(format: "  mask cache: %d positions, %.1f KiB filled at compile; %d positions, %.1f KiB after the cold run",
                     compiledPositions, Double(compiledBytes) / 1024, compiled.cachedPositionCount,
                     Double(compiled.cachedByteCount) / 1024))
        print("  masks, cold cache, all:          \(cold.timings.summary(of: .all))")
        print("  masks, cold cache, first visits: \(cold.timings.summary(of: .firstVisit))")
        print("  first visits over \(Int(Self.slowFirstVisitMicroseconds)) µs: \(cold.slowFirstVisits.count)")
        for visit in cold.slowFirstVisits.prefix(Self.slowFirstVisitsShown) {
            print(String(format: "    %7.1f µs after ", visit.microseconds) + "…\(visit.after)".debugDescription)
        }
        if cold.slowFirstVisits.count > Self.slowFirstVisitsShown {
            print("    … \(cold.slowFirstVisits.count - Self.slowFirstVisitsShown) more")
        }
        print("  masks, cold cache, cached:       \(cold.timings.summary(of: .cached))")
        print("  masks, warm cache (\(repetitions) runs):     \(warmTimings.summary(of: .all))")
        print(String(format: "  decode: constrained %.1f tokens/s, free %.1f tokens/s, ratio %.3f (%+.1f%%); cold-cache constrained %.1f tokens/s",
                     constrainedRate, freeRate, constrainedRate / freeRate, 100 * (constrainedRate / freeRate - 1),
                     cold.tokensPerSecond))
        print(String(format: "  per token outside the model: constrained %.1f µs, free %.1f µs; model %.1f µs; grammar slowdown %.2f%%",
                     constrainedOutside, freeOutside, modelPerToken, 100 * estimatedSlowdown))
        print(String(format: "  mask applied to the logits: %.1f µs per token a word at a time, %.1f µs token by token (%.1f× faster)",
                     apply.wordsMicroseconds, apply.perTokenMicroseconds, apply.perTokenMicroseconds / max(apply.wordsMicroseconds, 0.001)))
        print(String(format: "  cold p99 %.1f µs (goal < %.0f µs): ", coldP99, Self.maskGoalMicroseconds) + verdict)
    }

    /// What a repeated run or a resume pays for its grammar: a compile that writes its masks
    /// to a fresh ``GrammarDiskCache`` folder, then the median of three that read them back;
    /// and the median of three compiles that fill no masks (the automaton and its analyses,
    /// which a read back also builds), so the rest of a read back is the file's.
    private func diskCacheTimes(_ grammar: Grammar, vocabulary: TokenVocabulary) throws -> DiskCacheTimes? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arbor-bench-grammars-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = GrammarDiskCache(directory: folder)
        let clock = ContinuousClock()
        let write = try clock.measure { _ = try CompiledGrammar(grammar, vocabulary: vocabulary, diskCache: cache) }
        var reads: [Duration] = []
        var withoutMasks: [Duration] = []
        for _ in 0..<3 {
            var readFromDisk = false
            reads.append(try clock.measure { readFromDisk = try CompiledGrammar(grammar, vocabulary: vocabulary, diskCache: cache).masksReadFromDisk })
            guard readFromDisk else { return nil }
            withoutMasks.append(try clock.measure { _ = try CompiledGrammar(grammar, vocabulary: vocabulary, cacheFill: .onFirstUse) })
        }
        let fileBytes = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).reduce(0) { total, name in
            total + (((try? FileManager.default.attributesOfItem(atPath: folder + "/" + name))?[.size] as? Int) ?? 0)
        }
        return DiskCacheTimes(write: write, read: reads.sorted()[1], withoutMasks: withoutMasks.sorted()[1], fileBytes: fileBytes)
    }

    struct DiskCacheTimes {
        var write: Duration
        /// The median read back.
        var read: Duration
        /// The median compile without masks.
        var withoutMasks: Duration
        var fileBytes: Int
    }

    /// One timed decoding.
    struct DecodeRun {
        var tokens = 0
        var forced = 0
        var seconds = 0.0
        /// Seconds inside the model's decode calls; the rest is sampling and grammar work.
        var modelSeconds = 0.0
        var complete = false
        var text = ""
        var timings = MaskTimings()
        /// Every mask the decoding sampled under, for timing how they are applied.
        var masks: [TokenMask] = []
        /// First visits over ``slowFirstVisitMicroseconds``, with the text just before them.
        var slowFirstVisits: [(microseconds: Double, after: String)] = []
        var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
        /// Microseconds per token spent outside the model (sampling, masks, matcher).
        var outsideModelMicroseconds: Double { tokens > 0 ? (seconds - modelSeconds) / Double(tokens) * 1e6 : 0 }
    }

    /// The decode loop of ``ConstrainedDecoder`` (mask → sample → accept, forced text fed
    /// without sampling, holes filled with ``holeFill``), timed per mask, stopping without
    /// error at `maxTokens`.
    private func constrainedRun(model: Transformer, tokenizer: BPETokenizer, grammar: CompiledGrammar,
                                prompt: [Int32], settings: SamplerSettings) throws -> DecodeRun {
        model.reset()
        _ = try model.prefill(tokens: prompt, positions: (0..<Int32(prompt.count)).map { $0 })
        var position = Int32(prompt.count)
        var matcher = GrammarMatcher(grammar)
        var mask = TokenMask(vocabularySize: model.vocabularySize, allowAll: false)
        var sampler = Sampler(settings: settings)
        var history: [Int32] = []
        var bytes: [UInt8] = []
        var run = DecodeRun()
        let start = DispatchTime.now()
        func feed(_ token: Int32) throws {
            let modelStart = DispatchTime.now()
            _ = try model.decode(token: token, position: position)
            run.modelSeconds += Double(DispatchTime.now().uptimeNanoseconds - modelStart.uptimeNanoseconds) / 1e9
            position += 1
            history.append(token)
            bytes += tokenizer.tokenBytes(token)
            run.tokens += 1
        }
        decoding: while run.tokens < maxTokens {
            if matcher.pendingHole != nil {
                guard matcher.fillHole(with: Self.holeFill) else { break }
                for id in tokenizer.encode(String(decoding: Self.holeFill, as: UTF8.self), parseSpecial: false)
                where run.tokens < maxTokens {
                    try feed(id)
                    run.forced += 1
                }
                continue
            }
            let forcedText = matcher.forcedBytes()
            if !forcedText.isEmpty {
                var accepted = 0
                for id in tokenizer.encode(String(decoding: forcedText, as: UTF8.self), parseSpecial: false) {
                    guard run.tokens < maxTokens, matcher.acceptToken(Int(id)) else { break }
                    try feed(id)
                    run.forced += 1
                    accepted += 1
                }
                if accepted > 0 { continue }
            }
            let firstVisits = run.timings.firstVisitMicroseconds.count
            mask.words.withUnsafeMutableBufferPointer { run.timings.fill(&matcher, into: $0.baseAddress!) }
            if run.timings.firstVisitMicroseconds.count > firstVisits, let last = run.timings.firstVisitMicroseconds.last,
               last > Self.slowFirstVisitMicroseconds {
                run.slowFirstVisits.append((last, String(decoding: bytes.suffix(Self.contextBytes), as: UTF8.self)))
            }
            run.masks.append(mask)
            let token = sampler.sample(model.logits, mask: mask, history: history)
            guard token >= 0 else { throw RuntimeError.noTokenAllowed(step: run.tokens) }
            if tokenizer.isEndOfGeneration(token) {
                run.complete = matcher.isComplete
                break decoding
            }
            guard matcher.acceptToken(Int(token)) else { throw RuntimeError.noTokenAllowed(step: run.tokens) }
            try feed(token)
        }
        run.seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        run.text = String(decoding: bytes, as: UTF8.self)
        return run
    }

    /// `tokens` decode steps on the same prompt with no grammar: sample, feed, repeat.
    private func freeRun(model: Transformer, prompt: [Int32], tokens: Int, settings: SamplerSettings) throws -> DecodeRun {
        model.reset()
        _ = try model.prefill(tokens: prompt, positions: (0..<Int32(prompt.count)).map { $0 })
        var position = Int32(prompt.count)
        var sampler = Sampler(settings: settings)
        var history: [Int32] = []
        var run = DecodeRun()
        let start = DispatchTime.now()
        while run.tokens < tokens {
            // An end token is fed like any other: only the step count matters here.
            let token = sampler.sample(model.logits, history: history)
            let modelStart = DispatchTime.now()
            _ = try model.decode(token: max(token, 0), position: position)
            run.modelSeconds += Double(DispatchTime.now().uptimeNanoseconds - modelStart.uptimeNanoseconds) / 1e9
            position += 1
            history.append(token)
            run.tokens += 1
        }
        run.seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        run.complete = true
        return run
    }
}
