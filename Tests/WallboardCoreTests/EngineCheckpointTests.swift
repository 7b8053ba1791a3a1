import JSONModel
import Testing

@testable import WallboardCore

/// Checkpoint at `t` + the events after `t` must give exactly what applying every event gives.
@Suite struct EngineCheckpointTests {
    /// UTC+05:30, a non-UTC zone whose midnight is not on a UTC hour.
    static let zone = CenterTimeZone(identifier: "+05:30", provider: FixedUTCOffset(.minutes(330)))
    /// Local 2026-11-23 23:20 (+05:30): the runs below cross local midnight 40 minutes in.
    static let start = RFC3339.parse("2026-11-23T17:50:00Z")!

    static func configuration(queues: [QueueSettings]) -> EngineConfiguration {
        EngineConfiguration(
            queues: queues, calendar: CenterCalendar(timeZone: zone, dayStart: 0, intervalLength: .minutes(15)),
            repeatWindow: .minutes(30), reorderTolerance: .seconds(3))
    }

    /// One delivery to the engine: an event at a `now`, or a tick (`expire`).
    enum Step {
        case event(Event, now: Instant)
        case tick(Instant)
    }

    /// A simulated center's events delivered as a real source would: in steps of a random virtual-clock
    /// length, some `contact.queued` late (so the engine holds back what follows, or rejects it after the
    /// reorder tolerance), sometimes an earlier one sent again, sometimes stamped in the future (clamped),
    /// with a tick after every step.
    static func deliveries(seed: UInt64, minutes: Int64) -> (steps: [Step], queues: [QueueSettings]) {
        var simulator = ContactCenterSimulator(configuration: .demo(seed: seed), runID: "s\(seed)")
        var random = SeededRandom(seed: seed &* 7919)
        var steps: [Step] = []
        var sent: [Event] = []
        var late: [(event: Event, due: Instant)] = []
        var now = start
        while now < start.advanced(by: .minutes(minutes)) {
            var batch = late.filter { $0.due <= now }.map(\.event)
            late.removeAll { $0.due <= now }
            for event in simulator.advance(to: now) {
                if case .contactQueued = event.body, random.chance(0.12) {
                    late.append((event, now.advanced(by: Millis(random.int(500...5000)))))
                } else {
                    batch.append(event)
                }
            }
            if !sent.isEmpty, random.chance(0.03) { batch.append(sent[random.int(0...(sent.count - 1))]) }
            if random.chance(0.01), var event = batch.first {
                event.timestamp = now.advanced(by: .seconds(60))
                batch[0] = event
            }
            for event in batch { steps.append(.event(event, now: now)) }
            sent += batch
            steps.append(.tick(now))
            now = now.advanced(by: Millis(random.int(100...2500)))
        }
        return (steps, simulator.queueSettings)
    }

    static func run(_ step: Step, _ engine: inout WallboardEngine) {
        switch step {
        case .event(let event, let now): engine.apply(event, now: now)
        case .tick(let now): engine.expire(now: now)
        }
    }

