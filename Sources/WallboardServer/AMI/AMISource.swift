import AMIAdapter
import Dispatch
import Logging
import Synchronization
import WallboardCore

/// A live Asterisk Manager Interface source: runs an ``AMISession`` over a ``TCPClientConnection``,
/// hands mapped events to the engine, and keeps the connection up (capped exponential backoff with
/// jitter; a slow retry after a refused login). Its state shows in the board's `sources` as kind
/// `asterisk` with the session's state (`connecting`, `authenticating`, `resyncing`, `connected`,
/// `disconnected`, `authentication_failed`) and a detail line.
///
/// Confined to `queue` (label `wallboardd.ami.<name>`): the session, the connection, the timers and the
/// pending actions are touched only there. Public methods may be called from any thread; completions
/// run on `queue` (do not block in them). ``counters`` is readable from anywhere.
public final class AMISource: @unchecked Sendable {
    // @unchecked: mutable state is confined to `queue` (asserted with dispatchPrecondition); `stats` is a Mutex.

    /// What the source has done since it started, for `/metrics` and tests.
    public struct Counters: Sendable, Equatable {
        /// TCP connections established.
        public var connections = 0
        /// Logins Asterisk accepted / refused.
        public var logins = 0
        public var authenticationFailures = 0
        /// Bytes read from Asterisk and fed to the session.
        public var bytesReceived = 0
        /// Events handed to the engine, and what it did with them.
        public var eventsSent = 0
        public var eventsApplied = 0
        public var eventsDuplicate = 0
        public var eventsRejected = 0
        /// Decoding and mapping problems (garbage, oversized messages, unknown callers ...).
        public var problems = 0
    }

    private enum Lifecycle { case idle, running, stopping, stopped }

    private struct PendingAction {
        var name: String
        var timeout: DispatchWorkItem
        var completion: @Sendable (Result<AMIActionCorrelator.Completion, AMISourceError>) -> Void
    }

    /// At most this many problems per connection are logged at `.notice`; the rest at `.debug`.
    static let problemNoticeLimit = 10

    public let configuration: AMISourceConfiguration
    public let queue: DispatchQueue
    private let engine: EngineService
    private let clock: WallClock
    private let logger: Logger
    private let stats = Mutex(Counters())
    private var session: AMISession
    private var lifecycle = Lifecycle.idle
    private var connection: TCPClientConnection?
    private var backoff: ReconnectBackoff
    private var retryWork: DispatchWorkItem?
    private var tickTimer: DispatchSourceTimer?
    private var deadlineTimer: DispatchSourceTimer?
    private var pending: [String: PendingAction] = [:]
    private var lastStatus: Snapshot.SourceStatus?
    private var discovered: [QueueSettings] = []
    /// Queues already named in the missing wrap-up warning.
    private var warnedWrapUp: Set<String> = []
    private var connectedAt: Instant?
    private var lastByteAt: Instant?
    private var problemsThisConnection = 0
    private var loggedInThisConnection = false
    private var logoffID: String?
    private var stopCompletions: [@Sendable () -> Void] = []

    /// Builds a source; nothing connects before ``start()``. `logger` is used as given, with
    /// `ami.source` metadata added.
    public init(configuration: AMISourceConfiguration, engine: EngineService, clock: WallClock, logger: Logger) {
        self.configuration = configuration
        self.engine = engine
        self.clock = clock
        var logger = logger
        logger[metadataKey: "ami.source"] = "\(configuration.name)"
        self.logger = logger
        queue = DispatchQueue(label: "wallboardd.ami.\(configuration.name)")
        session = AMISession(username: configuration.username, secret: configuration.secret, mapper: configuration.mapper)
        session.keepAliveInterval = configuration.keepAliveInterval
        backoff = ReconnectBackoff(initial: configuration.initialBackoff, maximum: configuration.maximumBackoff)
    }

    /// A copy of the counters.
    public var counters: Counters { stats.withLock { $0 } }

