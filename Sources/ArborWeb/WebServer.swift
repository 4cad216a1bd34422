import ArborStore
import Foundation
import Hummingbird

/// `arbor serve`: runs and their reasoning trees over HTTP, live.
///
/// - `GET /api/runs` — the runs, newest first (as `arbor runs --json`).
/// - `GET /api/runs/{id}` — a snapshot `{"seq", "run", "omitted"}`: the run as `arbor inspect
///   --json` writes it with at most the last `?limit=` (1,000) tree nodes, tool calls and
///   rounds, and the seq of the last event it includes.
/// - `GET /api/runs/{id}/events` — the run's events (``RunEvent``) as Server-Sent Events,
///   `id:` = seq, from after `Last-Event-ID` (or `?after=`); it stays open and follows the run.
/// - `GET /api/workflows` and the actions (``RunActions``): start, stop, resume, fork.
/// - `GET /` and the page's files (package resources).
///
/// The server never needs the run to be inside it: it polls the database's `data_version`, so
/// a run written by `arbor run` in another process shows up within a poll interval.
///
/// ```swift
/// let server = WebServer(configuration: .init(databasePath: "runs.sqlite"))
/// try await server.run { port in print("http://127.0.0.1:\(port)/") }
/// ```
public struct WebServer: Sendable {
    /// Where to listen and what to serve.
    public struct Configuration: Sendable {
        public var databasePath: String
        public var host: String
        /// 0 picks a free port (the port is passed to `run`'s `onListening`).
        public var port: Int
        /// Required when `host` is not a loopback address.
        public var token: String?
        /// How often the database is asked whether anyone committed.
        public var pollInterval: Duration
        /// Workflow files and folders the page can start runs of (`--workflows`).
        public var workflowPaths: [String]
        /// The `arbor` executable that runs, resumes and forks from the page run as (child
        /// processes); nil leaves the page without those actions (they answer 503).
        public var arborExecutable: String?

        public init(databasePath: String, host: String = "127.0.0.1", port: Int = 8080, token: String? = nil,
                    pollInterval: Duration = .milliseconds(40), workflowPaths: [String] = [], arborExecutable: String? = nil) {
            self.databasePath = databasePath
            self.host = host
            self.port = port
            self.token = token
            self.pollInterval = pollInterval
            self.workflowPaths = workflowPaths
            self.arborExecutable = arborExecutable
        }

        /// Whether only this machine can reach `host`.
        public var isLoopback: Bool { ["127.0.0.1", "localhost", "::1"].contains(host) }
    }

    public let configuration: Configuration

    /// Checks the configuration: a non-loopback host needs a token
    /// (``WebServerError/tokenRequired(host:)``).
    public init(configuration: Configuration) throws {
        if !configuration.isLoopback && (configuration.token ?? "").isEmpty {
            throw WebServerError.tokenRequired(host: configuration.host)
        }
        self.configuration = configuration
    }

    /// Serves until the task is cancelled (or SIGINT/SIGTERM); `onListening` gets the bound port.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let access = StoreAccess(path: configuration.databasePath)
        let feed = CommitFeed()
        let router = Router()
        if let token = configuration.token, !token.isEmpty { router.add(middleware: TokenCheck(token: token)) }
        try StaticPage.load().register(on: router)
        addAPIRoutes(to: router, access: access, feed: feed)
        let launcher = RunLauncher(executable: configuration.arborExecutable, access: access)
        RunActions(access: access, catalog: WorkflowCatalog(paths: configuration.workflowPaths), launcher: launcher).register(on: router)
        // the page's runs end paused, not orphaned, when the server stops
        defer { launcher.stopAll() }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "arbor"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) })
        let interval = configuration.pollInterval
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await feed.poll(every: interval, heartbeat: .seconds(10)) { try access.committedSinceLastLook() } }
            group.addTask { try await app.runService() }
            // either ending (the server stopped, or the task was cancelled) ends both
            _ = try await group.next()
            group.cancelAll()
        }
    }

    private func addAPIRoutes(to router: Router<BasicRequestContext>, access: StoreAccess, feed: CommitFeed) {
        router.get("/api/runs") { _, _ in
            Self.answer { RunListReport.json(try access.store().listRuns(limit: 500)) }
        }
        router.get("/api/runs/:id") { request, context in
            Self.answer {
                let limit = try Self.snapshotLimit(request.uri.queryParameters.get("limit"))
                return try access.store().snapshot(runID: try context.parameters.require("id")).json(keepingLast: limit)
            }
        }
        router.get("/api/runs/:id/events") { request, context in
            do {
                let id = try context.parameters.require("id")
                let store = try access.store()
                guard try store.run(id: id) != nil else { throw StoreError.runNotFound(runID: id) }
                let after = try ServerSentEvents.resumePoint(
                    lastEventID: request.headers.first { $0.name.canonicalName == "last-event-id" }?.value,
                    after: request.uri.queryParameters.get("after"))
                return Response(status: .ok,
                                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                                body: ResponseBody { writer in try await Self.stream(id, after: after, store: store, feed: feed, to: &writer) })
            } catch {
                let apiError = APIError(error)
                return Self.json(apiError.json, status: apiError.status)
            }
        }
    }

    /// Writes the events after `seq`, then every new one as it is committed, until the client
    /// leaves or the server stops.
    private static func stream(_ runID: String, after seq: Int, store: RunStore, feed: CommitFeed,
                               to writer: inout any ResponseBodyWriter) async throws {
        var last = seq
        try await writer.write(ByteBuffer(string: "retry: \(ServerSentEvents.retryMilliseconds)\n\n"))
        var generation = await feed.generation
        var lastWrite = ContinuousClock.now
        while !Task.isCancelled {
            let events = try store.events(runID: runID, after: last, limit: 500)
            if let newest = events.last {
                try await writer.write(ByteBuffer(string: events.map(ServerSentEvents.format).joined()))
                last = newest.seq
                lastWrite = .now
                if events.count == 500 { continue }
            } else if ContinuousClock.now - lastWrite >= .seconds(10) {
                try await writer.write(ByteBuffer(string: ServerSentEvents.keepAlive))
                lastWrite = .now
            }
            generation = await feed.wait(after: generation)
        }
        try await writer.finish(nil)
    }

    /// The most tree nodes, tool calls and rounds a snapshot carries: `?limit=N`, else 1,000.
    static func snapshotLimit(_ text: String?) throws -> Int {
        guard let text else { return 1000 }
        guard let limit = Int(text), limit >= 0 else {
            throw APIError(status: 400, message: "?limit= must be a number of entries, 0 or more; got \"\(text)\".")
        }
        return limit
    }

    /// `body`'s JSON, or the error it threw as a JSON error with its status.
    static func answer(_ body: () throws -> String) -> Response {
        do {
            return json(try body())
        } catch {
            let apiError = APIError(error)
            return json(apiError.json, status: apiError.status)
        }
    }

    static func json(_ text: String, status: Int = 200) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
