import WallboardCore

/// Optional self-service mapping (docs/asterisk.md, "Self-service (IVR) containment"): a channel that runs
/// dialplan in a configured IVR context (`Newexten` there, or a `VarSet` on a channel in it) entered
/// self-service at that context's entry point; one that hangs up without a `QueueCallerJoin` was self-served
/// (reason: the channel variable ``AMIEventMapper/Configuration/selfServiceReasonVariable`` when set, else
/// "hangup"). A `QueueCallerJoin` of the same `Uniqueid` is the engine's "reached a queue" (its
/// `contact.queued` names the same contact). Off unless contexts are configured.
extension AMIEventMapper {
    /// A channel in self-service: where it entered and the reason its dialplan set, if any.
    struct SelfServiceCall: Sendable, Equatable {
        var entryPoint: String
        var reason: String?
    }

    /// `Newexten` and `VarSet`: a channel of a configured IVR context enters self-service once; a `VarSet`
    /// of the reason variable on a channel in self-service keeps its value.
    mutating func selfServiceDialplan(_ message: AMIMessage, at: Instant) {
        guard !configuration.selfServiceContexts.isEmpty, let id = message["Uniqueid"], contacts[id] == nil else { return }
        if var call = selfService[id] {
            if message.eventName == "VarSet", message["Variable"] == configuration.selfServiceReasonVariable,
                let value = message["Value"], !value.isEmpty
            {
                call.reason = value
                selfService[id] = call
            }
            return
        }
        // A Local channel's `;1` half shows its destination context while it only dials out (`AppDial`,
        // `AppDial2`: "(Outgoing Line)"); only a channel running the context's own applications entered it.
        guard message.eventName == "Newexten", let context = message["Context"],
            let entryPoint = configuration.selfServiceContexts[context],
            !(message["Application"] ?? "").hasPrefix("AppDial")
        else { return }
        selfService[id] = SelfServiceCall(entryPoint: entryPoint)
        emit(.contactEnteredSelfService(contact: id, entryPoint: entryPoint), at: at, subject: id, what: "self_service")
    }

    /// A channel in self-service that hangs up before it joined a queue was self-served.
    mutating func selfServiceHangup(_ id: String, at: Instant) {
        guard let call = selfService.removeValue(forKey: id) else { return }
        emit(.contactSelfServed(contact: id, reason: call.reason ?? "hangup"), at: at, subject: id, what: "self_served")
    }
}
