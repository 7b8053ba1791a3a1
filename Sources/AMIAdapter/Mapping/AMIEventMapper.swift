import WallboardCore

/// Turns AMI messages into canonical wallboard events. A value-type state machine: messages and the time
/// they arrived go in, events come out; it never reads a clock.
///
/// - Clock: an event's time is its `Timestamp:` header when Asterisk sends one (`timestampevents=yes`),
///   else the `now` passed to ``map(_:now:)``. Resync corrections use `now`.
/// - Numbers: every numeric header (`Timestamp`, `Wrapuptime`, `Wait`, `ServiceLevel`, `Max`, `Weight`) is read
///   by the rule for numbers from outside (`AMIEventMapper+Numbers.swift`): one that is out of range or not a
///   number is ignored with a ``Problem``, and the rest of the message is still mapped.
/// - Time-based events: wrap-up has no AMI event; after `AgentComplete` the mapper schedules
///   `contact.wrapup_done` at end + wrap-up time. ``map(_:now:)`` first emits what fell due before the
///   message; between messages the server calls ``tick(now:)`` at ``nextDeadline``.
/// - Ids: `ami:<subject>:<what>:<epoch ms>`, `#n` appended on a collision, so a replayed capture yields the
///   same ids and the engine's dedupe makes a replay idempotent.
/// - Contacts are identified by the queue caller channel's `Uniqueid` (stable for the caller's whole stay,
///   even across a transfer into another queue; `Linkedid` would merge unrelated legs of one call tree).
/// - Agents are identified by the member `Interface` (`Local/1001@agents/n`, `PJSIP/1001`): one person, in a
///   union of queues. They are `not_ready` when paused in *every* queue they are in (reason: the latest
///   pause's reason); paused in some queues only they still take calls, so stay `available`.
///
/// See `docs/asterisk.md` for the full mapping table.
public struct AMIEventMapper: Sendable {
    /// What AMI does not say and the mapper needs.
    public struct Configuration: Sendable, Equatable {
        /// Wrap-up time per queue (queues.conf `wrapuptime`; AMI does not publish it). A member's own
        /// non-zero `Wrapuptime` wins.
        public var wrapUpTimes: [String: Millis]
        /// Wrap-up for queues not listed (Asterisk's default is 0).
        public var defaultWrapUpTime: Millis
        /// Prefix of every event id; give each AMI source its own when there are several.
        public var idPrefix: String
        /// How long after QueueStatus a resync waits for CoreShowChannels before deciding about callers
        /// that left a queue while the connection was down.
        public var resyncGrace: Millis
        /// How long a caller that left a queue by a Redirect or a transfer may take to join another queue
        /// before it counts as app_queue said (abandoned / ended). Asterisk takes about a millisecond.
        public var transferGrace: Millis
        /// How the queues discovered from this Asterisk judge their service level.
        public var serviceLevel: ServiceLevelTreatment = .board
        /// IVR dialplan contexts whose callers are in self-service, and the entry point each counts as
        /// (`AMIEventMapper+SelfService.swift`); empty: no self-service events.
        public var selfServiceContexts: [String: String] = [:]
        /// The channel variable whose value (`Set(VAR=...)` in the IVR) is a self-served caller's reason.
        public var selfServiceReasonVariable = "WALLBOARD_SELF_SERVICE_REASON"

        public init(
            wrapUpTimes: [String: Millis] = [:], defaultWrapUpTime: Millis = 0, idPrefix: String = "ami",
            resyncGrace: Millis = .seconds(5), transferGrace: Millis = .seconds(2)
        ) {
            self.wrapUpTimes = wrapUpTimes
            self.defaultWrapUpTime = defaultWrapUpTime
            self.idPrefix = idPrefix
            self.resyncGrace = resyncGrace
            self.transferGrace = transferGrace
        }
    }

