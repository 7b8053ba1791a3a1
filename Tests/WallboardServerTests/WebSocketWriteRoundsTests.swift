import Foundation
import Logging
import Synchronization
import Testing
@testable import LWS

/// WebSocket writing on the service thread is bounded per pass and fair per round (`WriteRounds`), so
/// HTTP between passes never waits for every board's frame.
@Suite struct WebSocketWriteRoundsTests {
    /// lws's part played by hand: each pass calls every connection that wants to write, in a fixed
    /// (descriptor) order; a connection writes when `WriteRounds` lets it.
    @Test func passesStayWithinTheBudgetAndEveryConnectionWritesOncePerRound() {
        var rounds = WriteRounds()
        var waiting = [3, 3, 3, 3, 3]  // frames waiting per connection
        var lastRound = [UInt64](repeating: 0, count: 5)
        var order: [Int] = []
        var largestPass = 0
        var passes = 0
        while waiting.contains(where: { $0 > 0 }) && passes < 100 {
            passes += 1
            for connection in waiting.indices where waiting[connection] > 0 {
                guard rounds.mayWrite(lastRound: lastRound[connection], budget: 250) else { continue }
                lastRound[connection] = rounds.wrote(100)
                waiting[connection] -= 1
                order.append(connection)
            }
            largestPass = max(largestPass, rounds.endPass())
        }
        #expect(waiting == [0, 0, 0, 0, 0])
        // Budget 250 with 100-byte frames: three frames a pass (the one that crosses it is the last).
        #expect(largestPass == 300)
        // Round robin: each round serves every connection once before any is served again, though
        // connection 0 comes first in every pass.
        #expect(order == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
    }

    @Test func aFrameLargerThanTheBudgetIsStillWrittenAlone() {
        var rounds = WriteRounds()
        let first = rounds.mayWrite(lastRound: 0, budget: 10)
        let round = rounds.wrote(1_000)
        let secondInThatPass = rounds.mayWrite(lastRound: 0, budget: 10)  // another connection waits
        let passBytes = rounds.endPass()
        let secondNextPass = rounds.mayWrite(lastRound: 0, budget: 10)
        let firstAgainInItsRound = rounds.mayWrite(lastRound: round, budget: 10)  // not twice in one round
        #expect(first && !secondInThatPass && passBytes == 1_000 && secondNextPass && !firstAgainInItsRound)
    }

    /// A real server and twenty clients taking four 32 KB frames each: every client gets its frames in
    /// order, while no pass writes more than the 64 KB budget and one frame (one pass would otherwise
    /// write a frame to each of the twenty: 640 KB), and HTTP is answered meanwhile.
    @Test func aRealServerSpreadsABroadcastOverPassesAndStillDeliversEverything() async throws {
        let delegate = OpenConnections()
        var configuration = LWSServer.Configuration(
            host: "127.0.0.1", port: 0, dynamicPrefixes: ["/ping"], shutdownGracePeriod: .milliseconds(200))
        configuration.webSocketBytesPerPass = 64 * 1024
        let server = LWSServer(configuration: configuration, delegate: delegate, logger: .quiet)
        try server.start()
        defer { server.shutdown {} }

        let clients = try (0..<20).map { _ in
            let socket = try RawSocket(port: server.port, timeout: 10)
            try socket.upgrade()
            return socket
        }
        let connections = try delegate.wait(for: clients.count)
        let frameBytes = 32 * 1024
        for index in 0..<4 {
            let text = #"{"n":\#(index),"pad":""# + String(repeating: "x", count: frameBytes - 20) + #""}"#
            server.send(
                OutboundFrame(slot: "s\(index)", sequence: UInt64(index + 1), payload: SharedBytes(Array(text.utf8))),
                to: connections)
        }
        let ping = try RawSocket(port: server.port, timeout: 10)
        try ping.send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try ping.readResponse().body == "pong")

        for client in clients {
            for index in 0..<4 {
                let payload = try client.awaitFrame(opcode: 1)
                #expect(String(decoding: payload.prefix(7), as: UTF8.self) == #"{"n":\#(index),"#)
            }
        }
        #expect(server.largestPassBytes > 0)
        #expect(server.largestPassBytes <= 64 * 1024 + frameBytes + 64)
    }
}

/// Accepts every WebSocket and remembers it; answers `/ping` with `pong`.
private final class OpenConnections: LWSServerDelegate, Sendable {
    private let opened = Mutex<[ConnectionID]>([])

    func wait(for count: Int) throws -> [ConnectionID] {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let now = opened.withLock { $0 }
            if now.count >= count { return now }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw TestFailure("fewer than \(count) WebSockets opened")
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
    ) { opened.withLock { $0.append(connection) } }
    func webSocketReceived(_ connection: ConnectionID, text: [UInt8]) {}
    func webSocketClosed(_ connection: ConnectionID) {}
}
