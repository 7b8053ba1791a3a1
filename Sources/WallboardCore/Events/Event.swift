/// One canonical event, as every source (simulator, HTTP/NDJSON ingest, Asterisk AMI, Redis) delivers it.
///
/// See `docs/events.md` for the wire format. `id` makes delivery idempotent: the engine ignores an id
/// it has already applied.
public struct Event: Sendable, Equatable {
    /// Unique id of the event at its source.
    public var id: String
    /// When it happened at the source.
    public var timestamp: Instant
    /// What happened.
    public var body: EventBody

    public init(id: String, timestamp: Instant, body: EventBody) {
        self.id = id
        self.timestamp = timestamp
        self.body = body
    }

    /// The wire name of the event's type (`agent.login`, `contact.queued`, ...).
    public var type: String { body.typeName }
}

/// What an event says happened.
public enum EventBody: Sendable, Equatable {
    case agentLogin(AgentLogin)
    case agentState(agent: String, state: AgentState, reason: String?)
    case agentLogout(agent: String)
    case contactQueued(ContactQueued)
    case contactAnswered(contact: String, agent: String, monitor: MonitorHandle?)
    case contactAbandoned(contact: String)
    case contactTransferred(contact: String, toQueue: String?, toAgent: String?)
    case contactHeld(contact: String)
    case contactResumed(contact: String)
    case contactEnded(contact: String)
    case contactWrapupDone(contact: String, agent: String)
    case surveyCompleted(SurveyResult)
    /// A source's live state for the queues it covers (see ``SourceSnapshot``).
    case sourceSnapshot(SourceSnapshot)
    /// A waiting caller chose to be called back instead of waiting: it leaves the queue's waiting list,
    /// keeps its queue, and is neither abandoned nor answered (docs/metrics.md, "Callbacks").
    case contactCallbackRequested(contact: String)
    /// The center dials the customer of a requested callback, or of an abandoned contact of today.
    case contactCallbackAttempted(contact: String)
    /// The customer of a callback is connected to `agent`.
    case contactCallbackConnected(contact: String, agent: String)
    /// The callback is given up (no answer after every attempt, cancelled, ...).
    case contactCallbackFailed(contact: String, reason: String?)
    /// A contact starts in self-service (an IVR, a chatbot, a help page) at `entryPoint`.
    case contactEnteredSelfService(contact: String, entryPoint: String)
    /// A contact in self-service ended there without reaching a queue (docs/metrics.md, "Self-service").
    case contactSelfServed(contact: String, reason: String?)

    /// The wire name of this type.
    public var typeName: String {
        switch self {
        case .agentLogin: return "agent.login"
        case .agentState: return "agent.state"
        case .agentLogout: return "agent.logout"
        case .contactQueued: return "contact.queued"
        case .contactAnswered: return "contact.answered"
        case .contactAbandoned: return "contact.abandoned"
        case .contactTransferred: return "contact.transferred"
        case .contactHeld: return "contact.held"
        case .contactResumed: return "contact.resumed"
        case .contactEnded: return "contact.ended"
        case .contactWrapupDone: return "contact.wrapup_done"
        case .surveyCompleted: return "survey.completed"
        case .sourceSnapshot: return "source.snapshot"
        case .contactCallbackRequested: return "contact.callback_requested"
        case .contactCallbackAttempted: return "contact.callback_attempted"
        case .contactCallbackConnected: return "contact.callback_connected"
        case .contactCallbackFailed: return "contact.callback_failed"
        case .contactEnteredSelfService: return "contact.entered_self_service"
        case .contactSelfServed: return "contact.self_served"
        }
    }

    /// Every type name the decoder accepts, in documentation order.
    public static let allTypeNames = [
        "agent.login", "agent.state", "agent.logout", "contact.queued", "contact.answered", "contact.abandoned",
        "contact.transferred", "contact.held", "contact.resumed", "contact.ended", "contact.wrapup_done",
        "survey.completed", "source.snapshot", "contact.callback_requested", "contact.callback_attempted",
        "contact.callback_connected", "contact.callback_failed", "contact.entered_self_service", "contact.self_served",
    ]
}

/// An agent signing in, with what they can take.
public struct AgentLogin: Sendable, Equatable {
    public var agent: String
    public var name: String
    public var team: String?
    public var queues: [String]
    public var skills: [String: Int]
    public var languages: [String]

    public init(
        agent: String, name: String, team: String? = nil, queues: [String], skills: [String: Int] = [:],
        languages: [String] = []
    ) {
        self.agent = agent
        self.name = name
        self.team = team
        self.queues = queues
        self.skills = skills
        self.languages = languages
    }
}

/// An agent's presence state.
public enum AgentState: String, Sendable, Equatable, CaseIterable {
    case available
    case ringing
    case onContact = "on_contact"
    case wrapUp = "wrap_up"
    case notReady = "not_ready"
    case offline
}

/// The channel a contact came in on.
public enum Channel: String, Sendable, Equatable, CaseIterable {
    case voice, chat, email, sms, social, video
}

/// A contact entering a queue.
public struct ContactQueued: Sendable, Equatable {
    public var contact: String
    public var queue: String
    public var channel: Channel
    public var priority: Int?
    public var customer: Customer?
    public var language: String?
    /// The contact type (reason code), e.g. "billing".
    public var reason: String?

    public init(
        contact: String, queue: String, channel: Channel, priority: Int? = nil, customer: Customer? = nil,
        language: String? = nil, reason: String? = nil
    ) {
        self.contact = contact
        self.queue = queue
        self.channel = channel
        self.priority = priority
        self.customer = customer
        self.language = language
        self.reason = reason
    }
}

/// Who the customer is, as far as the source knows.
public struct Customer: Sendable, Equatable {
    public var id: String?
    /// Customer type, e.g. "vip".
    public var segment: String?

    public init(id: String? = nil, segment: String? = nil) {
        self.id = id
        self.segment = segment
    }
}

/// What a supervisor needs to silently monitor a live interaction (e.g. the Asterisk channel for ChanSpy).
public struct MonitorHandle: Sendable, Equatable {
    /// The kind of handle, e.g. "asterisk.channel".
    public var kind: String
    /// The handle itself, e.g. "PJSIP/1001-00000012".
    public var target: String

    public init(kind: String, target: String) {
        self.kind = kind
        self.target = target
    }
}

/// A post-contact survey answer.
public struct SurveyResult: Sendable, Equatable {
    public var contact: String
    /// Customer satisfaction 1–5.
    public var csat: Int?
    /// Customer effort score 1–7.
    public var ces: Int?
    /// Whether the customer says the issue was resolved.
    public var resolved: Bool?

    public init(contact: String, csat: Int? = nil, ces: Int? = nil, resolved: Bool? = nil) {
        self.contact = contact
        self.csat = csat
        self.ces = ces
        self.resolved = resolved
    }
}
