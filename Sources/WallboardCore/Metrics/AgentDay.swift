/// One agent's figures over a period (today, or a rolling window): what the supervisor console's agent
/// table shows (`docs/console.md`). Times in milliseconds; the ratios are `nil` when their denominator is 0.
public struct AgentFigures: Sendable, Equatable {
    /// Contacts whose wrap-up ended in the period, and their talk (hold excluded), hold and wrap-up time.
    public var handled = 0
    public var talk: Millis = 0
    public var hold: Millis = 0
    public var wrapUp: Millis = 0
    /// Time in each logged-in state inside the period (the current state up to `now` included); read with
    /// the subscript. Fields, not a dictionary: 10,000 agents keep one of these each.
    var available: Millis = 0
    var ringing: Millis = 0
    var onContact: Millis = 0
    var inWrapUp: Millis = 0
    var notReady: Millis = 0
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
    public var loggedIn: Millis { available.adding(ringing).adding(onContact).adding(inWrapUp).adding(notReady) }
    /// handling / (handling + available), as for queues (`docs/metrics.md`).
    public var occupancy: Double? {
        let base = handling.adding(self[.available])
        return base > 0 ? Double(handling) / Double(base) : nil
    }
    /// handling / logged-in time.
    public var utilization: Double? { loggedIn > 0 ? Double(handling) / Double(loggedIn) : nil }

    /// Time in `state` inside the period (`offline` is always 0).
    public internal(set) subscript(_ state: AgentState) -> Millis {
        get {
            switch state {
            case .available: return available
            case .ringing: return ringing
            case .onContact: return onContact
            case .wrapUp: return inWrapUp
            case .notReady: return notReady
            case .offline: return 0
            }
        }
        set {
            switch state {
            case .available: available = newValue
            case .ringing: ringing = newValue
            case .onContact: onContact = newValue
            case .wrapUp: inWrapUp = newValue
            case .notReady: notReady = newValue
            case .offline: break
            }
        }
    }

    /// The reason a not-ready stretch is filed under.
    static func reasonKey(_ reason: String?) -> String { reason.flatMap { $0.isEmpty ? nil : $0 } ?? "unspecified" }

