import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// The `websocket:` limits in a real daemon: each refusal is clear to the client and counted.
@Suite(.serialized) struct WebSocketLimitsTests {
    private func daemon(_ adjust: (inout WebSocketLimits) -> Void) throws -> TestDaemon {
        var options = DaemonOptions(host: "127.0.0.1", port: 0, webRoot: TestDaemon.webRoot, simulator: true,
                                    simulatorSeed: 7, simulatorWarmup: .minutes(15))
        adjust(&options.webSocketLimits)
        return try TestDaemon(options: options)
    }

    private func refusals(_ daemon: TestDaemon, _ reason: String) throws -> String? {
        let metrics = try daemon.get("/metrics").text
        return metrics.split(separator: "\n")
            .first { $0.hasPrefix("wallboardd_websocket_refusals_total{reason=\"\(reason)\"}") }
            .map { String($0.split(separator: " ").last ?? "") }
    }

    @Test func subscriptionsPastTheLimitAreRefusedWholeAndCounted() throws {
        let daemon = try daemon { $0.maxSubscriptionsPerConnection = 3 }
        defer { daemon.stop() }
        let board = try daemon.connect(subscribe: ["center", "alerts"])
        defer { board.close() }
        try board.send(text: #"{"op":"subscribe","topics":["queue:sales","queue:support"]}"#)
        let error = try board.next(type: "error")
        #expect(error["code"] == "too_many_subscriptions")
        #expect(error["message"]?.stringValue?.contains("at most 3 topics") == true)
        // Re-subscribing to held topics costs nothing, and one more fits.
        try board.send(text: #"{"op":"subscribe","topics":["center","queue:sales"]}"#)
        let sales = try board.nextSnapshot { $0["queue"]?["id"] == "sales" }
        #expect(sales["topic"] == "queue:sales")
        // After an unsubscribe there is room again.
        try board.send(text: #"{"op":"unsubscribe","topics":["alerts"]}"#)
        try board.send(text: #"{"op":"subscribe","topics":["queue:support"]}"#)
        let support = try board.nextSnapshot { $0["queue"]?["id"] == "support" }
        #expect(support["topic"] == "queue:support")
        #expect(try refusals(daemon, "too_many_subscriptions") == "1")
    }

    @Test func aClientSendingFasterThanTheRateIsClosedWithPolicyViolation() throws {
        let daemon = try daemon { $0.maxMessagesPerSecond = 2 }
        defer { daemon.stop() }
        let flooder = try daemon.connect(subscribe: [])
        defer { flooder.close() }
        // The bucket holds five seconds' worth (10); far more in one go must trip it.
        for _ in 0..<40 {
            try? flooder.send(text: #"{"op":"subscribe","topics":["alerts"]}"#)
        }
        var closeCode: Int?
        for _ in 0..<200 where closeCode == nil {
            if case .close(let code, let reason) = try flooder.receive() {
                closeCode = code
                #expect(reason.contains("more than 2 messages per second"))
            }
        }
        #expect(closeCode == 1008)
        #expect(try refusals(daemon, "message_rate") == "1")
        // Another client is unaffected.
        let board = try daemon.connect(subscribe: ["center"])
        defer { board.close() }
        #expect(try board.next(type: "topic")["topic"] == "center")
    }

    @Test func clientsPastTheLimitAreRefusedAtTheHandshake() throws {
        let daemon = try daemon { $0.maxClients = 2 }
        defer { daemon.stop() }
        let first = try daemon.connect(subscribe: [])
        let second = try daemon.connect(subscribe: [])
        #expect(throws: (any Error).self) { _ = try daemon.connect(subscribe: []) }
        #expect(try refusals(daemon, "max_clients") == "1")
        first.close()
        second.close()
        // Once one leaves, a new board gets in.
        var admitted = false
        for _ in 0..<50 where !admitted {
            if let board = try? daemon.connect(subscribe: []) {
                admitted = true
                board.close()
            } else {
                usleep(20_000)
            }
        }
        #expect(admitted)
    }

    @Test func limitsComeFromTheConfigWithRangeChecks() throws {
        let good = try DaemonConfiguration.parse(
            yaml: "websocket:\n  max_clients: 50\n  max_subscriptions_per_connection: 8\n  max_messages_per_second: 5\n",
            fileName: "test.yaml")
        #expect(good.webSocketLimits.maxClients == 50)
        #expect(good.webSocketLimits.maxSubscriptionsPerConnection == 8)
        #expect(good.webSocketLimits.maxMessagesPerSecond == 5)
        #expect(try DaemonConfiguration.parse(yaml: "listen: 127.0.0.1:8080\n", fileName: "test.yaml").webSocketLimits == WebSocketLimits())
        #expect {
            _ = try DaemonConfiguration.parse(yaml: "websocket:\n  max_messages_per_second: 99999999999999999\n", fileName: "test.yaml")
        } throws: { "\($0)".contains("max_messages_per_second") }
        #expect {
            _ = try DaemonConfiguration.parse(yaml: "websocket:\n  max_clients: 0\n", fileName: "test.yaml")
        } throws: { "\($0)".contains("max_clients") }
    }
}

/// The engine reports what a publish costs, so an operator sees when a center's size makes the board slow.
@Suite struct PublishCostMetricTests {
    @Test func metricsCarryTheLastPublishDuration() throws {
        let daemon = try TestDaemon(simulator: true)
        defer { daemon.stop() }
        var value: Double?
        for _ in 0..<50 where (value ?? 0) <= 0 {
            let line = try daemon.get("/metrics").text.split(separator: "\n")
                .first { $0.hasPrefix("wallboardd_engine_publish_seconds ") }
            value = line.flatMap { Double($0.split(separator: " ")[1]) }
            if (value ?? 0) <= 0 { usleep(50_000) }
        }
        #expect((value ?? 0) > 0)
        #expect((value ?? 99) < 60)
    }
}
