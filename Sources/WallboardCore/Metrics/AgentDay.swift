/// One agent's figures over a period (today, or a rolling window): what the supervisor console's agent
/// table shows (`docs/console.md`). Times in milliseconds; the ratios are `nil` when their denominator is 0.
public struct AgentFigures: Sendable, Equatable {
    /// Contacts whose wrap-up ended in the period, and their talk (hold excluded), hold and wrap-up time.
    public var handled = 0
    public var talk: Millis = 0
    public var hold: Millis = 0
    public var wrapUp: Millis = 0
    /// Time in each state inside the period (the current state up to `now` included).
    public var stateTime: [AgentState: Millis] = [:]
    /// Not-ready time by reason (`unspecified` without one).
    public var notReadyByReason: [String: Millis] = [:]
    /// Times a ringing agent did not answer (ringing ended in anything but a contact).
    public var ringNoAnswer = 0
    /// `contact.transferred` events of contacts this agent was handling.
    public var transfers = 0

    public init() {}

    /// (talk + hold + wrap-up) / handled, in milliseconds.
    public var averageHandleTime: Double? { handled > 0 ? Double(talk.adding(hold).adding(wrapUp)) / Double(handled) : nil }
    /// Time on a contact or in wrap-up.
    public var handling: Millis { self[.onContact].adding(self[.wrapUp]) }
    /// Every logged-in state.
    public var loggedIn: Millis { stateTime.values.reduce(0) { $0.adding($1) } }
    /// handling / (handling + available), as for queues (`docs/metrics.md`).
    public var occupancy: Double? {
        let base = handling.adding(self[.available])
        return base > 0 ? Double(handling) / Double(base) : nil
    }
    /// handling / logged-in time.
    public var utilization: Double? { loggedIn > 0 ? Double(handling) / Double(loggedIn) : nil }

    /// Time in `state` inside the period.
    public subscript(_ state: AgentState) -> Millis { stateTime[state] ?? 0 }

    /// The reason a not-ready stretch is filed under.
    static func reasonKey(_ reason: String?) -> String { reason.flatMap { $0.isEmpty ? nil : $0 } ?? "unspecified" }

    mutating func addState(_ state: AgentState, reason: String?, _ time: Millis) {
        guard time > 0, state != .offline else { return }
        stateTime[state] = self[state].adding(time)
        if state == .notReady {
            let key = Self.reasonKey(reason)
            notReadyByReason[key] = (notReadyByReason[key] ?? 0).adding(time)
        }
    }

    mutating func addHandled(talk: Millis, hold: Millis, wrapUp: Millis) {
        handled += 1
        self.talk = self.talk.adding(talk)
        self.hold = self.hold.adding(hold)
        self.wrapUp = self.wrapUp.adding(wrapUp)
    }
}

/// Each agent's day, kept compact so 10,000 agents cost little (`docs/benchmarks.md`): per agent, today's
/// running ``AgentFigures`` and the marks of the last ``keep`` milliseconds (closed state stretches, handled
/// contacts, ring-no-answers, transfers) from which the rolling windows are summed only when asked
/// (``figures(of:now:windows:)``). Fed by the engine's transitions; pure, no clock.
public struct AgentDayBook: Sendable {
    /// One thing that happened to an agent, kept while a rolling window may need it.
    struct Mark: Sendable, Equatable {
        enum Kind: UInt8, Sendable { case span, handled, ringNoAnswer, transfer }
        var kind: Kind
        /// When it counts: the end of a span, the end of wrap-up, the ring's end, the transfer.
        var at: Instant
        /// A span's start.
        var from: Instant
        var state: AgentState = .offline
        var reason: String?
        var talk: Millis = 0
        var hold: Millis = 0
        var wrapUp: Millis = 0
    }

    /// What is kept per agent.
    struct Entry: Sendable {
        var today = AgentFigures()
        /// Oldest first (appended in the order the engine applied them).
        var marks: [Mark] = []
    }

    /// The start of the day `today` counts from (`nil` before the first mark).
    public private(set) var dayStart: Instant?
    private var entries: [String: Entry] = [:]
    /// How long marks are kept: the longest rolling window (plus the engine's rewind allowance).
    public var keep: Millis
    /// The last ``prune(now:)`` that scanned every agent.
    private var prunedAt: Instant?

    public init(keep: Millis = .minutes(65)) {
        self.keep = keep
    }

    /// Agents with figures today (logged in now or earlier today).
    public var agentIDs: [String] { Array(entries.keys) }
    /// Marks kept over all agents (tests, memory figures).
    public var markCount: Int { entries.values.reduce(0) { $0 + $1.marks.count } }

    // MARK: Recording

    /// `agent` left `state` (held since `from`) at `to`, for `next` (`nil`: logged out). A ringing stretch
    /// that ends in anything but a contact is a ring-no-answer. `dayStart` is the start of `to`'s day.
    public mutating func left(
        _ agent: String, state: AgentState, reason: String?, from: Instant, to: Instant, next: AgentState?, dayStart: Instant
    ) {
        roll(to: dayStart)
        let counted = max(0, to.since(max(from, self.dayStart ?? from)))
        var entry = entries[agent] ?? Entry()
        entry.today.addState(state, reason: reason, counted)
        append(Mark(kind: .span, at: to, from: from, state: state, reason: reason), to: &entry, now: to)
        if state == .ringing && next != .onContact {
            if to >= self.dayStart ?? to { entry.today.ringNoAnswer += 1 }
            append(Mark(kind: .ringNoAnswer, at: to, from: to), to: &entry, now: to)
        }
        entries[agent] = entry
    }

