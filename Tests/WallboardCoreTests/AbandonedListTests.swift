import Testing
@testable import WallboardCore

/// The call-back list in the snapshot stays the same size all day: each queue's newest abandons, and
/// how many each queue lost.
@Suite struct AbandonedListTests {
    @Test func snapshotListsEachQueuesNewestAbandonsAndCountsAll() {
        var factory = EventFactory()
        var events: [Event] = []
        var second = 0.0
        for index in 0..<60 {
            let queue = index % 10 == 0 ? "small" : "busy"  // 54 in busy, 6 in small
            events.append(factory.make(second, .contactQueued(ContactQueued(contact: "c\(index)", queue: queue, channel: .voice))))
            events.append(factory.make(second + 20, .contactAbandoned(contact: "c\(index)")))
            second += 30
        }
        var engine = WallboardEngine()
        engine.run(events)
        let snapshot = engine.snapshot(now: factory.at(second + 60))
        #expect(snapshot.abandonedTodayCounts == ["busy": 54, "small": 6])
        let busy = snapshot.abandonedToday.filter { $0.queue == "busy" }
        #expect(busy.count == Snapshot.abandonedListPerQueue)
        #expect(snapshot.abandonedToday.filter { $0.queue == "small" }.count == 6)
        // Newest first, and the busy queue's list is its 25 newest.
        #expect(snapshot.abandonedToday.map(\.at) == snapshot.abandonedToday.map(\.at).sorted(by: >))
        #expect(busy.first?.contact == "c59")
        #expect(busy.last?.contact == "c33")  // 59...51, 49...41, 39...33: the 25 newest not in "small"
        let json = snapshot.json()
        #expect(json["abandoned_today_counts"]?["busy"] == 54)
        #expect(json["abandoned_today"]?.arrayValue?.count == 31)
    }
}
