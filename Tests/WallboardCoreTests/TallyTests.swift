import Testing

@testable import WallboardCore

/// ``Tally`` keeps the channel and reason mixes by integer id; these check that it reads exactly what
/// ``WindowMetrics``' own dictionary counting gives, through adds, subtracts, merges and a restore.
struct TallyTests {
    static let settings = QueueSettings(id: "sales", threshold: .seconds(20), shortAbandon: .seconds(5))
    static let reasons: [String?] = [nil, "billing", "sales", "unspecified", "moving"]

    static func departures(count: Int) -> [QueueDeparture] {
        var random = SplitMix64(seed: 7)
        return (0..<count).map { index in
            let channel = Channel.allCases[Int(random.next() % UInt64(Channel.allCases.count))]
            let outcome: QueueDeparture.Outcome = [.answered, .abandoned, .transferredOut][Int(random.next() % 3)]
            return QueueDeparture(
                contact: "c\(index)", queue: index % 2 == 0 ? "sales" : "support", channel: channel, outcome: outcome,
                leftAt: Instant(milliseconds: Int64(index) * 1000), wait: Millis(random.next() % 60_000),
                reason: reasons[Int(random.next() % UInt64(reasons.count))])
        }
    }

    /// What `WindowMetrics` alone counts for `records` in each scope they name.
    static func reference(_ records: [QueueDeparture]) -> ScopeTable {
        var table = ScopeTable()
        for record in records {
            for scope in TimelineEntry.departure(record).scopes {
                table[scope, default: WindowMetrics()].add(record, settings: settings)
            }
        }
        return table
    }

    static func withoutMaxWait(_ table: ScopeTable) -> ScopeTable {
        table.mapValues { var metrics = $0; metrics.maxWait = nil; return metrics }
    }

    @Test func mixesMatchDictionaryCountingThroughAddSubtractAndMerge() {
        let records = Self.departures(count: 400)
        var registry = ScopeRegistry()
        let items = records.map { HistoryItem(.departure($0), judged: Self.settings, registry: &registry) }
        var tally = Tally()
        for item in items { tally.add(item, settings: Self.settings) }
        #expect(tally.table(registry) == Self.reference(records))
        // Taking back the first 300 leaves exactly the last 100: no zero mix keys left behind.
        for item in items.prefix(300) { tally.subtract(item, settings: Self.settings) }
        #expect(Self.withoutMaxWait(tally.table(registry)) == Self.withoutMaxWait(Self.reference(Array(records.suffix(100)))))
        // Two disjoint halves merged equal the whole.
        var first = Tally()
        var second = Tally()
        for item in items.prefix(150) { first.add(item, settings: Self.settings) }
        for item in items.dropFirst(150) { second.add(item, settings: Self.settings) }
        first.merge(second)
        #expect(first.table(registry) == Self.reference(records))
    }

    @Test func restoredScopesReadTheSameMixes() {
        let records = Self.departures(count: 120)
        var registry = ScopeRegistry()
        var tally = Tally()
        for record in records {
            tally.add(HistoryItem(.departure(record), judged: Self.settings, registry: &registry), settings: Self.settings)
        }
        // A fresh registry, as a checkpoint restore starts with: reason ids come out in another order.
        var restoredRegistry = ScopeRegistry()
        _ = restoredRegistry.reasonID("moving")
        var restored = Tally()
        for id in tally.scopeIDs {
            let scope = restoredRegistry.id(registry.keys[id])
            restored.set(scope, metrics: tally.metrics(id, registry), members: tally.members[id], registry: &restoredRegistry)
        }
        #expect(restored.table(restoredRegistry) == tally.table(registry))
        // Counting on after the restore stays exact.
        let more = Self.departures(count: 130).suffix(10)
        for record in more {
            restored.add(
                HistoryItem(.departure(record), judged: Self.settings, registry: &restoredRegistry), settings: Self.settings)
        }
        #expect(restored.table(restoredRegistry) == Self.reference(records + more))
    }
}
