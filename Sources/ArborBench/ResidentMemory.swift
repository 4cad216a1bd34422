import Foundation

/// This process's resident memory as the kernel counts it (`/proc/self/status`, Linux).
///
/// `current` is VmRSS and `peak` is VmHWM, the high-water mark since the process started.
/// Both include the pages of a memory-mapped model that have been read, which is why the
/// benchmark's budget counts the model file once.
///
/// ```swift
/// if let memory = ResidentMemory.now() { print(memory.peak / 1_048_576, "MiB at most") }
/// ```
public struct ResidentMemory: Sendable, Codable, Equatable {
    /// VmRSS in bytes.
    public var current: Int
    /// VmHWM in bytes.
    public var peak: Int

    public init(current: Int, peak: Int) {
        self.current = current
        self.peak = peak
    }

    /// Reads `/proc/self/status`; nil where it does not exist (not Linux) or lacks the fields.
    public static func now() -> ResidentMemory? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return parse(status: text)
    }

    /// The VmRSS and VmHWM lines of a `/proc/<pid>/status` text ("VmHWM:   123456 kB").
    public static func parse(status text: String) -> ResidentMemory? {
        var fields: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") || line.hasPrefix("VmHWM:") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 3, let kilobytes = Int(parts[1]), parts[2] == "kB" else { continue }
            fields[String(parts[0].dropLast())] = kilobytes * 1024
        }
        guard let current = fields["VmRSS"], let peak = fields["VmHWM"] else { return nil }
        return ResidentMemory(current: current, peak: peak)
    }
}
