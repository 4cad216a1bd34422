import ArborSchema
import ArborStore
import Foundation
import Hummingbird

/// The page's buttons, as POSTs under `/api` (so a server with a token needs it for them):
///
/// - `POST /api/runs` `{"workflow": NAME, "inputs": {...}}` — a new run of a workflow the
///   server offers (`GET /api/workflows`); 201 `{"run": ID}` once it is recorded.
/// - `POST /api/runs/{id}/stop` — asks the run to stop (a request committed to the store, read
///   by whichever process decodes it); 202, and the run ends `paused`.
/// - `POST /api/runs/{id}/resume` — `arbor resume` as a child process; 202 once it runs again.
/// - `POST /api/runs/{id}/fork` `{"at": "0.1", "round": N?}` — `arbor fork --at`; 201 `{"run": NEW_ID}`.
///
/// Errors are JSON: an unknown run 404, a run that cannot be stopped or resumed in its state
/// 409, a bad request 400 with the JSON pointer of the value at fault. A request from another
/// site (an `Origin` that is not this server) is refused with 403, so a page elsewhere cannot
/// make a browser start runs on 127.0.0.1.
struct RunActions: Sendable {
    let access: StoreAccess
    let catalog: WorkflowCatalog
    let launcher: RunLauncher

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/workflows") { _, _ in WebServer.json(catalog.json()) }
        router.post("/api/runs") { request, _ in
            await Self.respond(request) { body in try await start(body) }
        }
        router.post("/api/runs/:id/stop") { request, context in
            await Self.respond(request) { _ in try stop(try context.parameters.require("id")) }
        }
        router.post("/api/runs/:id/resume") { request, context in
            await Self.respond(request) { _ in try await resume(try context.parameters.require("id")) }
        }
        router.post("/api/runs/:id/fork") { request, context in
            await Self.respond(request) { body in try await fork(try context.parameters.require("id"), body) }
        }
    }

    private func start(_ body: JSONObject) async throws -> Response {
        guard case .string(let name)? = body["workflow"] else {
            throw APIError(status: 400, message: "Name the workflow to run: {\"workflow\": NAME, \"inputs\": {...}}.", pointer: .root.appending("workflow"))
        }
        let given: JSONObject
        switch body["inputs"] {
        case nil: given = [:]
        case .object(let object)?: given = object
        default: throw APIError(status: 400, message: "`inputs` must be an object of the workflow's inputs.", pointer: .root.appending("inputs"))
        }
        let entry = try catalog.entry(named: name)
        let inputs: JSONObject
        do {
            inputs = try WorkflowCatalog.checkedInputs(given, for: entry.workflow)
        } catch var error as APIError {
            // the pointer names the value in the request's body
            error.pointer = error.pointer.map { JSONPointer(tokens: ["inputs"] + $0.tokens) }
            throw error
        }
        let inputsFile = try launcher.writeFile(JSONValue.object(inputs).compactString, suffix: ".json")
        defer { try? FileManager.default.removeItem(atPath: inputsFile) }
        let id = try await launcher.launch(["run", entry.file, "--inputs-file", inputsFile]) { RunLauncher.printedRunID(in: $0) }
        return WebServer.json(JSONValue.object(["run": .string(id), "workflow": .string(name)]).compactString, status: 201)
    }

    private func stop(_ id: String) throws -> Response {
        switch try access.store().requestStop(runID: id) {
        case .requested:
            return WebServer.json(JSONValue.object(["run": .string(id), "stopping": .bool(true)]).compactString, status: 202)
        case .notRunning(let status):
            throw APIError(status: 409, message: "Run \(id) is \(status.rawValue), not running: there is nothing to stop.")
        }
    }

    private func resume(_ id: String) async throws -> Response {
        let store = try access.store()
        let run = try existingRun(id, in: store)
        guard run.status == .paused || run.status == .failed else {
            let why = run.status == .running ? "is running" : "already completed"
            throw APIError(status: 409, message: "Run \(id) \(why): only a paused or failed run can be resumed.")
        }
        _ = try await launcher.launch(["resume", id]) { _ in try store.run(id: id)?.status == .running ? id : nil }
        return WebServer.json(JSONValue.object(["run": .string(id), "status": .string("running")]).compactString, status: 202)
    }

    private func fork(_ id: String, _ body: JSONObject) async throws -> Response {
        let store = try access.store()
        _ = try existingRun(id, in: store)
        guard case .string(let at)? = body["at"], let path = try? NodePath(at) else {
            throw APIError(status: 400, message: "Give the task to fork after as {\"at\": \"0.1\"} (a path as the tree shows it).", pointer: .root.appending("at"))
        }
        var round: Int?
        if let value = body["round"] {
            guard case .integer(let number) = value, number >= 0 else {
                throw APIError(status: 400, message: "`round` must be a round number from 0.", pointer: .root.appending("round"))
            }
            round = Int(number)
        }
        let finished = try store.nodes(runID: id).filter { $0.path == path && $0.state != .open && (round == nil || $0.round == round) }
        guard !finished.isEmpty else {
            let inRound = round.map { " in round \($0)" } ?? ""
            throw APIError(status: 400, message: "Run \(id) has no finished task \(at)\(inRound) to fork after.", pointer: .root.appending("at"))
        }
        let arguments = ["fork", id, "--at", at] + (round.map { ["--round", String($0)] } ?? [])
        let newID = try await launcher.launch(arguments) { RunLauncher.printedRunID(in: $0) }
        return WebServer.json(JSONValue.object(["run": .string(newID), "forkedFrom": .string(id), "at": .string(at)]).compactString, status: 201)
    }

    private func existingRun(_ id: String, in store: RunStore) throws -> Run {
        guard let run = try store.run(id: id) else { throw StoreError.runNotFound(runID: id) }
        return run
    }

    /// Checks where the request comes from, reads its JSON body (an object; none is `{}`), and
    /// answers `action`'s response or its error as JSON.
    private static func respond(_ request: Request, _ action: (JSONObject) async throws -> Response) async -> Response {
        do {
            if let origin = request.headers[.origin], URL(string: origin)?.hostWithPort != request.head.authority {
                throw APIError(status: 403, message: "Actions are accepted only from this server's own page (Origin \(origin)).")
            }
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            let text = String(buffer: buffer)
            var body = JSONObject()
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                let value: JSONValue
                do { value = try JSONValue(parsing: text) } catch {
                    throw APIError(status: 400, message: "The request body is not JSON: \(error)", pointer: .root)
                }
                guard case .object(let object) = value else {
                    throw APIError(status: 400, message: "The request body must be a JSON object.", pointer: .root)
                }
                body = object
            }
            return try await action(body)
        } catch {
            let apiError = APIError(error)
            return WebServer.json(apiError.json, status: apiError.status)
        }
    }
}

extension URL {
    /// `host:port` as a `Host` header writes it (the port only when the URL has one).
    fileprivate var hostWithPort: String? {
        guard let host else { return nil }
        return port.map { "\(host):\($0)" } ?? host
    }
}
