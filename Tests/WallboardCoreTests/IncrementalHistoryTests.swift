import Testing

@testable import WallboardCore

/// The running totals (``MetricsHistory``) against a brute-force rescan of everything ever recorded, on
/// seeded random streams with late and future entries, entries older than anything kept, agent
/// changes in the past, queries before the frontier, settings changes, and day and interval boundaries.
@Suite struct IncrementalHistoryTests {
    static let queues = ["q1", "q2", "q3"]
    static let windows: [Millis] = [.minutes(5), .minutes(15)]
    static let calendar = CenterCalendar(intervalLength: .minutes(30))
    static let keep: Millis = .minutes(30) + MetricsHistory.rewindAllowance

    static func settings(_ random: inout SeededRandom) -> SettingsLookup {
        let treatments = QueueSettings.AbandonTreatment.allCases
        return SettingsLookup(
            EngineConfiguration(
                queues: queues.map {
                    QueueSettings(
                        id: $0, threshold: .seconds(Int64(random.int(5...40))), shortAbandon: .seconds(Int64(random.int(0...6))),
                        abandonTreatment: treatments[random.int(0...2)], callbackThreshold: .seconds(Int64(random.int(60...600))))
                }))
    }

    static func entry(at time: Instant, _ random: inout SeededRandom) -> TimelineEntry {
        let queue = queues[random.int(0...2)]
        let channel: Channel = random.chance(0.6) ? .voice : .chat
        let team = random.chance(0.5) ? "t\(random.int(1...2))" : nil
        let segment = random.chance(0.3) ? "vip" : nil
        switch random.int(0...11) {
        case 0...5:
            let outcomes: [QueueDeparture.Outcome] = [.answered, .answered, .abandoned, .transferredOut]
            return .departure(
                QueueDeparture(
                    contact: "c\(random.next() % 1000)", queue: queue, channel: channel, outcome: outcomes[random.int(0...3)],
                    leftAt: time, wait: Millis(random.int(0...90_000)), customer: Customer(id: nil, segment: segment),
                    language: random.chance(0.5) ? "en" : nil, reason: random.chance(0.5) ? "billing" : nil, team: team,
                    isRepeat: random.chance(0.2)))
        case 6, 7:
            return .handled(
                HandledContact(
                    contact: "h", queue: queue, agent: "a", finishedAt: time, talk: Millis(random.int(0...300_000)),
                    hold: Millis(random.int(0...30_000)), wrapUp: Millis(random.int(0...60_000)), channel: channel, team: team))
        case 10:
            let kinds = CallbackRecord.Kind.allCases
            let kind = kinds[random.int(0...(kinds.count - 1))]
            return .callback(
                CallbackRecord(
                    contact: "b", queue: queue, channel: channel, kind: kind, at: time,
                    wait: kind == .connected ? Millis(random.int(0...900_000)) : 0,
                    reason: kind == .failed && random.chance(0.5) ? "busy" : nil, team: kind == .connected ? team : nil,
                    segment: segment))
        case 11:
            let outcomes = SelfServiceRecord.Outcome.allCases
            let outcome = outcomes[random.int(0...(outcomes.count - 1))]
            return .selfService(
                SelfServiceRecord(
                    contact: "s", entryPoint: random.chance(0.5) ? "ivr" : "bot", outcome: outcome, at: time,
                    reason: outcome == .selfServed && random.chance(0.7) ? ["faq", "balance"][random.int(0...1)] : nil))
        case 8:
            return .transfer(TransferRecord(contact: "x", fromQueue: queue, channel: channel, team: team, at: time))
        default:
            return .survey(
                SurveyRecord(
                    survey: SurveyResult(
                        contact: "s", csat: random.chance(0.7) ? random.int(1...5) : nil,
                        ces: random.chance(0.5) ? random.int(1...7) : nil, resolved: random.chance(0.5) ? random.chance(0.5) : nil),
                    at: time, queue: random.chance(0.8) ? queue : nil, channel: channel, team: team))
        }
    }

    /// An entry or agent change time around `clock`: mostly a few seconds late or early, sometimes
    /// minutes or hours late (before everything kept, or in the previous interval or day).
    static func time(around clock: Instant, _ random: inout SeededRandom) -> Instant {
        switch random.int(0...99) {
        case 0...79: return clock.advanced(by: Millis(random.int(-3000...1000)))
        case 80...89: return clock.advanced(by: Millis(random.int(1000...5000)))
        case 90...96: return clock.advanced(by: -Millis(random.int(0...1_200_000)))
        default: return clock.advanced(by: -Millis(random.int(0...10_800_000)))
        }
    }

