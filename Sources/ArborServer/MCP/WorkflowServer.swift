import ArborModel
import ArborSchema
import ArborSpec
import ArborStore
import ArborTools
import Foundation
import MCP

/// `arbor mcp`: serves workflows as MCP tools, one tool per workflow.
///
/// A call runs its workflow like `arbor run` (recorded in the run store, so `arbor runs`
/// lists it and `arbor inspect` shows it) and answers with the run's answer as
/// `structuredContent` plus the same JSON as text, and the run id in `_meta`. Whatever goes
/// wrong with a call — arguments that do not fit the inputs, a run that ends in an error or
/// at its token limit — comes back as a result with `isError: true` and a message, never as
/// a protocol error, and the server goes on. Calls run one at a time; a waiting call hears
/// its place in the queue through progress notifications, a running one hears each task
/// that finishes and each tool it calls. A cancelled call stops between two tokens with its
/// record committed, paused, so `arbor resume` can finish it.
///
/// ```swift
/// let server = WorkflowServer(tools: try WorkflowCatalog.load(["Workflows"]),
///                             configuration: .init(store: try RunStore(path: "runs.sqlite")))
/// try await server.serve(on: StdioTransport())
/// ```
public final class WorkflowServer: Sendable {
    /// How calls run.
    public struct Configuration: Sendable {
        /// Where every call is recorded.
        public var store: RunStore
        /// The model for every workflow (nil: each workflow's `model.file`, else the default model).
        public var modelPath: String?
        /// Kernel threads per run.
        public var threads: Int
        /// Overrides each workflow's `limits.max_tokens` when set.
        public var maxTokens: Int?

        public init(store: RunStore, modelPath: String? = nil, threads: Int = 2, maxTokens: Int? = nil) {
            self.store = store
            self.modelPath = modelPath
            self.threads = threads
            self.maxTokens = maxTokens
        }
    }

    public let tools: [WorkflowTool]
    public let configuration: Configuration
    let queue = RunQueue()
    let models = LoadedModelCache()
    let stops = StopRegistry()

    public init(tools: [WorkflowTool], configuration: Configuration) {
        self.tools = tools
        self.configuration = configuration
    }

    /// An MCP server with this server's tools, not yet started.
    public func makeServer() async -> Server {
        let server = Server(name: "arbor", version: "0.1.0", title: "Arbor workflows",
                            instructions: "Each tool runs one Arbor workflow on a local model; its answer matches the tool's output schema. Calls run one at a time.",
                            capabilities: .init(tools: .init(listChanged: false)))
        let listed = tools.map(\.mcpTool) + RunStatusTools.all
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: listed) }
        await server.withMethodHandler(CallTool.self) { [weak server, self] params in
            guard let server else { throw MCPError.internalError("the server has stopped") }
            return try await self.call(params, server: server)
        }
        return server
    }

    /// Serves on `transport` until the client goes away, then stops any run still going
    /// (committed and paused, so it can be resumed) and returns once it is recorded.
    public func serve(on transport: any Transport) async throws {
        let server = await makeServer()
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
        await shutdown()
        await server.stop()
    }

    /// Stops every running call between two tokens and waits until their records are committed.
    public func shutdown() async {
        stops.requestAll()
        await queue.waitUntilIdle()
    }

    /// One `tools/call`: a workflow's run, or one of the run-status tools.
    func call(_ params: CallTool.Parameters, server: Server) async throws -> CallTool.Result {
        let arguments = JSONObject((params.arguments ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, JSONValue(mcp: $0.value)) })
        if let statusTool = RunStatusTools(rawValue: params.name) {
            return statusTool.call(arguments: arguments, store: configuration.store, tools: tools)
        }
        guard let tool = tools.first(where: { $0.name == params.name }) else {
            let names = (tools.map(\.name) + RunStatusTools.allCases.map(\.rawValue)).joined(separator: ", ")
            throw MCPError.invalidParams("Unknown tool: \(params.name); the tools are \(names)")
        }
        let progress = params._meta?.progressToken.map { ProgressReporter(token: $0, server: server) }
        let stop = StopFlag()
        let registration = stops.add(stop)
        defer { stops.remove(registration) }
        let outcome = await withTaskCancellationHandler {
            await WorkflowCall(tool: tool, server: self, progress: progress, stop: stop).run(arguments: arguments)
        } onCancel: {
            stop.request()
        }
        await progress?.finish()
        // A cancelled request gets no response (the client has stopped waiting for it).
        if case .stopped = outcome, Task.isCancelled { throw CancellationError() }
        return outcome.result
    }
}

/// The stop flags of the calls in progress, so that a shutdown can stop them all.
final class StopRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var flags: [UUID: StopFlag] = [:]
    private var stopping = false

    func add(_ flag: StopFlag) -> UUID {
        let id = UUID()
        lock.lock(); defer { lock.unlock() }
        flags[id] = flag
        if stopping { flag.request() }
        return id
    }

    func remove(_ id: UUID) {
        lock.lock(); defer { lock.unlock() }
        flags[id] = nil
    }

    func requestAll() {
        lock.lock(); defer { lock.unlock() }
        stopping = true
        flags.values.forEach { $0.request() }
    }
}