    /// `agent` finished a contact (wrap-up ended at `at`).
    public mutating func handled(_ agent: String, talk: Millis, hold: Millis, wrapUp: Millis, at: Instant, dayStart: Instant) {
        roll(to: dayStart)
        var entry = entries[agent] ?? Entry()
        if at >= self.dayStart ?? at { entry.today.addHandled(talk: talk, hold: hold, wrapUp: wrapUp) }
        append(Mark(kind: .handled, at: at, from: at, talk: talk, hold: hold, wrapUp: wrapUp), to: &entry, now: at)
        entries[agent] = entry
    }

    /// A contact `agent` was handling was transferred at `at`.
    public mutating func transferred(_ agent: String, at: Instant, dayStart: Instant) {
        roll(to: dayStart)
        var entry = entries[agent] ?? Entry()
        if at >= self.dayStart ?? at { entry.today.transfers += 1 }
        append(Mark(kind: .transfer, at: at, from: at), to: &entry, now: at)
        entries[agent] = entry
    }

    /// Forgets marks no window needs any more, at most once a minute over every agent (each agent's own
    /// old marks also go whenever it gets a new one), and starts a new day at `dayStart`.
    public mutating func prune(now: Instant, dayStart: Instant) {
        roll(to: dayStart)
        if let prunedAt, now.since(prunedAt) < .seconds(60), now >= prunedAt { return }
        prunedAt = now
        let horizon = now.advanced(by: -keep)
        for (agent, entry) in entries where entry.marks.first.map({ $0.at < horizon }) == true {
            entries[agent]?.marks.removeAll { $0.at < horizon }
        }
    }

    private mutating func append(_ mark: Mark, to entry: inout Entry, now: Instant) {
        let horizon = now.advanced(by: -keep)
        if let first = entry.marks.first, first.at < horizon { entry.marks.removeAll { $0.at < horizon } }
        entry.marks.append(mark)
    }

    /// A later day starts: today's figures begin again (marks stay for the rolling windows).
    private mutating func roll(to start: Instant) {
        guard let current = dayStart else {
            dayStart = start
            return
        }
        guard start > current else { return }
        dayStart = start
        for agent in Array(entries.keys) {
            entries[agent]?.today = AgentFigures()
            if entries[agent]?.marks.isEmpty == true { entries[agent] = nil }
        }
    }

    // MARK: Reading

    /// `agent`'s figures for today and each window `(name, length)` ending at `now`; `current` is the agent's
    /// record when logged in (its current state counts up to `now`).
    public func figures(
        of agent: String, current: AgentRecord?, now: Instant, windows: [(name: String, length: Millis)]
    ) -> (today: AgentFigures, windows: [String: AgentFigures]) {
        let entry = entries[agent] ?? Entry()
        var today = entry.today
        if let current, let dayStart {
            today.addState(current.state, reason: current.reason, max(0, now.since(max(current.stateSince, dayStart))))
        } else if let current {
            today.addState(current.state, reason: current.reason, max(0, now.since(current.stateSince)))
        }
        var byWindow: [String: AgentFigures] = [:]
        for window in windows {
            let start = now.advanced(by: -window.length)
            var figures = AgentFigures()
            for mark in entry.marks where mark.at >= start && mark.at <= now || mark.kind == .span && mark.at >= start {
                switch mark.kind {
                case .span:
                    let overlap = max(0, min(mark.at, now).since(max(mark.from, start)))
                    figures.addState(mark.state, reason: mark.reason, overlap)
                case .handled:
                    figures.addHandled(talk: mark.talk, hold: mark.hold, wrapUp: mark.wrapUp)
                case .ringNoAnswer:
                    figures.ringNoAnswer += 1
                case .transfer:
                    figures.transfers += 1
                }
            }
            if let current {
                figures.addState(current.state, reason: current.reason, max(0, now.since(max(current.stateSince, start))))
            }
            byWindow[window.name] = figures
        }
        return (today, byWindow)
    }
}

extension Millis {
    /// `self + other`, saturating at the bounds (times come from events).
    func adding(_ other: Millis) -> Millis {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}

extension WallboardEngine {
    /// Each agent ever seen today (logged in now, or with figures from earlier today), sorted by id, with
    /// today's figures and the rolling windows' at `now`: computed here, on request, from ``agentDays``.
    public func agentDay(now: Instant) -> [(id: String, record: AgentRecord?, today: AgentFigures, windows: [String: AgentFigures])] {
        let windows = configuration.windows.map { (name: $0.name, length: $0.length) }
        let ids = Set(agents.keys).union(agentDays.agentIDs).sorted()
        return ids.map { id in
            let record = agents[id]
            let (today, byWindow) = agentDays.figures(of: id, current: record, now: now, windows: windows)
            return (id, record, today, byWindow)
        }
    }

    /// Keeps ``agentDays``' marks for the longest window and starts its new day (from ``expire(now:)``).
    mutating func advanceAgentDays(now: Instant, dayStart: Instant) {
        agentDays.keep = configuration.longestWindow.adding(MetricsHistory.rewindAllowance)
        agentDays.prune(now: now, dayStart: dayStart)
    }

    /// Records that `record`'s agent left its state at `at` for `next` (`nil`: logged out).
    mutating func noteAgentLeft(_ record: AgentRecord, next: AgentState?, at: Instant) {
        agentDays.left(
            record.id, state: record.state, reason: record.reason, from: record.stateSince, to: at, next: next,
            dayStart: configuration.calendar.startOfDay(containing: at))
    }
}
