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
        currency: "EUR", decimals: 2, agentHourly: 3000, teamHourly: ["sales": 3600], fixedHourly: 1198)

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
        // 60m: agents 900 + 600, fixed 1198 → 2698; handle time sales 300 s, support 330 s of 630 s.
        Self.expect(json, "60m", ["center"], (2698, 899, 675))  // 674.5 rounds half up
        Self.expect(json, "60m", ["queues", "sales"], (1285, 1285, 1285))
        Self.expect(json, "60m", ["queues", "support"], (1413, 707, 471))
        Self.expect(json, "60m", ["teams", "sales"], (1870, 935, 935))
        Self.expect(json, "60m", ["channels", "voice"], (2698, 899, 675))
        // 15m and the interval (09:00–09:30, now 09:15): fixed 299.5 → 1799.5.
        for window in ["15m", "interval"] {
            Self.expect(json, window, ["center"], (1800, 600, 450))
            Self.expect(json, window, ["queues", "sales"], (857, 857, 857))
            Self.expect(json, window, ["queues", "support"], (943, 471, 314))
            Self.expect(json, window, ["teams", "sales"], (1142, 571, 571))
        }
        // 5m (09:10–09:15): a1 300 s, a2 120 s, fixed 99.83; only c4 (support, 210 s) handled.
        Self.expect(json, "5m", ["center"], (500, 500, nil))
        Self.expect(json, "5m", ["queues", "sales"], (0, nil, nil))
        Self.expect(json, "5m", ["queues", "support"], (500, 500, nil))
        Self.expect(json, "5m", ["teams", "sales"], (400, 400, nil))
        // today (00:00–09:15): fixed 1198 × 9.25 = 11081.5 → 12581.5.
        Self.expect(json, "today", ["center"], (12582, 4194, 3145))
        Self.expect(json, "today", ["queues", "sales"], (5991, 5991, 5991))
        Self.expect(json, "today", ["queues", "support"], (6590, 3295, 2197))
        Self.expect(json, "today", ["teams", "sales"], (9871, 4935, 4935))
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
        #expect(json["center"]?["metrics"]?["60m"]?["cost_per_offered_minor"] == 675)
        let support = json["queues"]?.arrayValue?.first { $0["id"] == "support" }
        #expect(support?["metrics"]?["today"]?["cost_minor"] == 6590)
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