    /// Connects (and keeps reconnecting) until ``stop(completion:)``. Returns at once.
    public func start() {
        queue.async { [self] in
            guard lifecycle == .idle else { return }
            lifecycle = .running
            logger.info(
                "AMI source starting",
                metadata: ["ami.host": "\(configuration.host)", "ami.port": "\(configuration.port)", "ami.user": "\(configuration.username)"])
            startTimers()
            // What the engine restored from its checkpoint: the first resync adopts what the PBX still has
            // and the source.snapshot after it lets the engine expire the rest (no ghost callers).
            engine.read({ engine, _ in
                (engine.interactions().compactMap(SourceSnapshot.Contact.init(restored:)), engine.latestEventTime)
            }) { [self] restored, lastSeen in
                queue.async { [self] in
                    guard lifecycle == .running else { return }
                    session.adoptRestored(restored, lastSeen: lastSeen)
                    connect()
                }
            }
        }
    }

    /// Sends Logoff if logged in (waiting up to 1 s for Asterisk's Goodbye), closes, fails pending
    /// actions with ``AMISourceError/stopped``, and calls `completion` on `queue`. Safe to call twice.
    public func stop(completion: @escaping @Sendable () -> Void = {}) {
        queue.async { [self] in
            switch lifecycle {
            case .idle, .stopped:
                lifecycle = .stopped
                completion()
                return
            case .stopping:
                stopCompletions.append(completion)
                return
            case .running:
                break
            }
            lifecycle = .stopping
            stopCompletions.append(completion)
            retryWork?.cancel()
            retryWork = nil
            failPending(.stopped)
            guard let connection, connection.isOpen, session.state == .resyncing || session.state == .connected,
                let logoff = try? session.request(.logoff)
            else { return finishStop() }
            logoffID = logoff.actionID
            connection.write(logoff.bytes)
            queue.asyncAfter(deadline: .now() + .seconds(1)) { [self] in
                if lifecycle == .stopping { finishStop() }
            }
        }
    }

    // MARK: - Supervisor actions

    /// Sends `action` (QueuePause, QueueRemove, ChanSpy Originate ...) and calls `completion` on `queue`
    /// when the answer with its ActionID arrives: `.success` for `Response: Success`, else
    /// ``AMISourceError/actionFailed(action:message:)``; ``AMISourceError/actionTimedOut(action:after:)``
    /// when none arrives within `timeout` (default ``AMISourceConfiguration/actionTimeout``);
    /// ``AMISourceError/notConnected(state:)`` when not logged in. Every action is logged at `.notice`.
    public func send(
        _ action: AMIAction, timeout: Millis? = nil,
        completion: @escaping @Sendable (Result<AMIActionCorrelator.Completion, AMISourceError>) -> Void
    ) {
        queue.async { [self] in
            guard lifecycle == .running, let connection, connection.isOpen,
                session.state == .connected || session.state == .resyncing
            else { return completion(.failure(.notConnected(state: statusState))) }
            let request: (actionID: String, bytes: [UInt8])
            do {
                request = try session.request(action)
            } catch {
                return completion(.failure(.invalidAction("\(error)")))
            }
            let limit = timeout ?? configuration.actionTimeout
            let work = DispatchWorkItem { [self] in
                guard let entry = pending.removeValue(forKey: request.actionID) else { return }
                logger.notice("AMI action timed out", metadata: ["ami.action": "\(action.name)", "ami.action_id": "\(request.actionID)"])
                entry.completion(.failure(.actionTimedOut(action: action.name, after: limit)))
            }
            pending[request.actionID] = PendingAction(name: action.name, timeout: work, completion: completion)
            queue.asyncAfter(deadline: .now() + .milliseconds(Int(limit)), execute: work)
            logger.notice("AMI action sent", metadata: ["ami.action": "\(action.name)", "ami.action_id": "\(request.actionID)"])
            connection.write(request.bytes)
        }
    }

    /// Pauses (with a reason) or unpauses `interface` in `queue` (all its queues with `nil`).
    public func pause(
        interface: String, queue name: String?, paused: Bool, reason: String? = nil,
        completion: @escaping @Sendable (Result<AMIActionCorrelator.Completion, AMISourceError>) -> Void
    ) {
        send(.queuePause(interface: interface, queue: name, paused: paused, reason: reason), completion: completion)
    }

