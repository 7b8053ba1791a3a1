import Testing

@testable import WallboardCore

/// The structures the per-event path was made cheaper with (issue 14, "Engine per-event path"): one
/// longest-wait deque per scope shared by every rolling window, agent-time breakpoints in one array,
/// and the agent-day sweep spaced by the kept span.
@Suite struct PerEventPathTests {
    static let start = RFC3339.parse("2026-03-28T08:00:00Z")!
    static let settings = SettingsLookup(EngineConfiguration(queues: [QueueSettings(id: "q", shortAbandon: 0)]))

    static func departure(at seconds: Int64, wait: Int64) -> TimelineEntry {
        .departure(
            QueueDeparture(
                contact: "c\(seconds)", queue: "q", channel: .voice, outcome: .answered,
                leftAt: start.advanced(by: .seconds(seconds)), wait: .seconds(wait), customer: nil, language: nil,
                reason: nil, team: nil, isRepeat: false))
    }

    static func longestWaits(_ history: MetricsHistory, at seconds: Int64) -> [Millis?] {
        let now = start.advanced(by: .seconds(seconds))
        let tables = history.tables(now: now, dayStart: start, intervalStart: start, settings: settings)
        return tables.prefix(3).map { $0[.queue("q")]?.maxWait }
    }

    static func advance(_ history: inout MetricsHistory, to seconds: Int64) {
        history.advance(
            to: start.advanced(by: .seconds(seconds)), dayStart: start, intervalStart: start, keep: .minutes(35),
            settings: settings)
    }

    /// Each window reads its own longest wait from the one deque: a long wait that left the 5-minute
    /// window still counts in the 15- and 30-minute ones, a late departure only where its time falls,
    /// and a jump past the longest window starts afresh.
    @Test func everyWindowReadsItsOwnLongestWaitFromOneDeque() {
        var history = MetricsHistory(windows: [.minutes(5), .minutes(15), .minutes(30)])
        Self.advance(&history, to: 0)
        history.insert(Self.departure(at: 10, wait: 90), settings: Self.settings)
        history.insert(Self.departure(at: 600, wait: 30), settings: Self.settings)
        Self.advance(&history, to: 720)
        #expect(Self.longestWaits(history, at: 720) == [.seconds(30), .seconds(90), .seconds(90)])
        // Late (before the frontier): inside the 15- and 30-minute windows, not the 5-minute one.
        history.insert(Self.departure(at: 100, wait: 120), settings: Self.settings)
        #expect(Self.longestWaits(history, at: 720) == [.seconds(30), .seconds(120), .seconds(120)])
        Self.advance(&history, to: 1_010)
        #expect(Self.longestWaits(history, at: 1_010) == [nil, .seconds(30), .seconds(120)])
        Self.advance(&history, to: 1_950)
        #expect(Self.longestWaits(history, at: 1_950) == [nil, nil, .seconds(30)])
        // Past every window at once: the deque is rebuilt from what is kept (nothing in the windows).
        history.insert(Self.departure(at: 2_000, wait: 5), settings: Self.settings)
        Self.advance(&history, to: 4_000)
        #expect(Self.longestWaits(history, at: 4_000) == [nil, nil, nil])
        history.insert(Self.departure(at: 3_900, wait: 7), settings: Self.settings)
        #expect(Self.longestWaits(history, at: 4_000) == [.seconds(7), .seconds(7), .seconds(7)])
        // New windows: rebuilt from the kept entries under the new lengths.
        history.reconfigure(windows: [.minutes(1), .minutes(2), .minutes(60)], settings: Self.settings)
        #expect(Self.longestWaits(history, at: 4_000) == [nil, .seconds(7), .seconds(7)])
    }

