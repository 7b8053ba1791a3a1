import Foundation
import Logging
import Synchronization
import Testing
@testable import LWS

/// The service thread runs libuv (epoll) when libuv and libwebsockets' libuv plugin load, and lws's `poll`
/// loop otherwise; both serve the same HTTP and WebSocket traffic, shut down with close frames, and free
/// the port. (`scripts/install-deps` installs libwebsockets-dev, which brings the plugin package.)
@Suite(.serialized) struct EventLoopTests {
    @Test func autoRunsLibUVWhereThePluginIsInstalled() throws {
        let server = try Self.server(.auto)
        defer { server.shutdown {} }
        #expect(server.eventLoop == .libuv)
    }

    @Test func pollIsUsedWhenAskedFor() throws {
        let server = try Self.server(.poll)
        defer { server.shutdown {} }
        #expect(server.eventLoop == .poll)
    }

    /// A machine without libuv (or without the plugin) still serves, on poll.
    @Test(arguments: [LWSEventLoopChoice.auto, .libuv])
    func aMissingLibUVFallsBackToPoll(choice: LWSEventLoopChoice) throws {
        let server = try Self.server(choice, libuvLibrary: "libuv-not-installed.so.1")
        defer { server.shutdown {} }
        #expect(server.eventLoop == .poll)
        let socket = try RawSocket(port: server.port, timeout: 10)
        try socket.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try socket.readResponse().body == "pong")
    }

    /// An address in use is an error on libuv too, not a silent fall back to poll (lws 4.1.6 answers a
    /// failed default vhost on a foreign libuv loop with a half-destroyed context, hence explicit vhosts).
    @Test(arguments: [LWSEventLoopChoice.libuv, .poll])
    func anAddressInUseIsAnError(choice: LWSEventLoopChoice) throws {
        let first = try Self.server(choice)
        defer { first.shutdown {} }
        var configuration = LWSServer.Configuration(host: "127.0.0.1", port: first.port, dynamicPrefixes: ["/ping"])
        configuration.eventLoop = choice
        let again = LWSServer(configuration: configuration, delegate: Recorder(), logger: .quiet)
        #expect(throws: LWSError.self) { try again.start() }
        #expect(again.eventLoop == .poll)  // never started
    }

    /// HTTP, WebSocket frames both ways, a broadcast, then shutdown: close frames (1001), the completion,
    /// and the port free for the next server, on each loop, three times over (a leak of handles or a
    /// context not freed shows as a port still bound or a shutdown that never completes).
    @Test(arguments: [LWSEventLoopChoice.libuv, .poll])
    func servesAndShutsDownCleanly(choice: LWSEventLoopChoice) throws {
        var port = 0
        for _ in 0..<3 {
            let recorder = Recorder()
            var configuration = LWSServer.Configuration(
                host: "127.0.0.1", port: port, dynamicPrefixes: ["/ping"], shutdownGracePeriod: .seconds(5))
            configuration.eventLoop = choice
            let server = LWSServer(configuration: configuration, delegate: recorder, logger: .quiet)
            try server.start()
            #expect(server.eventLoop == (choice == .poll ? .poll : .libuv))
            port = server.port

            let http = try RawSocket(port: port, timeout: 10)
            for _ in 0..<3 {  // keep-alive: three requests on one connection
                try http.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(try http.readResponse().body == "pong")
            }
            let boards = try (0..<5).map { _ in
                let socket = try RawSocket(port: port, timeout: 10)
                try socket.upgrade()
                return socket
            }
            let connections = try recorder.wait(for: boards.count)
            try boards[0].send(RawSocket.frame(opcode: 1, Array(#"{"hello":1}"#.utf8)))
            try recorder.waitForMessage(#"{"hello":1}"#)
            server.broadcast(OutboundFrame(slot: "b", sequence: 1, payload: SharedBytes(Array(#"{"b":1}"#.utf8))))
            server.send(
                OutboundFrame(slot: "s", sequence: 2, payload: SharedBytes(Array(#"{"s":2}"#.utf8))), to: [connections[1]])
            for board in boards { #expect(try board.awaitFrame(opcode: 1) == Array(#"{"b":1}"#.utf8)) }
            #expect(try boards[1].awaitFrame(opcode: 1) == Array(#"{"s":2}"#.utf8))

            let stopped = DispatchSemaphore(value: 0)
            let started = Date()
            server.shutdown { stopped.signal() }
            for board in boards {  // each answers the close, as browsers do
                #expect(try board.closeFrame()?.code == 1001)
                try board.send(RawSocket.frame(opcode: 8, [0x03, 0xE9]))
            }
            #expect(stopped.wait(timeout: .now() + 10) == .success)
            #expect(Date().timeIntervalSince(started) < 5)  // the clients' closes ended it, not the grace period
            #expect(recorder.closedCount == boards.count)
        }
    }

    /// A shutdown with a board that never reads: the grace period forces the stop, and the context (with
    /// its unsent bytes) is still freed and the port released.
    @Test(arguments: [LWSEventLoopChoice.libuv, .poll])
    func aForcedStopFreesThePort(choice: LWSEventLoopChoice) throws {
        let recorder = Recorder()
        var configuration = LWSServer.Configuration(
            host: "127.0.0.1", port: 0, dynamicPrefixes: ["/ping"], shutdownGracePeriod: .milliseconds(300))
        configuration.eventLoop = choice
        let server = LWSServer(configuration: configuration, delegate: recorder, logger: .quiet)
        try server.start()
        let port = server.port
        let board = try RawSocket(port: port, timeout: 10)
        try board.upgrade()
        let connections = try recorder.wait(for: 1)
        let big = SharedBytes(Array(String(repeating: "x", count: 60 * 1024).utf8))
        for index in 0..<200 {  // ~12 MB the client never reads: its window fills
            server.send(OutboundFrame(slot: "f\(index)", sequence: UInt64(index + 1), payload: big), to: connections)
        }
        let stopped = DispatchSemaphore(value: 0)
        server.shutdown { stopped.signal() }
        #expect(stopped.wait(timeout: .now() + 10) == .success)
        var again = configuration
        again.port = port
        let next = LWSServer(configuration: again, delegate: Recorder(), logger: .quiet)
        try next.start()
        next.shutdown {}
        withExtendedLifetime(board) {}
    }

    private static func server(_ choice: LWSEventLoopChoice, libuvLibrary: String? = nil) throws -> LWSServer {
        var configuration = LWSServer.Configuration(
            host: "127.0.0.1", port: 0, dynamicPrefixes: ["/ping"], shutdownGracePeriod: .milliseconds(200))
        configuration.eventLoop = choice
        if let libuvLibrary { configuration.libuvLibrary = libuvLibrary }
        let server = LWSServer(configuration: configuration, delegate: Recorder(), logger: .quiet)
        try server.start()
        return server
    }
}

/// Accepts every WebSocket, remembers connections and messages; answers HTTP with `pong`.
private final class Recorder: LWSServerDelegate, Sendable {
    private let state = Mutex<(opened: [ConnectionID], messages: [String], closed: Int)>(([], [], 0))

    var closedCount: Int { state.withLock { $0.closed } }

    func wait(for count: Int) throws -> [ConnectionID] {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let now = state.withLock { $0.opened }
            if now.count >= count { return now }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw TestFailure("fewer than \(count) WebSockets opened")
    }

    func waitForMessage(_ text: String) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if state.withLock({ $0.messages.contains(text) }) { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw TestFailure("no message \(text)")
    }

    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        respond(HTTPResponse(status: 200, contentType: "text/plain", text: "pong"))
    }
    func shouldAcceptWebSocket(
        path: String, query: [(name: String, value: String)], headers: [String: String], peer: String
    ) -> Int? { nil }
    func webSocketOpened(
        _ connection: ConnectionID, path: String, query: [(name: String, value: String)], headers: [String: String],
        peer: String
    ) { state.withLock { $0.opened.append(connection) } }
    func webSocketReceived(_ connection: ConnectionID, text: [UInt8]) {
        state.withLock { $0.messages.append(String(decoding: text, as: UTF8.self)) }
    }
    func webSocketClosed(_ connection: ConnectionID) { state.withLock { $0.closed += 1 } }
}