    /// How discovered queues count abandons in the service level (`docs/asterisk.md`, "Service level").
    public enum ServiceLevelTreatment: String, Sendable, Equatable, CaseIterable {
        /// The board's default: abandons count against it, except short abandons (under 5 s), counted nowhere.
        case board
        /// Like app_queue's `ServicelevelPerf`: answered within / answered; abandons are left out.
        case perf
        /// Like app_queue's `ServicelevelPerf2`: (answered within + abandoned within) / (answered + abandoned),
        /// every abandon counted (no short-abandon limit).
        case perf2
    }

    /// What one queue's `QueueParams` said.
    public struct QueueParameters: Sendable, Equatable {
        public var queue: String
        /// `ServiceLevel` in seconds (queues.conf `servicelevel`; 0 when unset or not whole seconds in 0...604800).
        public var serviceLevel: Int
        public var strategy: String?
        /// `Max` and `Weight`; `nil` when absent or not a count in 0...1e9.
        public var maxCallers: Int?
        public var weight: Int?
    }

    /// Something in the stream the mapper could not use, with why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var at: Instant
        public var event: String
        public var message: String
        public var description: String { "\(event) at \(at): \(message)" }
    }

    public var configuration: Configuration
    /// QueueParams seen so far, by queue.
    public internal(set) var queueParameters: [String: QueueParameters] = [:]
    /// Ring-no-answer count per queue (no canonical event carries it).
    public internal(set) var ringNoAnswers: [String: Int] = [:]
    /// Problems found since the last ``takeProblems()``.
    public internal(set) var problems: [Problem] = []

    var agents: [String: AgentModel] = [:]
    var contacts: [String: ContactModel] = [:]
    var wrapUps: [PendingWrapUp] = []
    var leaves: [String: PendingLeave] = [:]
    var channels = ChannelTracker()
    var resync = ResyncState()
    /// Channels in self-service by `Uniqueid` (AMIEventMapper+SelfService.swift).
    var selfService: [String: SelfServiceCall] = [:]
    var clock: Instant?
    private var idClockMs: Int64 = .min
    private var idsAtClock: [String: Int] = [:]
    var out: [Event] = []
    var touchedAgents: [String] = []

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Service-level settings from Asterisk's own `servicelevel` per queue (default threshold where it is 0),
    /// treated as ``Configuration/serviceLevel`` says, sorted by queue name: what the server uses unless its
    /// config overrides a queue.
    public var discoveredSettings: [QueueSettings] {
        queueParameters.values.sorted { $0.queue < $1.queue }.map { params in
            let threshold: Millis = params.serviceLevel > 0 ? .seconds(Int64(params.serviceLevel)) : .seconds(30)
            switch configuration.serviceLevel {
            case .board: return QueueSettings(id: params.queue, threshold: threshold)
            case .perf: return QueueSettings(id: params.queue, threshold: threshold, shortAbandon: 0, abandonTreatment: .ignore)
            case .perf2: return QueueSettings(id: params.queue, threshold: threshold, shortAbandon: 0, abandonTreatment: .positive)
            }
        }
    }

    /// When ``tick(now:)`` next has something to emit.
    public var nextDeadline: Instant? {
        let deadlines = wrapUps.map(\.due) + leaves.values.map(\.due) + [resync.vanishedDeadline].compactMap { $0 }
        return deadlines.min()
    }

    /// Returns and clears ``problems``.
    public mutating func takeProblems() -> [Problem] {
        defer { problems.removeAll() }
        return problems
    }

    /// A new connection is up (the banner arrived): ringing states and half-received lists are stale.
    /// The mapper also calls this itself when it sees a banner.
    public mutating func connectionStarted(now: Instant) -> [Event] {
        begin()
        resync.reset()
        selfService.removeAll()  // hang-ups while disconnected are lost: the engine expires those sessions
        for id in agents.keys where agents[id]?.ringing != nil {
            agents[id]?.ringing = nil
            agents[id]?.ringingChannel = nil
            touch(id)
        }
        return finish(at: now)
    }

    /// The connection dropped. Nothing is corrected until the next connection's resync says what changed.
    public mutating func connectionLost(now: Instant) {
        noteGapStart()
        resync.reset()
    }

    /// Emits the time-based events due at or before `now` (wrap-up ends, resync decisions).
    public mutating func tick(now: Instant) -> [Event] {
        begin()
        flushDue(upTo: now)
        return finish(at: now)
    }

    /// Maps one message received at `now` to the canonical events it implies.
    public mutating func map(_ message: AMIMessage, now: Instant) -> [Event] {
        let at = time(of: message, now: now)
        clock = max(clock ?? at, at)
        if case .banner = message.kind { return connectionStarted(now: at) }
        begin()
        flushDue(upTo: at)
        guard let name = message.eventName else { return finish(at: at) }
        switch name {
        case "QueueCallerJoin": callerJoined(message, at: at)
        case "QueueCallerLeave": callerLeft(message, at: at)
        case "QueueCallerAbandon": callerAbandoned(message, at: at)
        case "AgentCalled": agentCalled(message, at: at)
        case "AgentConnect": agentConnected(message, at: at)
        case "AgentComplete": agentCompleted(message, at: at)
        case "AgentRingNoAnswer": agentRingNoAnswer(message, at: at)
        case "AgentDump": agentDumped(message, at: at)
        case "QueueMemberAdded": memberAdded(message, at: at)
        case "QueueMemberRemoved": memberRemoved(message, at: at)
        case "QueueMemberPause", "QueueMemberPaused": memberPaused(message, at: at)
        case "QueueMemberStatus": memberStatus(message, at: at)
        case "Hangup": hangup(message, at: at)
        case "Newexten", "VarSet": selfServiceDialplan(message, at: at)
        case "Newchannel", "DialBegin", "DialEnd", "LocalBridge", "BridgeEnter", "BridgeLeave", "BridgeDestroy", "Rename":
            channels.note(message)
        case "Hold": holdSeen(message, at: at, held: true)
        case "Unhold": holdSeen(message, at: at, held: false)
        case "BlindTransfer": blindTransferSeen(message, at: at)
        case "AttendedTransfer": attendedTransferSeen(message, at: at)
        case "QueueParams": queueParams(message, at: at)
        case "QueueMember", "QueueEntry": resync.collect(message)
        case "QueueStatusComplete": queueStatusComplete(message, at: at)
        case "CoreShowChannel": resync.collectChannel(message)
        case "CoreShowChannelsComplete": channelsComplete(message, at: at)
        default: break
        }
        return finish(at: at)
    }

    // MARK: - Emission

    mutating func begin() {
        out.removeAll(keepingCapacity: true)
        touchedAgents.removeAll(keepingCapacity: true)
    }

    /// Reconciles every agent touched by this step and returns the events.
    mutating func finish(at: Instant) -> [Event] {
        var seen = Set<String>()
        for id in touchedAgents where seen.insert(id).inserted { reconcile(id, at: at) }
        return out
    }

    mutating func touch(_ agent: String) { touchedAgents.append(agent) }

    mutating func note(_ event: String, at: Instant, _ message: String) {
        problems.append(Problem(at: at, event: event, message: message))
    }

    /// Appends an event and mirrors what the engine will do with it, so ``reconcile(_:at:)`` knows
    /// the agent state the engine holds.
    mutating func emit(_ body: EventBody, at: Instant, subject: String, what: String) {
        out.append(Event(id: makeID(subject: subject, what: what, at: at), timestamp: at, body: body))
        switch body {
        case .agentLogin(let login):
            agents[login.agent]?.engine = EngineView(state: .available, reason: nil, contact: nil)
        case .agentState(let agent, let state, let reason):
            agents[agent]?.engine?.state = state
            agents[agent]?.engine?.reason = state == .notReady ? reason : nil
            if state == .available || state == .notReady { agents[agent]?.engine?.contact = nil }
        case .agentLogout(let agent):
            agents[agent]?.engine = nil
        case .contactAnswered(let contact, let agent, _):
            if agents[agent]?.engine != nil {
                agents[agent]?.engine = EngineView(state: .onContact, reason: nil, contact: contact)
            }
        case .contactEnded(let contact):
            for id in agents.keys where agents[id]?.engine?.contact == contact {
                agents[id]?.engine?.state = .wrapUp
                agents[id]?.engine?.reason = nil
            }
        case .contactWrapupDone(let contact, let agent):
            if let view = agents[agent]?.engine, view.contact == contact {
                agents[agent]?.engine?.contact = nil
                if view.state == .wrapUp || view.state == .onContact {
                    agents[agent]?.engine?.state = .available
                    agents[agent]?.engine?.reason = nil
                }
            }
        case .contactTransferred(let contact, _, let toAgent):
            for id in agents.keys where agents[id]?.engine?.contact == contact {
                agents[id]?.engine = EngineView(state: .wrapUp, reason: nil, contact: nil)
            }
            if let toAgent, agents[toAgent]?.engine != nil {
                agents[toAgent]?.engine = EngineView(state: .onContact, reason: nil, contact: contact)
            }
        default:
            break
        }
    }

    private mutating func makeID(subject: String, what: String, at: Instant) -> String {
        if at.milliseconds != idClockMs {
            idClockMs = at.milliseconds
            idsAtClock.removeAll(keepingCapacity: true)
        }
        let base = "\(configuration.idPrefix):\(subject):\(what):\(at.milliseconds)"
        let count = idsAtClock[base, default: 0]
        idsAtClock[base] = count + 1
        return count == 0 ? base : "\(base)#\(count + 1)"
    }

    /// Emits `agent.state` when the state the AMI stream implies differs from the engine's.
    mutating func reconcile(_ id: String, at: Instant) {
        guard let agent = agents[id], let view = agent.engine else { return }
        let (state, reason) = agent.derivedState
        if view.state != state || (state == .notReady && view.reason != reason) {
            emit(.agentState(agent: id, state: state, reason: reason), at: at, subject: id, what: "state")
        }
    }

    // MARK: - Time

    /// Settles callers whose move to another queue did not come (as app_queue said, at the time it said it),
    /// then emits wrap-up ends due at or before `now`, each at its own due time, oldest first; then resync
    /// decisions whose grace ran out.
    mutating func flushDue(upTo now: Instant) {
        for leave in leaves.values.filter({ $0.due <= now }).sorted(by: { ($0.due, $0.contact) < ($1.due, $1.contact) }) {
            resolveLeave(leave.contact)
        }
        while let index = wrapUps.indices.filter({ wrapUps[$0].due <= now }).min(by: { wrapUps[$0].due < wrapUps[$1].due }) {
            let wrap = wrapUps.remove(at: index)
            if wrap.emitsEvent {
                emit(.contactWrapupDone(contact: wrap.contact, agent: wrap.agent), at: wrap.due, subject: wrap.contact, what: "wrapup_done")
                contacts[wrap.contact] = nil
            }
            if agents[wrap.agent]?.wrapContact == wrap.contact {
                agents[wrap.agent]?.wrapContact = nil
                reconcile(wrap.agent, at: wrap.due)
            }
        }
        if let deadline = resync.vanishedDeadline, deadline <= now {
            resolveVanished(at: deadline)
        }
    }

    func wrapUpTime(queue: String, agent: String) -> Millis {
        if let member = agents[agent]?.memberships[queue], member.wrapUpTime > 0 { return member.wrapUpTime }
        return configuration.wrapUpTimes[queue] ?? configuration.defaultWrapUpTime
    }

    /// Starts `agent`'s wrap-up for `contact` from `at`; `emitsEvent` false when the contact went elsewhere
    /// (transferred) and only the agent's state must end its wrap-up.
    mutating func scheduleWrapUp(contact: String, agent: String, queue: String, at: Instant, emitsEvent: Bool) {
        wrapUps.removeAll { $0.contact == contact && $0.agent == agent }
        wrapUps.append(PendingWrapUp(due: at.advanced(by: wrapUpTime(queue: queue, agent: agent)), contact: contact, agent: agent, emitsEvent: emitsEvent))
        agents[agent]?.wrapContact = contact
        touch(agent)
    }
}