    /// With `summing`, the history keeps no running window totals (``MetricsHistory/summingWindowsWhenRead()``,
    /// what replay uses): every read sums the windows from the kept entries, with the same figures.
    @Test(arguments: 1...8 as ClosedRange<UInt64>, [false, true])
    func everyScopeOfEveryWindowMatchesARescan(seed: UInt64, summing: Bool) throws {
        var random = SeededRandom(seed: seed &* 0x9E37)
        // 22:40 UTC: the stream crosses midnight (a new "today") and several intervals.
        var clock = RFC3339.parse("2026-03-28T22:40:00Z")!
        var settings = Self.settings(&random)
        var history = MetricsHistory(windows: Self.windows)
        if summing { history.summingWindowsWhenRead() }
        var reference = BruteForceHistory()
        let agentScopes: [[ScopeKey]] = [
            [.center, .queue("q1"), .team("t1")], [.center, .queue("q2"), .queue("q3")], [.center, .queue("q3"), .team("t2")],
        ]
        let states: [AgentState?] = [nil, .available, .onContact, .wrapUp, .notReady, .ringing]
        var checks = 0
        var rewinds = 0
        for step in 0..<2000 {
            clock = clock.advanced(by: Millis(random.int(0...4000)))
            switch random.int(0...99) {
            case 0...54:
                let entry = Self.entry(at: Self.time(around: clock, &random), &random)
                history.insert(entry, settings: settings)
                reference.insert(entry, settings: settings)
            case 55...79:
                let scopes = agentScopes[random.int(0...2)]
                let (from, to) = (states[random.int(0...5)], states[random.int(0...5)])
                let at = Self.time(around: clock, &random)
                history.agentChange(scopes: scopes, from: from, to: to, at: at)
                reference.agentChange(scopes: scopes, from: from, to: to, at: at)
            case 80...97:
                history.advance(
                    to: clock, dayStart: Self.calendar.startOfDay(containing: clock),
                    intervalStart: Self.calendar.startOfInterval(containing: clock), keep: Self.keep, settings: settings)
            case 98:
                settings = Self.settings(&random)
                history.reconfigure(windows: Self.windows, settings: settings)
            default:
                break
            }
            guard step % 10 == 0 else { continue }
            // A `now` a little after the clock, or up to the rewind allowance before the frontier.
            var now = clock.advanced(by: Millis(random.int(0...3000)))
            if let frontier = history.frontier, random.chance(0.2) {
                now = frontier.advanced(by: -Millis(random.int(0...Int(MetricsHistory.rewindAllowance))))
                rewinds += 1
            }
            let dayStart = Self.calendar.startOfDay(containing: now)
            let intervalStart = Self.calendar.startOfInterval(containing: now)
            let tables = history.tables(now: now, dayStart: dayStart, intervalStart: intervalStart, settings: settings)
            for (index, length) in Self.windows.enumerated() {
                let expected = reference.rolling(now: now, length: length, settings: settings)
                #expect(tables[index] == expected, "seed \(seed) step \(step) window \(length) at \(now): \(Self.diff(tables[index], expected))")
            }
            let interval = reference.period(now: now, start: intervalStart)
            #expect(
                tables[Self.windows.count] == interval,
                "seed \(seed) step \(step) interval at \(now): \(Self.diff(tables[Self.windows.count], interval))")
            // A day before the frontier's is forgotten (only its last minutes are kept).
            if history.today.map({ dayStart >= $0.start }) ?? true {
                let today = reference.period(now: now, start: dayStart)
                #expect(
                    tables[Self.windows.count + 1] == today,
                    "seed \(seed) step \(step) today at \(now): \(Self.diff(tables[Self.windows.count + 1], today))")
            }
            checks += 1
        }
        #expect(checks >= 200 && rewinds > 20)
        #expect(history.keepsRunningWindows == !summing && (!summing || history.rolling.allSatisfy { $0.tally.members.isEmpty }))
        // Only the last window, the allowance and a forget step are kept, not the ~70 minutes recorded.
        let frontier = try #require(history.frontier)
        let oldestKept = frontier.advanced(by: -(Self.keep + MetricsHistory.forgetStep))
        #expect(history.retained.allSatisfy { $0.time >= oldestKept })
        #expect(history.retained.count < reference.entries.count * 3 / 5)
    }

    /// After three hours of traffic the engine (and so its checkpoint) keeps the last hour of entries,
    /// while "today" still counts every contact of the day exactly.
    @Test func theCheckpointHoldsTheLastWindowNotTheDay() throws {
        let start = RFC3339.parse("2026-03-28T08:00:00Z")!
        var generator = StreamGenerator(seed: 5, start: start)
        let events = generator.generate(duration: .minutes(180))
        let configuration = EngineConfiguration(queues: WindowPropertyTests.settings)
        var engine = WallboardEngine(configuration: configuration)
        engine.run(events)
        let end = try #require(events.last).timestamp
        let oldestKept = end.advanced(by: -(configuration.longestWindow + MetricsHistory.rewindAllowance + MetricsHistory.forgetStep))
        let items = try #require(engine.checkpoint()["history"]?["items"]?.arrayValue)
        #expect(!items.isEmpty && engine.history.retained.allSatisfy { $0.time >= oldestKept })
        #expect(engine.departures.allSatisfy { $0.leftAt >= oldestKept })
        let settings = Dictionary(uniqueKeysWithValues: WindowPropertyTests.settings.map { ($0.id, $0) })
        let expected = ReferenceModel(events: events, settings: settings)
            .figures(scope: "center", start: start.milliseconds, now: end.milliseconds)
        let today = try #require(engine.windowTables(now: end).byWindow[WindowName.today]?[.center])
        #expect(ReferenceModel.Figures(today) == expected)
        #expect(expected.offered > 2 * engine.departures.count, "the day holds far more contacts than are kept")
    }

    /// The scopes whose figures differ, for a readable failure.
    static func diff(_ actual: ScopeTable, _ expected: ScopeTable) -> String {
        Set(actual.keys).union(expected.keys).filter { actual[$0] != expected[$0] }.map {
            "\($0.name): \(String(describing: actual[$0])) expected \(String(describing: expected[$0]))"
        }.joined(separator: "; ")
    }
}
