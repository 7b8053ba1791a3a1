import WallboardCore

/// The agent state the engine holds after the events emitted so far (mirrors `WallboardEngine`'s transitions).
struct EngineView: Sendable, Equatable {
    var state: AgentState
    var reason: String?
    var contact: String?
}

/// One queue membership of an agent.
struct Membership: Sendable, Equatable {
    var paused = false
    var reason: String?
    var pausedAt = Instant(milliseconds: 0)
    var wrapUpTime: Millis = 0
}

/// One person behind a member interface, in a union of queues.
struct AgentModel: Sendable {
    var id: String
    var name: String
    var stateInterface: String?
    /// Queue → membership; `queueOrder` keeps the order queues were joined.
    var memberships: [String: Membership] = [:]
    var queueOrder: [String] = []
    var ringing: String?
    var ringingChannel: String?
    var contact: String?
    var wrapContact: String?
    /// A resync saw the member in a call that no known contact explains.
    var untrackedCall = false
    /// `nil` while the engine does not have the agent logged in.
    var engine: EngineView?

    /// The state the AMI stream implies: a call beats a pause (paused in every queue) beats wrap-up beats ringing.
    /// A pause during a call shows once the call ends; a paused agent's wrap-up shows as the pause.
    var derivedState: (AgentState, String?) {
        if contact != nil || untrackedCall { return (.onContact, nil) }
        let all = queueOrder.compactMap { memberships[$0] }
        if !all.isEmpty, all.allSatisfy(\.paused) {
            let latest = all.max { $0.pausedAt < $1.pausedAt }
            return (.notReady, latest?.reason)
        }
        if wrapContact != nil { return (.wrapUp, nil) }
        if ringing != nil { return (.ringing, nil) }
        return (.available, nil)
    }
}

/// A queue caller the mapper follows.
struct ContactModel: Sendable {
    enum Phase: Sendable { case waiting, connected, ended }
    var id: String
    var queue: String
    var channel: String?
    var phase: Phase
    var agent: String?
    var agentChannel: String?
    /// The caller channel's `Linkedid`: a phone's `Hold` behind a Local member carries it, not the caller's channel.
    var linkedid: String?
    /// `Context`/`Exten` where the caller ran `Queue()`: a QueueCallerAbandon somewhere else means the caller
    /// was moved (dialplan Redirect), not that it hung up.
    var location: String?
    /// A `contact.held` was emitted and no `contact.resumed` since.
    var held = false
    /// When it joined its queue (waiting) or was answered (connected), for ``SourceSnapshot``.
    var since: Instant
    /// Handed over by the engine after a daemon restart, not seen by this mapper: when the PBX no longer has it,
    /// it is dropped silently and the `source.snapshot` leaves it out, so the engine expires it (its outcome
    /// happened while we were down and is unknown).
    var restored = false
}

/// A caller that left in a way that may be a move to another queue: a QueueCallerAbandon after a Redirect, or
/// an AgentComplete `Reason: transfer`. A QueueCallerJoin of the same caller before `due` makes it a
/// transfer; a Hangup of the caller or `due` makes it what app_queue said (`abandon` / `end`) at `at`.
struct PendingLeave: Sendable {
    enum Fallback: Sendable { case abandon, end }
    var contact: String
    var at: Instant
    var due: Instant
    var fallback: Fallback
}

struct PendingWrapUp: Sendable {
    var due: Instant
    var contact: String
    var agent: String
    var emitsEvent: Bool
}