    /// A checkpoint as the server would store it: written as JSON text (numbers with at most 4 decimals)
    /// and parsed back.
    static func throughText(_ value: JSONValue) throws -> JSONValue { try MiniJSON.parse(JSONText.encode(value)) }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func restoredEngineMatchesUninterruptedOne(seed: UInt64) throws {
        let (steps, queues) = Self.deliveries(seed: seed, minutes: 75)
        let configuration = Self.configuration(queues: queues)
        var random = SeededRandom(seed: seed)
        // Three checkpoint instants (after a step), at least one after local midnight (about step 40%+).
        let tickIndices = steps.indices.filter { if case .tick = steps[$0] { true } else { false } }
        var cuts = Set([
            tickIndices[random.int(0...(tickIndices.count / 2))],
            tickIndices[random.int((tickIndices.count * 55 / 100)...(tickIndices.count * 9 / 10))],
        ])
        cuts.insert(steps.count / 3)  // may fall between an event and its tick
        var uninterrupted = WallboardEngine(configuration: configuration)
        var restored: [(cut: Int, engine: WallboardEngine)] = []
        var comparisons = 0
        var sawHeld = false
        var sawDuplicate = false
        var probedDuplicates = 0
        for (index, step) in steps.enumerated() {
            Self.run(step, &uninterrupted)
            for slot in restored.indices { Self.run(step, &restored[slot].engine) }
            if uninterrupted.counters.deferred > 0 { sawHeld = true }
            if uninterrupted.counters.duplicates > 0 { sawDuplicate = true }
            if cuts.contains(index) {
                let checkpoint = uninterrupted.checkpoint()
                #expect(Self.doubles(in: checkpoint).isEmpty, "checkpoint holds non-integer numbers")
                let engine = try WallboardEngine(restoringFrom: Self.throughText(checkpoint), configuration: configuration)
                #expect(engine.checkpoint() == checkpoint, "restore then checkpoint must give the same value")
                // Ids accepted before the checkpoint are still duplicates for the restored engine (rejected
                // ones were never remembered, by either engine).
                var probe = engine
                var probeUninterrupted = uninterrupted
                for case .event(let event, let now) in steps[...index].suffix(40) {
                    let expected = probeUninterrupted.apply(event, now: now)
                    #expect(probe.apply(event, now: now) == expected, "\(event.id) treated differently after restore")
                    if expected == .duplicate { probedDuplicates += 1 }
                }
                restored.append((index, engine))
            }
            if case .tick(let now) = step, index % 97 == 0 || index == steps.count - 1 {
                let expected = uninterrupted.snapshot(now: now)
                for (cut, engine) in restored {
                    #expect(engine.snapshot(now: now) == expected, "seed \(seed), cut \(cut), step \(index)")
                    #expect(engine.counters == uninterrupted.counters, "seed \(seed), cut \(cut), step \(index)")
                    comparisons += 1
                }
            }
        }
        #expect(restored.count == 3)
        #expect(comparisons >= 6)
        #expect(probedDuplicates >= 30)
        #expect(sawHeld && sawDuplicate, "the stream should exercise held-back events and duplicates")
        // In the end the whole state is identical, down to the id sets and the history's order.
        for (cut, engine) in restored {
            #expect(engine.checkpoint() == uninterrupted.checkpoint(), "seed \(seed), cut \(cut)")
        }
        let end = Self.start.advanced(by: .minutes(75))
        let today = uninterrupted.snapshot(now: end).center.windows[WindowName.today]!
        #expect(today.offered > 0 && today.handledCount > 0, "the run should cross midnight with traffic after it")
    }

    /// Random streams with transfers, holds and surveys of contacts no longer live (StreamGenerator).
    @Test(arguments: [11, 12, 13] as [UInt64])
    func generatedStreamsRestoreExactly(seed: UInt64) throws {
        var generator = StreamGenerator(seed: seed, start: Self.start)
        var events = generator.generate(duration: .minutes(90))
        var random = SeededRandom(seed: seed)
        for _ in 0..<10 {
            let contact = "c\(random.int(1...40))"
            let at = events[events.count - 1].timestamp
            events.append(
                Event(id: "survey-\(contact)-\(random.next())", timestamp: at,
                      body: .surveyCompleted(SurveyResult(contact: contact, csat: random.int(1...5), resolved: random.chance(0.5)))))
        }
        events.sort { $0.timestamp < $1.timestamp }
        let configuration = Self.configuration(queues: [QueueSettings(id: "q1", threshold: .seconds(20))])
        let cut = random.int(events.count / 4...(events.count * 3 / 4))
        var a = WallboardEngine(configuration: configuration)
        a.run(Array(events[..<cut]))
        var b = try WallboardEngine(restoringFrom: Self.throughText(a.checkpoint()), configuration: configuration)
        for event in events[cut...] {
            #expect(a.apply(event, now: event.timestamp) == b.apply(event, now: event.timestamp))
            a.expire(now: event.timestamp)
            b.expire(now: event.timestamp)
        }
        let end = events[events.count - 1].timestamp
        for later in [end, end.advanced(by: .minutes(10)), end.advanced(by: .minutes(200))] {
            a.expire(now: later)
            b.expire(now: later)
            #expect(a.snapshot(now: later) == b.snapshot(now: later))
        }
        #expect(a.counters == b.counters)
        #expect(a.checkpoint() == b.checkpoint())
    }

