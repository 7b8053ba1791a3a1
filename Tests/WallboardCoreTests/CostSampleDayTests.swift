import JSONModel
import Testing
import WallboardCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The cost sample day (docs/samples/cost-sample.ndjson with docs/samples/cost-sample.yaml): every
/// figure below is the hand computation of docs/metrics.md, "Cost per contact".
@Suite struct CostSampleDayTests {
    /// docs/samples/cost-sample.yaml's `costs:` (ConfigCostsTests checks the file parses to this).
    static let costs = CostConfiguration(
        currency: "EUR", decimals: 2, agentHourly: 3000, teamHourly: ["sales": 3600], fixedHourly: 1198,
        agentRates: ["a2": 2400])

    static func result(costs: CostConfiguration? = Self.costs) throws -> ReplayResult {
        let url = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "docs/samples/cost-sample.ndjson")
        let text = try String(decoding: Data(contentsOf: url), as: UTF8.self)
        let inputs = text.split(separator: "\n").enumerated().map { index, line -> Replay.Input in
            do { return .json(line: index + 1, try MiniJSON.parse(String(line))) } catch {
                return .unparseable(line: index + 1, message: "not JSON")
            }
        }
        var configuration = EngineConfiguration(queues: [QueueSettings(id: "sales"), QueueSettings(id: "support")])
        configuration.costs = costs
        return Replay.run(inputs: inputs, configuration: configuration)
    }

    /// (cost, per handled, per offered) in cents; nil where the documented figure is null.
    typealias Row = (Int?, Int?, Int?)

    static func figures(_ json: JSONValue, _ window: String, _ path: [String]) -> Row {
        var node = json["windows"]?[window]
        for key in path { node = node?[key] }
        func int(_ key: String) -> Int? { node?[key]?.integerValue.map(Int.init) }
        return (int("cost_minor"), int("cost_per_handled_minor"), int("cost_per_offered_minor"))
    }

    static func expect(_ json: JSONValue, _ window: String, _ path: [String], _ want: Row) {
        let got = figures(json, window, path)
        #expect(got.0 == want.0 && got.1 == want.1 && got.2 == want.2, "\(window) \(path): \(got) != \(want)")
    }

    @Test func everyWindowMatchesTheHandComputation() throws {
        let result = try Self.result()
        #expect(result.rejections.isEmpty)
        let json = result.json()
        #expect(json["currency"] == ["code": "EUR", "decimals": 2])
        // Agents: a1 900 s at 36.00 = 900; a2 (own rate 24.00) 360 s without a team + 360 s in sales = 480.
        // 60m: agents 1380, fixed 1198 → 2578; handle time sales 300 s, support 330 s of 630 s.
        Self.expect(json, "60m", ["center"], (2578, 859, 645))  // 644.5 rounds half up
        Self.expect(json, "60m", ["queues", "sales"], (1228, 1228, 1228))
        Self.expect(json, "60m", ["queues", "support"], (1350, 675, 450))
        Self.expect(json, "60m", ["teams", "sales"], (2110, 1055, 1055))  // a1 900 + a2's sales time 240
        Self.expect(json, "60m", ["channels", "voice"], (2578, 859, 645))
        // 15m and the interval (09:00–09:30, now 09:15): fixed 299.5 → 1679.5.
        for window in ["15m", "interval"] {
            Self.expect(json, window, ["center"], (1680, 560, 420))
            Self.expect(json, window, ["queues", "sales"], (800, 800, 800))
            Self.expect(json, window, ["queues", "support"], (880, 440, 293))
            Self.expect(json, window, ["teams", "sales"], (1382, 691, 691))
        }
        // 5m (09:10–09:15): a1 300 s = 300, a2 120 s in sales at 24.00 = 80, fixed 99.83; only c4 (support, 210 s) handled.
        Self.expect(json, "5m", ["center"], (480, 480, nil))
        Self.expect(json, "5m", ["queues", "sales"], (0, nil, nil))
        Self.expect(json, "5m", ["queues", "support"], (480, 480, nil))
        Self.expect(json, "5m", ["teams", "sales"], (480, 480, nil))
        // today (00:00–09:15): fixed 1198 × 9.25 = 11081.5 → 12461.5.
        Self.expect(json, "today", ["center"], (12462, 4154, 3115))
        Self.expect(json, "today", ["queues", "sales"], (5934, 5934, 5934))
        Self.expect(json, "today", ["queues", "support"], (6527, 3264, 2176))
        Self.expect(json, "today", ["teams", "sales"], (10111, 5055, 5055))
    }

    /// The same day without a2's own rate: its stretch without a team at 30.00 (300) and its stretch in
    /// sales at 36.00 (360), each at the rate of the team it was under then.
    @Test func withoutTheAgentRateEachStretchTakesItsTeamsRate() throws {
        var costs = Self.costs
        costs.agentRates = [:]
        let json = try Self.result(costs: costs).json()
        Self.expect(json, "60m", ["center"], (2758, 919, 690))  // agents 900 + 300 + 360
        Self.expect(json, "60m", ["teams", "sales"], (2230, 1115, 1115))  // 900 + 360 + 969.8
        Self.expect(json, "5m", ["center"], (520, 520, nil))  // a2's last 120 s in sales at 36.00 = 120
        Self.expect(json, "today", ["center"], (12642, 4214, 3160))
        Self.expect(json, "today", ["teams", "sales"], (10231, 5115, 5115))
    }

    @Test func withoutCostsThereAreNoCostFields() throws {
        let json = try Self.result(costs: nil).json()
        #expect(json["currency"] == nil)
        #expect(json["windows"]?["today"]?["center"]?["cost_minor"] == nil)
    }

    @Test func theSnapshotCarriesTheCurrencyAndTheSameFigures() throws {
        let result = try Self.result()
        let json = result.snapshot.json()
        #expect(json["center"]?["currency"] == ["code": "EUR", "decimals": 2])
        #expect(json["center"]?["metrics"]?["60m"]?["cost_per_offered_minor"] == 645)
        let support = json["queues"]?.arrayValue?.first { $0["id"] == "support" }
        #expect(support?["metrics"]?["today"]?["cost_minor"] == 6527)
    }

    @Test func nothingHandledLeavesQueueCostsUndefinedButTheCenterPriced() {
        // One agent logged in for an hour, no contacts: the center pays 30.00 + 11.98, no queue can be charged.
        var table: ScopeTable = [.center: WindowMetrics(), .team("sales"): WindowMetrics()]
        table[.center]!.loggedInTime = 3_600_000
        let sheet = CostSheet(table: table, length: 3_600_000, costs: Self.costs)
        #expect(sheet.figures(for: .center, metrics: table[.center]!) == CostFigures(total: 4198, perHandled: nil, perOffered: nil))
        #expect(sheet.figures(for: .queue("sales"), metrics: WindowMetrics()) == CostFigures(total: nil, perHandled: nil, perOffered: nil))
        #expect(sheet.figures(for: .team("sales"), metrics: WindowMetrics()) == CostFigures(total: 0, perHandled: nil, perOffered: nil))
        #expect(sheet.figures(for: .segment("vip"), metrics: WindowMetrics()) == nil)
    }

    @Test func amountsPastSixtyFourBitsAreUndefinedNotATrap() {
        var table: ScopeTable = [.center: WindowMetrics()]
        table[.center]!.loggedInTime = .max
        let costs = CostConfiguration(currency: "EUR", agentHourly: CostConfiguration.maximumHourly, fixedHourly: CostConfiguration.maximumHourly)
        var metrics = table[.center]!
        metrics.handledCount = 1
        let sheet = CostSheet(table: table, length: .max, costs: costs)
        #expect(sheet.figures(for: .center, metrics: metrics) == CostFigures(total: nil, perHandled: nil, perOffered: nil))
    }
}
