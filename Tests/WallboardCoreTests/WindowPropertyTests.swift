import Testing
import WallboardCore

/// Random seeded streams: every window's figures equal a brute-force recomputation from the raw events.
@Suite struct WindowPropertyTests {
    static let settings = [
        QueueSettings(id: "q1", threshold: .seconds(20), shortAbandon: .seconds(5), abandonTreatment: .negative),
        QueueSettings(id: "q2", threshold: .seconds(30), shortAbandon: .seconds(3), abandonTreatment: .positive),
        QueueSettings(id: "q3", threshold: .seconds(15), shortAbandon: 0, abandonTreatment: .ignore),
    ]

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func everyWindowMatchesBruteForce(seed: UInt64) {
        // Starts 23:10 UTC so the stream crosses midnight: "today" must restart.
        let start = RFC3339.parse("2026-03-28T23:10:00Z")!
        var generator = StreamGenerator(
            seed: seed, start: start,
            options: .init(transferAnswered: seed % 2 == 0, callbacks: seed % 3 != 0, selfService: seed % 3 != 1))
        let events = generator.generate(duration: .minutes(100))
        let configuration = EngineConfiguration(
            queues: Self.settings,
            windows: [RollingWindowSpec(name: "5m", length: .minutes(5)), RollingWindowSpec(name: "15m", length: .minutes(15))],
            calendar: CenterCalendar(intervalLength: .minutes(30)))
        let settingsByID = Dictionary(uniqueKeysWithValues: Self.settings.map { ($0.id, $0) })
        var engine = WallboardEngine(configuration: configuration)
        var random = SeededRandom(seed: seed &* 31)
        var checks = 0
        for (index, event) in events.enumerated() {
            #expect(engine.apply(event, now: event.timestamp) == .applied, "event \(event.id) \(event.type)")
            if random.chance(0.5) { engine.expire(now: event.timestamp) }
            guard random.chance(0.08) else { continue }
            let nextTime = index + 1 < events.count ? events[index + 1].timestamp : event.timestamp
            let now = event.timestamp.advanced(by: Millis(random.int(0...Int(nextTime.since(event.timestamp)))))
            let tables = engine.windowTables(now: now)
            // Only what the engine has seen: events after this one may share its timestamp.
            let reference = ReferenceModel(events: Array(events[...index]), settings: settingsByID)
            for name in tables.names {
                let windowStart = tables.starts[name]!.milliseconds
                for scope in ["center", "q1", "q2", "q3"] {
                    let key: ScopeKey = scope == "center" ? .center : .queue(scope)
                    let engineFigures = ReferenceModel.Figures(tables.byWindow[name]?[key] ?? WindowMetrics())
                    let expected = reference.figures(scope: scope, start: windowStart, now: now.milliseconds)
                    #expect(engineFigures == expected, "seed \(seed) window \(name) scope \(scope) at \(now)")
                    checks += 1
                }
            }
        }
        #expect(checks > 50)
    }

    static let scopes = [
        "center", "q1", "q2", "q3", "team:odd", "team:even", "channel:voice", "channel:chat", "segment:vip",
        "language:en", "language:fr",
    ]

