import Dispatch
import Foundation
import LWS
import Logging
import AMIAdapter
import WallboardAlerts
import WallboardCore

/// What `wallboardd` runs with, from its command line (and later its config file).
public struct DaemonOptions: Sendable {
    public var host: String
    public var port: Int
    /// The folder with the board's static files, or `nil` to serve none.
    public var webRoot: String?
    /// Run the built-in simulator as an event source.
    public var simulator: Bool
    public var simulatorSeed: UInt64
    /// How much simulated history the simulator plays at start (so windows are not empty on a demo).
    public var simulatorWarmup: Millis
    public var engine: EngineConfiguration
    /// The center's name shown on the board.
    public var centerName: String = "wallboard"
    /// Asterisk manager interfaces to read events from.
    public var amiSources: [DaemonConfiguration.AMISourceSettings] = []
    /// The config file, re-read on SIGHUP; `nil` when running on flags alone.
    public var configPath: String?
    /// The config file as loaded at start (reloads compare against it to name restart-only changes).
    public var configuration: DaemonConfiguration?
    /// Where accepted events are journaled (so a restart restores today); `nil` keeps nothing on disk.
    public var journal: EngineService.JournalSettings?
    /// Alert rules and notifiers.
    public var alerts = AlertConfiguration()
    /// Where alert state and the notification outbox survive restarts.
    public var stateDirectory: String?
    /// The board's address, linked from notifications.
    public var boardURL: String?
    /// NDJSON event streams on TCP and/or a Unix socket (off by default).
    public var streamIngest = StreamIngestConfiguration()
    /// Per queue: the service level below which boards show red.
    public var warningLevels: [String: Double] = [:]
    /// Most topic updates per second per board, and the heartbeat interval.
    public var maxUpdatesPerSecond = 4
    public var heartbeatSeconds = 5
    /// A board that takes no frame for this long while frames wait is disconnected.
    public var stallTimeoutSeconds = 30
    /// Clients, subscriptions per connection and messages per second per connection.
    public var webSocketLimits = WebSocketLimits()
    /// HTTPS/WSS only, with this certificate chain and key (PEM).
    public var tlsCertificateFile: String?
    public var tlsPrivateKeyFile: String?
    /// Tokens, roles and origins; `nil`: anonymous callers are viewers (see docs/security.md).
    public var access: AccessPolicy?
    /// Host names served besides localhost, IP addresses and the listen host (DNS-rebinding guard).
    public var allowedHosts: [String] = []
    /// How long event strings and lists may be on HTTP and stream ingest.
    public var eventLimits = EventLimits.standard
    /// Redis Streams source and/or sink (Redis/, docs/scaling.md).
    public var redis: RedisSettings?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, webRoot: String? = nil, simulator: Bool = true,
        simulatorSeed: UInt64 = 42, simulatorWarmup: Millis = .minutes(15), engine: EngineConfiguration = EngineConfiguration()
    ) {
        self.host = host
        self.port = port
        self.webRoot = webRoot
        self.simulator = simulator
        self.simulatorSeed = simulatorSeed
        self.simulatorWarmup = simulatorWarmup
        self.engine = engine
    }
}

/// The running daemon: engine, HTTP/WebSocket server and sources, started and stopped in order.
///
/// Built by ``make(options:logger:clock:)`` (the composition root); `main` only parses arguments.
/// Tests build the same daemon on 127.0.0.1 port 0.
public final class Daemon: @unchecked Sendable {
    // @unchecked: fields are set in init and start(); shutdown state is confined to `controlQueue`.

    public let options: DaemonOptions
    public let engine: EngineService
    public let hub: TopicHub
    public let server: LWSServer
    let api: WallboardAPI
    let logger: Logger
    private let controlQueue = DispatchQueue(label: "wallboardd.control")
    private var signalSources: [DispatchSourceSignal] = []
    /// Asterisk manager sources, created at start (their secrets are read then).
    public private(set) var amiSources: [AMISource] = []
    /// The outbound HTTP client for alert notifications (when the daemon owns it).
    private var httpClient: LWSHTTPClient?
    /// The NDJSON stream listener, when configured.
    public private(set) var streamIngest: StreamIngestServer?
    let clock: WallClock
    /// The Redis stream reader and writer, when configured (Redis/Daemon+Redis.swift).
    public internal(set) var redisSource: RedisStreamSource?
    public internal(set) var redisSink: RedisStreamSink?
    /// systemd's notify socket (READY, STATUS, WATCHDOG, RELOADING, STOPPING); inert outside systemd.
    public var notifier = SystemdNotifier()
    private var stopping = false

