/// A source's whole live state for the queues it covers, sent by sources that can report it (Asterisk's
/// QueueStatus after a reconnect, a bridge that polls its ACD): the engine reconciles what it holds,
/// restored or not, with it (docs/events.md, "source.snapshot").
public struct SourceSnapshot: Sendable, Equatable {
    /// A contact live at the source.
    public struct Contact: Sendable, Equatable {
        public enum Phase: String, Sendable, Equatable, CaseIterable {
            case waiting, connected
        }

        public var contact: String
        public var queue: String
        public var phase: Phase
        /// The agent it is connected to (connected only).
        public var agent: String?
        /// Queued at (waiting) or answered at (connected).
        public var since: Instant
        public var channel: Channel
        public var customer: Customer?

        public init(
            contact: String, queue: String, phase: Phase, agent: String? = nil, since: Instant,
            channel: Channel = .voice, customer: Customer? = nil
        ) {
            self.contact = contact
            self.queue = queue
            self.phase = phase
            self.agent = agent
            self.since = since
            self.channel = channel
            self.customer = customer
        }
    }

    /// An agent's state at the source.
    public struct Agent: Sendable, Equatable {
        public var agent: String
        public var state: AgentState
        /// Only with `not_ready`.
        public var reason: String?

        public init(agent: String, state: AgentState, reason: String? = nil) {
            self.agent = agent
            self.state = state
            self.reason = reason
        }
    }

    /// Who sent it, e.g. `ami.pbx1`.
    public var source: String
    /// The queues it covers: live contacts of these queues that it lacks are gone at the source.
    public var queues: [String]
    public var contacts: [Contact]
    public var agents: [Agent]

    public init(source: String, queues: [String], contacts: [Contact] = [], agents: [Agent] = []) {
        self.source = source
        self.queues = queues
        self.contacts = contacts
        self.agents = agents
    }
}
