import WallboardCore

/// One AMI action to send: `Action: <name>`, an `ActionID`, then its fields in order.
///
/// Build one with the static factories (``login(username:secret:)``, ``queueStatus(queue:)``,
/// ``chanSpy(supervisorEndpoint:agentChannel:mode:callerID:timeout:)`` ...), give it an id through an
/// ``AMIActionCorrelator`` (or set ``actionID``), then send ``encoded()``.
public struct AMIAction: Sendable, Equatable {
    /// The `Action:` name, e.g. `QueueStatus`.
    public var name: String
    /// Correlates the answer; set by ``AMIActionCorrelator/register(_:)``.
    public var actionID: String?
    /// Fields after `Action` and `ActionID`, in order. Duplicates (e.g. several `Variable`) are allowed.
    public var fields: [AMIHeader]

    public init(_ name: String, actionID: String? = nil, fields: [AMIHeader] = []) {
        self.name = name
        self.actionID = actionID
        self.fields = fields
    }

    /// Whether Asterisk answers this action with a list (`EventList: start` ... `EventList: Complete`).
    public var answersWithList: Bool {
        ["queuestatus", "queuesummary", "coreshowchannels", "status"].contains(name.lowercased())
    }

    /// The wire form: CRLF lines ended by an empty line. Throws if any name or value holds CR or LF,
    /// which would inject headers.
    public func encoded() throws(AMIError) -> [UInt8] {
        var lines = [AMIHeader("Action", name)]
        if let actionID { lines.append(AMIHeader("ActionID", actionID)) }
        lines += fields
        var text = ""
        for line in lines {
            if line.name.contains(where: \.isNewline) || line.value.contains(where: \.isNewline) {
                throw .invalidActionField(name: line.name)
            }
            text += "\(line.name): \(line.value)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    // MARK: - Session

    /// `Login` with the manager.conf user and secret; `Events: on` subscribes to events at once.
    public static func login(username: String, secret: String, events: Bool = true) -> AMIAction {
        AMIAction(
            "Login",
            fields: [AMIHeader("Username", username), AMIHeader("Secret", secret), AMIHeader("Events", events ? "on" : "off")])
    }

    /// `Events` with `EventMask: on` (all classes the user may read) or `off`.
    public static func events(on: Bool = true) -> AMIAction {
        AMIAction("Events", fields: [AMIHeader("EventMask", on ? "on" : "off")])
    }

    public static let logoff = AMIAction("Logoff")
    /// Keep-alive; Asterisk answers `Ping: Pong`.
    public static let ping = AMIAction("Ping")

    // MARK: - Resync

    /// `QueueStatus`: QueueParams, QueueMember and QueueEntry list events, then QueueStatusComplete.
    public static func queueStatus(queue: String? = nil) -> AMIAction {
        AMIAction("QueueStatus", fields: queue.map { [AMIHeader("Queue", $0)] } ?? [])
    }

    public static func queueSummary(queue: String? = nil) -> AMIAction {
        AMIAction("QueueSummary", fields: queue.map { [AMIHeader("Queue", $0)] } ?? [])
    }

    /// `CoreShowChannels`: one CoreShowChannel per live channel (with BridgeId), then CoreShowChannelsComplete.
    public static let coreShowChannels = AMIAction("CoreShowChannels")
    /// `Status`: one Status event per live channel, then StatusComplete.
    public static let status = AMIAction("Status")

    // MARK: - Supervisor

    /// `QueuePause`: pause (with a reason) or unpause `interface`, in `queue` or, with `nil`, in all its queues.
    public static func queuePause(interface: String, queue: String?, paused: Bool, reason: String? = nil) -> AMIAction {
        var fields = [AMIHeader("Interface", interface)]
        if let queue { fields.append(AMIHeader("Queue", queue)) }
        fields.append(AMIHeader("Paused", paused ? "true" : "false"))
        if let reason, !reason.isEmpty { fields.append(AMIHeader("Reason", reason)) }
        return AMIAction("QueuePause", fields: fields)
    }

    /// `QueueRemove`: log `interface` out of `queue` (dynamic members only).
    public static func queueRemove(queue: String, interface: String) -> AMIAction {
        AMIAction("QueueRemove", fields: [AMIHeader("Queue", queue), AMIHeader("Interface", interface)])
    }

    /// How a supervisor joins a monitored call.
    public enum SpyMode: String, Sendable, Equatable, CaseIterable {
        /// Hear both sides; nobody hears the supervisor. ChanSpy options `qE`.
        case listen
        /// Hear both sides and talk to the agent only (`w`).
        case whisper
        /// Hear both sides and talk to both (`B`).
        case barge

        /// ChanSpy's option letters: `q` no beep or channel name, `E` exit when the spied-on channel
        /// hangs up, plus `w` (whisper) or `B` (barge into both channels).
        public var chanSpyOptions: String {
            switch self {
            case .listen: return "qE"
            case .whisper: return "qwE"
            case .barge: return "qBE"
            }
        }
    }

    /// `Originate` a call to the supervisor's own endpoint (e.g. `PJSIP/2001`) that, once answered, runs
    /// `ChanSpy(<agentChannel>,<options>)`. `agentChannel` must be the agent's full device channel name
    /// (`PJSIP/1001-00000012`): ChanSpy matches channel-name *prefixes*, so a bare `PJSIP/1001` could pick
    /// the wrong call. `Async: true` so the answer does not block the AMI session while the phone rings.
    public static func chanSpy(
        supervisorEndpoint: String, agentChannel: String, mode: SpyMode, callerID: String? = nil,
        timeout: Millis = 30_000
    ) -> AMIAction {
        var fields = [
            AMIHeader("Channel", supervisorEndpoint),
            AMIHeader("Application", "ChanSpy"),
            AMIHeader("Data", "\(agentChannel),\(mode.chanSpyOptions)"),
            AMIHeader("Timeout", String(timeout)),
            AMIHeader("Async", "true"),
        ]
        if let callerID { fields.append(AMIHeader("CallerID", callerID)) }
        return AMIAction("Originate", fields: fields)
    }
}
