import JSONModel
import Testing
import WallboardCore

/// A whole simulated day of the demo center, replayed: "today" at the end of the day equals a
/// brute-force recomputation from the day's raw events, for the center and every queue.
@Suite struct WholeDayReplayTests {
    @Test func aWholeSimulatedDayReplaysToTheBruteForceFigures() {
        let dayStart = RFC3339.parse("2026-11-23T00:00:00Z")!
        var simulator = ContactCenterSimulator(configuration: .demo(seed: 2026), runID: "day")
        var events: [Event] = []
        var now = dayStart
        let end = dayStart.advanced(by: .minutes(24 * 60) - 1000)
        while now <= end {
            events += simulator.advance(to: now)
            now = now.advanced(by: 1000)
        }
        #expect(events.count > 20_000, "a day of a 15-agent center: \(events.count) events")

        let configuration = EngineConfiguration(queues: simulator.queueSettings)
        let result = Replay.run(events: events, configuration: configuration)
        let json = result.json()
        let last = events.last!.timestamp
        let settings = Dictionary(uniqueKeysWithValues: simulator.queueSettings.map { ($0.id, $0) })
        let reference = ReferenceModel(events: events, settings: settings)
        for scope in ["center", "sales", "support", "chat"] {
            let expected = reference.figures(scope: scope, start: dayStart.milliseconds, now: last.milliseconds)
            let today = scope == "center" ? json["windows"]?["today"]?["center"] : json["windows"]?["today"]?["queues"]?[scope]
            #expect(today?["offered"]?.integerValue == Int64(expected.offered), "\(scope) offered")
            #expect(today?["answered"]?.integerValue == Int64(expected.answered), "\(scope) answered")
            #expect(today?["abandoned"]?.integerValue == Int64(expected.abandoned), "\(scope) abandoned")
            #expect(today?["short_abandoned"]?.integerValue == Int64(expected.shortAbandoned), "\(scope) short")
            #expect(today?["answered_within_threshold"]?.integerValue == Int64(expected.within), "\(scope) within")
            let level = expected.slDenominator == 0 ? nil : Double(expected.slNumerator) / Double(expected.slDenominator)
            #expect(
                today?["service_level"]?.doubleValue.map { abs($0 - (level ?? -1)) < 0.00005 } ?? (level == nil),
                "\(scope) service level")
            #expect(today?["max_wait_seconds"]?.doubleValue == expected.maxWait.map { Double($0) / 1000 }, "\(scope) max wait")
        }
        #expect(result.rejections.isEmpty)
    }
}
