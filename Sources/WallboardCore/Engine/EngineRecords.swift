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
    /// The contact the agent is ringing for, talking to or wrapping up.
    public var contact: String?
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
    /// Time on hold so far, and since when it is on hold now.
    public var holdTotal: Millis = 0
    public var heldSince: Instant?
    public var endedAt: Instant?
}

/// A contact leaving a queue: what service-level windows count, by the moment it left.
public struct QueueDeparture: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case answered, abandoned
        case transferredOut = "transferred_out"
    }

    public var contact: String
    public var queue: String
    public var channel: Channel
    public var outcome: Outcome
    public var leftAt: Instant
    /// How long it waited in this queue.
    public var wait: Millis
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

    /// Talk + hold + wrap-up.
    public var handleTime: Millis { talk + hold + wrapUp }
}