    /// Logs `interface` out of `queue` (dynamic members only).
    public func remove(
        interface: String, queue name: String,
        completion: @escaping @Sendable (Result<AMIActionCorrelator.Completion, AMISourceError>) -> Void
    ) {
        send(.queueRemove(queue: name, interface: interface), completion: completion)
    }

    /// The agent's exact device channel (and Uniqueid) of a live answered contact, for ChanSpy; `nil`
    /// when unknown. Calls `completion` on `queue`.
    public func monitorTarget(forContact contact: String, completion: @escaping @Sendable (AMIMonitorHandle?) -> Void) {
        queue.async { [self] in completion(session.mapper.monitorTarget(forContact: contact)) }
    }

    /// What a monitor request came to: the supervisor call's outcome and whether the agent's call was
    /// still there when the supervisor answered.
    public struct MonitorResult: Sendable, Equatable {
        /// The agent's call that was to be monitored.
        public var target: AMIMonitorHandle
        /// The `OriginateResponse` of the supervisor's call.
        public var outcome: OriginateOutcome
        /// `true` when the supervisor answered but the agent's call had ended by then: ChanSpy (option `S`)
        /// ended the supervisor's call at once.
        public var targetEnded: Bool
        /// The supervisor's channel as Asterisk reported it, when it did.
        public var supervisorChannel: String?

        /// Whether the supervisor is now listening (answered, and the agent's call still up).
        public var started: Bool { outcome == .answered && !targetEnded }
    }

    /// Originates a call to `supervisorEndpoint` (e.g. `PJSIP/2001`) that runs ChanSpy on the exact
    /// call of the agent handling `contact`, in `mode`, and completes once Asterisk reports how that call
    /// went (its `OriginateResponse`), at most `ringTimeout` plus the action timeout later.
    public func startMonitor(
        contact: String, supervisorEndpoint: String, mode: AMIAction.SpyMode, callerID: String? = nil,
        ringTimeout: Millis = AMIAction.defaultRingTimeout,
        completion: @escaping @Sendable (Result<MonitorResult, AMISourceError>) -> Void
    ) {
        monitorTarget(forContact: contact) { [self] target in
            guard let target else { return completion(.failure(.noMonitorTarget(contact: contact))) }
            let action = AMIAction.chanSpy(
                supervisorEndpoint: supervisorEndpoint, target: target, mode: mode, callerID: callerID, timeout: ringTimeout)
            let limit = ringTimeout.addingReportingOverflow(configuration.actionTimeout)
            send(action, timeout: limit.overflow ? .max : limit.partialValue) { [self] result in
                // On the queue: the mapper has seen every event that came before the OriginateResponse.
                let final: AMIActionCorrelator.Completion
                switch result {
                case .failure(.originateFailed(_, let outcome)):
                    return completion(.success(MonitorResult(target: target, outcome: outcome, targetEnded: false)))
                case .failure(let error):
                    return completion(.failure(error))
                case .success(let done):
                    final = done
                }
                let now = session.mapper.monitorTarget(forContact: contact)
                let ended = now == nil || (target.uniqueid != nil && now?.uniqueid != target.uniqueid)
                completion(
                    .success(
                        MonitorResult(
                            target: target, outcome: final.originateOutcome ?? .answered, targetEnded: ended,
                            supervisorChannel: final.finalEvent?["Channel"])))
            }
        }
    }

    // MARK: - Connection (on the queue)

