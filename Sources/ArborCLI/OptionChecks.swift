import ArgumentParser
import Foundation

/// Checks shared by the commands' `validate()`: sampling numbers that would make the sampler
/// meaningless, and input files that are not readable files, each refused with a sentence
/// that names the option instead of a Foundation error dump later on.
enum OptionChecks {
    /// `--temp`: finite and 0 or more (NaN, infinities and negatives sample nothing sensible).
    static func temperature(_ value: Float?) throws {
        guard let value else { return }
        guard value.isFinite, value >= 0 else {
            throw ValidationError("--temp must be a finite number of 0 or more (0 is greedy), not \(value).")
        }
    }

    /// `--repeat-penalty`: finite and above 0 (logits are divided by it; 1 is no penalty).
    static func repeatPenalty(_ value: Float?) throws {
        guard let value else { return }
        guard value.isFinite, value > 0 else {
            throw ValidationError("--repeat-penalty must be a finite number above 0 (1 is no penalty), not \(value).")
        }
    }

    /// A file option (`--inputs-file`, `--prompt-file`): an existing, readable, plain file.
    static func readableFile(_ path: String?, option: String) throws {
        guard let path else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(option) \(path): there is no such file.")
        }
        if isDirectory.boolValue { throw ValidationError("\(option) \(path) is a directory; give the path of a file.") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ValidationError("\(option) \(path) cannot be read; check its permissions.")
        }
    }
}
