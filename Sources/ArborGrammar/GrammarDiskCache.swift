import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Compiled grammars' token-mask caches kept on disk, so that the next process compiling
/// the same grammar over the same vocabulary reads its masks instead of computing them.
///
/// Filling the mask cache is nearly all of a compile (0.2–0.6 s per grammar, up to three
/// grammars a run); reading it back takes milliseconds. A file is named by a fingerprint of
/// everything the masks depend on: the grammar's automaton, the vocabulary, this file
/// format, and the running executable (its size and modification time), so a rebuilt
/// `arbor` never reads masks that an older build computed. A file that is missing,
/// truncated or damaged is ignored and written again; nothing here ever fails a compile.
///
/// `$ARBOR_GRAMMAR_CACHE=off` turns it off; the files live in `grammars/` under the cache
/// folder (`$ARBOR_CACHE_DIR`, else `$XDG_CACHE_HOME/arbor`, else `~/.cache/arbor`), and the
/// least recently used are deleted when they pass ``maximumTotalBytes``.
///
/// ```swift
/// let compiled = try CompiledGrammar(grammar, vocabulary: vocabulary, diskCache: GrammarDiskCache.standard())
/// print(compiled.masksReadFromDisk)
/// ```
public struct GrammarDiskCache: Sendable {
    /// The folder holding the files.
    public let directory: String
    /// The most the folder may hold; the files least recently written or read go first.
    public var maximumTotalBytes: Int = 512 << 20

    static let magic = Array("ARBORGMC".utf8)
    static let formatVersion: UInt32 = 2

    public init(directory: String) {
        self.directory = directory
    }

    /// The cache in the user's cache folder, or nil when `$ARBOR_GRAMMAR_CACHE` is `off`
    /// (or `0`, `false`, `no`).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> GrammarDiskCache? {
        if let setting = environment["ARBOR_GRAMMAR_CACHE"]?.lowercased(), ["off", "0", "false", "no"].contains(setting) {
            return nil
        }
        let base: String
        if let explicit = environment["ARBOR_CACHE_DIR"], !explicit.isEmpty {
            base = explicit
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            base = xdg + "/arbor"
        } else {
            base = (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.cache/arbor"
        }
        return GrammarDiskCache(directory: base + "/grammars")
    }

    /// The file of a grammar compiled over a vocabulary.
    func path(automaton: GrammarAutomaton, vocabulary: TokenVocabulary) -> String {
        directory + "/" + Self.fingerprint(automaton: automaton, vocabulary: vocabulary) + ".masks"
    }

    /// The entries stored at `path`, or nil when there is no usable file: missing, damaged,
    /// of another format version, or with an entry that does not fit `bounds` (a file not
    /// usable is deleted). A file read is marked as just used (its modification time), so
    /// trimming drops the files no run has read for longest, not the oldest written.
    func load(_ path: String, fitting bounds: Bounds) -> [StoredEntry]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let entries = data.withUnsafeBytes { Self.decode($0, fitting: bounds) }
        if entries == nil {
            try? FileManager.default.removeItem(atPath: path)
        } else {
            _ = utimes(path, nil)
        }
        return entries
    }

    /// Writes the entries to `path` (through a temporary file and a rename, so a reader never
    /// sees half a file), then trims the folder. Failures are ignored: the cache is an aid.
    func save(_ entries: [StoredEntry], to path: String) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp"
            try Data(Self.encode(entries)).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 { try? manager.removeItem(atPath: temporary) }
        } catch {
            return
        }
        trim()
    }

    /// How old a temporary file must be before trimming takes it for the leftover of a
    /// process that died while writing (a write itself takes milliseconds).
    static let abandonedTemporaryAge: TimeInterval = 600

    /// Deletes temporary files that a killed process left, then the least recently used
    /// files while the folder holds more than ``maximumTotalBytes``.
    func trim() {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return }
        func attributes(_ name: String) -> (path: String, size: Int, modified: Date)? {
            let path = directory + "/" + name
            guard let attributes = try? manager.attributesOfItem(atPath: path) else { return nil }
            return (path, (attributes[.size] as? Int) ?? 0, (attributes[.modificationDate] as? Date) ?? .distantPast)
        }
        let abandoned = Date().addingTimeInterval(-Self.abandonedTemporaryAge)
        for temporary in names.filter({ $0.hasSuffix(".tmp") }).compactMap(attributes) where temporary.modified < abandoned {
            try? manager.removeItem(atPath: temporary.path)
        }
        var files = names.filter { $0.hasSuffix(".masks") }.compactMap(attributes)
        var total = files.reduce(0) { $0 + $1.size }
        files.sort { $0.modified < $1.modified }
        for file in files where total > maximumTotalBytes {
            try? manager.removeItem(atPath: file.path)
            total -= file.size
        }
    }

    // MARK: - Fingerprint

    /// Everything the mask entries depend on, as 32 hex digits.
    static func fingerprint(automaton: GrammarAutomaton, vocabulary: TokenVocabulary) -> String {
        var hasher = StableHasher()
        hasher.combine(bytes: magic)
        hasher.combine(Int(formatVersion))
        hasher.combine(executableIdentity)
        for node in automaton.nodes {
            for edge in node.byteEdges {
                hasher.combine(UInt64(edge.low) | UInt64(edge.high) << 8 | UInt64(UInt32(bitPattern: edge.target)) << 16)
            }
            hasher.combine(node.byteEdges.count)
            hasher.combine(node.epsilons)
            for call in node.calls {
                hasher.combine(call.rule)
                hasher.combine(call.returnNode ?? -2)
            }
            hasher.combine(node.calls.count)
            hasher.combine(node.budgeted)
            if let hole = node.hole {
                hasher.combine(hole.name)
                hasher.combine(hole.target)
            } else {
                hasher.combine(-1)
            }
            hasher.combine(node.isFinal ? 1 : 0)
        }
        hasher.combine(automaton.ruleStart)
        hasher.combine(automaton.nodeRule)
        hasher.combine(automaton.rootRule)
        hasher.combine(automaton.budgetLimit ?? -1)
        hasher.combine(vocabulary.contentDigest)
        return hasher.hexDigest
    }

    /// The running executable's path, size and modification time: masks computed by one
    /// build are never read by another.
    static let executableIdentity: String = {
        let path = "/proc/self/exe"
        var info = stat()
        guard stat(path, &info) == 0 else { return CommandLine.arguments.first ?? "" }
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? path
        return "\(target)|\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }()
}
