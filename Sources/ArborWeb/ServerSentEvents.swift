import ArborStore
import Foundation

/// A run's events in the Server-Sent Events format: `id:` is the event's seq, so a browser's
/// `EventSource` (or any client) resumes after the last event it saw by sending it back as
/// `Last-Event-ID`; the data is one JSON object `{"seq", "kind", "at", "data"}` on one line.
enum ServerSentEvents {
    /// How long a client waits before reconnecting after the stream drops (milliseconds).
    static let retryMilliseconds = 1000

    static func format(_ event: RunEvent) -> String {
        let data = ReportJSON.object([
            "seq": .integer(event.seq), "kind": .string(event.kind.rawValue),
            "at": .number(event.createdAt.timeIntervalSince1970), "data": .verbatim(event.payloadJSON),
        ]).compact()
        // A line break inside the data would end the field: each line goes in its own `data:`.
        let lines = data.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)\n" }.joined()
        return "id: \(event.seq)\n" + lines + "\n"
    }

    /// A comment line: clients ignore it; writing it tells the server whether the client left.
    static let keepAlive = ":\n\n"

    /// The seq to resume after: the `Last-Event-ID` header, else the `after` query parameter,
    /// else 0 (from the start). Anything but a non-negative integer is a 400.
    static func resumePoint(lastEventID: String?, after: String?) throws -> Int {
        guard let text = lastEventID ?? after else { return 0 }
        guard let seq = Int(text.trimmingCharacters(in: .whitespaces)), seq >= 0 else {
            throw APIError(status: 400, message: "Last-Event-ID (or ?after=) must be the seq of an event, a non-negative integer; got \"\(text)\".")
        }
        return seq
    }
}
