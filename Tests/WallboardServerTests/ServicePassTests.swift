import Foundation
import Logging
import Synchronization
import Testing
@testable import LWS

/// Every pass of the service loop polls every open connection, boards included, so the server keeps the
/// passes an HTTP request takes few: a read takes up to 16 KB, and the scan for stalled clients runs at
/// most every quarter of the stall timeout (250 ms at most), not at every wake-up.
@Suite struct ServicePassTests {
    /// A 60 KB POST sent at once is read in a few passes (16 KB reads): with the 4 KB reads of lws's default
    /// buffer it took at least 15 (one read per pass), each a `poll` over every board.
    @Test func aLargeBodyIsReadInFewPasses() throws {
        let delegate = BodySizes()
        let configuration = LWSServer.Configuration(
            host: "127.0.0.1", port: 0, dynamicPrefixes: ["/size"], shutdownGracePeriod: .milliseconds(200))
        let server = LWSServer(configuration: configuration, delegate: delegate, logger: .quiet)
        try server.start()
        defer { server.shutdown {} }
        let socket = try RawSocket(port: server.port, timeout: 10)
        // One request first, so the connection's setup passes are behind us.
        try socket.send("POST /size HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nab")
        #expect(try socket.readResponse().body == "2")

        let size = 60 * 1024
        let body = String(repeating: "x", count: size)
        let before = server.servicePasses
        try socket.send("POST /size HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(size)\r\n\r\n" + body)
        #expect(try socket.readResponse().body == String(size))
        let passes = server.servicePasses - before
        #expect(passes > 0)
        #expect(passes < size / 4096)
    }

    @Test func stalledClientsAreLookedForAtMostEveryQuarterOfTheTimeout() {
        var schedule = StallScanSchedule()
        let second: UInt64 = 1_000_000_000
        let looks = [10 * second, 10 * second + 1, 10 * second + second / 4 - 1, 10 * second + second / 4]
            .map { schedule.isDue(now: $0, timeout: second) }
        #expect(looks == [true, false, false, true])  // the first look, then once a quarter of the timeout passed
        // A long timeout still looks every 250 ms, so a stall is found at most that much late.
        var long = StallScanSchedule()
        let longLooks = [0, StallScanSchedule.longestGap - 1, StallScanSchedule.longestGap]
            .map { long.isDue(now: $0, timeout: 30 * second) }
        #expect(longLooks == [true, false, true])
        // Wake-ups in between do not scan: a hundred in 250 ms make no second scan.
        var busy = StallScanSchedule()
        let scans = (0..<100).filter { busy.isDue(now: UInt64($0) * 2_400_000, timeout: 30 * second) }.count
        #expect(scans == 1)
    }
}

/// Answers every request with its body's size.
private final class BodySizes: LWSServerDelegate, Sendable {
    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        respond(HTTPResponse(status: 200, contentType: "text/plain", text: String(request.body.count)))
    }
    func shouldAcceptWebSocket(
        path: String, query: [(name: String, value: String)], headers: [String: String], peer: String
    ) -> Int? { 403 }
    func webSocketOpened(
        _ connection: ConnectionID, path: String, query: [(name: String, value: String)], headers: [String: String],
        peer: String
    ) {}
    func webSocketReceived(_ connection: ConnectionID, text: [UInt8]) {}
    func webSocketClosed(_ connection: ConnectionID) {}
}