    /// Restoring under new queue settings equals reconfiguring the uninterrupted engine (rolling windows
    /// re-judged, today kept as judged: docs/metrics.md, "Settings changes").
    @Test func restoringWithNewSettingsEqualsReconfiguring() throws {
        let (steps, queues) = Self.deliveries(seed: 9, minutes: 20)
        let before = Self.configuration(queues: queues)
        var after = before
        after.queues = queues.map { var q = $0; q.threshold = .seconds(10); q.abandonTreatment = .positive; return q }
        var a = WallboardEngine(configuration: before)
        for step in steps { Self.run(step, &a) }
        let b = try WallboardEngine(restoringFrom: a.checkpoint(), configuration: after)
        a.reconfigure(after)
        let now = Self.start.advanced(by: .minutes(21))
        #expect(a.snapshot(now: now) == b.snapshot(now: now))
        #expect(a.snapshot(now: now).center.windows[WindowName.today]!.offered > 0)
    }

    /// A checkpoint taken while an event is held back keeps it: it applies when its predecessor comes,
    /// or is rejected by the same tick, after the restore as without it.
    @Test func heldBackEventsSurviveARestore() throws {
        let configuration = Self.configuration(queues: [])
        var factory = EventFactory(origin: Self.start)
        let login = factory.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", team: "t", queues: ["q"])))
        let queued = factory.make(1, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice)))
        let answered = factory.make(2, .contactAnswered(contact: "c1", agent: "a1", monitor: MonitorHandle(kind: "k", target: "t")))
        let orphan = factory.make(2, .contactAbandoned(contact: "nobody"))
        var a = WallboardEngine(configuration: configuration)
        a.apply(login, now: login.timestamp)
        #expect(a.apply(answered, now: factory.at(2)) != .applied)
        a.apply(orphan, now: factory.at(2))
        #expect(a.counters.deferred == 2)
        var b = try WallboardEngine(restoringFrom: Self.throughText(a.checkpoint()), configuration: configuration)
        #expect(a.apply(queued, now: factory.at(3)) == b.apply(queued, now: factory.at(3)))
        #expect(a.expire(now: factory.at(10)) == b.expire(now: factory.at(10)))
        #expect(a.counters == b.counters)
        #expect(a.counters.deferred == 0 && a.counters.rejected[.unknownContact] == 1)
        #expect(a.snapshot(now: factory.at(10)) == b.snapshot(now: factory.at(10)))
        #expect(b.contacts["c1"]?.phase == .connected)
    }

    // MARK: - Duplicate ids by business day

    @Test func idsAreRememberedForTodayAndThePreviousBusinessDay() throws {
        let configuration = Self.configuration(queues: [])
        var engine = WallboardEngine(configuration: configuration)
        let login = Event(
            id: "login-1", timestamp: Self.start, body: .agentLogin(AgentLogin(agent: "a1", name: "A", queues: ["q"])))
        #expect(engine.apply(login, now: Self.start) == .applied)
        // Local midnight +05:30 is 18:30Z; the next business day ends at 18:30Z the day after.
        let nextDay = RFC3339.parse("2026-11-24T12:00:00Z")!
        engine.expire(now: nextDay)
        #expect(engine.apply(login, now: nextDay) == .duplicate)
        // A restored engine knows the previous day's ids too.
        var restored = try WallboardEngine(restoringFrom: engine.checkpoint(), configuration: configuration)
        #expect(restored.apply(login, now: nextDay) == .duplicate)
        // Two business days later the id is forgotten (and applies again) in both.
        let dayAfter = RFC3339.parse("2026-11-24T18:30:00Z")!
        #expect(engine.apply(login, now: dayAfter) == .applied)
        #expect(restored.apply(login, now: dayAfter) == .applied)
        #expect(engine.seenEventIDs == restored.seenEventIDs)
    }

    @Test func skippingAWholeDayForgetsEveryId() {
        var engine = WallboardEngine(configuration: Self.configuration(queues: []))
        let login = Event(
            id: "login-1", timestamp: Self.start, body: .agentLogin(AgentLogin(agent: "a1", name: "A", queues: ["q"])))
        engine.apply(login, now: Self.start)
        engine.expire(now: Self.start.advanced(by: .minutes(3 * 24 * 60)))
        #expect(engine.seenEventIDs.current.isEmpty && engine.seenEventIDs.previous.isEmpty)
    }

    // MARK: - Damaged checkpoints

    static func sampleCheckpoint() -> (JSONValue, EngineConfiguration) {
        let (steps, queues) = deliveries(seed: 3, minutes: 10)
        let configuration = configuration(queues: queues)
        var engine = WallboardEngine(configuration: configuration)
        for step in steps { run(step, &engine) }
        return (engine.checkpoint(), configuration)
    }

    static func restoreError(_ value: JSONValue, _ configuration: EngineConfiguration) -> CheckpointError? {
        do {
            _ = try WallboardEngine(restoringFrom: value, configuration: configuration)
            return nil
        } catch {
            return error
        }
    }

    @Test func damagedCheckpointsNameTheKey() throws {
        let (good, configuration) = Self.sampleCheckpoint()
        #expect(Self.restoreError(good, configuration) == nil)
        let cases: [(path: [JSONPath], value: JSONValue?, kind: CheckpointError.Kind, key: String)] = [
            ([.key("version")], .integer(WallboardEngine.checkpointVersion + 1), .unsupportedVersion, "version"),
            ([.key("version")], 2, .unsupportedVersion, "version"),
            ([.key("version")], 1, .unsupportedVersion, "version"),
            ([.key("version")], "1", .wrongType, "version"),
            ([.key("version")], .number(1.5), .invalidValue, "version"),
            ([.key("format")], "something else", .invalidValue, "format"),
            ([.key("history")], nil, .missingKey, "history"),
            ([.key("seen_ids"), .key("today")], nil, .missingKey, "seen_ids.today"),
            ([.key("counters"), .key("duplicates")], "x", .wrongType, "counters.duplicates"),
            ([.key("counters"), .key("surveys")], -1, .invalidValue, "counters.surveys"),
            ([.key("counters"), .key("deferred")], 99, .invalidValue, "counters.deferred"),
            ([.key("agents"), .index(0), .key("state")], "asleep", .invalidValue, "agents[0].state"),
            ([.key("agents"), .index(0), .key("since")], "yesterday", .wrongType, "agents[0].since"),
            ([.key("agents"), .index(0), .key("mood")], "happy", .invalidValue, "agents[0].mood"),
            ([.key("version")], 1, .unsupportedVersion, "version"),
            ([.key("history"), .key("items"), .index(0), .index(0), .index(1)], 7, .wrongType, "history.items[0][0][1]"),
            ([.key("history"), .key("items"), .index(0), .index(0), .index(0)], "party", .invalidValue,
             "history.items[0][0][0]"),
            ([.key("history"), .key("items"), .index(0), .index(0)], ["span"], .invalidValue, "history.items[0][0]"),
            ([.key("history"), .key("today"), .key("totals"), .index(0), .index(0)], "planet:mars", .invalidValue,
             "history.today.totals[0][0]"),
            ([.key("history"), .key("today"), .key("totals"), .index(0), .index(2)], 0, .invalidValue,
             "history.today.totals[0][2]"),
            ([.key("history"), .key("agent_time"), .index(0), .index(1)], [0, 0], .invalidValue, "history.agent_time[0][1]"),
            ([.key("history"), .key("cutoff")], .integer(Int64.max), .invalidValue, "history.cutoff"),
            ([.key("history"), .key("today"), .key("start")], .null, .wrongType, "history.today.start"),
            ([.key("history"), .key("frontier")], -1, .invalidValue, "history.frontier"),
            ([.key("history"), .key("agent_time"), .index(0), .index(1), .index(1)], .integer(Int64.min), .invalidValue,
             "history.agent_time[0][1][1]"),
            ([.key("history"), .key("agent_time"), .index(0), .index(1), .index(0)], 2_000_000, .invalidValue,
             "history.agent_time[0][1][0]"),
            ([.key("history"), .key("agent_time"), .index(0), .index(3), .index(2), .index(0), .index(0)],
             .integer(Int64.max), .invalidValue, "history.agent_time[0][3][2][0][0]"),
            ([.key("queue_order")], ["sales", "sales"], .invalidValue, "queue_order[1]"),
            ([.key("history"), .key("today"), .key("totals"), .index(0), .index(1), .key("channel_mix")], ["fax": 1],
             .invalidValue, "history.today.totals[0][1]"),
        ]
        for item in cases {
            let damaged = try #require(JSONPath.replacing(good, at: item.path, with: item.value))
            let error = try #require(Self.restoreError(damaged, configuration), "\(item.key) accepted")
            #expect(error.kind == item.kind, "\(error)")
            #expect(error.key == item.key, "\(error)")
            #expect(error.description.contains(item.key))
        }
        #expect(Self.restoreError("not a checkpoint", configuration) == CheckpointError(.wrongType, key: "", "expected an object, found string"))
        // History out of order.
        let items = try #require(good["history"]?["items"]?.arrayValue)
        var swapped = items
        swapped.swapAt(0, items.count - 1)
        let unsorted = try #require(JSONPath.replacing(good, at: [.key("history"), .key("items")], with: .array(swapped)))
        #expect(Self.restoreError(unsorted, configuration)?.key == "history.items[1]")
    }

    /// The binary sections (seen ids, finished contacts, last contact by customer): truncated or
    /// malformed records are refused with the key and the record's number, never half-restored.
    @Test func damagedBinarySectionsNameTheKeyAndTheRecord() throws {
        let (good, configuration) = Self.sampleCheckpoint()
        func digests(_ ids: [String]) -> [UInt8] {
            var writer = CheckpointBytes.Writer()
            for id in ids { writer.digest(IDDigest(id)) }
            return writer.bytes
        }
        func finished(channel: UInt8 = 0, codes: [UInt32] = [1, 0, 0, 0]) -> JSONValue {
            var writer = CheckpointBytes.Writer()
            writer.digest(IDDigest("c1"))
            writer.instant(Self.start)
            writer.byte(channel)
            for code in codes { writer.varint(code) }
            return .string(Base64.encode(writer.bytes))
        }
        let b64 = { (bytes: [UInt8]) -> JSONValue in .string(Base64.encode(bytes)) }
        let ordered = ["e1", "e2"].sorted { IDDigest($0) < IDDigest($1) }
        let cases: [(path: [JSONPath], value: JSONValue, kind: CheckpointError.Kind, key: String, message: String)] = [
            ([.key("seen_ids"), .key("today")], "abc", .invalidValue, "seen_ids.today", "not a multiple of 4"),
            ([.key("seen_ids"), .key("today")], ["e1"], .wrongType, "seen_ids.today", "expected a string"),
            ([.key("seen_ids"), .key("previous")], b64(Array(digests(["e1"]).prefix(15))), .invalidValue,
             "seen_ids.previous", "15 bytes is not a whole number of 16-byte digests"),
            ([.key("seen_ids"), .key("today")], b64([UInt8](repeating: 0, count: 16)), .invalidValue, "seen_ids.today",
             "record 0: all-zero digest"),
            ([.key("seen_ids"), .key("today")], b64(digests(["e1", "e1"])), .invalidValue, "seen_ids.today",
             "record 1: digest appears twice"),
            ([.key("seen_ids"), .key("today")], b64(digests(ordered.reversed())), .invalidValue, "seen_ids.today",
             "record 1: digests are not in ascending order"),
            ([.key("last_contact_by_customer")], b64(Array(digests(["x"]) + [1, 2, 3])), .invalidValue,
             "last_contact_by_customer", "record 0: truncated"),
            ([.key("last_contact_by_customer")], [], .wrongType, "last_contact_by_customer", "expected a string"),
            ([.key("finished_contacts"), .key("records")], finished(channel: 9), .invalidValue,
             "finished_contacts.records", "record 0: unknown channel number 9"),
            ([.key("finished_contacts"), .key("records")], finished(codes: [0, 0, 0, 0]), .invalidValue,
             "finished_contacts.records", "queue string number 0"),
            ([.key("finished_contacts"), .key("records")], finished(codes: [1, 100_000, 0, 0]), .invalidValue,
             "finished_contacts.records", "team string number 100000 is not in strings"),
            ([.key("finished_contacts"), .key("records")], finished(codes: [1, 0]), .invalidValue,
             "finished_contacts.records", "record 0: truncated"),
            ([.key("finished_contacts"), .key("strings")], ["q", "q"], .invalidValue, "finished_contacts.strings",
             "a string appears twice"),
            ([.key("finished_contacts")], [], .wrongType, "finished_contacts", "expected an object"),
        ]
        for item in cases {
            let damaged = try #require(JSONPath.replacing(good, at: item.path, with: item.value))
            let error = try #require(Self.restoreError(damaged, configuration), "\(item.key) accepted")
            #expect(error.kind == item.kind, "\(error)")
            #expect(error.key == item.key, "\(error)")
            #expect(error.message.contains(item.message), "\(error)")
        }
    }

    /// Random damage anywhere never crashes the restore: it either succeeds or throws a CheckpointError.
    @Test func randomDamageNeverCrashes() {
        let (good, configuration) = Self.sampleCheckpoint()
        var random = SeededRandom(seed: 77)
        let replacements: [JSONValue?] = [nil, .null, 0, -5, .number(0.5), "", "x", true, [], [:], [1, 2], ["departure"]]
        var failures = 0
        for _ in 0..<400 {
            let path = JSONPath.randomPath(in: good, random: &random)
            let value = replacements[random.int(0...(replacements.count - 1))]
            guard let damaged = JSONPath.replacing(good, at: path, with: value) else { continue }
            if Self.restoreError(damaged, configuration) != nil { failures += 1 }
        }
        #expect(failures > 100)
    }

    /// A version-3 checkpoint (one "contact" per agent, none of version 4's keys) still restores.
    @Test func aVersion3CheckpointStillRestores() throws {
        var f = EventFactory()
        var engine = WallboardEngine()
        engine.run([
            f.make(0, .agentLogin(AgentLogin(agent: "a1", name: "A", queues: ["q"]))),
            f.make(1, .contactQueued(ContactQueued(contact: "c1", queue: "q", channel: .voice))),
            f.make(5, .contactAnswered(contact: "c1", agent: "a1", monitor: nil)),
        ])
        guard case .object(var root) = engine.checkpoint(), case .array(var agents)? = root["agents"],
            case .object(var agent) = agents[0], case .object(var counters)? = root["counters"]
        else {
            Issue.record("unexpected checkpoint shape")
            return
        }
        #expect(agent["contacts"] == ["c1"])
        agent["contacts"] = nil
        agent["contact"] = "c1"
        agents[0] = .object(agent)
        root["agents"] = .array(agents)
        counters["late_wrapups"] = nil
        counters["expired"] = nil
        root["counters"] = .object(counters)
        root["agent_days"] = nil  // version 7's teams of stretches (AgentDayOwnRateTests reads a version 6 book)
        root["version"] = 3
        let restored = try WallboardEngine(restoringFrom: .object(root), configuration: EngineConfiguration())
        #expect(restored.agents["a1"]?.contacts == ["c1"])
        #expect(restored.contacts["c1"]?.agent == "a1")
    }

    // MARK: - Nothing forgotten

    /// A new stored property on the engine (or a new field on what it stores) must be added to the checkpoint.
    @Test func checkpointCoversEveryStoredProperty() {
        let engineFields = Set(Mirror(reflecting: WallboardEngine()).children.compactMap(\.label))
        #expect(
            engineFields == [
                "configuration", "agents", "contacts", "queueOrder", "teamOrder", "counters", "abandonedToday", "history",
                "settings", "seenEventIDs", "deferred", "lastContactByCustomer", "finishedContacts", "agentDays",
                "pendingCallbacks", "selfServiceSessions",  // Checkpoint/WallboardEngine+CheckpointCallbacks.swift
                // Not checkpointed: the expired contacts' log queue, and when to look for idle contacts
                // next (unknown after a restore: the first expire looks at every contact); the interval
                // patterns of the projected close (the server sets them again from the journal).
                // The index of the ids held events name (rebuilt from `deferred`), and the stream's clock for
                // idle contacts (the wall clock until the first event after a restore).
                "expiredLog", "expiredLogDropped", "idleScanDue", "intervalPatterns", "heldIndex", "streamClock",
            ], "update WallboardEngine+Checkpoint.swift for the new field")
        // AgentDay+Checkpoint.swift stores dayStart, prunedAt, entries, (as each mark's text) reasons and teams; keep
        // comes from the configuration, reasonIndex and teamIndex are rebuilt from reasons and teams.
        #expect(
            Set(Mirror(reflecting: AgentDayBook()).children.compactMap(\.label))
                == ["dayStart", "entries", "keep", "prunedAt", "reasons", "reasonIndex", "teams", "teamIndex"])
        #expect(
            Mirror(reflecting: WindowMetrics()).children.count
                == WindowMetrics.checkpointCounts.count + WindowMetrics.checkpointDurations.count + 5)
        // `callbacks` and `selfService` are stored whole (Checkpoint/WallboardEngine+CheckpointCallbacks.swift).
        #expect(Mirror(reflecting: CallbackFigures()).children.count == 9)
        #expect(Mirror(reflecting: SelfServiceCounts()).children.count == 5)
        // 10 stored (`intervals` in CheckpointIntervals.swift), plus `staleChanges`: a count of breakpoints
        // waiting to be forgotten, 0 after a restore, `times`: the items' times, rebuilt from the items, and
        // `maxima`, `callbackMaxima` (the rolling windows' longest waits, rebuilt from the items like the
        // windows), `longest` (from the configured windows), and `frontierEnd`, `waitsEdge`: where the next
        // advance starts looking (checked guesses), and three lookups remembered on first use: `judgements`,
        // `judgementsOf` (each queue's judgement under the current settings) and `agentScopeIDs` (each
        // logged-in agent's scope ids, checked against its queues and team), and `keepsRunningWindows`: not
        // stored, a restored engine keeps running window totals (only replay, which never checkpoints, stops).
        #expect(Mirror(reflecting: MetricsHistory()).children.count == 21)
        // IntervalBook: all stored but `staffedNow`, rebuilt from the agents' states on restore.
        #expect(
            Set(Mirror(reflecting: IntervalBook()).children.compactMap(\.label))
                == ["todayStart", "today", "yesterdayStart", "yesterday", "staffedNow", "pending", "lastEnd"])
        #expect(Mirror(reflecting: EngineCounters()).children.count == 8)
        #expect(Mirror(reflecting: SeenEventIDs()).children.count == 4)
        let contact = LiveContact(
            id: "c", queue: "q", channel: .voice, customer: nil, language: nil, reason: nil, priority: nil, phase: .waiting,
            queuedAt: Self.start, answeredAt: nil, agent: nil)
        #expect(Mirror(reflecting: contact).children.count == 20)
        let agent = AgentRecord(
            id: "a", name: "a", team: nil, queues: [], skills: [:], languages: [], state: .available, reason: nil,
            stateSince: Self.start, contact: nil)
        #expect(Mirror(reflecting: agent).children.count == 10)
    }

    /// Every kind of record survives a text round trip, with every optional field set and unset.
    @Test func everyFieldSurvivesATextRoundTrip() throws {
        var metrics = WindowMetrics()
        for (index, (_, path)) in WindowMetrics.checkpointCounts.enumerated() { metrics[keyPath: path] = index + 1 }
        for (index, (_, path)) in WindowMetrics.checkpointDurations.enumerated() { metrics[keyPath: path] = Millis(1000 + index) }
        metrics.maxWait = 0
        metrics.channelMix = ["voice": 3]
        metrics.reasonMix = ["billing": 1, "unspecified": 2]
        metrics.callbacks.requested = 4
        metrics.callbacks.attempted = 5
        metrics.callbacks.connected = 2
        metrics.callbacks.failed = 1
        metrics.callbacks.expired = 1
        metrics.callbacks.connectedWithinThreshold = 1
        metrics.callbacks.totalWait = 5_230_000
        metrics.callbacks.maxWait = 4_120_000
        metrics.callbacks.failedReasons = ["no-answer": 1]
        var ivr = SelfServiceCounts()
        ivr.entered = 3
        ivr.selfServed = 2
        ivr.reachedQueue = 1
        ivr.expired = 1
        ivr.reasons = ["balance": 2]
        metrics.selfService.entryPoints = ["ivr-main": ivr, "bot": SelfServiceCounts()]
        let decoded = try WallboardEngine.decodeMetrics(
            CheckpointNode(Self.throughText(WallboardEngine.encode(metrics)), path: "m"))
        #expect(decoded == metrics)

        let at = Self.start
        let entries: [TimelineEntry] = [
            .departure(
                QueueDeparture(
                    contact: "c1", queue: "q", channel: .chat, outcome: .transferredOut, leftAt: at, wait: 1234,
                    customer: Customer(id: nil, segment: "vip"), language: "fr", reason: "é \"quoted\"", agent: "a",
                    team: "t", isRepeat: true)),
            .departure(QueueDeparture(contact: "c2", queue: "q", channel: .voice, outcome: .abandoned, leftAt: at, wait: 0)),
            .handled(
                HandledContact(
                    contact: "c1", queue: "q", agent: "a", finishedAt: at, talk: 1, hold: 2, wrapUp: 3, channel: .sms,
                    team: nil, segment: "vip", language: nil)),
            .transfer(TransferRecord(contact: "c", fromQueue: "q", channel: .email, team: nil, at: at)),
            .survey(SurveyRecord(survey: SurveyResult(contact: "c", csat: 5, ces: nil, resolved: false), at: at)),
            .callback(
                CallbackRecord(
                    contact: "c", queue: "q", channel: .voice, kind: .connected, at: at, wait: 1000, agent: "a", team: "t",
                    segment: "vip", language: "en")),
            .callback(CallbackRecord(contact: "c", queue: "q", channel: .chat, kind: .failed, at: at, reason: "busy")),
            .selfService(SelfServiceRecord(contact: "s", entryPoint: "ivr", outcome: .selfServed, at: at, reason: "faq")),
            .selfService(SelfServiceRecord(contact: "s", entryPoint: "ivr", outcome: .reachedQueue, at: at)),
            .survey(
                SurveyRecord(
                    survey: SurveyResult(contact: "c", csat: nil, ces: 7, resolved: nil), at: at, queue: "q", channel: .video,
                    team: "t", segment: "s", language: "en")),
            .agentSpan(AgentStateSpan(agent: "a", team: nil, queues: ["q", "r"], state: .notReady, from: at, to: at)),
        ]
        for entry in entries {
            let text = try Self.throughText(WallboardEngine.encode(entry))
            #expect(try WallboardEngine.decodeEntry(CheckpointNode(text, path: "e")) == entry)
        }
    }

    static func doubles(in value: JSONValue) -> [Double] {
        switch value {
        case .number(let number): return [number]
        case .array(let elements): return elements.flatMap(doubles)
        case .object(let object): return object.members.flatMap { doubles(in: $0.value) }
        default: return []
        }
    }
}