    private func connect() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard lifecycle == .running else { return }
        retryWork = nil
        if session.state == .authenticationFailed { rereadSecret() }
        report("connecting", "connecting to \(endpoint)")
        connection = TCPClientConnection(
            host: configuration.host, port: configuration.port,
            timeout: .milliseconds(Int(configuration.connectTimeout)), queue: queue,
            callbacks: .init(
                connected: { [weak self] in self?.connected() },
                received: { [weak self] bytes in self?.received(bytes) },
                closed: { [weak self] failure in self?.closed(failure.description) }))
    }

    private func connected() {
        let now = clock.now()
        stats.withLock { $0.connections += 1 }
        session.connectionOpened(now: now)
        connectedAt = now
        lastByteAt = now
        problemsThisConnection = 0
        loggedInThisConnection = false
        logger.info("AMI connected", metadata: ["ami.endpoint": "\(endpoint)"])
        report("connecting", "connected to \(endpoint), waiting for the banner")
    }

    private func received(_ bytes: [UInt8]) {
        let now = clock.now()
        lastByteAt = now
        let before = session.state
        let output = session.receive(bytes, now: now)
        handle(output, now: now)
        stats.withLock { $0.bytesReceived += bytes.count }
        stateChanged(from: before)
    }

    /// The connection failed or ended: tell the session, fail pending actions, schedule a reconnect.
    private func closed(_ reason: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        connection?.close()
        connection = nil
        let wasAuthenticated = session.state == .resyncing || session.state == .connected
        let output = session.connectionClosed(now: clock.now())
        handle(output, now: clock.now())
        failPending(.connectionLost(action: ""))
        if lifecycle == .stopping { return finishStop() }
        guard lifecycle == .running else { return }
        if session.state == .authenticationFailed {
            scheduleReconnect(after: configuration.authenticationRetryDelay, state: AMISession.State.authenticationFailed.rawValue,
                              reason: authenticationDetail)
            return
        }
        let delay = backoff.nextDelay()
        let level: Logger.Level = wasAuthenticated ? .warning : .info
        logger.log(level: level, "AMI connection lost", metadata: ["ami.reason": "\(reason)", "ami.retry_ms": "\(delay)"])
        scheduleReconnect(after: delay, state: AMISession.State.disconnected.rawValue, reason: reason)
    }

    /// After a refused login: picks up a corrected secret file.
    private func rereadSecret() {
        guard let path = configuration.secretFile else { return }
        do {
            let secret = try AMISourceConfiguration.readSecret(fromFile: path)
            if secret != session.secret {
                session.secret = secret
                logger.notice("AMI secret file changed; logging in with the new secret", metadata: ["ami.secret_file": "\(path)"])
            }
        } catch {
            logger.error("AMI secret file unreadable; keeping the previous secret", metadata: ["ami.reason": "\(error)"])
        }
    }

    private func scheduleReconnect(after delay: Millis, state: String, reason: String) {
        report(state, "reconnecting in \(ReconnectBackoff.describe(delay)): \(reason)")
        let work = DispatchWorkItem { [weak self] in self?.connect() }
        retryWork = work
        queue.asyncAfter(deadline: .now() + .milliseconds(Int(delay)), execute: work)
    }

    /// Closes the connection ourselves (refused login, silence) and goes through the reconnect path.
    private func drop(_ reason: String) {
        guard connection != nil else { return }
        connection?.close()
        closed(reason)
    }

    private func finishStop() {
        dispatchPrecondition(condition: .onQueue(queue))
        connection?.close()
        connection = nil
        if session.state != .disconnected, session.state != .authenticationFailed {
            handle(session.connectionClosed(now: clock.now()), now: clock.now())
        }
        tickTimer?.cancel()
        deadlineTimer?.cancel()
        tickTimer = nil
        deadlineTimer = nil
        lifecycle = .stopped
        report(AMISession.State.disconnected.rawValue, "stopped")
        logger.info("AMI source stopped")
        let completions = stopCompletions
        stopCompletions = []
        completions.forEach { $0() }
    }

    // MARK: - Session output (on the queue)

    private func handle(_ output: AMISession.Output, now: Instant) {
        dispatchPrecondition(condition: .onQueue(queue))
        for bytes in output.send { connection?.write(bytes) }
        for problem in output.problems { noteProblem(problem) }
        if !output.events.isEmpty { deliver(output.events) }
        for completion in output.completions { complete(completion) }
        let settings = session.discoveredSettings
        if settings != discovered {
            discovered = settings
            engine.setDiscoveredQueueSettings(source: configuration.name, settings)
            let queues = settings.map { PrintableText.escaping($0.id, limit: 80) }.joined(separator: ", ")
            logger.info("AMI queue settings discovered", metadata: ["ami.queues": "\(queues)"])
            warnAboutMissingWrapUp(settings)
        }
        rescheduleDeadline(now: now)
    }

    /// AMI does not publish queues.conf `wrapuptime`: a queue missing from the source's `wrapup_seconds`
    /// shows no wrap-up (unless a member has its own `Wrapuptime`). Said once per queue.
    private func warnAboutMissingWrapUp(_ settings: [QueueSettings]) {
        let missing = settings.map(\.id).filter { configuration.mapper.wrapUpTimes[$0] == nil && !warnedWrapUp.contains($0) }
        guard !missing.isEmpty else { return }
        warnedWrapUp.formUnion(missing)
        logger.warning(
            "AMI queues without a configured wrap-up: their agents go from a call straight to available",
            metadata: [
                "ami.queues": "\(missing.map { PrintableText.escaping($0, limit: 80) }.joined(separator: ", "))",
                "fix": "set ami[].wrapup_seconds to each queue's queues.conf wrapuptime (AMI does not publish it)",
            ])
    }

    private func deliver(_ events: [Event]) {
        stats.withLock { $0.eventsSent += events.count }
        for event in events {
            // Ids carry AMI text (Uniqueid, Interface): escaped like every AMI string that reaches a log.
            logger.trace("AMI event", metadata: ["event.id": "\(PrintableText.escaping(event.id))", "event.type": "\(event.type)"])
        }
        engine.apply(events, source: configuration.name) { [weak self, logger] outcome in
            let results = outcome.results
            var applied = 0
            var duplicates = 0
            var rejected = 0
            for (event, result) in zip(events, results) {
                switch result {
                case .applied, .held: applied += 1
                case .duplicate: duplicates += 1
                case .rejected(let why):
                    rejected += 1
                    logger.debug(
                        "AMI event rejected",
                        metadata: ["event.id": "\(PrintableText.escaping(event.id))", "event.reason": "\(PrintableText.escaping("\(why)"))"])
                }
            }
            self?.stats.withLock {
                $0.eventsApplied += applied
                $0.eventsDuplicate += duplicates
                $0.eventsRejected += rejected
            }
        }
    }

    private func noteProblem(_ problem: String) {
        stats.withLock { $0.problems += 1 }
        problemsThisConnection += 1
        if problemsThisConnection <= Self.problemNoticeLimit {
            logger.notice("AMI input skipped", metadata: ["ami.problem": "\(problem)"])
            if problemsThisConnection == Self.problemNoticeLimit {
                logger.notice("AMI input problems: further ones on this connection are logged at debug level")
            }
        } else {
            logger.debug("AMI input skipped", metadata: ["ami.problem": "\(problem)"])
        }
    }

    private func complete(_ completion: AMIActionCorrelator.Completion) {
        let id = completion.action.actionID ?? ""
        if id == logoffID, lifecycle == .stopping { return finishStop() }
        guard let entry = pending.removeValue(forKey: id) else { return }
        entry.timeout.cancel()
        if completion.succeeded {
            logger.notice("AMI action succeeded", metadata: ["ami.action": "\(entry.name)", "ami.action_id": "\(id)"])
            entry.completion(.success(completion))
        } else if let outcome = completion.originateOutcome {
            logger.notice(
                "AMI originated call did not connect",
                metadata: ["ami.action": "\(entry.name)", "ami.action_id": "\(id)", "ami.outcome": "\(outcome.code)"])
            entry.completion(.failure(.originateFailed(action: entry.name, outcome: outcome)))
        } else {
            let message = completion.response["Message"] ?? ""
            entry.completion(.failure(.actionFailed(action: entry.name, message: message)))
        }
    }

    private func failPending(_ error: AMISourceError) {
        let entries = pending
        pending = [:]
        for entry in entries.values {
            entry.timeout.cancel()
            if case .connectionLost = error {
                entry.completion(.failure(.connectionLost(action: entry.name)))
            } else {
                entry.completion(.failure(error))
            }
        }
    }

    /// Reports the session's state after input, and reacts to a refused or accepted login.
    private func stateChanged(from before: AMISession.State) {
        let state = session.state
        guard state != before || lastStatus?.state != state.rawValue else { return }
        switch state {
        case .authenticating:
            report(state.rawValue, "logging in as \(configuration.username)")
        case .resyncing:
            loggedIn()
            report(state.rawValue, "reading QueueStatus and CoreShowChannels")
        case .connected:
            loggedIn()
            report(state.rawValue, "\(endpoint) as \(configuration.username)")
        case .authenticationFailed:
            stats.withLock { $0.authenticationFailures += 1 }
            logger.error(
                "AMI login refused",
                metadata: ["ami.endpoint": "\(endpoint)", "ami.user": "\(configuration.username)"])
            drop("login refused")
        case .connecting, .disconnected:
            break
        }
    }

    /// Once per connection, when Asterisk accepted the login.
    private func loggedIn() {
        guard !loggedInThisConnection else { return }
        loggedInThisConnection = true
        backoff.reset()
        stats.withLock { $0.logins += 1 }
        let authentication = session.authentication ?? .plain
        let metadata: Logger.Metadata = [
            "ami.endpoint": "\(endpoint)", "ami.user": "\(configuration.username)", "ami.auth": "\(authentication.rawValue)",
        ]
        if authentication == .plain {
            logger.warning("AMI logged in with the secret in plain text: the server refused the MD5 challenge", metadata: metadata)
        } else {
            logger.notice("AMI logged in", metadata: metadata)
        }
        // Before the QueueStatus answer arrives (it is read on this queue after this returns): what the gap's
        // calls became, for the resync to emit first (QueueLogFile, docs/asterisk.md "queue_log").
        if let path = configuration.queueLog, let since = session.mapper.queueLogSince {
            session.provideQueueLog(QueueLogFile.readForGap(path: path, since: since, logger: logger))
        }
    }

    private var authenticationDetail: String {
        "Asterisk refused the login of user \"\(configuration.username)\": check the secret"
            + (configuration.secretFile.map { " file \($0)" } ?? "") + " and manager.conf"
    }

    private var endpoint: String {
        configuration.host.contains(":") ? "[\(configuration.host)]:\(configuration.port)" : "\(configuration.host):\(configuration.port)"
    }

    /// The state shown in the board, also when not connected.
    private var statusState: String { lastStatus?.state ?? AMISession.State.disconnected.rawValue }

    private func report(_ state: String, _ detail: String?) {
        let status = Snapshot.SourceStatus(name: configuration.name, kind: "asterisk", state: state, detail: detail)
        guard status != lastStatus else { return }
        lastStatus = status
        logger.debug("AMI source status", metadata: ["ami.state": "\(state)", "ami.detail": "\(detail ?? "")"])
        engine.setSourceStatus(status)
    }

    // MARK: - Timers (on the queue)

    private func startTimers() {
        let tick = DispatchSource.makeTimerSource(queue: queue)
        let interval = DispatchTimeInterval.milliseconds(Int(configuration.tickInterval))
        tick.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        tick.setEventHandler { [weak self] in self?.tick() }
        tick.resume()
        tickTimer = tick
        let deadline = DispatchSource.makeTimerSource(queue: queue)
        deadline.schedule(deadline: .distantFuture)
        deadline.setEventHandler { [weak self] in self?.tick() }
        deadline.resume()
        deadlineTimer = deadline
    }

    private func tick() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard lifecycle == .running else { return }
        let now = clock.now()
        if connection?.isOpen == true, let last = lastByteAt {
            let loggedIn = session.state == .resyncing || session.state == .connected
            let limit = loggedIn ? configuration.idleTimeout : configuration.loginTimeout
            if now.since(last) >= limit {
                return drop(loggedIn ? "nothing received for \(limit / 1000) s" : "no banner or login answer within \(limit / 1000) s")
            }
        }
        handle(session.tick(now: now), now: now)
    }

    private func rescheduleDeadline(now: Instant) {
        guard let deadlineTimer else { return }
        guard let due = session.nextDeadline else {
            deadlineTimer.schedule(deadline: .distantFuture)
            return
        }
        // At least 20 ms: a deadline already due is handled by the next tick, never in a tight loop.
        let delay = max(20, min(due.since(now), configuration.tickInterval))
        deadlineTimer.schedule(deadline: .now() + .milliseconds(Int(delay)), leeway: .milliseconds(20))
    }
}