    private init(options: DaemonOptions, engine: EngineService, hub: TopicHub, server: LWSServer, api: WallboardAPI,
                 clock: WallClock, logger: Logger)
    {
        self.clock = clock
        self.options = options
        self.engine = engine
        self.hub = hub
        self.server = server
        self.api = api
        self.logger = logger
    }

    /// Wires the parts together without starting anything.
    /// - Parameter transport: how alert notifications are sent; by default libwebsockets' HTTP client.
    public static func make(
        options: DaemonOptions, logger: Logger, clock: WallClock = SystemClock(), transport: NotificationTransport? = nil
    ) -> Daemon {
        let httpClient = transport == nil ? LWSHTTPClient(logger: logger) : nil
        let transport = transport ?? httpClient.map { LWSNotificationTransport(client: $0) }
        let serverBox = ServerBox()
        let hub = TopicHub { frame, targets in serverBox.server?.send(frame, to: targets) }
        let simulator = options.simulator
            ? ContactCenterSimulator(configuration: .demo(seed: options.simulatorSeed),
                                     runID: "sim\(clock.now().milliseconds)")
            : nil
        let engine = EngineService(
            configuration: options.engine, simulator: simulator, simulatorWarmup: options.simulatorWarmup,
            centerName: options.centerName, journal: options.journal,
            alerts: EngineService.AlertSettings(
                configuration: options.alerts, transport: transport, stateDirectory: options.stateDirectory,
                boardURL: options.boardURL),
            clock: clock, hub: hub, logger: logger)
        engine.publishInterval = .milliseconds(1000 / max(1, options.maxUpdatesPerSecond))
        engine.heartbeatSeconds = options.heartbeatSeconds
        engine.reconfigure(options.engine, warningLevels: options.warningLevels)
        engine.eventLimits = options.eventLimits
        let api = WallboardAPI(engine: engine, hub: hub, clock: clock, logger: logger)
        api.webSocketGuard.limits = options.webSocketLimits
        var serverConfiguration = LWSServer.Configuration(
            host: options.host, port: options.port, staticRoot: options.webRoot,
            tlsCertificatePath: options.tlsCertificateFile, tlsPrivateKeyPath: options.tlsPrivateKeyFile)
        serverConfiguration.stallTimeout = .seconds(options.stallTimeoutSeconds)
        serverConfiguration.dynamicPrefixes.append(WallboardAPI.consolePath)  // redirected to the console page
        let server = LWSServer(configuration: serverConfiguration, delegate: api, logger: logger)
        serverBox.server = server
        api.server = server
        hub.setViewerResolver { [weak api, weak hub] connection in
            guard let principal = api?.access.principal(of: connection) else { return .everything }
            return TopicHub.Viewer(
                key: principal.viewKey, view: principal.view, maySubscribe: principal.maySubscribe,
                shapesDeltas: !principal.scope.isLimited,
                viewTopic: { [weak hub] topic, payload in
                    principal.view(topic: topic, payload, snapshot: { hub?.latest("snapshot")?.data })
                },
                shapeText: principal.textShaper)
        }
        let daemon = Daemon(options: options, engine: engine, hub: hub, server: server, api: api, clock: clock, logger: logger)
        daemon.httpClient = httpClient
        daemon.configureAccess(options.access, stateDirectory: options.stateDirectory, clock: clock)
        return daemon
    }

    /// The port the server listens on (after ``start()``).
    public var port: Int { server.port }

    /// Starts the engine (restoring the journal), the server, then the sources. Throws if the journal
    /// cannot be opened, the listen address cannot be bound, or a source's secret cannot be read.
    public func start() throws {
        raiseDescriptorLimit()
        try httpClient?.start()
        amiSources = try options.amiSources.map { settings throws(AMISourceError) in
            let configuration = try AMISourceConfiguration(
                name: settings.name, address: "\(settings.host.contains(":") ? "[\(settings.host)]" : settings.host):\(settings.port)",
                username: settings.username, secretFile: settings.secretFile,
                mapper: {
                    var mapper = AMIEventMapper.Configuration(wrapUpTimes: settings.wrapUp, idPrefix: "ami.\(settings.name)")
                    mapper.serviceLevel = settings.serviceLevel
                    mapper.selfServiceContexts = settings.selfServiceContexts
                    if let variable = settings.selfServiceReasonVariable { mapper.selfServiceReasonVariable = variable }
                    return mapper
                }())
            var source = configuration
            source.queueLog = settings.queueLog
            return AMISource(configuration: source, engine: engine, clock: clock, logger: logger)
        }
        api.amiSources = amiSources
        try prepareRedisSink()
        // Weak: the server's delegate (the API) holds the engine, so a strong capture here would be a
        // cycle engine → heartbeat → server → API → engine that outlives shutdown.
        try engine.start { [weak server] sequence, text in
            server?.broadcast(OutboundFrame(slot: "heartbeat", sequence: sequence, payload: SharedBytes(text)))
        }
        do {
            try server.start()
        } catch {
            engine.stop()
            throw error
        }
        startDayCoverage()  // after the journal opened: the state directory exists now
        if options.streamIngest.isEnabled {
            let ingest = StreamIngestServer(
                configuration: options.streamIngest, engine: engine, logger: logger, access: api.access)
            do {
                try ingest.start()
            } catch {
                server.shutdown {}
                engine.stop()
                throw error
            }
            streamIngest = ingest
            api.streamIngest = ingest
        }
        amiSources.forEach { $0.start() }
        do {
            try startRedisSource()
        } catch {
            shutdown {}
            throw error
        }
        if let interval = notifier.watchdogInterval {
            engine.every(interval) { [notifier] in notifier.notify("WATCHDOG=1") }
        }
        notifier.notify("READY=1\nSTATUS=serving on \(options.host):\(port)")
        logger.notice(
            "wallboardd started",
            metadata: ["http.listen": "\(options.host):\(port)", "web.root": "\(options.webRoot ?? "none")"])
    }

