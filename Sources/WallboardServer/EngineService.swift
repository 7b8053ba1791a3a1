import Dispatch
import JSONC
import JSONModel
import Logging
import Synchronization
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
    /// Longest time a change waits before it is published: 1 / `websocket.max_updates_per_second`.
    public var publishInterval: DispatchTimeInterval = .milliseconds(250)
    /// How often waits are re-aged and a snapshot is published even with no events.
    static let tickInterval: Int64 = 1000
    /// How often boards get a heartbeat.
    public var heartbeatSeconds = 5

    public let queue = DispatchQueue(label: "wallboardd.engine")
    let clock: WallClock
    let hub: TopicHub
    let logger: Logger
    var engine: WallboardEngine
    /// Queue settings from the config file: they override what sources discover.
    private var configuredConfiguration: EngineConfiguration
    /// Queue settings sources discovered (e.g. Asterisk's `servicelevel`), by source name.
    private var discoveredQueues: [String: [QueueSettings]] = [:]
    var simulator: ContactCenterSimulator?
    var sources: [String: Snapshot.SourceStatus] = [:]
    /// Since when today's figures count, if not since the day's start (``setDayCoverage(_:)``).
    var dayCoverage: DayCoverage?
    /// Set by ``stop()``: later batches are refused, not applied to a state no journal records.
    private var stopped = false
    var dirty = true {
        didSet { if dirty { changes &+= 1 } }
    }
    /// Counts changes to the engine's state (each time `dirty` is set), to tell whether a topic built
    /// for REST is still current.
    private var changes: UInt64 = 0
    /// Topics built for REST while nobody subscribed: when, and at which ``changes`` count.
    private var restBuilt: [String: (at: Instant, changes: UInt64)] = [:]
    private var lastPublished: Instant?
    private var timers: [DispatchSourceTimer] = []
    private var heartbeatSequence: UInt64 = 0
    private var heartbeatSink: (@Sendable (UInt64, String) -> Void)?
    /// Events applied, by source and type (for /metrics).
    var appliedBySource: [String: [String: Int]] = [:]
    /// How late the last publish tick fired, in milliseconds (a busy or wedged engine shows here).
    var tickLag: Millis = 0
    /// How long the last publish took (monotonic nanoseconds), and when the next may start: publishing
    /// gets at most half of the engine queue's time, so at a large center's size events are still
    /// applied between two publishes instead of waiting behind them (issue 14).
    var lastPublishNanoseconds: UInt64 = 0
    private var nextPublishAllowedAt: UInt64 = 0
    private var lastTickAt: Instant?
    /// What each topic last published, to publish only what changed.
    private var topicPayloads = TopicPayloads()
    /// Where accepted events are journaled, when a state directory is configured.
    let storeSettings: JournalSettings?
    var store: EventStore?
    /// Where checkpoints are encoded, off the engine queue (``checkpointIfNeeded(written:)``).
    let checkpointQueue = DispatchQueue(label: "wallboardd.checkpoint", qos: .utility)
    /// A checkpoint is being encoded on `checkpointQueue`.
    var checkpointInFlight = false
    /// Alert rules and notification delivery; `nil` until ``start(heartbeat:)``.
    var alerts: AlertService?
    private let alertSettings: AlertSettings
    private let simulatorWarmup: Millis
    private var centerName: String
    /// Per queue: the service level below which boards show red (default: target − 10 points).
    private var warningLevels: [String: Double] = [:]
    /// The limits ingest decodes events under (``eventLimits``); read from any thread.
    let eventLimitsBox = Mutex(EventLimits.standard)
    /// Where accepted events are appended to a Redis stream (Redis/); set before ``start(heartbeat:)``.
    var streamSink: RedisStreamSink?
    /// The same weekday last week's intervals, read from the journal once a day (EngineService+LastWeek.swift).
    lazy var lastWeek = LastWeekIntervals(directory: storeSettings?.directory, engineQueue: queue, logger: logger)
    /// The held last-week day whose interval patterns the projected close was last given.
    var lastWeekPatternsApplied: LastWeekPatternKey?

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
            startLastWeek()
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

    /// Stops the timers, flushes and closes the journal. Safe to call twice. Events handed to
    /// ``apply(_:source:receivedAt:completion:)`` afterwards are refused (nothing applied), so a request
    /// that arrives while the daemon shuts down is never answered "accepted" without being journaled.
    public func stop() {
        queue.sync {
            stopped = true
            timers.forEach { $0.cancel() }
            timers.removeAll()
            store?.syncDue()
            checkpointNow()
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
        /// Why the whole batch is refused (the Redis sink cannot take it: answer 503 with this reason).
        public var refusal: String?
    }

    /// Applies decoded events (from ingest or a source), journals the accepted ones, and calls
    /// `completion` once they are durable per the fsync policy (and, with a Redis sink, forwarded):
    /// under `batched`, on the group commit's queue. `receivedAt`: per event, when it was received (a
    /// Redis stream entry's time); `nil`: now. `journalFrames`: the events' journal records built ahead
    /// off this queue (``journalFrames(of:)``), one per event; `nil`: encoded here.
    public func apply(
        _ events: [Event], source: String = "ingest", receivedAt: [Instant]? = nil, journalFrames: JournalFrames? = nil,
        completion: @escaping @Sendable (ApplyOutcome) -> Void
    ) {
        // Events from a stream are never forwarded again; others go to the sink (Redis/EngineService+Redis.swift).
        let sink = receivedAt == nil ? streamSink : nil
        if let sink, sink.isForwardOnly { return forwardOnly(events, sink: sink, completion: completion) }
        if let reason = sink?.refusal { return completion(Self.refused(events.count, reason: reason)) }
        let completion: @Sendable (ApplyOutcome) -> Void = { [self] outcome in
            guard let sink else { return completion(outcome) }
            forwardAccepted(events, outcome: outcome, sink: sink, completion: completion)
        }
        queue.async { [self] in
            if stopped {
                return completion(Self.refused(events.count, reason: "the daemon is stopping: nothing was applied; retry"))
            }
            let now = clock.now()
            let results = events.indices.map { index in
                engine.apply(events[index], now: receivedAt.flatMap { $0.indices.contains(index) ? $0[index] : nil } ?? now)
            }
            for (event, result) in zip(events, results) where result == .applied {
                appliedBySource[source, default: [:]][event.type, default: 0] += 1
            }
            var outcome = ApplyOutcome(results: results)
            var lastTicket: AppendTicket?
            if let store {
                // One group append per batch: one write, one record per accepted event.
                var stored: [Int] = []
                for (index, (event, result)) in zip(events, results).enumerated() {
                    let accepted = result == .applied || (result == .duplicate && store.isUnstored(event.id))
                    if case .held = result {} else if !accepted { continue }
                    stored.append(index)
                }
                switch store.store(events, selecting: stored, frames: journalFrames, now: now) {
                case .success(let ticket): lastTicket = ticket
                case .failure(let failure): for index in stored { outcome.storageFailures[index] = failure.description }
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
            let applied = outcome
            store.whenDurable(lastTicket) { failure in
                guard let failure else { return completion(applied) }
                var outcome = applied
                for index in outcome.results.indices where outcome.results[index] != .duplicate {
                    outcome.storageFailures[index] = failure.description
                }
                completion(outcome)
            }
        }
    }

    /// The journal's last write error, if writing fails now (disk full): shown on /readyz and /metrics.
    public func storageProblem(completion: @escaping @Sendable (String?) -> Void) {
        queue.async { [self] in completion(store?.lastFailure.map { "\($0)" }) }
    }

    /// Counts rejections found before events could be decoded.
    public func countRejections(_ rejections: [EventRejection]) {
        guard !rejections.isEmpty else { return }
        queue.async { [self] in rejections.forEach { engine.countRejection($0) } }
    }

    /// Records a source's state for the board and `/healthz`.
    /// Says since when today's figures count, when that is after the day's start (set once at start).
    public func setDayCoverage(_ coverage: DayCoverage?) {
        queue.async { [self] in
            dayCoverage = coverage
            dirty = true
        }
    }

    /// ``dayCoverage`` while it still concerns today.
    func partialDay(now: Instant) -> DayCoverage? {
        dayCoverage.flatMap { $0.isPartial(now: now, calendar: engine.configuration.calendar) ? $0 : nil }
    }

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

    /// Runs `body` on the engine queue with the engine, for read-only queries.
    public func read<T: Sendable>(_ body: @escaping @Sendable (WallboardEngine, Instant) -> T,
                                  completion: @escaping @Sendable (T) -> Void)
    {
        queue.async { [self] in completion(body(engine, clock.now())) }
    }

    // MARK: - On the queue

    func addTimer(every interval: DispatchTimeInterval, _ body: @escaping @Sendable (EngineService) -> Void) {
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
        if let streamSink, streamSink.isForwardOnly { return streamSink.forward(events, appliedHere: false) { _ in } }
        if let streamSink { streamSink.forward(events, appliedHere: true) { _ in } }
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
        guard dirty || tickDue || hub.hasRequests, DispatchTime.now().uptimeNanoseconds >= nextPublishAllowedAt else { return }
        let started = DispatchTime.now().uptimeNanoseconds
        publish()
        let finished = DispatchTime.now().uptimeNanoseconds
        lastPublishNanoseconds = finished &- started
        nextPublishAllowedAt = finished &+ lastPublishNanoseconds
    }

    /// Builds the topics someone subscribes to (or asked for) and publishes those that changed.
    private func publish() {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = max(clock.now(), lastPublished ?? clock.now())
        for expired in engine.expire(now: now) {
            logger.notice(
                "held-back event rejected: the event it depends on never came",
                metadata: ["event.id": "\(expired.event.id)", "event.type": "\(expired.event.type)",
                           "event.reason": "\(expired.rejection.message)"])
        }
        logExpiredContacts()
        let demand = hub.takeDemand()
        let alertsNeedSnapshot = alerts.map { !$0.engine.rules.isEmpty || !$0.engine.activeAlerts.isEmpty } ?? false
        var snapshot: Snapshot?
        if alertsNeedSnapshot || TopicPayloads.needsSnapshot(demand.wanted) { snapshot = currentSnapshot(now: now) }
        hub.cycle {  // one bundle per board for everything below (TopicHub.cycle)
            if let alerts, (snapshot.map { alerts.evaluate($0, now: now) } ?? false) || hub.latest("alerts") == nil {
                publishAlerts()
            }
            publishTopics(demand.wanted, fresh: demand.fresh, snapshot: snapshot, now: now)
        }
        dirty = false
        lastPublished = now
    }

    private func currentSnapshot(now: Instant) -> Snapshot {
        engine.snapshot(now: now, sources: sources.values.sorted { $0.name < $1.name })
    }

    private var topicContext: TopicPayloads.Context {
        TopicPayloads.Context(
            centerName: centerName, sources: sources.values.sorted { $0.name < $1.name }, warningLevels: warningLevels,
            partialDay: partialDay(now: clock.now()), lastWeek: lastWeek.status)
    }

    private func publishTopics(_ topics: Set<String>, fresh: Set<String>, snapshot: Snapshot?, now: Instant) {
        dispatchPrecondition(condition: .onQueue(queue))
        let context = topicContext
        hub.setOnDemandTopics(
            topicPayloads.currentNames(of: engine), windows: engine.configuration.windowNames, sources: .array(context.sources.map(\.json)))
        var snapshot = snapshot
        if snapshot == nil, TopicPayloads.needsSnapshot(topics) { snapshot = currentSnapshot(now: now) }
        let updates = topicPayloads.build(
            topics, fresh: fresh, engine: engine, snapshot: snapshot, now: now, context: context)
        hub.cycle { for (topic, update) in updates { hub.publish(topic, update: update) } }
    }

    /// Brings `topics` up to date in the hub, then calls `completion` on the engine queue: REST answers
    /// from the hub's latest payloads after this. A topic someone subscribes to is current already;
    /// another is built again when the engine changed since its last build or a tick (1 s) has passed,
    /// so a poller's ETag holds as long as a board's payload would.
    public func refresh(_ topics: [String], completion: @escaping @Sendable () -> Void) {
        queue.async { [self] in
            let now = max(clock.now(), lastPublished ?? clock.now())
            let due = Set(topics.filter { topic in
                guard !hub.isMaintained(topic) else { return false }
                // The hub forgets a window-limited topic nobody subscribes to (TopicHub.takeDemand): built again.
                guard let built = restBuilt[topic], hub.latest(topic) != nil || !hub.isWindowLimited(topic) else { return true }
                return built.changes != changes || now.since(built.at) >= Self.tickInterval
            })
            if !due.isEmpty {
                publishTopics(due, fresh: due.filter { hub.latest($0) == nil }, snapshot: nil, now: now)
                for topic in due { restBuilt[topic] = (now, changes) }
                if restBuilt.count > 4096 { restBuilt = restBuilt.filter { now.since($0.value.at) < Self.tickInterval } }
            }
            completion()
        }
    }

    private func sendHeartbeat() {
        dispatchPrecondition(condition: .onQueue(queue))
        heartbeatSequence += 1
        let text = JSONC.encode(["type": "heartbeat", "server_time": .string(RFC3339.format(clock.now()))])
        heartbeatSink?(heartbeatSequence, text)
    }
}
