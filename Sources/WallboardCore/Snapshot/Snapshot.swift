/// The whole current state of the center at one instant, as boards and the REST API see it.
/// See `docs/snapshot.md` for its JSON form.
public struct Snapshot: Sendable, Equatable {
    /// Agent counts by state for one scope.
    public struct AgentCounts: Sendable, Equatable {
        public var loggedIn = 0
        public var available = 0
        public var ringing = 0
        public var onContact = 0
        public var wrapUp = 0
        public var notReady = 0
        public var notReadyReasons: [String: Int] = [:]

        mutating func count(_ agent: AgentRecord) {
            loggedIn += 1
            switch agent.state {
            case .available: available += 1
            case .ringing: ringing += 1
            case .onContact: onContact += 1
            case .wrapUp: wrapUp += 1
            case .notReady:
                notReady += 1
                notReadyReasons[agent.reason ?? "unspecified", default: 0] += 1
            case .offline: loggedIn -= 1
            }
        }
    }

    /// Live values and window figures for one scope.
    public struct ScopeFigures: Sendable, Equatable {
        public var waitingNow = 0
        public var oldestQueuedAt: Instant?
        /// Callbacks requested and not yet connected, failed or expired (queues, channels and the center).
        public var callbacksPending = 0
        /// When the oldest of them was requested.
        public var oldestCallbackRequestedAt: Instant?
        public var agents = AgentCounts()
        /// Window name → figures.
        public var windows: [String: WindowMetrics] = [:]
        /// Window name → cost figures, when the configuration has `costs:` (``CostSheet``).
        public var costs: [String: CostFigures] = [:]
        /// Where today is projected to close (the center and queues; Metrics/CloseProjection.swift).
        public var projection: CloseProjection?
        /// Agents logged in and not "not ready" (available, ringing, on a contact, wrapping up).
        public var staffed: Int { agents.loggedIn - agents.notReady }

        /// Longest current wait at `now`, in milliseconds (0 with nobody waiting).
        public func longestWait(at now: Instant) -> Millis {
            oldestQueuedAt.map { max(0, now.since($0)) } ?? 0
        }
    }

    /// One queue's settings and figures.
    public struct QueueEntry: Sendable, Equatable {
        public var settings: QueueSettings
        public var figures: ScopeFigures
    }

    /// A team's, channel's, segment's or language's figures.
    public struct GroupEntry: Sendable, Equatable {
        public var id: String
        public var figures: ScopeFigures
    }

    /// One event source's health, as shown on the board and `/healthz`.
    public struct SourceStatus: Sendable, Equatable {
        public var name: String
        public var kind: String
        /// e.g. "running", "connected", "connecting", "down".
        public var state: String
        public var detail: String?

        public init(name: String, kind: String, state: String, detail: String? = nil) {
            self.name = name
            self.kind = kind
            self.state = state
            self.detail = detail
        }
    }

    public var generatedAt: Instant
    public var primaryWindow: String
    public var windowNames: [String]
    public var sources: [SourceStatus]
    public var center: ScopeFigures
    public var queues: [QueueEntry]
    /// Teams of logged-in agents or of agents who appear in the windows, in the order events named them.
    public var teams: [GroupEntry] = []
    /// Channels with contacts waiting now or in any window, in ``Channel`` order.
    public var channels: [GroupEntry] = []
    /// Customer segments (e.g. "vip") and languages seen in the windows, sorted by id.
    public var segments: [GroupEntry] = []
    public var languages: [GroupEntry] = []
    /// Window name → its length at `generatedAt` (rolling: fixed; interval and today: time since their start).
    public var windowLengths: [String: Millis] = [:]
    /// Window name → its start.
    public var windowStarts: [String: Instant] = [:]
    /// Contacts waiting now, longest wait first.
    public var waiting: [LiveContact] = []
    /// Today's abandoned contacts for call-backs, most recent first: the newest
    /// ``abandonedListPerQueue`` of each queue, so the snapshot stays the same size all day.
    public var abandonedToday: [AbandonedContact] = []
    /// How many contacts each queue lost today (the list above shows the newest of them).
    public var abandonedTodayCounts: [String: Int] = [:]
    /// How many of each queue's abandoned contacts the snapshot lists. A day's whole list made every
    /// board frame grow until midnight (2 MB of a 2.3 MB snapshot after minutes of a busy soak).
    public static let abandonedListPerQueue = 25
    /// Queue groups' roll-ups (config `queue_groups:`), in config order (``QueueGroupRollup``).
    public var queueGroups: [QueueGroupEntry] = []
    /// Logged-in agents sorted by id.
    public var agents: [AgentRecord]
    /// Live contacts keyed by id (for the agents' current contacts).
    public var contacts: [String: LiveContact]
    /// Agent id → the contacts it holds per channel and its capacity there (agents holding any).
    public var loads: [String: [AgentLoad]] = [:]
    /// The configured costs (`costs:`), when there are any: currency and decimals of the cost figures.
    public var costs: CostConfiguration?
}

/// How many live contacts of one channel an agent holds, and how many it may hold at once.
public struct AgentLoad: Sendable, Equatable {
    public var channel: Channel
    /// Connected, on hold or in wrap-up.
    public var live: Int
    public var capacity: Int

    public init(channel: Channel, live: Int, capacity: Int) {
        self.channel = channel
        self.live = live
        self.capacity = capacity
    }
}
