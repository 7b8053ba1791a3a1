import Foundation
import LWS
import Logging
import Synchronization
import Testing

/// Deltas through a real libwebsockets server on loopback to a client that stops reading: the
/// outbox's latest-wins replacement must never leave the client a delta whose base it did not get.
@Suite(.serialized) struct OutboxDeltaLiveTests {
    /// Accepts every WebSocket and records it; answers every HTTP request 200 (the test's barrier).
    final class Delegate: LWSServerDelegate, Sendable {
        let opened = Mutex<[ConnectionID]>([])
        func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
            respond(HTTPResponse(status: 200, text: "{}"))
        }
        func shouldAcceptWebSocket(path: String, query: [(name: String, value: String)], headers: [String: String], peer: String) -> Int? {
            nil
        }
        func webSocketOpened(_ connection: ConnectionID, path: String, query: [(name: String, value: String)],
                             headers: [String: String], peer: String) {
            opened.withLock { $0.append(connection) }
        }
        func webSocketReceived(_ connection: ConnectionID, text: [UInt8]) {}
        func webSocketClosed(_ connection: ConnectionID) {}
    }

    @Test func deltasQueuedBehindAStuckFrameArriveAsTheWholeLatestPayload() throws {
        let delegate = Delegate()
        let server = LWSServer(
            configuration: .init(host: "127.0.0.1", port: 0, dynamicPrefixes: ["/barrier"], shutdownGracePeriod: .milliseconds(200)),
            delegate: delegate, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try server.start()
        defer { server.shutdown {} }
        let client = try RawSocket(port: server.port, timeout: 20)
        try client.upgrade()
        var connection: ConnectionID?
        for _ in 0..<200 where connection == nil {
            connection = delegate.opened.withLock { $0.first }
            if connection == nil { usleep(10_000) }
        }
        let target = try #require(connection)

        // A first payload larger than the loopback buffers: lws writes part of it and keeps the rest
        // until the client reads, so what follows waits in the outbox.
        let padding = String(repeating: "x", count: 32 << 20)
        server.send(OutboundFrame(slot: "topic:agents", sequence: 1, payload: SharedBytes("full 1 \(padding)")), to: [target])
        for _ in 0..<500 where server.framesWritten < 1 { usleep(10_000) }
        #expect(server.framesWritten == 1, "the first payload left the outbox (lws holds what the socket did not take)")
        for sequence in UInt64(2)...20 {
            server.send(
                OutboundFrame(
                    slot: "topic:agents", sequence: sequence, payload: SharedBytes("delta \(sequence) base \(sequence - 1)"),
                    fallback: SharedBytes("full \(sequence)")),
                to: [target])
        }
        // The server drains its mailbox in order: once this answer arrives, every frame above is in the outbox.
        let barrier = try RawSocket(port: server.port)
        try barrier.send("GET /barrier HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try barrier.readHead().hasPrefix("HTTP/1.1 200"))

        var received: [String] = []
        var last: UInt64 = 0
        while last < 20 {
            let words = String(decoding: try client.awaitFrame(opcode: 1).prefix(64), as: UTF8.self).split(separator: " ")
            let sequence = UInt64(words[1]) ?? 0
            if words[0] == "delta" { #expect(UInt64(words[3]) == last, "a delta whose base the client never got") }
            received.append("\(words[0]) \(sequence)")
            last = sequence
        }
        #expect(received == ["full 1", "full 20"])
    }
}