    static func key(_ scope: String) -> ScopeKey {
        let parts = scope.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return scope == "center" ? .center : .queue(scope) }
        switch parts[0] {
        case "team": return .team(parts[1])
        case "channel": return .channel(parts[1])
        case "segment": return .segment(parts[1])
        default: return .language(parts[1])
        }
    }

    /// Every scope (team, channel, segment, language too), on streams without `contact.wrapup_done`
    /// (handling ends at the agent's next state), with transfers of answered contacts to queues and to
    /// agents, lost abandons and ends that the engine expires,
    /// answers arriving before their contact (held back within the reorder tolerance), and surveys of
    /// live, finished, expired and unknown contacts.
    @Test(arguments: [11, 12, 13, 14] as [UInt64])
    func everyScopeMatchesBruteForceOnUntidyStreams(seed: UInt64) {
        let start = RFC3339.parse("2026-03-28T23:10:00Z")!
        var generator = StreamGenerator(
            seed: seed, start: start,
            options: .init(
                wrapUpEvents: seed % 2 == 1, loseEvents: true, transferAnswered: true, surveys: true, callbacks: true,
                selfService: true))
        let events = generator.generate(duration: .minutes(100))
        var configuration = EngineConfiguration(
            queues: Self.settings,
            windows: [RollingWindowSpec(name: "5m", length: .minutes(5)), RollingWindowSpec(name: "15m", length: .minutes(15))],
            calendar: CenterCalendar(intervalLength: .minutes(30)))
        configuration.contactExpiry = .minutes(10)
        let settingsByID = Dictionary(uniqueKeysWithValues: Self.settings.map { ($0.id, $0) })
        var engine = WallboardEngine(configuration: configuration)
        var random = SeededRandom(seed: seed &* 31)
        // Some answers arrive just before their contact's `contact.queued` (within the reorder tolerance):
        // the engine holds them back, and the figures must be those of the stream in order.
        let arrival = Self.answersFirst(events, random: &random)
        var lastExpire: Instant?
        var now = events[0].timestamp
        var checks = 0
        var expiredSeen = 0
        var surveysSeen = 0
        var callbacksSeen = CallbackFigures()
        var selfServiceSeen: [String: SelfServiceCounts] = [:]
        var reordered = 0
        for (position, index) in arrival.enumerated() {
            let event = events[index]
            now = max(now, event.timestamp)
            let result = engine.apply(event, now: now)
            if case .held = result { reordered += 1 } else { #expect(result == .applied, "event \(event.id) \(event.type)") }
            if random.chance(0.5) {
                engine.expire(now: now)
                lastExpire = now
            }
            guard engine.counters.deferred == 0, random.chance(0.04) else { continue }
            let nextTime = position + 1 < arrival.count ? max(now, events[arrival[position + 1]].timestamp) : now
            let readAt = now.advanced(by: Millis(random.int(0...Int(nextTime.since(now)))))
            let tables = engine.windowTables(now: readAt)
            let seen = arrival[...position].sorted().map { events[$0] }
            var reference = ReferenceModel(events: seen, settings: settingsByID)
            reference.expiry = configuration.contactExpiry
            reference.lastExpire = lastExpire?.milliseconds
            for name in tables.names {
                let windowStart = tables.starts[name]!.milliseconds
                for scope in Self.scopes {
                    let engineFigures = ReferenceModel.Figures(tables.byWindow[name]?[Self.key(scope)] ?? WindowMetrics())
                    let expected = reference.figures(scope: scope, start: windowStart, now: readAt.milliseconds)
                    #expect(engineFigures == expected, "seed \(seed) window \(name) scope \(scope) at \(readAt)")
                    if name == WindowName.today, scope == "center" {
                        expiredSeen = expected.expired
                        surveysSeen = expected.csatCount + expected.cesCount + expected.resolvedAnswers
                        callbacksSeen = expected.callbacks
                        selfServiceSeen = expected.selfService
                    }
                    checks += 1
                }
            }
        }
        #expect(reordered > 0, "some answers arrived before their contact")
        let transfers = Self.answeredTransfers(events)
        #expect(transfers.toQueue > 0 && transfers.toAgent > 0, "answered contacts were transferred: \(transfers)")
        #expect(checks > 100)
        #expect(expiredSeen > 0, "the stream lost events: some contacts expired")
        #expect(surveysSeen > 0, "surveys were compared")
        #expect(
            callbacksSeen.connected > 0 && callbacksSeen.failed > 0 && callbacksSeen.expired > 0
                && callbacksSeen.connectedWithinThreshold > 0,
            "callbacks were compared: \(callbacksSeen)")
        #expect(
            selfServiceSeen.values.contains { $0.selfServed > 0 && $0.reachedQueue > 0 && $0.expired > 0 },
            "self-service was compared: \(selfServiceSeen)")
        let surveyed = Set(events.compactMap { if case .surveyCompleted(let s) = $0.body { s.contact } else { nil } })
        #expect(surveyed.contains { $0.hasPrefix("ghost") }, "some surveys name a contact the engine never saw")
    }

    /// How many transfers of an answered (connected or held) contact the stream has, to a queue and to an agent.
    static func answeredTransfers(_ events: [Event]) -> (toQueue: Int, toAgent: Int) {
        var answered: Set<String> = [], toQueue = 0, toAgent = 0
        for event in events {
            switch event.body {
            case .contactAnswered(let contact, _, _): answered.insert(contact)
            case .contactEnded(let contact), .contactAbandoned(let contact): answered.remove(contact)
            case .contactTransferred(let contact, let queue, _) where answered.contains(contact):
                if queue != nil {
                    toQueue += 1
                    answered.remove(contact)
                } else {
                    toAgent += 1
                }
            default: break
            }
        }
        return (toQueue, toAgent)
    }

    /// Event indices in arrival order: now and then a `contact.answered` moved just before its contact's
    /// `contact.queued` when it is stamped at most 2 s later and nothing in between names the
    /// contact or the agent (so only the order of arrival changes, not what happened).
    static func answersFirst(_ events: [Event], random: inout SeededRandom) -> [Int] {
        func names(_ body: EventBody) -> [String] {
            switch body {
            case .agentLogin(let login): return [login.agent]
            case .agentState(let agent, _, _), .agentLogout(let agent): return [agent]
            case .contactQueued(let queued): return [queued.contact]
            case .contactAnswered(let contact, let agent, _), .contactWrapupDone(let contact, let agent): return [contact, agent]
            case .contactAbandoned(let contact), .contactHeld(let contact), .contactResumed(let contact),
                .contactEnded(let contact):
                return [contact]
            case .contactTransferred(let contact, _, let agent): return [contact] + (agent.map { [$0] } ?? [])
            case .surveyCompleted(let survey): return [survey.contact]
            case .sourceSnapshot: return []
            case .contactCallbackRequested(let contact), .contactCallbackAttempted(let contact),
                .contactCallbackFailed(let contact, _), .contactEnteredSelfService(let contact, _),
                .contactSelfServed(let contact, _):
                return [contact]
            case .contactCallbackConnected(let contact, let agent): return [contact, agent]
            }
        }
        var order = Array(events.indices)
        var queuedAt: [String: Int] = [:]
        for (index, event) in events.enumerated() {
            if case .contactQueued(let queued) = event.body { queuedAt[queued.contact] = index }
            guard case .contactAnswered(let contact, let agent, _) = event.body, let queued = queuedAt[contact],
                event.timestamp.since(events[queued].timestamp) <= 2000, random.chance(0.5),
                !events[(queued + 1)..<index].contains(where: { names($0.body).contains(contact) || names($0.body).contains(agent) }),
                let from = order.firstIndex(of: index), let to = order.firstIndex(of: queued)
            else { continue }
            order.remove(at: from)
            order.insert(index, at: to)
        }
        return order
    }

    @Test func windowStartsFollowTheCalendar() {
        let engine = WallboardEngine(configuration: EngineConfiguration(calendar: CenterCalendar(intervalLength: .minutes(30))))
        let now = RFC3339.parse("2026-03-29T00:47:12.5Z")!
        let tables = engine.windowTables(now: now)
        #expect(tables.starts["today"] == RFC3339.parse("2026-03-29T00:00:00Z"))
        #expect(tables.starts["interval"] == RFC3339.parse("2026-03-29T00:30:00Z"))
        #expect(tables.starts["15m"] == RFC3339.parse("2026-03-29T00:32:12.5Z"))
    }
}
