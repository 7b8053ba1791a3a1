import Foundation
import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// Cost per contact on a running daemon: the snapshot, the board's topics and `/metrics` carry the
/// figures, and a reload (SIGHUP) re-prices the windows live (docs/configuration.md: `costs` is "live").
@Suite(.serialized) struct CostsLiveTests {
    @Test func figuresReachTheAPIAndAReloadRepricesThem() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("costs-\(UInt32.random(in: 0...UInt32.max)).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        // 3600.00 an hour of fixed costs is one euro a second: 900.00 in any 15-minute window, plus the agents.
        let priced = "simulator: {enabled: true, seed: 7}\ncosts: {currency: EUR, agent_hourly: 30, fixed_hourly: 3600}\n"
        try priced.write(to: file, atomically: true, encoding: .utf8)
        var options = DaemonOptions(
            configuration: try DaemonConfiguration.load(path: file.path), configPath: file.path, webRootFallback: nil)
        options.host = "127.0.0.1"
        options.port = 0
        options.simulatorWarmup = .minutes(15)
        let daemon = try TestDaemon(options: options)
        defer { daemon.stop() }

        let snapshot = try JSONC.parse(daemon.get("/api/v1/snapshot").text)
        #expect(snapshot["center"]?["currency"] == ["code": "EUR", "decimals": 2])
        let center15 = snapshot["center"]?["metrics"]?["15m"]
        let cost = try #require(center15?["cost_minor"]?.integerValue)
        #expect(cost > 90_000, "fixed 900.00 plus the agents' time")
        let sales = snapshot["queues"]?.arrayValue?.first { $0["id"] == "sales" }
        #expect(sales?["currency"] == ["code": "EUR", "decimals": 2])
        #expect(sales?["metrics"]?["15m"]?["cost_per_handled_minor"]?.integerValue != nil, "the warm-up handled contacts")
        #expect(snapshot["segments"]?.arrayValue?.first?["metrics"]?["15m"]?["cost_minor"] == nil, "segments carry no cost")

        let board = try daemon.connect(subscribe: ["center"])
        defer { board.close() }
        let topic = try board.next(type: "topic")
        #expect(topic["data"]?["center"]?["metrics"]?["15m"]?["cost_minor"]?.integerValue != nil)

        let metrics = try daemon.get("/metrics").text
        #expect(metrics.contains(#"wallboardd_queue_cost_per_handled{queue="sales",window="15m",currency="EUR"}"#))

        // Free agents and no fixed costs: every window costs exactly nothing after the reload.
        try "simulator: {enabled: true, seed: 7}\ncosts: {currency: EUR, agent_hourly: 0}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(daemon.daemon.reload() == nil)
        let repriced = try JSONC.parse(daemon.get("/api/v1/snapshot").text)
        for window in ["5m", "15m", "30m", "60m", "interval", "today"] {
            #expect(repriced["center"]?["metrics"]?[window]?["cost_minor"] == 0, "\(window)")
        }
        // An invalid `costs:` keeps the running prices and says why.
        try "simulator: {enabled: true, seed: 7}\ncosts: {currency: EUR, agent_hourly: -1}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(daemon.daemon.reload())
        #expect("\(error)".contains("costs.agent_hourly: must not be negative"))
        let kept = try JSONC.parse(daemon.get("/api/v1/snapshot").text)
        #expect(kept["center"]?["metrics"]?["15m"]?["cost_minor"] == 0)
    }
}