/// Encodes a JSONValue as JSON text the way the server's writer does (numbers with at most 4 decimals).
enum JSONText {
    static func encode(_ value: JSONValue) -> String {
        var out = ""
        write(value, &out)
        return out
    }

    private static func write(_ value: JSONValue, _ out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let bool): out += bool ? "true" : "false"
        case .integer(let integer): out += String(integer)
        case .number(let number): out += JSONValue.formatNumber(number)
        case .string(let string):
            out += "\""
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                write(element, &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { out += "," }
                write(.string(member.key), &out)
                out += ":"
                write(member.value, &out)
            }
            out += "}"
        }
    }
}

/// A step into a JSON value, for damaging checkpoints in tests.
enum JSONPath: Equatable {
    case key(String)
    case index(Int)

    /// `value` with the element at `path` replaced (or removed, for `nil`); `nil` if the path does not exist.
    static func replacing(_ value: JSONValue, at path: [JSONPath], with replacement: JSONValue?) -> JSONValue? {
        guard let step = path.first else { return replacement ?? .null }
        let rest = Array(path.dropFirst())
        switch (step, value) {
        case (.key(let key), .object(var object)):
            if rest.isEmpty {
                object[key] = replacement
            } else {
                guard let child = object[key], let changed = replacing(child, at: rest, with: replacement) else { return nil }
                object[key] = changed
            }
            return .object(object)
        case (.index(let index), .array(var elements)):
            guard elements.indices.contains(index) else { return nil }
            if rest.isEmpty {
                if let replacement { elements[index] = replacement } else { elements.remove(at: index) }
            } else {
                guard let changed = replacing(elements[index], at: rest, with: replacement) else { return nil }
                elements[index] = changed
            }
            return .array(elements)
        default:
            return nil
        }
    }

    /// A random path to some value inside `value` (descending at random, stopping at random).
    static func randomPath(in value: JSONValue, random: inout SeededRandom) -> [JSONPath] {
        var path: [JSONPath] = []
        var current = value
        while true {
            switch current {
            case .object(let object) where !object.members.isEmpty:
                let member = object.members[random.int(0...(object.count - 1))]
                path.append(.key(member.key))
                current = member.value
            case .array(let elements) where !elements.isEmpty:
                let index = random.int(0...(elements.count - 1))
                path.append(.index(index))
                current = elements[index]
            default:
                return path
            }
            if path.count > 1, random.chance(0.25) { return path }
        }
    }
}
