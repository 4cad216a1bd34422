import Foundation
import MCP
import NIOCore
import NIOHTTP1
import NIOPosix

/// `arbor mcp --http`: the workflows over MCP's streamable HTTP transport, at `/mcp` on
/// 127.0.0.1.
///
/// The MCP Swift SDK's ``StatefulHTTPServerTransport`` speaks the protocol (sessions, SSE
/// streams, `Mcp-Session-Id`, origin and header checks); this type is the small HTTP/1.1
/// server around it, on SwiftNIO (already built for the SDK). Each `initialize` opens a
/// session with its own MCP server object over the same workflows, run queue and store, so
/// calls from all sessions still take turns on the one model. A client that drops its
/// connection in the middle of a call leaves the run going; it is recorded like any other.
///
/// ```swift
/// try await StreamableHTTPServer(workflows: server).run(port: 8931) { port in print(port) }
/// ```
public final class StreamableHTTPServer: Sendable {
    public let workflows: WorkflowServer
    let sessions = HTTPSessions()

    public init(workflows: WorkflowServer) {
        self.workflows = workflows
    }

    /// Listens on `host:port` (port 0: any free port) and serves until the task is
    /// cancelled; `onListening` hears the port bound.
    public func run(host: String = "127.0.0.1", port: Int, onListening: @Sendable (Int) -> Void) async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        onListening(listener.channel.localAddress?.port ?? port)
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
        await sessions.stopAll()
    }

    /// One connection's requests, in order (HTTP/1.1 without pipelining in parallel).
    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let started):
                    head = started
                    body.clear()
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    guard let request = head else { continue }
                    head = nil
                    let response = await respond(to: request, body: body)
                    try await write(response, keepAlive: request.isKeepAlive, to: outbound)
                }
            }
        }
    }

    /// The transport's answer to one request, through the session it names (or a new one).
    private func respond(to head: HTTPRequestHead, body: ByteBuffer) async -> MCP.HTTPResponse {
        let path = String(head.uri.prefix { $0 != "?" })
        guard path == "/mcp" else {
            return .error(statusCode: 404, MCPError.invalidRequest("Arbor serves MCP at /mcp, not \(path)"))
        }
        var headers: [String: String] = [:]
        for (name, value) in head.headers {
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        let request = MCP.HTTPRequest(method: head.method.rawValue, headers: headers,
                                      body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil, path: path)
        if let sessionID = request.header("Mcp-Session-Id") {
            guard let session = await sessions.session(sessionID) else {
                return .error(statusCode: 404, MCPError.invalidRequest("No session \(sessionID): it ended or never began; initialize a new one"))
            }
            let response = await session.transport.handleRequest(request)
            if head.method == .DELETE, response.statusCode == 200 { await sessions.end(sessionID) }
            return response
        }
        // No session yet: only an `initialize` opens one; the transport answers anything else with an error.
        let transport = StatefulHTTPServerTransport()
        let server = await workflows.makeServer()
        do {
            try await server.start(transport: transport)
        } catch {
            return .error(statusCode: 500, MCPError.internalError("the MCP session could not start: \(error)"))
        }
        let response = await transport.handleRequest(request)
        if let sessionID = response.headers.first(where: { $0.key.lowercased() == "mcp-session-id" })?.value, response.statusCode < 400 {
            await sessions.add(sessionID, HTTPSessions.Session(transport: transport, server: server))
        } else {
            await server.stop()
        }
        return response
    }

    private func write(_ response: MCP.HTTPResponse, keepAlive: Bool,
                       to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var headers = HTTPHeaders(response.headers.map { ($0.key, $0.value) })
        let body = response.bodyData
        if case .stream = response {
            headers.replaceOrAdd(name: "Cache-Control", value: "no-cache")
        } else {
            headers.replaceOrAdd(name: "Content-Length", value: String(body?.count ?? 0))
        }
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.statusCode)
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        if case .stream(let events, _) = response {
            // Each event as it comes; a client that hangs up ends the loop, not the run.
            for try await event in events {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: event))))
            }
        } else if let body, !body.isEmpty {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
        }
        try await outbound.write(.end(nil))
    }
}

/// The open MCP sessions by id, each a transport and the server object it feeds.
actor HTTPSessions {
    struct Session {
        let transport: StatefulHTTPServerTransport
        let server: Server
    }

    private var sessions: [String: Session] = [:]

    func add(_ id: String, _ session: Session) {
        sessions[id] = session
    }

    func session(_ id: String) -> Session? {
        sessions[id]
    }

    func end(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
    }

    func stopAll() async {
        for id in Array(sessions.keys) { await end(id) }
    }
}
