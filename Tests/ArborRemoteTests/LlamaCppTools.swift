import Foundation
import XCTest

/// The llama.cpp programs the remote tests run, as `scripts/setup.sh` builds them: a CPU
/// (AVX2) build of llama-server, and `gbnf-validator` (llama.cpp's own grammar checker,
/// `tests/test-gbnf-validator.cpp`) linked against the same build.
enum LlamaCppTools {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `$ARBOR_LLAMA_CPP_DIR`, else the folder setup.sh builds into.
    static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["ARBOR_LLAMA_CPP_DIR"] { return dir }
        let cache = environment["ARBOR_CACHE_DIR"] ?? (NSHomeDirectory() + "/.cache/arbor")
        return cache + "/llama.cpp-0.3.36"
    }

    /// The path of `name` in the build's `bin/`; fails the test with what to do when it is missing.
    static func binary(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = directory + "/bin/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("\(name) is missing at \(path); run scripts/setup.sh to build llama.cpp there.", file: file, line: line)
            throw XCTSkip("\(name) missing")
        }
        return path
    }

    /// Whether llama.cpp's grammar engine accepts `text` as a whole sentence of `gbnf`.
    static func gbnfAccepts(_ gbnf: String, _ text: [UInt8], validator: String, folder: URL) throws -> Bool {
        let grammarFile = folder.appendingPathComponent("grammar.gbnf"), inputFile = folder.appendingPathComponent("input.txt")
        try gbnf.write(to: grammarFile, atomically: false, encoding: .utf8)
        try Data(text).write(to: inputFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: validator)
        process.arguments = [grammarFile.path, inputFile.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if output.contains("is valid according") { return true }
        if output.contains("is invalid according") { return false }
        throw NSError(domain: "gbnf-validator", code: Int(process.terminationStatus),
                      userInfo: [NSLocalizedDescriptionKey: "gbnf-validator could not read the grammar: \(output.prefix(400))"])
    }
}
