/// How a queue's service level is judged.
public struct QueueSettings: Sendable, Equatable {
    /// How abandoned contacts count in the service level (Cisco's ServiceLevelType 1/2/3).
    public enum AbandonTreatment: String, Sendable, Equatable, CaseIterable {
        /// answered within T / answered.
        case ignore
        /// answered within T / (answered + abandoned). The default.
        case negative
        /// (answered within T + abandoned within T) / (answered + abandoned).
        case positive
    }

    public var id: String
    /// The name shown on the board.
    public var name: String
    /// Answered within this many milliseconds counts as within the service level (wait ≤ T).
    public var threshold: Millis
    /// The service-level target as a fraction, e.g. 0.8.
    public var target: Double
    /// Abandons with a wait shorter than this are short abandons, excluded everywhere (0 disables).
    public var shortAbandon: Millis
    public var abandonTreatment: AbandonTreatment
    /// A callback connected within this long of its request counts as within the callback service level
    /// (docs/metrics.md, "Callbacks").
    public var callbackThreshold: Millis
    /// The queue's close (local time of day, ms after midnight) for the projected close; nil: the
    /// center's ``EngineConfiguration/projectionClose`` (docs/metrics.md, "Projected close").
    public var close: Millis? = nil

    /// The default ``callbackThreshold``: one hour.
    public static let defaultCallbackThreshold: Millis = .minutes(60)

    public init(
        id: String, name: String? = nil, threshold: Millis = .seconds(30), target: Double = 0.8,
        shortAbandon: Millis = .seconds(5), abandonTreatment: AbandonTreatment = .negative,
        callbackThreshold: Millis = QueueSettings.defaultCallbackThreshold
    ) {
        self.callbackThreshold = callbackThreshold
        self.id = id
        self.name = name ?? id
        self.threshold = threshold
        self.target = target
        self.shortAbandon = shortAbandon
        self.abandonTreatment = abandonTreatment
    }
}

/// What the engine needs to know that events do not say.
public struct EngineConfiguration: Sendable, Equatable {
    /// Queues in display order. Queues that events name but this list does not get default settings.
    public var queues: [QueueSettings]
    /// The rolling windows, by name, and their lengths.
    public var windows: [RollingWindowSpec]
    /// The window a board shows when it has room for one.
    public var primaryWindow: String
    /// An event stamped further than this in the future is clamped to `now` and counted.
    public var futureTolerance: Millis
    /// An event stamped further than this before `now` is rejected (`too_old`): a clock set to 1970,
    /// a replayed old file sent to a live daemon. Replays run with `now` at the events' own time.
    public var pastTolerance: Millis = .minutes(36 * 60)
    /// The center's time zone, when "today" starts and how long the clock-aligned interval is.
    public var calendar: CenterCalendar
    /// A contact from a customer whose previous contact was queued at most this long before counts as a repeat.
    public var repeatWindow: Millis
    /// How long an event that refers to a contact or agent the engine does not know yet is held back,
    /// waiting for the event that should have come first (e.g. `contact.answered` before `contact.queued`).
    public var reorderTolerance: Millis
    /// How many contacts of each channel an agent may hold at once (1 unless configured).
    public var capacity = ContactCapacity()
    /// A waiting contact queued longer ago than this, or another live contact with no event about it
    /// for this long, is closed as expired (docs/metrics.md, "Expired contacts"); 0 disables.
    public var contactExpiry: Millis = .minutes(4 * 60)
    /// Queue groups boards show together, each with a roll-up in the snapshot (config `queue_groups:`).
    public var queueGroups: [QueueGroup] = []
    /// What running the center costs (config `costs:`); nil: no cost figures.
    public var costs: CostConfiguration?
    /// When the business day ends for the projected close (local time of day, ms after midnight; config
    /// `projection: close:`); nil: the end of the pattern day's last busy interval (docs/metrics.md, "Projected close").
    public var projectionClose: Millis?

    public init(
        queues: [QueueSettings] = [],
        windows: [RollingWindowSpec] = RollingWindowSpec.defaults,
        primaryWindow: String = "15m",
        futureTolerance: Millis = .seconds(5),
        calendar: CenterCalendar = CenterCalendar(),
        repeatWindow: Millis = .minutes(24 * 60),
        reorderTolerance: Millis = .seconds(2)
    ) {
        self.queues = queues
        self.windows = windows
        self.primaryWindow = primaryWindow
        self.futureTolerance = futureTolerance
        self.calendar = calendar
        self.repeatWindow = repeatWindow
        self.reorderTolerance = reorderTolerance
    }

    /// Names of every window the engine reports: the rolling ones, then "interval" and "today".
    public var windowNames: [String] { windows.map(\.name) + [WindowName.interval, WindowName.today] }

    /// The longest stretch of history a rolling window or the interval needs.
    var longestWindow: Millis { max(windows.map(\.length).max() ?? 0, calendar.intervalLength) }

    /// The settings for `queue`: configured ones, else the defaults.
    public func settings(for queue: String) -> QueueSettings {
        queues.first(where: { $0.id == queue }) ?? QueueSettings(id: queue)
    }
}

/// Names of the windows that are not rolling.
public enum WindowName {
    /// The current clock-aligned interval (e.g. this half hour), from its start to now.
    public static let interval = "interval"
    /// The business day from the configured day start in the center's time zone to now.
    public static let today = "today"
}

/// A rolling window: the last `length` milliseconds before `now`.
public struct RollingWindowSpec: Sendable, Equatable {
    public var name: String
    public var length: Millis

    public init(name: String, length: Millis) {
        self.name = name
        self.length = length
    }

    /// 5, 15, 30 and 60 minutes.
    public static let defaults = [
        RollingWindowSpec(name: "5m", length: .minutes(5)), RollingWindowSpec(name: "15m", length: .minutes(15)),
        RollingWindowSpec(name: "30m", length: .minutes(30)), RollingWindowSpec(name: "60m", length: .minutes(60)),
    ]
}

/// How many live contacts of one channel an agent may hold at once: chat, messaging and e-mail agents
/// hold several. The most specific setting wins: the agent's, then the team's, then the channel's, else 1.
/// See docs/metrics.md, "Concurrent contacts", for how Amazon Connect and Genesys Cloud map onto it.
public struct ContactCapacity: Sendable, Equatable {
    /// Channel → capacity for every agent.
    public var channels: [Channel: Int]
    /// Team id → channel → capacity for the team's agents.
    public var teams: [String: [Channel: Int]]
    /// Agent id → channel → capacity for that agent.
    public var agents: [String: [Channel: Int]]

    public init(
        channels: [Channel: Int] = [:], teams: [String: [Channel: Int]] = [:], agents: [String: [Channel: Int]] = [:]
    ) {
        self.channels = channels
        self.teams = teams
        self.agents = agents
    }

    /// The capacity of `agent` (of `team`) on `channel`, at least 1.
    public func limit(agent: String, team: String?, channel: Channel) -> Int {
        let value = agents[agent]?[channel] ?? team.flatMap { teams[$0]?[channel] } ?? channels[channel] ?? 1
        return max(1, value)
    }
}
