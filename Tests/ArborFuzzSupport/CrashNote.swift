import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Leaves the input of a crashing fuzz iteration on disk: the input is copied into a fixed
/// buffer before each iteration, and a signal handler (only async-signal-safe calls) writes
/// it out and names the file, then hands the signal to the handler that was there before
/// (the Swift runtime's backtracer), so the crash still reports as usual.
enum CrashNote {
    static let capacity = 1 << 20
    static let signals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]
    nonisolated(unsafe) static var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    nonisolated(unsafe) static var length = 0
    nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var message: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var previous: [Int32: sigaction] = [:]

    static func arm(target: String) {
        let file = NSTemporaryDirectory() + "arbor-fuzz-\(target)-crash.bin"
        free(path)
        free(message)
        path = strdup(file)
        message = strdup("\nfuzz \(target): an input crashed the parser; it is saved in \(file)\n")
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = crashNoteHandler
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(signal, &action, &old)
            previous[signal] = old
        }
    }

    static func disarm() {
        for (signal, old) in previous {
            var restored = old
            sigaction(signal, &restored, nil)
        }
        previous = [:]
    }

    static func record(_ input: [UInt8], iteration: Int) {
        length = min(input.count, capacity)
        input.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { buffer.update(from: base, count: length) }
        }
    }
}

private func crashNoteHandler(_ signal: Int32) {
    if let path = CrashNote.path {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if descriptor >= 0 {
            _ = write(descriptor, CrashNote.buffer, CrashNote.length)
            close(descriptor)
        }
    }
    if let message = CrashNote.message { _ = write(2, message, strlen(message)) }
    if var old = CrashNote.previous[signal] {
        sigaction(signal, &old, nil)
    } else {
        Glibc.signal(signal, SIG_DFL)
    }
    raise(signal)
}
