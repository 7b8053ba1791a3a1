import Foundation
import JSONC
import JSONModel
import LWS
import Logging
import Synchronization
import Testing
import WallboardClient
@testable import WallboardServer

/// Bundles over real libwebsockets on loopback: a slow client's outbox merges them into one bundle of
/// the latest state, and a large bundle survives lws's partial writes.
@Suite(.serialized) struct BundleOutboxLiveTests {
    @Test func bundlesQueuedBehindAStuckFrameMergeIntoOneBundleOfTheLatestState() throws {
        let delegate = OutboxDeltaLiveTests.Delegate()
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

        func part(_ topic: String, _ sequence: UInt64, delta: Bool) -> OutboundFrame {
            let whole = #"{"topic":"\#(topic)","seq":\#(sequence),"data":"full"}"#
            guard delta else { return OutboundFrame(slot: "topic:" + topic, sequence: sequence, payload: SharedBytes(whole)) }
            return OutboundFrame(
                slot: "topic:" + topic, sequence: sequence,
                payload: SharedBytes(#"{"topic":"\#(topic)","seq":\#(sequence),"base":\#(sequence - 1)}"#), fallback: SharedBytes(whole))
        }
        // A first bundle larger than the loopback buffers: lws writes part of it and keeps the rest
        // until the client reads, so every bundle after it waits in the outbox.
        let padding = String(repeating: "x", count: 32 << 20)
        let big = OutboundFrame(slot: "topic:pad", sequence: 1, payload: SharedBytes(#"{"topic":"pad","seq":1,"data":"\#(padding)"}"#))
        server.send(.bundle([part("agents", 1, delta: false), big]), to: [target])
        for _ in 0..<500 where server.framesWritten < 1 { usleep(10_000) }
        #expect(server.framesWritten == 1)
        for sequence in UInt64(2)...20 {
            // `agents` changes by deltas every cycle; `center` only in the first cycles after the stuck one.
            var parts = [part("agents", sequence, delta: true)]
            if sequence <= 3 { parts.append(part("center", sequence, delta: false)) }
            server.send(.bundle(parts), to: [target])
        }
        let barrier = try RawSocket(port: server.port)
        try barrier.send("GET /barrier HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try barrier.readHead().hasPrefix("HTTP/1.1 200"))

        let first = try JSONC.parse(String(decoding: try client.awaitFrame(opcode: 1), as: UTF8.self))
        #expect(first["messages"]?[1]?["data"]?.stringValue?.count == padding.count, "the large bundle arrived whole")
        let second = try JSONC.parse(String(decoding: try client.awaitFrame(opcode: 1), as: UTF8.self))
        let messages = try #require(second["messages"]?.arrayValue)
        #expect(second["type"] == "bundle")
        #expect(messages.map { "\($0["topic"]?.stringValue ?? "?") \($0["seq"]?.integerValue ?? 0) \($0["data"] != nil ? "whole" : "delta")" }
                == ["agents 20 whole", "center 3 whole"], "one bundle of the latest state; no delta without its base")
        #expect(server.framesWritten == 2)
    }
}

/// Bundles from a real daemon: the board's whole subscription in one frame per cycle, the same bytes
/// for boards of the same view, never a supervisor's bytes for a masked viewer.
@Suite(.serialized) struct BundleDaemonLiveTests {
    static let topics = ["center", "agents", "queue:sales", "queue:support", "queue:chat"]

    func bundleBoard(_ url: String, topics: [String] = topics) throws -> WebSocketClient {
        let client = try WebSocketClient(url: url)
        _ = try client.next(type: "hello")
        try client.send(text: JSONC.encode(["op": "subscribe", "topics": .array(topics.map { .string($0) }), "bundle": true]))
        return client
    }

    /// The next `count` bundles (text, topics), failing on any `topic` message.
    func bundles(_ client: WebSocketClient, _ count: Int) throws -> [(text: String, topics: [String])] {
        var found: [(String, [String])] = []
        for _ in 0..<(count * 10) where found.count < count {
            guard case .text(let text) = try client.receive() else { break }
            let message = try JSONC.parse(text)
            #expect(message["type"] != "topic", "a bundle client got a single topic message")
            guard message["type"] == "bundle" else { continue }
            found.append((text, message["messages"]?.arrayValue?.compactMap { $0["topic"]?.stringValue } ?? []))
        }
        return found
    }

    @Test func eachCycleIsOneFrameWithSeveralTopicsAndBoardsOfAViewGetTheSameBytes() throws {
        let daemon = try TestDaemon(simulator: true)
        defer { daemon.stop() }
        let one = try bundleBoard(daemon.webSocketURL)
        defer { one.close() }
        let two = try bundleBoard(daemon.webSocketURL)
        defer { two.close() }
        let first = try bundles(one, 12)
        let second = try bundles(two, 12)
        #expect(first.count == 12)
        #expect(Set(first[0].topics) == Set(Self.topics), "the subscribe reply: every topic in one bundle")
        #expect(first.dropFirst().contains { $0.topics.count >= 2 }, "no cycle bundle carried several topics")
        #expect(first.allSatisfy { Set($0.topics).count == $0.topics.count }, "one message per topic")
        // Cycle bundles both boards got are byte for byte the same (one encoding, shared).
        let common = Set(first.dropFirst().map(\.text)).intersection(second.dropFirst().map(\.text))
        #expect(!common.isEmpty, "the two boards never got the same bundle")
    }

    @Test func aMaskedViewerNeverGetsASupervisorsBundle() throws {
        let daemon = try AccessTestDaemon()
        defer { daemon.stop() }
        try daemon.seedInteractions()
        _ = try daemon.waitForSnapshot { ($0["waiting"]?.arrayValue?.count ?? 0) == 1 }
        let url = { (token: String) in "ws://127.0.0.1:\(daemon.daemon.port)/ws?token=\(AccessTestDaemon.tokens[token]!)" }
        let topics = ["center", "queue:q1", "queue:q2", "agents"]
        let supervisor = try bundleBoard(url("supervisor"), topics: topics)
        defer { supervisor.close() }
        let viewer = try bundleBoard(url("viewer"), topics: topics)
        defer { viewer.close() }
        let full = try bundles(supervisor, 3)
        let masked = try bundles(viewer, 3)
        #expect(full.contains { $0.text.contains("+15550100") }, "the supervisor sees the caller")
        #expect(masked.count == 3)
        for bundle in masked {
            #expect(!bundle.text.contains("+15550100"), "a masked viewer got a caller number")
            #expect(!bundle.text.contains("cust-42"), "a masked viewer got a customer id")
        }
        #expect(Set(full.map(\.text)).isDisjoint(with: masked.map(\.text)))
    }
}
