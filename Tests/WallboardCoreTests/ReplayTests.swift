import JSONModel
import Testing
import WallboardCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The documented sample day (docs/samples/day-sample.ndjson): figures computed by hand in docs/metrics.md.
@Suite struct ReplayTests {
    static func sampleResult() throws -> ReplayResult {
        let url = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "docs/samples/day-sample.ndjson")
        let text = try String(decoding: Data(contentsOf: url), as: UTF8.self)
        let inputs = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap {
            index, line -> Replay.Input? in
            guard !line.isEmpty else { return nil }
            do { return .json(line: index + 1, try MiniJSON.parse(String(line))) } catch {
                return .unparseable(line: index + 1, message: "not JSON")
            }
        }
        return Replay.run(inputs: inputs)
    }

    @Test func sampleDayQueueFiguresMatchTheHandComputation() throws {
        let result = try Self.sampleResult()
        let json = result.json()
        let sales = json["windows"]?["today"]?["queues"]?["sales"]
        #expect(sales?["offered"] == 3)
        #expect(sales?["answered"] == 2)
        #expect(sales?["abandoned"] == 1)
        #expect(sales?["short_abandoned"] == 1)
        #expect(sales?["answered_within_threshold"] == 1)
        #expect(sales?["service_level"]?.doubleValue == 1.0 / 3)
        #expect(sales?["abandon_rate"]?.doubleValue == 1.0 / 3)
        #expect(sales?["asa_seconds"]?.doubleValue == 42.5)
        #expect(sales?["aht_seconds"]?.doubleValue == 140)
        #expect(sales?["max_wait_seconds"]?.doubleValue == 70)
        let support = json["windows"]?["today"]?["queues"]?["support"]
        #expect(support?["offered"] == 3)
        #expect(support?["transferred_out"] == 1)
        #expect(support?["service_level"]?.doubleValue == 0)
        #expect(support?["abandon_rate"]?.doubleValue == 0.5)
        #expect(support?["asa_seconds"]?.doubleValue == 40)
        #expect(support?["aht_seconds"]?.doubleValue == 80)
        #expect(support?["max_wait_seconds"]?.doubleValue == 45)
        #expect(support?["transfers"] == 1)
    }

    @Test func sampleDayCenterFiguresMatchTheHandComputation() throws {
        let center = try Self.sampleResult().snapshot.center.windows["today"]!
        #expect(center.offered == 6 && center.answered == 3 && center.abandoned == 2 && center.shortAbandoned == 1)
        #expect(center.serviceLevel == 0.2)
        #expect(center.abandonRate == 0.4)
        #expect(center.averageSpeedOfAnswer == 125.0 / 3)
        #expect(center.averageHandleTime == 120)
        #expect(center.averageTalk == 90 && center.averageHold == 10 && center.averageWrapUp == 20)
        #expect(center.handlingTime == 360_000 && center.availableTime == 200_000 && center.loggedInTime == 620_000)
        #expect(center.occupancy == 360.0 / 560)
        #expect(center.utilization == 360.0 / 620)
        #expect(center.csatAverage == 4 && center.csatSatisfiedRate == 0.5 && center.cesAverage == 3.5)
        #expect(center.firstContactResolution == 0.5)
        #expect(center.repeatContacts == 2)
        #expect(center.channelMix == ["voice": 4, "chat": 1, "email": 1])
        #expect(center.reasonMix == ["billing": 4, "outage": 1, "unspecified": 1])
    }

    @Test func sampleDayReportsRejectedLinesAndDuplicates() throws {
        let result = try Self.sampleResult()
        #expect(result.duplicates == 1)
        #expect(result.rejections.map(\.line) == [27, 29])
        #expect(result.rejections.map(\.code) == ["unknown_contact", "invalid_value"])
        #expect(result.snapshot.abandonedToday.map(\.contact) == ["c6", "c4"])
        #expect(result.table().contains("[today]"))
    }

    @Test func rollingWindowsEndAtTheLastEvent() throws {
        let result = try Self.sampleResult()
        #expect(result.end == RFC3339.parse("2026-11-23T09:05:10Z"))
        #expect(result.snapshot.windowStarts["5m"] == RFC3339.parse("2026-11-23T09:00:10Z"))
        #expect(result.snapshot.center.windows["5m"]?.offered == 6)
    }
}