    mutating func addState(_ state: AgentState, reason: String?, _ time: Millis) {
        guard time > 0, state != .offline else { return }
        self[state] = self[state].adding(time)
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
    /// One thing that happened to an agent, kept while a rolling window may need it: 24 bytes (durations in
    /// milliseconds, saturating at `UInt32.max`, 49 days; the reason and the team as indexes into the book's
    /// reasons and teams).
    struct Mark: Sendable, Equatable {
        enum Kind: UInt8, Sendable { case span, handled, ringNoAnswer, transfer }
        /// When it counts: the end of a span, the end of wrap-up, the ring's end, the transfer.
        var at: Instant
        /// A span's length; a handled contact's talk.
        var first: UInt32 = 0
        /// A handled contact's hold; a span's team: 1 + its index in ``AgentDayBook/teams``, 0 = no team
        /// (what prices the span's time in cost per contact, docs/metrics.md).
        var second: UInt32 = 0
        /// A handled contact's wrap-up.
        var third: UInt32 = 0
        /// 1 + the index of a not-ready span's reason in ``AgentDayBook/reasons``; 0 = none.
        var reason: UInt16 = 0
        var kind: Kind
        var state: AgentState = .offline

        /// A span's start.
        var from: Instant { at.advanced(by: -Millis(first)) }
    }

    /// Not-ready reasons seen, each kept once (marks refer to them by index). At most `UInt16.max - 1`;
    /// later new reasons are filed under ``AgentDayBook/otherReasons`` in the windows (today keeps them all).
    private(set) var reasons: [String] = []
    private var reasonIndex: [String: UInt16] = [:]
    /// The window figures' name for reasons past the table's limit.
    static let otherReasons = "other reasons"

    /// Teams agents were logged in under, each kept once (span marks and ``TeamTimes`` refer to them by
    /// index + 1; 0 is no team).
    private(set) var teams: [String] = []
    private var teamIndex: [String: UInt32] = [:]

    /// What is kept per agent.
    struct Entry: Sendable {
        var today = AgentFigures()
        /// Oldest first (appended in the order the engine applied them).
        var marks: [Mark] = []
        /// Today's closed logged-in time (``AgentFigures/loggedIn`` of ``today``) by the team it was under.
        var todayTeams = TeamTimes()
    }

    /// Logged-in time by team code (see ``AgentDayBook/teams``), without an allocation while all of it was
    /// under one team (the usual day).
    struct TeamTimes: Sendable, Equatable {
        struct Time: Sendable, Equatable {
            var team: UInt32
            var time: Millis
        }
        /// The team of all the time while ``split`` is empty.
        var only: UInt32 = 0
        /// Time per team, once time under a second team came.
        var split: [Time] = []

        /// Adds `time` under `team`, `total` being the time held before it.
        mutating func add(_ time: Millis, team: UInt32, total: Millis) {
            guard time > 0 else { return }
            if split.isEmpty {
                if total <= 0 || team == only {
                    only = team
                    return
                }
                split = [Time(team: only, time: total)]
            }
            if let index = split.firstIndex(where: { $0.team == team }) {
                split[index].time = split[index].time.adding(time)
            } else {
                split.append(Time(team: team, time: time))
            }
        }

        /// Time per team, `total` being all of it.
        func times(total: Millis) -> [Time] {
            guard split.isEmpty else { return split }
            return total > 0 ? [Time(team: only, time: total)] : []
        }
    }

    /// The start of the day `today` counts from (`nil` before the first mark).
    public private(set) var dayStart: Instant?
    private(set) var entries: [String: Entry] = [:]
    /// How long marks are kept: the longest rolling window (plus the engine's rewind allowance).
    public var keep: Millis
    /// The last ``prune(now:)`` that scanned every agent.
    private(set) var prunedAt: Instant?

    public init(keep: Millis = .minutes(65)) {
        self.keep = keep
    }

    /// A book as a checkpoint stored it (AgentDay+Checkpoint.swift).
    init(
        dayStart: Instant?, prunedAt: Instant?, entries: [String: Entry], reasons: [String], teams: [String] = [], keep: Millis
    ) {
        self.dayStart = dayStart
        self.prunedAt = prunedAt
        self.entries = entries
        self.keep = keep
        self.reasons = reasons
        for (index, reason) in reasons.enumerated() { reasonIndex[reason] = UInt16(index + 1) }
        self.teams = teams
        for (index, team) in teams.enumerated() { teamIndex[team] = UInt32(index + 1) }
    }

    /// Agents with figures today (logged in now or earlier today).
    public var agentIDs: [String] { Array(entries.keys) }
    /// Marks kept over all agents (tests, memory figures).
    public var markCount: Int { entries.values.reduce(0) { $0 + $1.marks.count } }

    // MARK: Recording

    /// `agent` left `state` (held since `from`, logged in under `team`) at `to`, for `next` (`nil`: logged
    /// out). A ringing stretch that ends in anything but a contact is a ring-no-answer. `dayStart` is the
    /// start of `to`'s day.
    public mutating func left(
        _ agent: String, state: AgentState, reason: String?, team: String? = nil, from: Instant, to: Instant,
        next: AgentState?, dayStart: Instant
    ) {
        roll(to: dayStart)
        let today = self.dayStart ?? dayStart
        let keep = self.keep
        let reasonID = state == .notReady ? intern(reason) : 0
        let teamID = intern(team: team)
        // In place (`default:` subscript), one lookup: a copy of the entry would copy its marks on every
        // append, and each access by name hashed the agent's id again (issue 14).
        Self.update(&entries[agent, default: Entry()]) { entry in
            Self.addToday(state, reason: reason, team: teamID, max(0, to.since(max(from, today))), to: &entry)
            Self.append(
                Mark(at: to, first: Self.clamp(max(0, to.since(from))), second: teamID, reason: reasonID, kind: .span, state: state),
                to: &entry, keep: keep)
            if state == .ringing && next != .onContact {
                if to >= today { entry.today.ringNoAnswer += 1 }
                Self.append(Mark(at: to, kind: .ringNoAnswer), to: &entry, keep: keep)
            }
        }
    }

    /// `agent` finished a contact (wrap-up ended at `at`).
    public mutating func handled(_ agent: String, talk: Millis, hold: Millis, wrapUp: Millis, at: Instant, dayStart: Instant) {
        roll(to: dayStart)
        let keep = self.keep
        let counts = at >= self.dayStart ?? at
        Self.update(&entries[agent, default: Entry()]) { entry in
            if counts { entry.today.addHandled(talk: talk, hold: hold, wrapUp: wrapUp) }
            Self.append(
                Mark(at: at, first: Self.clamp(talk), second: Self.clamp(hold), third: Self.clamp(wrapUp), kind: .handled),
                to: &entry, keep: keep)
        }
    }

    /// A contact `agent` was handling was transferred at `at`.
    public mutating func transferred(_ agent: String, at: Instant, dayStart: Instant) {
        roll(to: dayStart)
        let keep = self.keep
        let counts = at >= self.dayStart ?? at
        Self.update(&entries[agent, default: Entry()]) { entry in
            if counts { entry.today.transfers += 1 }
            Self.append(Mark(at: at, kind: .transfer), to: &entry, keep: keep)
        }
    }

    /// Runs `body` on `entry` in place (the dictionary's `default:` subscript looked up once).
    @inline(__always)
    private static func update(_ entry: inout Entry, _ body: (inout Entry) -> Void) { body(&entry) }

    /// Adds a closed stretch's time today to the entry's figures and to its team's share.
    private static func addToday(_ state: AgentState, reason: String?, team: UInt32, _ time: Millis, to entry: inout Entry) {
        guard state != .offline else { return }
        entry.todayTeams.add(time, team: team, total: entry.today.loggedIn)
        entry.today.addState(state, reason: reason, time)
    }

    /// The team's index + 1 in ``teams`` (0 for none, or past `UInt32.max - 1` teams).
    mutating func intern(team: String?) -> UInt32 {
        guard let team else { return 0 }
        if let id = teamIndex[team] { return id }
        guard teams.count < Int(UInt32.max) - 1 else { return 0 }
        teams.append(team)
        let id = UInt32(teams.count)
        teamIndex[team] = id
        return id
    }

    /// The team a code stands for (nil: none).
    func team(code: UInt32) -> String? {
        code == 0 || Int(code) > teams.count ? nil : teams[Int(code) - 1]
    }

    /// A duration as a mark stores it (saturating).
    static func clamp(_ time: Millis) -> UInt32 { UInt32(clamping: max(0, time)) }

    /// The reason's index + 1 in ``reasons`` (0 for none, or when the table is full).
    mutating func intern(_ reason: String?) -> UInt16 {
        let key = AgentFigures.reasonKey(reason)
        if let id = reasonIndex[key] { return id }
        guard reasons.count < Int(UInt16.max) - 1 else { return UInt16.max }
        reasons.append(key)
        let id = UInt16(reasons.count)
        reasonIndex[key] = id
        return id
    }

    /// The reason a mark refers to.
    func reason(of mark: Mark) -> String? {
        switch mark.reason {
        case 0: return nil
        case UInt16.max: return Self.otherReasons
        default: return reasons[Int(mark.reason) - 1]
        }
    }

    /// Forgets marks no window needs any more, over every agent at most once per ``sweepInterval`` (each
    /// agent's own old marks also go whenever it gets a new one), and starts a new day at `dayStart`.
    public mutating func prune(now: Instant, dayStart: Instant) {
        roll(to: dayStart)
        if let prunedAt, now.since(prunedAt) < sweepInterval, now >= prunedAt { return }
        prunedAt = now
        let horizon = now.advanced(by: -keep)
        // In place, by index: reading each entry through `values` borrows it, where iterating the
        // dictionary's elements copied every entry (its arrays retained and released) on every sweep.
        var index = entries.values.startIndex
        while index != entries.values.endIndex {
            if let first = entries.values[index].marks.first, first.at < horizon {
                entries.values[index].marks.removeAll { $0.at < horizon }
            }
            entries.values.formIndex(after: &index)
        }
    }

    /// How often ``prune(now:dayStart:)`` looks at every agent: a quarter of ``keep``, at least a minute. A
    /// mark outlives ``keep`` by at most this much; a sweep per minute of event time was 14 % of a 10,000-agent
    /// replay's CPU, whose day passes in seconds (issue 14).
    var sweepInterval: Millis { max(.seconds(60), keep / 4) }

    /// Appends `mark`, first dropping the entry's marks older than `keep` before it.
    private static func append(_ mark: Mark, to entry: inout Entry, keep: Millis) {
        let horizon = mark.at.advanced(by: -keep)
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
            entries[agent]?.todayTeams = TeamTimes()
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
                    figures.addState(mark.state, reason: reason(of: mark), overlap)
                case .handled:
                    figures.addHandled(talk: Millis(mark.first), hold: Millis(mark.second), wrapUp: Millis(mark.third))
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
