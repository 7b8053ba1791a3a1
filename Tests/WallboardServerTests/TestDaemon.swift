import Foundation
import JSONC
import JSONModel
import Logging
import Synchronization
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// A real daemon on 127.0.0.1 with an ephemeral port, for live tests.
final class TestDaemon: @unchecked Sendable {
    let daemon: Daemon
    var base: String { "http://127.0.0.1:\(daemon.port)" }
    var webSocketURL: String { "ws://127.0.0.1:\(daemon.port)/ws" }

    /// The repository's `web/` folder.
    static let webRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("web").path

    convenience init(simulator: Bool, clock: WallClock = SystemClock()) throws {
        try self.init(
            options: DaemonOptions(host: "127.0.0.1", port: 0, webRoot: Self.webRoot, simulator: simulator,
                                   simulatorSeed: 7, simulatorWarmup: .minutes(15)),
            clock: clock)
    }

    init(options: DaemonOptions, clock: WallClock = SystemClock(), transport: NotificationTransport? = nil) throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        daemon = Daemon.make(options: options, logger: logger, clock: clock, transport: transport)
        try daemon.start()
    }

    /// Stops the daemon and waits until it is down.
    func stop() {
        let done = DispatchSemaphore(value: 0)
        daemon.shutdown { done.signal() }
        done.wait()
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPClient.Response {
        try HTTPClient.get(base + path, headers: headers)
    }

    func post(_ path: String, body: String, contentType: String = "application/x-ndjson") throws -> HTTPClient.Response {
        try HTTPClient.request("POST", base + path, headers: ["Content-Type": contentType], body: Array(body.utf8))
    }

    /// Opens a WebSocket, checks the hello, and subscribes to `topics`.
    func connect(subscribe topics: [String] = ["snapshot"]) throws -> WebSocketClient {
        let client = try WebSocketClient(url: webSocketURL)
        guard case .text(let hello) = try client.receive(), try JSONC.parse(hello)["type"] == "hello" else {
            throw ClientError.protocolViolation("no hello")
        }
        if !topics.isEmpty {
            try client.send(text: JSONC.encode(["op": "subscribe", "topics": .array(topics.map { .string($0) })]))
        }
        return client
    }
}

/// Each live test client's copy of its topics (``TopicFollower``), by client: `topic` messages read through
/// ``WebSocketClient/next(type:limit:)`` update it.
private let followers = Mutex<[ObjectIdentifier: TopicFollower]>([:])

extension WebSocketClient {
    /// Reads messages until one of `type` arrives (others are skipped), within `limit` messages.
    func next(type: String, limit: Int = 50) throws -> JSONValue {
        for _ in 0..<limit {
            switch try receive() {
            case .text(let text):
                let message = try JSONC.parse(text)
                if message["type"] == "topic" { _ = followers.withLock { $0[ObjectIdentifier(self), default: TopicFollower()].follow(message) } }
                if message["type"]?.stringValue == type { return message }
            case .close(let code, let reason):
                throw ClientError.protocolViolation("closed \(code) \(reason) while waiting for \(type)")
            }
        }
        throw ClientError.protocolViolation("no \(type) within \(limit) messages")
    }

    /// Reads `topic` messages until `predicate` holds for one's data, within `limit` messages. A delta
    /// counts as the payload it gives on top of what this client has (its `data` then is that payload);
    /// one that does not follow is skipped.
    func nextSnapshot(limit: Int = 100, where predicate: (JSONValue) -> Bool) throws -> JSONValue {
        for _ in 0..<limit {
            var message = try next(type: "topic")
            guard let topic = message["topic"]?.stringValue,
                  let data = followers.withLock({ $0[ObjectIdentifier(self)]?.payloads[topic] }),
                  message["data"] != nil || message["delta"] != nil
            else { continue }
            if case .object(var object) = message {
                object["data"] = data
                message = .object(object)
            }
            if predicate(data) { return message }
        }
        throw ClientError.protocolViolation("no matching snapshot within \(limit) messages")
    }
}

extension AccessPolicy {
    /// One supervisor token named `sam` (``samHeaders``), and tokenless admin from loopback: for live
    /// tests of acknowledgements and actions that are not about access control itself.
    static let supervisorSam = AccessPolicy(
        tokens: [.init(name: "sam", role: .supervisor, hash: SHA256.hash("wbt_sam-test-token".utf8), monitorEndpoint: "PJSIP/2001")],
        loopbackWithoutToken: true)

    /// `sam`'s token and a JSON body type.
    static let samHeaders = ["Authorization": "Bearer wbt_sam-test-token", "Content-Type": "application/json"]
}