    /// Raises the soft descriptor limit to the hard one before any socket or lws context exists (lws
    /// sizes its tables from the limit when its context is created). The listeners keep
    /// `DescriptorBudget.defaultReserve` of them free for the journal, AMI, webhooks and logs.
    private func raiseDescriptorLimit() {
        guard let (before, after) = DescriptorBudget.raiseSoftLimit() else {
            return logger.warning("cannot read the descriptor limit (RLIMIT_NOFILE)")
        }
        let level: Logger.Level = after < 4 * DescriptorBudget.defaultReserve ? .warning : .info
        logger.log(
            level: level, "descriptor limit",
            metadata: ["fd.limit": "\(after)", "fd.limit.before": "\(before)", "fd.reserve": "\(DescriptorBudget.defaultReserve)"])
    }

    /// Stops in reverse order: engine timers, then the server (close frames to every board). Calls
    /// `completion` once everything is down.
    public func shutdown(completion: @escaping @Sendable () -> Void) {
        notifier.notify("STOPPING=1")
        let sources = amiSources
        let group = DispatchGroup()
        for source in sources {
            group.enter()
            source.stop { group.leave() }
        }
        if let ingest = streamIngest {
            group.enter()
            ingest.stop { group.leave() }
        }
        stopRedis(group)
        group.notify(queue: controlQueue) { [engine, server, httpClient, self] in
            writeAliveMarker()
            engine.stop()
            server.shutdown {
                guard let httpClient else { return completion() }
                httpClient.shutdown(completion: completion)
            }
        }
    }

    /// Re-reads the config file and applies what can change live (queues, thresholds, display names).
    /// An invalid file changes nothing: the old config stays and the reason is logged.
    /// - Returns: the error that kept the old config, if any.
    @discardableResult
    public func reload() -> Error? {
        guard let path = options.configPath else {
            logger.notice("reload: no config file to re-read (started without --config)")
            return nil
        }
        notifier.notify("RELOADING=1")
        defer { notifier.notify("READY=1") }
        do {
            let configuration = try DaemonConfiguration.load(path: path)
            engine.reconfigure(
                configuration.engine, centerName: configuration.centerName, warningLevels: configuration.warningLevels)
            engine.reconfigureAlerts(configuration.alerts)
            reloadDayCoverage(calendar: configuration.engine.calendar)
            api.webSocketGuard.limits = configuration.webSocketLimits
            engine.eventLimits = configuration.eventLimits
            configureAccess(
                configuration.access, allowedHosts: configuration.allowedHosts, stateDirectory: options.stateDirectory,
                clock: clock)
            reloadCertificates(configuration)
            let ignored = restartOnlyChanges(configuration)
            if !ignored.isEmpty {
                logger.warning(
                    "config reloaded, but these changes need a restart",
                    metadata: ["config.restart_needed": "\(ignored.joined(separator: ", "))"])
            }
            logger.notice("config reloaded", metadata: ["config.path": "\(path)", "config.queues": "\(configuration.engine.queues.count)"])
            return nil
        } catch {
            logger.error("config reload failed: keeping the running config", metadata: ["config.error": "\(error)"])
            notifier.notify("STATUS=reload failed, running on the previous config: \(error)")
            return error
        }
    }

