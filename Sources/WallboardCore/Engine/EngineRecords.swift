/// An agent the engine knows is logged in.
public struct AgentRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var team: String?
    public var queues: [String]
    public var skills: [String: Int]
    public var languages: [String]
    public var state: AgentState
    public var reason: String?
    public var stateSince: Instant
    /// The live contacts the agent is talking to, holding or wrapping up, in the order they were
    /// answered (several on channels with a capacity above 1, see ``ContactCapacity``).
    public var contacts: [String]

    /// The most recently answered of ``contacts``.
    public var contact: String? { contacts.last }

    public init(
        id: String, name: String, team: String?, queues: [String], skills: [String: Int], languages: [String],
        state: AgentState, reason: String?, stateSince: Instant, contact: String?
    ) {
        self.init(
            id: id, name: name, team: team, queues: queues, skills: skills, languages: languages, state: state,
            reason: reason, stateSince: stateSince, contacts: contact.map { [$0] } ?? [])
    }

    public init(
        id: String, name: String, team: String?, queues: [String], skills: [String: Int], languages: [String],
        state: AgentState, reason: String?, stateSince: Instant, contacts: [String]
    ) {
        self.id = id
        self.name = name
        self.team = team
        self.queues = queues
        self.skills = skills
        self.languages = languages
        self.state = state
        self.reason = reason
        self.stateSince = stateSince
        self.contacts = contacts
    }
}

/// A contact that is waiting, ringing, being handled or wrapped up.
public struct LiveContact: Sendable, Equatable {
    public enum Phase: String, Sendable, Equatable {
        case waiting
        case connected
        case held
        case wrapUp = "wrap_up"
    }

    public var id: String
    public var queue: String
    public var channel: Channel
    public var customer: Customer?
    public var language: String?
    public var reason: String?
    public var priority: Int?
    public var phase: Phase
    /// When the contact entered its current queue.
    public var queuedAt: Instant
    public var answeredAt: Instant?
    public var agent: String?
    public var monitor: MonitorHandle?
    /// The team of the agent handling it, when known.
    public var team: String?
    /// The customer contacted the center before, within the configured repeat window.
    public var isRepeat = false
    /// Time on hold so far, and since when it is on hold now.
    public var holdTotal: Millis = 0
    public var heldSince: Instant?
    public var endedAt: Instant?
    /// Time its agent spent in `wrap_up` since the contact ended, and since when the agent is in
    /// `wrap_up` now (docs/metrics.md, "When handling ends").
    public var wrapUpTotal: Millis = 0
    public var wrapUpSince: Instant?
    /// The last event about the contact, when later than ``queuedAt`` (expiry counts from it).
    public var touchedAt: Instant?

    /// When an event last said something about the contact.
    public var lastActivity: Instant {
        [touchedAt, answeredAt, endedAt, heldSince].reduce(queuedAt) { max($0, $1 ?? $0) }
    }
}

/// A contact leaving a queue: what service-level windows count, by the moment it left.
public struct QueueDeparture: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case answered, abandoned
        case transferredOut = "transferred_out"
        /// Closed by the engine, not by an event: it never ended (lost event, restarted bridge) or a
        /// source's live state no longer has it (docs/metrics.md, "Expired contacts"). Counted only in
        /// ``WindowMetrics/expired``.
        case expired
    }

    public var contact: String
    public var queue: String
    public var channel: Channel
    public var outcome: Outcome
    public var leftAt: Instant
    /// How long it waited in this queue.
    public var wait: Millis
    public var customer: Customer? = nil
    public var language: String? = nil
    public var reason: String? = nil
    /// The agent who answered, and their team (answered only).
    public var agent: String? = nil
    public var team: String? = nil
    public var isRepeat = false

    public init(
        contact: String, queue: String, channel: Channel, outcome: Outcome, leftAt: Instant, wait: Millis,
        customer: Customer? = nil, language: String? = nil, reason: String? = nil, agent: String? = nil,
        team: String? = nil, isRepeat: Bool = false
    ) {
        self.contact = contact
        self.queue = queue
        self.channel = channel
        self.outcome = outcome
        self.leftAt = leftAt
        self.wait = wait
        self.customer = customer
        self.language = language
        self.reason = reason
        self.agent = agent
        self.team = team
        self.isRepeat = isRepeat
    }
}

/// A contact whose after-contact work ended: what handle-time figures count, by the moment wrap-up ended.
public struct HandledContact: Sendable, Equatable {
    public var contact: String
    public var queue: String
    public var agent: String
    public var finishedAt: Instant
    public var talk: Millis
    public var hold: Millis
    public var wrapUp: Millis
    public var channel: Channel = .voice
    public var team: String? = nil
    public var segment: String? = nil
    public var language: String? = nil

    /// Talk + hold + wrap-up.
    public var handleTime: Millis { talk + hold + wrapUp }
}

/// A `contact.transferred` event, counted by the moment it happened against the queue it left.
public struct TransferRecord: Sendable, Equatable {
    public var contact: String
    public var fromQueue: String
    public var channel: Channel
    public var team: String?
    public var at: Instant
}

/// A `survey.completed` event with what the engine knew of the contact it is about.
public struct SurveyRecord: Sendable, Equatable {
    public var survey: SurveyResult
    public var at: Instant
    /// The queue, channel and team of the surveyed contact, when the engine still knows it.
    public var queue: String?
    public var channel: Channel?
    public var team: String?
    public var segment: String?
    public var language: String?
}

/// A stretch of time an agent spent in one state; windows count the part that overlaps them.
public struct AgentStateSpan: Sendable, Equatable {
    public var agent: String
    public var team: String?
    public var queues: [String]
    public var state: AgentState
    public var from: Instant
    public var to: Instant

    /// Milliseconds of this span inside `[start, end]`.
    public func overlap(start: Instant, end: Instant) -> Millis {
        max(0, min(to, end).since(max(from, start)))
    }
}