    /// Breakpoints in one array: changes at the end, in the past and at an existing time, a forget, and
    /// a function restored from its breakpoints all read the hand-computed integrals.
    @Test func agentTimeBreakpointsReadTheHandComputedIntegrals() throws {
        func at(_ seconds: Int64) -> Instant { Self.start.advanced(by: .seconds(seconds)) }
        var function = StepIntegral()
        function.add(2, at: at(0))  // 2 agents from 0
        function.add(1, at: at(100))  // 3 from 100
        function.add(-2, at: at(300))  // 1 from 300
        function.add(1, at: at(200))  // in the past: 4 over 200..<300, 2 from 300
        function.add(1, at: at(100))  // at an existing breakpoint: 4 over 100..<200, 5 over 200..<300, 3 from 300
        let seconds: Int64 = 1_000
        #expect(function.integral(from: at(0), to: at(400)) == (2 * 100 + 4 * 100 + 5 * 100 + 3 * 100) * seconds)
        #expect(function.integral(from: at(150), to: at(250)) == (4 * 50 + 5 * 50) * seconds)
        function.drop(before: at(250))
        #expect(function.integral(from: at(250), to: at(350)) == (5 * 50 + 3 * 50) * seconds)
        function.add(-1, at: at(260))  // in the past, after the cut: 4 over 260..<300, 2 from 300
        #expect(function.integral(from: at(250), to: at(350)) == (5 * 10 + 4 * 40 + 2 * 50) * seconds)
        let restored = try #require(
            StepIntegral(before: function.before, origin: function.origin, breakpoints: function.breakpoints))
        #expect(restored.integral(from: at(250), to: at(500)) == function.integral(from: at(250), to: at(500)))
        #expect(restored.value(at: at(400)) == function.value(at: at(400)))
    }

    /// An agent who logs out gets no new marks; the sweep over every agent forgets theirs within the
    /// kept span and a quarter of it (it no longer looks at every agent each minute of event time).
    @Test func anIdleAgentsMarksGoWithinTheSweepInterval() {
        var book = AgentDayBook(keep: .minutes(60))
        #expect(book.sweepInterval == .minutes(15))
        let dayStart = Self.start
        book.left("a1", state: .available, reason: nil, from: Self.start, to: Self.start.advanced(by: .minutes(1)), next: nil, dayStart: dayStart)
        book.prune(now: Self.start.advanced(by: .minutes(1)), dayStart: dayStart)
        #expect(book.markCount == 1)
        book.prune(now: Self.start.advanced(by: .minutes(55)), dayStart: dayStart)
        #expect(book.markCount == 1, "swept at 55 minutes: nothing older than the hour yet")
        book.prune(now: Self.start.advanced(by: .minutes(62)), dayStart: dayStart)
        #expect(book.markCount == 1, "the next sweep is due at 70 minutes, not at the next minute")
        book.prune(now: Self.start.advanced(by: .minutes(70)), dayStart: dayStart)
        #expect(book.markCount == 0)
        #expect(book.agentIDs == ["a1"], "today's figures stay")
        #expect(AgentDayBook(keep: .minutes(2)).sweepInterval == .seconds(60))
    }

    /// An engine that sums its rolling windows when read (what ``Replay`` uses) shows what one keeping
    /// running totals shows, read at the clock every few events and before its frontier at the end.
    @Test(arguments: [11, 12] as [UInt64])
    func summingWindowsWhenReadShowsTheSameSnapshot(seed: UInt64) throws {
        var generator = StreamGenerator(seed: seed, start: Self.start)
        let events = generator.generate(duration: .minutes(150))
        let configuration = EngineConfiguration(queues: WindowPropertyTests.settings)
        var running = WallboardEngine(configuration: configuration)
        var summing = WallboardEngine(configuration: configuration)
        summing.summingWindowsWhenRead()
        var now = try #require(events.first).timestamp
        var reads = 0
        for (index, event) in events.enumerated() {
            now = max(now, event.timestamp)
            #expect(running.apply(event, now: now) == summing.apply(event, now: now))
            _ = running.expire(now: now)
            _ = summing.expire(now: now)
            guard index % 97 == 0 else { continue }
            #expect(running.snapshot(now: now) == summing.snapshot(now: now), "event \(index)")
            reads += 1
        }
        #expect(reads > 20)
        let later = now.advanced(by: .seconds(90))
        _ = running.expire(now: later)
        _ = summing.expire(now: later)
        #expect(running.snapshot(now: now) == summing.snapshot(now: now))
        #expect(running.snapshot(now: later) == summing.snapshot(now: later))
        #expect(!running.history.rolling.allSatisfy { $0.tally.members.isEmpty })
        #expect(summing.history.rolling.allSatisfy { $0.tally.members.isEmpty })
    }
}