    /// Keys whose new value in `configuration` differs from what the daemon runs with but that only a
    /// restart applies.
    func restartOnlyChanges(_ configuration: DaemonConfiguration) -> [String] {
        guard let running = options.configuration else { return [] }
        var keys: [String] = []
        if configuration.listenHost != running.listenHost || configuration.listenPort != running.listenPort {
            keys.append("listen")
        }
        if configuration.webRoot != running.webRoot { keys.append("web_root") }
        if configuration.stateDirectory != running.stateDirectory { keys.append("state_dir") }
        if configuration.logLevel != running.logLevel { keys.append("log_level") }
        if configuration.simulator != running.simulator || configuration.simulatorSeed != running.simulatorSeed {
            keys.append("simulator")
        }
        if configuration.journal?.policy != running.journal?.policy || configuration.journal?.keepDays != running.journal?.keepDays
            || configuration.journal?.checkpointMinutes != running.journal?.checkpointMinutes
        {
            keys.append("journal")
        }
        if configuration.amiSources != running.amiSources { keys.append("ami") }
        if configuration.streamIngest != running.streamIngest { keys.append("ingest") }
        if configuration.maxUpdatesPerSecond != running.maxUpdatesPerSecond
            || configuration.heartbeatSeconds != running.heartbeatSeconds
            || configuration.stallTimeoutSeconds != running.stallTimeoutSeconds
        {
            keys.append("websocket")
        }
        if configuration.boardURL != running.boardURL { keys.append("board_url") }
        if configuration.redis != running.redis { keys.append("redis") }
        return keys
    }

    /// Re-reads renewed TLS files at the same paths; other paths need a restart (logged).
    private func reloadCertificates(_ configuration: DaemonConfiguration) {
        guard options.tlsCertificateFile != nil else { return }
        guard configuration.tlsCertificateFile == options.tlsCertificateFile,
            configuration.tlsPrivateKeyFile == options.tlsPrivateKeyFile
        else {
            logger.warning("tls file paths changed: restart to use them (renewed files at the same paths reload live)")
            return
        }
        server.reloadCertificates { [logger] error in
            if let error {
                logger.error("tls certificate reload failed: keeping the old one", metadata: ["tls.error": "\(error)"])
            } else {
                logger.notice("tls certificate reloaded")
            }
        }
    }

    /// Handles SIGTERM and SIGINT with a graceful stop and `exit(0)`; a second signal exits at once.
    /// SIGHUP re-reads the config file (``reload()``).
    /// Never returns: runs the main dispatch queue.
    public func runUntilSignalled() -> Never {
        for signalNumber in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: controlQueue)
            source.setEventHandler { [self] in
                if stopping {
                    logger.warning("second signal: exiting now")
                    exit(1)
                }
                stopping = true
                logger.notice("stopping", metadata: ["signal": "\(signalNumber)"])
                shutdown {
                    self.logger.notice("stopped")
                    exit(0)
                }
            }
            source.resume()
            signalSources.append(source)
        }
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: controlQueue)
        hangup.setEventHandler { [self] in reload() }
        hangup.resume()
        signalSources.append(hangup)
        dispatchMain()
    }
}

/// Breaks the construction cycle hub → server → api → hub: weak, the daemon owns the server.
private final class ServerBox: @unchecked Sendable {
    // @unchecked: written once during `Daemon.make`, before any thread reads it.
    weak var server: LWSServer?
}

extension DaemonOptions {
    /// Options from a validated config file.
    public init(configuration: DaemonConfiguration, configPath: String?, webRootFallback: String?) {
        self.init(
            host: configuration.listenHost, port: configuration.listenPort,
            webRoot: configuration.webRoot ?? webRootFallback, simulator: configuration.simulator,
            simulatorSeed: configuration.simulatorSeed, engine: configuration.engine)
        self.centerName = configuration.centerName
        self.amiSources = configuration.amiSources
        self.configPath = configPath
        self.configuration = configuration
        self.journal = configuration.journal
        self.alerts = configuration.alerts
        self.stateDirectory = configuration.stateDirectory
        self.boardURL = configuration.boardURL
        self.streamIngest = configuration.streamIngest
        self.access = configuration.access
        self.allowedHosts = configuration.allowedHosts
        self.eventLimits = configuration.eventLimits
        self.maxUpdatesPerSecond = configuration.maxUpdatesPerSecond
        self.warningLevels = configuration.warningLevels
        self.heartbeatSeconds = configuration.heartbeatSeconds
        self.stallTimeoutSeconds = configuration.stallTimeoutSeconds
        self.webSocketLimits = configuration.webSocketLimits
        self.tlsCertificateFile = configuration.tlsCertificateFile
        self.tlsPrivateKeyFile = configuration.tlsPrivateKeyFile
        self.redis = configuration.redis
    }

}
