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

    /// `Challenge` with `AuthType: MD5`: Asterisk answers `Challenge: <nonce>` for ``login(username:challenge:secret:events:)``.
    public static let challenge = AMIAction("Challenge", fields: [AMIHeader("AuthType", "MD5")])

    /// `Login` with `AuthType: MD5` and `Key: md5(challenge + secret)` in lower-case hex: the secret
    /// never crosses the wire.
    public static func login(username: String, challenge: String, secret: String, events: Bool = true) -> AMIAction {
        AMIAction(
            "Login",
            fields: [
                AMIHeader("Username", username), AMIHeader("AuthType", "MD5"),
                AMIHeader("Key", MD5.hex(Array((challenge + secret).utf8))), AMIHeader("Events", events ? "on" : "off"),
            ])
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
        /// Hear both sides; nobody hears the supervisor.
        case listen
        /// Hear both sides and talk to the agent only (ChanSpy `w`).
        case whisper
        /// Hear both sides and talk to both (ChanSpy `B`).
        case barge

        /// ChanSpy's option letters. Every mode: `q` (no beep, no channel name spoken), `u` (the target is
        /// one exact Uniqueid or full channel name, not a prefix), `S` (stop when there is nothing left to
        /// spy on: a target that is already gone ends ChanSpy, and the supervisor's call, at once) and `E`
        /// (end when the spied-on channel hangs up). Then `w` for whisper or `B` for barge.
        public var chanSpyOptions: String {
            switch self {
            case .listen: return "quSE"
            case .whisper: return "quSEw"
            case .barge: return "quSEB"
            }
        }
    }

    /// `Originate` a call to the supervisor's own endpoint (e.g. `PJSIP/2001`) that, once answered, runs
    /// `ChanSpy(<target>,<options>)` on exactly the agent's call: its Uniqueid when known (never reused),
    /// else its full channel name (`PJSIP/1001-00000012`), both read as exact names thanks to `u`.
    /// `Async: true`, so Asterisk answers at once ("Originate successfully queued") and reports the call's
    /// real outcome later in an `OriginateResponse` event with the same ActionID (see
    /// ``OriginateOutcome``); `timeout` is how long the supervisor's phone rings.
    public static func chanSpy(
        supervisorEndpoint: String, target: AMIMonitorHandle, mode: SpyMode, callerID: String? = nil,
        timeout: Millis = defaultRingTimeout
    ) -> AMIAction {
        let spied = target.uniqueid.flatMap { $0.isEmpty ? nil : $0 } ?? target.channel
        var fields = [
            AMIHeader("Channel", supervisorEndpoint),
            AMIHeader("Application", "ChanSpy"),
            AMIHeader("Data", "\(spied),\(mode.chanSpyOptions)"),
            AMIHeader("Timeout", String(timeout)),
            AMIHeader("Async", "true"),
        ]
        if let callerID { fields.append(AMIHeader("CallerID", callerID)) }
        return AMIAction("Originate", fields: fields)
    }

    /// How long a monitor's call rings the supervisor: 30 s, Asterisk's own Originate default.
    public static let defaultRingTimeout: Millis = 30_000

    /// The event that finishes this action after its `Response: Success`, when it has one:
    /// `OriginateResponse` for an `Originate` with `Async: true`.
    public var finalEvent: String? {
        guard name.lowercased() == "originate",
            fields.contains(where: { $0.name.lowercased() == "async" && ["true", "yes", "1"].contains($0.value.lowercased()) })
        else { return nil }
        return "OriginateResponse"
    }
}
