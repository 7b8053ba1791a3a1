import Dispatch
import JSONC
import JSONModel
import Logging
import WallboardAlerts
import WallboardCore
import WallboardJournal

/// Owns the engine on one serial queue: applies events from every source, ticks, and publishes
/// snapshots to the topic hub.
///
/// Confined to `queue` (label `wallboardd.engine`): every method that touches `engine` runs there.
/// Other threads call the public methods, which hop onto the queue.
public final class EngineService: @unchecked Sendable {
    // @unchecked: all mutable state is confined to `queue` (asserted with dispatchPrecondition).

    /// How often the simulator, if any, is advanced.
    static let simulatorStep: DispatchTimeInterval = .milliseconds(200)
    /// Longest time a change waits before it is published (at most 4 snapshots a second).
    /// Longest time a change waits before it is published: 1 / `websocket.max_updates_per_second`.
    public var publishInterval: DispatchTimeInterval = .milliseconds(250)
    /// How often waits are re-aged and a snapshot is published even with no events.
    static let tickInterval: Int64 = 1000
    /// The alert rules and how notifications go out.
    public struct AlertSettings: Sendable {
        public var configuration: AlertConfiguration
        /// How notifications are sent; `nil` keeps them in the outbox (logged, never sent).
        public var transport: NotificationTransport?
        /// Where alert state and the outbox are kept across restarts; `nil` keeps them in memory.
        public var stateDirectory: String?
        public var boardURL: String?

        public init(
            configuration: AlertConfiguration = AlertConfiguration(), transport: NotificationTransport? = nil,
            stateDirectory: String? = nil, boardURL: String? = nil
        ) {
            self.configuration = configuration
            self.transport = transport
            self.stateDirectory = stateDirectory
            self.boardURL = boardURL
        }
    }

    /// Acknowledges an alert for `user`; the completion gets the updated alert list or the reason it failed.
    public func acknowledgeAlert(
        id: String, by user: String, completion: @escaping @Sendable (Result<JSONValue, AlertAckError>) -> Void
    ) {
        queue.async { [self] in
            guard let alerts else { return completion(.failure(.notFound(id: id))) }
            do throws(AlertAckError) {
                try alerts.acknowledge(id: id, by: user, now: clock.now())
                publishAlerts()
                completion(.success(alerts.listJSON))
            } catch {
                completion(.failure(error))
            }
        }
    }

    /// Replaces the alert rules and notifiers (SIGHUP).
    public func reconfigureAlerts(_ configuration: AlertConfiguration) {
        queue.async { [self] in
            if alerts?.reconfigure(configuration, now: clock.now()) == true { publishAlerts() }
        }
    }

