import WallboardCore

/// One AMI source's protocol state across connections: decoder + ActionID correlator + event mapper, and
/// the login/resync sequence. Pure: the server's TCP client owns the socket and a timer, and calls:
///
/// - ``connectionOpened(now:)`` after TCP connect (nothing to send yet: Asterisk speaks first);
/// - ``receive(_:now:)`` with every chunk read; write ``Output/send`` in order;
/// - ``tick(now:)`` at ``nextDeadline`` (wrap-up ends) and every few seconds (keep-alive Ping);
/// - ``connectionClosed(now:)`` on EOF/error, then reconnect with capped backoff.
///
/// On the banner it asks for an MD5 challenge (`Action: Challenge`) and logs in with
/// `Key: md5(challenge + secret)`; only when the challenge is refused (or answered without a nonce) does
/// it send the secret in plain text (``authentication`` says which). On `Authentication accepted` it sends QueueStatus and CoreShowChannels,
/// whose answers the mapper turns into corrections (see `docs/asterisk.md`, Resync).
public struct AMISession: Sendable {
    /// Connection state, for the board and `/healthz`.
    public enum State: String, Sendable, Equatable {
        case disconnected, connecting, authenticating, resyncing, connected
        /// Login was refused; retrying will not help until the config changes.
        case authenticationFailed = "authentication_failed"
    }

    /// What one call produced.
    public struct Output: Sendable {
        public var events: [Event] = []
        /// Encoded actions to write to the socket, in order.
        public var send: [[UInt8]] = []
        /// Decoding and mapping problems (log and count them; decoding continues).
        public var problems: [String] = []
        /// Actions answered (successfully or not) by this input.
        public var completions: [AMIActionCorrelator.Completion] = []
    }

    /// How a login proves the secret.
    public enum Authentication: String, Sendable, Equatable {
        /// `AuthType: MD5` after a `Challenge`: the secret never crosses the wire.
        case md5
        /// `Secret:` in plain text, because the server refused the challenge.
        case plain
    }

    public var username: String
    public var secret: String
    public private(set) var state = State.disconnected
    /// How the current (or last) connection's Login proved the secret; `nil` before it was sent.
    public private(set) var authentication: Authentication?
    public private(set) var decoder: AMIFrameDecoder
    public private(set) var correlator: AMIActionCorrelator
    public private(set) var mapper: AMIEventMapper
    /// Ping when nothing was received for this long.
    public var keepAliveInterval: Millis = .seconds(20)
    private var lastReceived: Instant?
    private var pendingResync: Set<String> = []

    public init(
        username: String, secret: String, mapper: AMIEventMapper.Configuration = .init(), actionIDPrefix: String = "wb",
        maximumMessageSize: Int = 64 * 1024
    ) {
        self.username = username
        self.secret = secret
        self.decoder = AMIFrameDecoder(maximumMessageSize: maximumMessageSize)
        self.correlator = AMIActionCorrelator(prefix: actionIDPrefix)
        self.mapper = AMIEventMapper(configuration: mapper)
    }

    /// Hands the engine's restored live contacts to the mapper (see ``AMIEventMapper/adoptRestored(_:lastSeen:)``).
    public mutating func adoptRestored(_ contacts: [SourceSnapshot.Contact], lastSeen: Instant? = nil) {
        mapper.adoptRestored(contacts, lastSeen: lastSeen)
    }

    /// Hands `queue_log` lines to the mapper (see ``AMIEventMapper/provideQueueLog(_:)``).
    public mutating func provideQueueLog(_ records: [QueueLogRecord]) {
        mapper.provideQueueLog(records)
    }

    /// Service levels from Asterisk's QueueParams, for the server's defaults.
    public var discoveredSettings: [QueueSettings] { mapper.discoveredSettings }
    /// When ``tick(now:)`` must run next for wrap-up ends (the keep-alive adds its own period).
    public var nextDeadline: Instant? { mapper.nextDeadline }

    public mutating func connectionOpened(now: Instant) {
        decoder.reset()
        state = .connecting
        lastReceived = now
    }

    public mutating func connectionClosed(now: Instant) -> Output {
        var output = Output()
        if let lost = decoder.reset() { output.problems.append(lost.description) }
        mapper.connectionLost(now: now)
        pendingResync.removeAll()
        if state != .authenticationFailed { state = .disconnected }
        return output
    }

    /// Feeds a chunk read from the socket at `now`.
    public mutating func receive(_ bytes: [UInt8], now: Instant) -> Output {
        var output = Output()
        lastReceived = now
        for item in decoder.feed(bytes) {
            switch item {
            case .failure(let error): output.problems.append(error.description)
            case .success(let message): handle(message, now: now, into: &output)
            }
        }
        return output
    }

    /// Wrap-up ends due by `now`, and a Ping when the line has been quiet.
    public mutating func tick(now: Instant) -> Output {
        var output = Output()
        output.events = mapper.tick(now: now)
        if state == .connected, let last = lastReceived, now.since(last) >= keepAliveInterval {
            lastReceived = now
            output.send += encode(.ping, into: &output)
        }
        return output
    }

    /// Registers and encodes a supervisor action (QueuePause, QueueRemove, ChanSpy Originate); the
    /// answer arrives later in ``Output/completions`` under the returned ActionID.
    public mutating func request(_ action: AMIAction) throws(AMIError) -> (actionID: String, bytes: [UInt8]) {
        let registered = correlator.register(action)
        return (registered.actionID!, try registered.encoded())
    }

    private mutating func handle(_ message: AMIMessage, now: Instant, into output: inout Output) {
        if case .banner = message.kind {
            correlator.connectionStarted()
            state = .authenticating
            authentication = nil
            output.send += encode(.challenge, into: &output)
        }
        if let completion = correlator.receive(message) {
            output.completions.append(completion)
            complete(completion, into: &output)
        }
        output.events += mapper.map(message, now: now)
        output.problems += mapper.takeProblems().map(\.description)
    }

    private mutating func complete(_ completion: AMIActionCorrelator.Completion, into output: inout Output) {
        let id = completion.action.actionID ?? ""
        switch completion.action.name {
        case "Challenge":
            if completion.succeeded, let nonce = completion.response["Challenge"], !nonce.isEmpty {
                authentication = .md5
                output.send += encode(.login(username: username, challenge: nonce, secret: secret), into: &output)
            } else {
                authentication = .plain
                output.send += encode(.login(username: username, secret: secret), into: &output)
            }
        case "Login":
            guard completion.succeeded else {
                state = .authenticationFailed
                output.problems.append(
                    AMIError.actionFailed(action: "Login", actionID: id, message: completion.response["Message"] ?? "").description)
                return
            }
            state = .resyncing
            for action in [AMIAction.queueStatus(), .coreShowChannels] {
                let registered = correlator.register(action)
                pendingResync.insert(registered.actionID!)
                if let bytes = try? registered.encoded() { output.send.append(bytes) }
            }
        default:
            if !completion.succeeded {
                output.problems.append(
                    AMIError.actionFailed(action: completion.action.name, actionID: id, message: completion.response["Message"] ?? "")
                        .description)
            }
            if pendingResync.remove(id) != nil, pendingResync.isEmpty { state = .connected }
        }
    }

    private mutating func encode(_ action: AMIAction, into output: inout Output) -> [[UInt8]] {
        let registered = correlator.register(action)
        do {
            return [try registered.encoded()]
        } catch {
            output.problems.append(error.description)
            return []
        }
    }
}
