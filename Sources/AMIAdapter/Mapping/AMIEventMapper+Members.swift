import WallboardCore

extension AMIEventMapper {
    /// Reads the member fields shared by QueueMemberAdded/Status/Pause (events) and QueueMember (list items,
    /// which say `Name`/`Location` for `MemberName`/`Interface`). Build it with ``memberFields(_:at:)``, which
    /// also reads the numeric `Wrapuptime`.
    struct MemberFields {
        var queue: String
        var interface: String
        var name: String
        var stateInterface: String?
        var paused: Bool
        var reason: String?
        /// The member's own `Wrapuptime`; 0 (the queue's wrap-up applies) when absent or unusable.
        var wrapUpTime: Millis = 0
        var inCall: Bool

        init?(_ message: AMIMessage) {
            guard let queue = message["Queue"], let interface = message["Interface"] ?? message["Location"] else { return nil }
            self.queue = queue
            self.interface = interface
            name = message["MemberName"] ?? message["Name"] ?? interface
            stateInterface = message["StateInterface"]
            paused = message["Paused"] == "1" || message["Paused"]?.lowercased() == "true"
            reason = message["PausedReason"].flatMap { $0.isEmpty ? nil : $0 }
            inCall = message["InCall"] == "1"
        }
    }

    /// The member fields of `message`, `Wrapuptime` read by the rule for numbers (a problem when unusable).
    mutating func memberFields(_ message: AMIMessage, at: Instant) -> MemberFields? {
        guard var fields = MemberFields(message) else { return nil }
        fields.wrapUpTime =
            durationHeader("Wrapuptime", of: message, at: at, instead: "the queue's configured wrap-up is used") ?? 0
        return fields
    }

    mutating func memberAdded(_ message: AMIMessage, at: Instant) {
        guard let fields = memberFields(message, at: at) else { return note("QueueMemberAdded", at: at, "no Queue or Interface") }
        join(fields, at: at)
    }

    mutating func memberStatus(_ message: AMIMessage, at: Instant) {
        guard let fields = memberFields(message, at: at) else { return }
        join(fields, at: at)
    }

    mutating func memberPaused(_ message: AMIMessage, at: Instant) {
        guard let fields = memberFields(message, at: at) else { return note("QueueMemberPause", at: at, "no Queue or Interface") }
        join(fields, at: at)
    }

    /// Records a membership's current fields; logs the agent in (or widens their queues) when it is new.
    mutating func join(_ fields: MemberFields, at: Instant) {
        let id = fields.interface
        var agent = agents[id] ?? AgentModel(id: id, name: fields.name, stateInterface: fields.stateInterface)
        agent.name = fields.name
        agent.stateInterface = fields.stateInterface ?? agent.stateInterface
        let isNewQueue = agent.memberships[fields.queue] == nil
        var membership = agent.memberships[fields.queue] ?? Membership()
        if membership.paused != fields.paused || membership.reason != fields.reason {
            membership.pausedAt = at
        }
        membership.paused = fields.paused
        membership.reason = fields.reason
        membership.wrapUpTime = fields.wrapUpTime
        agent.memberships[fields.queue] = membership
        if isNewQueue { agent.queueOrder.append(fields.queue) }
        agents[id] = agent
        if isNewQueue || agent.engine == nil { login(id, at: at) }
        touch(id)
    }

    /// `agent.login` with the agent's whole queue union. The engine resets a re-login to available, so the
    /// agent's real state follows from ``reconcile(_:at:)`` in the same step.
    mutating func login(_ id: String, at: Instant) {
        guard let agent = agents[id] else { return }
        emit(
            .agentLogin(AgentLogin(agent: id, name: agent.name, queues: agent.queueOrder)), at: at, subject: id,
            what: "login")
    }

    mutating func memberRemoved(_ message: AMIMessage, at: Instant) {
        guard let queue = message["Queue"], let id = message["Interface"] else {
            return note("QueueMemberRemoved", at: at, "no Queue or Interface")
        }
        leave(id, queue: queue, at: at)
    }

    mutating func leave(_ id: String, queue: String, at: Instant) {
        guard var agent = agents[id], agent.memberships[queue] != nil else { return }
        agent.memberships[queue] = nil
        agent.queueOrder.removeAll { $0 == queue }
        agents[id] = agent
        if agent.queueOrder.isEmpty {
            if agent.engine != nil { emit(.agentLogout(agent: id), at: at, subject: id, what: "logout") }
            agents[id] = nil
            wrapUps.removeAll { $0.agent == id && !$0.emitsEvent }
        } else {
            login(id, at: at)
            touch(id)
        }
    }

    mutating func queueParams(_ message: AMIMessage, at: Instant) {
        guard let queue = message["Queue"] else { return }
        let serviceLevel = durationHeader("ServiceLevel", of: message, at: at, instead: "the default threshold is used") ?? 0
        queueParameters[queue] = QueueParameters(
            queue: queue, serviceLevel: Int(serviceLevel / 1000), strategy: message["Strategy"],
            maxCallers: countHeader("Max", of: message, at: at), weight: countHeader("Weight", of: message, at: at))
        resync.collect(message)
    }
}