    private func publishAlerts() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let alerts else { return }
        var list = alerts.listJSON
        if case .object(var object) = list {
            object["generated_at"] = .string(RFC3339.format(clock.now()))
            list = .object(object)
        }
        hub.publish("alerts", data: list)
    }

    /// Where and how accepted events are journaled.
    public struct JournalSettings: Sendable {
        public var directory: String
        public var policy: FsyncPolicy
        /// Days of segments to keep.
        public var keepDays: Int
        /// How often the engine's state is checkpointed (when events arrived since the last one).
        public var checkpointMinutes: Int

        public init(
            directory: String, policy: FsyncPolicy = .batched(milliseconds: 5), keepDays: Int = 7, checkpointMinutes: Int = 5
        ) {
            self.directory = directory
            self.policy = policy
            self.keepDays = keepDays
            self.checkpointMinutes = checkpointMinutes
        }
    }

    /// How often boards get a heartbeat.
    public var heartbeatSeconds = 5

    public let queue = DispatchQueue(label: "wallboardd.engine")
    private let clock: WallClock
    private let hub: TopicHub
    private let logger: Logger
    private var engine: WallboardEngine
    /// Queue settings from the config file: they override what sources discover.
    private var configuredConfiguration: EngineConfiguration
    /// Queue settings sources discovered (e.g. Asterisk's `servicelevel`), by source name.
    private var discoveredQueues: [String: [QueueSettings]] = [:]
    private var simulator: ContactCenterSimulator?
    private var sources: [String: Snapshot.SourceStatus] = [:]
    private var dirty = true
    private var lastPublished: Instant?
    private var timers: [DispatchSourceTimer] = []
    private var heartbeatSequence: UInt64 = 0
    private var heartbeatSink: (@Sendable (UInt64, String) -> Void)?
    /// Events applied, by source and type (for /metrics).
    private var appliedBySource: [String: [String: Int]] = [:]
    /// How late the last publish tick fired, in milliseconds (a busy or wedged engine shows here).
    private var tickLag: Millis = 0
    private var lastTickAt: Instant?
    /// Each topic's last published payload less its clock, to publish only what changed.
    private var lastTopicData: [String: JSONValue] = [:]
    /// Where accepted events are journaled, when a state directory is configured.
    private let storeSettings: JournalSettings?
    private var store: EventStore?
    /// Alert rules and notification delivery; `nil` until ``start(heartbeat:)``.
    private var alerts: AlertService?
    private let alertSettings: AlertSettings
    private let simulatorWarmup: Millis
    private var centerName: String
    /// Per queue: the service level below which boards show red (default: target − 10 points).
    private var warningLevels: [String: Double] = [:]

    public init(
        configuration: EngineConfiguration, simulator: ContactCenterSimulator?, simulatorWarmup: Millis = 0,
        centerName: String = "wallboard", journal: JournalSettings? = nil, alerts: AlertSettings = AlertSettings(),
        clock: WallClock, hub: TopicHub, logger: Logger
    ) {
        self.alertSettings = alerts
        self.storeSettings = journal
        self.simulatorWarmup = simulatorWarmup
        self.centerName = centerName
        var configuration = configuration
        if let simulator, configuration.queues.isEmpty { configuration.queues = simulator.queueSettings }
        self.engine = WallboardEngine(configuration: configuration)
        self.configuredConfiguration = configuration
        self.simulator = simulator
        self.clock = clock
        self.hub = hub
        self.logger = logger
        if simulator != nil {
            sources["simulator"] = Snapshot.SourceStatus(name: "simulator", kind: "simulator", state: "running")
        }
    }

    /// Opens the journal and replays it (restoring today), starts the timers and publishes a first
    /// snapshot. `heartbeat` is called on the queue every ``heartbeatSeconds`` with a sequence number
    /// and the message text. Throws when the journal cannot be opened or read.
    public func start(heartbeat: @escaping @Sendable (UInt64, String) -> Void) throws {
        try queue.sync {
            try openJournal()
            let calendar = engine.configuration.calendar
            alerts = AlertService(
                configuration: alertSettings.configuration,
                utcOffset: { calendar.timeZone.provider.offset(at: $0) }, transport: alertSettings.transport,
                stateDirectory: alertSettings.stateDirectory, boardURL: alertSettings.boardURL, queue: queue, logger: logger)
            addTimer(every: .seconds(1)) { $0.alerts?.deliverDue(now: $0.clock.now()) }
            heartbeatSink = heartbeat
            if simulator != nil {
                warmUpSimulator()
                addTimer(every: Self.simulatorStep) { $0.advanceSimulator() }
            }
            addTimer(every: publishInterval) { $0.publishIfDue() }
            addTimer(every: .seconds(heartbeatSeconds)) { $0.sendHeartbeat() }
            advanceSimulator()
            publish()
        }
        logger.info("engine started", metadata: ["engine.simulator": "\(simulator != nil)"])
    }

    /// Runs `body` on the engine queue every `interval` (e.g. the systemd watchdog ping, which then
    /// stops when the engine is wedged). Stopped by ``stop()``.
    public func every(_ interval: Duration, _ body: @escaping @Sendable () -> Void) {
        let milliseconds = Int(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
        queue.async { [self] in addTimer(every: .milliseconds(max(milliseconds, 10))) { _ in body() } }
    }

    /// Stops the timers, flushes and closes the journal. Safe to call twice.
    public func stop() {
        queue.sync {
            timers.forEach { $0.cancel() }
            timers.removeAll()
            store?.syncDue()
            checkpointIfNeeded()
            try? store?.journal.close()
            store = nil
        }
    }

    /// What happened to a batch of events.
    public struct ApplyOutcome: Sendable {
        /// One result per event, in order.
        public var results: [WallboardEngine.ApplyResult]
        /// Index → why an accepted event could not be journaled (applied in memory; the sender should retry).
        public var storageFailures: [Int: String] = [:]
    }

    /// Applies decoded events (from ingest or a source), journals the accepted ones, and calls
    /// `completion` once they are durable per the fsync policy.
    public func apply(
        _ events: [Event], source: String = "ingest", completion: @escaping @Sendable (ApplyOutcome) -> Void
    ) {
        queue.async { [self] in
            let now = clock.now()
            let results = events.map { engine.apply($0, now: now) }
            for (event, result) in zip(events, results) where result == .applied {
                appliedBySource[source, default: [:]][event.type, default: 0] += 1
            }
            var outcome = ApplyOutcome(results: results)
            var lastTicket: AppendTicket?
            if let store {
                for (index, (event, result)) in zip(events, results).enumerated() {
                    let accepted = result == .applied || (result == .duplicate && store.isUnstored(event.id))
                    if case .held = result {} else if !accepted { continue }
                    switch store.store(event, now: now) {
                    case .success(let ticket): lastTicket = ticket
                    case .failure(let failure): outcome.storageFailures[index] = failure.description
                    }
                }
            }
            if results.contains(where: { $0 != .duplicate }) { dirty = true }
            for (event, result) in zip(events, results) {
                if case .rejected(let rejection) = result {
                    logger.notice(
                        "event rejected",
                        metadata: ["event.id": "\(event.id)", "event.type": "\(event.type)", "event.reason": "\(rejection)"])
                }
            }
            guard let store else { return completion(outcome) }
            store.whenDurable(lastTicket) { failure in
                if let failure {
                    for index in events.indices where outcome.results[index] != .duplicate {
                        outcome.storageFailures[index] = failure.description
                    }
                }
                completion(outcome)
            }
        }
    }

    /// Writes an engine checkpoint when events were stored since the last one (so a restart replays
    /// only the journal's tail).
    private func checkpointIfNeeded() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let store, simulator == nil, store.appendedSinceCheckpoint > 0 else { return }
        store.writeCheckpoint(Array(JSONC.encode(engine.checkpoint()).utf8), now: clock.now())
    }

    /// The journal's last write error, if writing fails now (disk full): shown on /readyz and /metrics.
    public func storageProblem(completion: @escaping @Sendable (String?) -> Void) {
        queue.async { [self] in completion(store?.lastFailure.map { "\($0)" }) }
    }

    /// Opens the journal and replays what a window still needs: from the earlier of today's start and
    /// the longest window's start.
    private func openJournal() throws {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let settings = storeSettings else { return }
        let store = try EventStore(
            directory: settings.directory, policy: settings.policy, keepDays: settings.keepDays, queue: queue,
            logger: logger)
        let now = clock.now()
        let longest = engine.configuration.windows.map(\.length).max() ?? 0
        let from = min(engine.configuration.calendar.startOfDay(containing: now), now.advanced(by: -longest))
        var position = JournalPosition.start(of: EventStore.day(of: from))
        var replayNow = from
        // The simulator's events are not journaled, so its state is never checkpointed either.
        if simulator == nil, let checkpoint = store.latestCheckpoint() {
            var payload = checkpoint.payload
            do {
                engine = try WallboardEngine(restoringFrom: try JSONC.parse(bytes: &payload), configuration: engine.configuration)
                position = checkpoint.position
                logger.notice("engine restored from checkpoint", metadata: ["journal.position": "\(checkpoint.position)"])
            } catch {
                logger.error(
                    "checkpoint unusable: replaying the journal from the start of the day instead",
                    metadata: ["checkpoint.file": "\(checkpoint.file)", "checkpoint.error": "\(error)"])
            }
        }
        let (records, problems) = try store.replay(from: position) { event in
            replayNow = min(max(replayNow, event.timestamp), now)
            engine.apply(event, now: replayNow)
        }
        _ = engine.expire(now: now)
        for problem in problems { logger.warning("journal replay problem", metadata: ["journal.problem": "\(problem)"]) }
        logger.notice(
            "journal replayed", metadata: ["journal.records": "\(records)", "journal.directory": "\(settings.directory)"])
        self.store = store
        if case .batched(let milliseconds) = settings.policy {
            addTimer(every: .milliseconds(max(milliseconds, 1))) { $0.store?.syncDue() }
        }
        addTimer(every: .seconds(3600)) { $0.store?.removeExpired(now: $0.clock.now()) }
        if simulator == nil {
            addTimer(every: .seconds(Int(settings.checkpointMinutes) * 60)) { $0.checkpointIfNeeded() }
        }
        store.removeExpired(now: now)
    }

    /// Counts rejections found before events could be decoded.
    public func countRejections(_ rejections: [EventRejection]) {
        guard !rejections.isEmpty else { return }
        queue.async { [self] in rejections.forEach { engine.countRejection($0) } }
    }

    /// Records a source's state for the board and `/healthz`.
    public func setSourceStatus(_ status: Snapshot.SourceStatus) {
        queue.async { [self] in
            sources[status.name] = status
            dirty = true
        }
    }

    /// Replaces the configuration (SIGHUP reload) and keeps all state.
    public func reconfigure(
        _ configuration: EngineConfiguration, centerName: String? = nil, warningLevels: [String: Double]? = nil
    ) {
        queue.async { [self] in
            if let centerName { self.centerName = centerName }
            if let warningLevels { self.warningLevels = warningLevels }
            var configuration = configuration
            if simulator != nil, configuration.queues.isEmpty { configuration.queues = simulator!.queueSettings }
            configuredConfiguration = configuration
            applyConfiguration()
        }
    }

    /// Records queue settings a source discovered; configured queues keep their own settings.
    public func setDiscoveredQueueSettings(source: String, _ settings: [QueueSettings]) {
        queue.async { [self] in
            guard discoveredQueues[source] != settings else { return }
            discoveredQueues[source] = settings
            applyConfiguration()
        }
    }

    private func applyConfiguration() {
        dispatchPrecondition(condition: .onQueue(queue))
        var merged = configuredConfiguration
        let configuredIDs = Set(merged.queues.map(\.id))
        for name in discoveredQueues.keys.sorted() {
            for settings in discoveredQueues[name]! where !configuredIDs.contains(settings.id)
                && !merged.queues.contains(where: { $0.id == settings.id })
            {
                merged.queues.append(settings)
            }
        }
        engine.reconfigure(merged)
        dirty = true
    }

    /// Adds the engine's figures to a Prometheus exposition. Runs on the queue; `completion` gets the result.
    public func renderMetrics(into renderer: MetricsRenderer, completion: @escaping @Sendable (MetricsRenderer) -> Void) {
        queue.async { [self] in
            var metrics = renderer
            let counters = engine.counters
            for (source, types) in appliedBySource.sorted(by: { $0.key < $1.key }) {
                for (type, count) in types.sorted(by: { $0.key < $1.key }) {
                    metrics.add(
                        "wallboardd_events_applied_total", "counter", "Events applied to the engine, by source and type.",
                        labels: [("source", source), ("type", type)], value: Double(count))
                }
            }
            for (code, count) in counters.rejected.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                metrics.add(
                    "wallboardd_events_rejected_total", "counter", "Events rejected, by reason.",
                    labels: [("reason", code.rawValue)], value: Double(count))
            }
            metrics.add(
                "wallboardd_events_duplicate_total", "counter", "Events ignored because their id was already applied.",
                value: Double(counters.duplicates))
            metrics.add(
                "wallboardd_events_clamped_total", "counter", "Events stamped too far in the future, applied at now.",
                value: Double(counters.clampedFromFuture))
            metrics.add(
                "wallboardd_events_held", "gauge", "Events held back waiting for an earlier event (reordering).",
                value: Double(counters.deferred))
            if let store {
                metrics.add("wallboardd_journal_appends_total", "counter", "Events written to the journal.",
                            value: Double(store.appended))
                metrics.add("wallboardd_journal_fsync_seconds_sum", "counter", "Time spent in journal group commits (fsync).",
                            value: store.fsyncSeconds)
                metrics.add("wallboardd_journal_fsync_seconds_count", "counter", "Journal group commits (fsync).",
                            value: Double(store.fsyncCount))
                metrics.add("wallboardd_journal_fsync_seconds_max", "gauge", "Longest journal group commit since start.",
                            value: store.fsyncMaxSeconds)
                metrics.add("wallboardd_journal_writable", "gauge", "0 while the journal cannot write (disk full).",
                            value: store.lastFailure == nil ? 1 : 0)
            }
            if let alerts {
                metrics.add("wallboardd_alerts_active", "gauge", "Alerts pending, firing or acknowledged.",
                            value: Double(alerts.engine.activeAlerts.count))
                for (outcome, count) in [("delivered", alerts.delivered), ("failed", alerts.failed),
                                         ("dead_lettered", alerts.deadLettered)] {
                    metrics.add("wallboardd_alert_deliveries_total", "counter", "Notification delivery attempts by outcome.",
                                labels: [("outcome", outcome)], value: Double(count))
                }
            }
            metrics.add(
                "wallboardd_engine_tick_lag_seconds", "gauge", "How late the engine's last publish tick fired.",
                value: tickLag.asSeconds)
            let snapshot = engine.snapshot(now: clock.now(), sources: Array(sources.values))
            for source in sources.values.sorted(by: { $0.name < $1.name }) {
                let up = ["running", "connected"].contains(source.state) ? 1.0 : 0.0
                metrics.add(
                    "wallboardd_source_up", "gauge", "1 when an event source is connected/running.",
                    labels: [("source", source.name), ("kind", source.kind)], value: up)
            }
            for queue in snapshot.queues {
                let labels = [("queue", queue.settings.id)]
                metrics.add(
                    "wallboardd_queue_waiting", "gauge", "Contacts waiting in the queue now.", labels: labels,
                    value: Double(queue.figures.waitingNow))
                metrics.add(
                    "wallboardd_queue_longest_wait_seconds", "gauge", "Longest current wait in the queue.", labels: labels,
                    value: queue.figures.longestWait(at: snapshot.generatedAt).asSeconds)
                if let level = queue.figures.windows[snapshot.primaryWindow]?.serviceLevel {
                    metrics.add(
                        "wallboardd_queue_service_level", "gauge", "Service level in the primary window (0..1).",
                        labels: labels + [("window", snapshot.primaryWindow)], value: level)
                }
            }
            metrics.add(
                "wallboardd_agents_logged_in", "gauge", "Agents logged in now.",
                value: Double(snapshot.center.agents.loggedIn))
            completion(metrics)
        }
    }

    /// Runs `body` on the engine queue with the engine, for read-only queries.
    public func read<T: Sendable>(_ body: @escaping @Sendable (WallboardEngine, Instant) -> T,
                                  completion: @escaping @Sendable (T) -> Void)
    {
        queue.async { [self] in completion(body(engine, clock.now())) }
    }

    // MARK: - On the queue

    private func addTimer(every interval: DispatchTimeInterval, _ body: @escaping @Sendable (EngineService) -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(20))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            body(self)
        }
        timers.append(timer)
        timer.resume()
    }

    /// Starts the simulated center `simulatorWarmup` ago, so a demo board has history at once.
    private func warmUpSimulator() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard simulator != nil, simulatorWarmup > 0 else { return }
        let start = clock.now().advanced(by: -simulatorWarmup)
        applySimulated(simulator!.advance(to: start), now: start)
    }

    private func advanceSimulator() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard simulator != nil else { return }
        let now = clock.now()
        applySimulated(simulator!.advance(to: now), now: now)
    }

    private func applySimulated(_ events: [Event], now: Instant) {
        dispatchPrecondition(condition: .onQueue(queue))
        for event in events {
            let result = engine.apply(event, now: now)
            if result == .applied { appliedBySource["simulator", default: [:]][event.type, default: 0] += 1 }
            if case .rejected(let rejection) = result {
                logger.error("simulator event rejected", metadata: ["event.id": "\(event.id)", "event.reason": "\(rejection)"])
            }
        }
        if !events.isEmpty { dirty = true }
    }

    private func publishIfDue() {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = clock.now()
        if let lastTickAt { tickLag = max(0, now.since(lastTickAt) - 250) }
        lastTickAt = now
        let tickDue = lastPublished.map { now.since($0) >= Self.tickInterval } ?? true
        if dirty || tickDue { publish() }
    }

    private func publish() {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = max(clock.now(), lastPublished ?? clock.now())
        for expired in engine.expire(now: now) {
            logger.notice("held-back event expired", metadata: ["event.reason": "\(expired)"])
        }
        let snapshot = engine.snapshot(now: now, sources: sources.values.sorted { $0.name < $1.name })
        var json = snapshot.json()
        if case .object(var object) = json, case .object(var center)? = object["center"] {
            center["name"] = .string(centerName)
            object["center"] = .object(center)
            object["queues"] = .array((object["queues"]?.arrayValue ?? []).map(withWarningLevel))
            json = .object(object)
        }
        if let alerts, alerts.evaluate(snapshot, now: now) || hub.latest("alerts") == nil {
            publishAlerts()
        }
        for (topic, data) in TopicPayloads.split(json) {
            let unclocked = TopicPayloads.withoutClock(data)
            guard lastTopicData[topic] != unclocked else { continue }
            lastTopicData[topic] = unclocked
            hub.publish(topic, data: data)
        }
        dirty = false
        lastPublished = now
    }

    /// Adds `warning_level` to a queue's JSON: the configured one, else the target less 10 points.
    private func withWarningLevel(_ queue: JSONValue) -> JSONValue {
        guard case .object(var object) = queue, let id = object["id"]?.stringValue else { return queue }
        let target = object["target"]?.doubleValue ?? 0.8
        object["warning_level"] = .number(warningLevels[id] ?? max(0, target - 0.1))
        return .object(object)
    }

    private func sendHeartbeat() {
        dispatchPrecondition(condition: .onQueue(queue))
        heartbeatSequence += 1
        let text = JSONC.encode(["type": "heartbeat", "server_time": .string(RFC3339.format(clock.now()))])
        heartbeatSink?(heartbeatSequence, text)
    }
}
