import AMIAdapter
import Foundation
import JSONModel
import Logging
import WallboardAlerts
import WallboardCore

/// Everything the config file sets, validated. See `docs/configuration.md` and `systemd/wallboardd.yaml`.
public struct DaemonConfiguration: Sendable {
    /// One Asterisk manager interface to read events from.
    public struct AMISourceSettings: Sendable, Equatable {
        public var name: String
        public var host: String
        public var port: Int
        public var username: String
        public var secretFile: String
        /// The queue's `wrapuptime` per queue id, in milliseconds (Asterisk does not report it over AMI).
        public var wrapUp: [String: Millis]
        /// How the queues discovered from this Asterisk judge their service level (`service_level`).
        public var serviceLevel: AMIEventMapper.ServiceLevelTreatment = .board
        /// Asterisk's `queue_log`, read to fill the gaps while the daemon or its manager session was down (`queue_log`).
        public var queueLog: String?
        /// `self_service.contexts`: IVR dialplan context → entry point (docs/asterisk.md, "Self-service").
        public var selfServiceContexts: [String: String] = [:]
        /// `self_service.reason_variable`: the channel variable holding a self-served caller's reason.
        public var selfServiceReasonVariable: String? = nil

        public init(name: String, host: String, port: Int, username: String, secretFile: String, wrapUp: [String: Millis]) {
            self.name = name
            self.host = host
            self.port = port
            self.username = username
            self.secretFile = secretFile
            self.wrapUp = wrapUp
        }
    }

    public var listenHost = "127.0.0.1"
    public var listenPort = 8080
    /// Host names the daemon is reached by besides localhost, IP addresses and the listen host
    /// (`allowed_hosts:`; requests naming another host get 421, see docs/security.md). Live on reload.
    public var allowedHosts: [String] = []
    public var webRoot: String?
    public var stateDirectory: String?
    public var logLevel: Logger.Level = .info
    /// The center's name shown on the board.
    public var centerName = "wallboard"
    public var simulator = false
    public var simulatorSeed: UInt64 = 42
    public var engine = EngineConfiguration()
    public var amiSources: [AMISourceSettings] = []
    /// Per queue: below this service level the board shows red (amber between it and the target).
    public var warningLevels: [String: Double] = [:]
    /// Most topic updates a board gets per second (changes in between are coalesced: latest wins).
    public var maxUpdatesPerSecond = 4
    /// How often an idle board hears a heartbeat.
    public var heartbeatSeconds = 5
    /// A board that takes no frame for this long while frames wait is disconnected.
    public var stallTimeoutSeconds = 30
    /// Clients, subscriptions per connection and messages per second per connection (live on reload).
    public var webSocketLimits = WebSocketLimits()
    /// HTTPS/WSS certificate chain and private key (PEM); both or neither.
    public var tlsCertificateFile: String?
    public var tlsPrivateKeyFile: String?
    /// NDJSON event streams (see docs/ingest.md).
    public var streamIngest = StreamIngestConfiguration()
    /// Alert rules, notifiers and delivery policy (see docs/alerts.md).
    public var alerts = AlertConfiguration()
    /// The board's address, linked from notifications ("open the board").
    public var boardURL: String?
    /// How accepted events are journaled under `state_dir` (see docs/journal.md).
    public var journal: EngineService.JournalSettings?
    /// Tokens, roles and origins (`access:`; see docs/security.md); `nil` when the section is absent.
    public var access: AccessPolicy?
    /// How long event strings and lists may be (`limits:`; see docs/events.md). Applied again on reload.
    public var eventLimits = EventLimits.standard
    /// Redis Streams source and/or sink (`redis:`; Config/DaemonConfiguration+Redis.swift, docs/scaling.md).
    public var redis: RedisSettings?

    public init() {}

    /// Config paths of secrets written inline (Slack/Teams URLs, routing keys, headers) rather than in
    /// `*_file`s: `wallboardctl config check` warns about them when others can read the file.
    public var inlineSecrets: [String] = []

    /// Reads and validates a config file's text. Relative secret file paths (`secret_file`, `*_file`)
    /// are looked up in `credentialsDirectory` (systemd's `$CREDENTIALS_DIRECTORY` by default).
    public static func parse(
        yaml: String, fileName: String, credentialsDirectory: String? = SecretFiles.credentialsDirectory
    ) throws(ConfigError) -> DaemonConfiguration {
        let document = try ConfigDocument(yaml: yaml, fileName: fileName)
        let root = try ConfigReader(document, value: document.root, path: "")
        var configuration = DaemonConfiguration()
        if let listen = try root.string("listen") {
            guard let (host, port) = ListenAddress.parse(listen) else {
                throw document.error("listen", "\"\(listen)\" is not HOST:PORT, e.g. 127.0.0.1:8080")
            }
            configuration.listenHost = host
            configuration.listenPort = port
        }
        configuration.allowedHosts = try parseAllowedHosts(root)  // Access/AccessPolicy+Config.swift
        configuration.webRoot = try root.string("web_root")
        configuration.stateDirectory = try root.string("state_dir")
        if let level = try root.choice("log_level", from: Logger.Level.allCases.map(\.rawValue)) {
            configuration.logLevel = Logger.Level(rawValue: level)!
        }
        if let center = try root.section("center") {
            configuration.centerName = try center.string("name") ?? configuration.centerName
            if let zone = try center.string("time_zone") {
                guard let timeZone = FoundationTimeZoneOffset.centerTimeZone(zone) else {
                    throw document.error("center.time_zone", "\"\(zone)\" is not an IANA time zone (e.g. Europe/Paris)")
                }
                configuration.engine.calendar.timeZone = timeZone
            }
            if let dayStart = try center.string("day_start") {
                guard let millis = parseClockTime(dayStart) else {
                    throw document.error("center.day_start", "\"\(dayStart)\" is not a time of day HH:MM")
                }
                configuration.engine.calendar.dayStart = millis
            }
            if let minutes = try center.integer("repeat_contact_minutes", in: 1...(7 * 24 * 60)) {
                configuration.engine.repeatWindow = .minutes(minutes)
            }
            try center.rejectUnknownKeys()
        }
        if let contacts = try root.section("contacts") {
            try parseContacts(contacts, into: &configuration.engine)  // DaemonConfiguration+Contacts.swift
        }
        if let windows = try root.section("windows") {
            try parseWindows(windows, into: &configuration.engine)
        }
        if let simulator = try root.section("simulator") {
            configuration.simulator = try simulator.bool("enabled") ?? true
            configuration.simulatorSeed = UInt64(try simulator.integer("seed", in: 0...Int64.max) ?? 42)
            try simulator.rejectUnknownKeys()
        }
        let journalSection = try root.section("journal")
        if let directory = configuration.stateDirectory {
            var settings = EngineService.JournalSettings(directory: directory + "/journal")
            if let journal = journalSection {
                switch try journal.choice("fsync", from: ["always", "batched", "os"]) {
                case "always": settings.policy = .always
                case "os": settings.policy = .os
                default:
                    settings.policy = .batched(milliseconds: Int(try journal.integer("batch_milliseconds", in: 1...1000) ?? 5))
                }
                _ = journal.value("batch_milliseconds")
                settings.keepDays = Int(try journal.integer("keep_days", in: 1...3650) ?? Int64(EngineService.JournalSettings.defaultKeepDays))
                settings.checkpointMinutes = Int(try journal.integer("checkpoint_minutes", in: 1...1440) ?? 5)
                try journal.rejectUnknownKeys()
            }
            configuration.journal = settings
        } else if journalSection != nil {
            throw document.error("journal", "needs \"state_dir\": the journal lives in its journal/ folder")
        }
        (configuration.engine.queues, configuration.warningLevels) = try parseQueues(root)
        configuration.engine.queueGroups = try parseQueueGroups(root, queues: configuration.engine.queues)
        configuration.boardURL = try root.string("board_url")
        if let websocket = try root.section("websocket") {
            configuration.maxUpdatesPerSecond = Int(try websocket.integer("max_updates_per_second", in: 1...20) ?? 4)
            configuration.heartbeatSeconds = Int(try websocket.integer("heartbeat_seconds", in: 1...60) ?? 5)
            configuration.stallTimeoutSeconds = Int(try websocket.integer("stall_timeout_seconds", in: 1...3600) ?? 30)
            var limits = WebSocketLimits()
            limits.maxClients = Int(try websocket.integer("max_clients", in: 1...100_000) ?? Int64(limits.maxClients))
            limits.maxSubscriptionsPerConnection = Int(
                try websocket.integer("max_subscriptions_per_connection", in: 1...10_000)
                    ?? Int64(limits.maxSubscriptionsPerConnection))
            limits.maxMessagesPerSecond = Int(
                try websocket.integer("max_messages_per_second", in: 1...1000) ?? Int64(limits.maxMessagesPerSecond))
            configuration.webSocketLimits = limits
            try websocket.rejectUnknownKeys()
        }
        if let tls = try root.section("tls") {
            configuration.tlsCertificateFile = try tls.requiredString("certificate_file")
            configuration.tlsPrivateKeyFile = try tls.requiredString("private_key_file")
            for (key, path) in [("certificate_file", configuration.tlsCertificateFile!),
                                ("private_key_file", configuration.tlsPrivateKeyFile!)]
                where !FileManager.default.isReadableFile(atPath: path)
            {
                throw document.error("tls.\(key)", "\(path) does not exist or cannot be read")
            }
            try tls.rejectUnknownKeys()
        }
        if let ingest = try root.section("ingest") {
            if let stream = try ingest.section("stream") {
                try parseStreamIngest(stream, into: &configuration.streamIngest)
            }
            try ingest.rejectUnknownKeys()
        }
        if let limits = try root.section("limits") {
            configuration.eventLimits = try parseEventLimits(limits)  // Config/DaemonConfiguration+Limits.swift
            try limits.rejectUnknownKeys()
        }
        if let projection = try root.section("projection") {
            configuration.engine.projectionClose = try parseProjection(projection)  // Config/DaemonConfiguration+Projection.swift
        }
        if let costs = try root.section("costs") {
            configuration.engine.costs = try parseCosts(costs, idLimit: configuration.eventLimits.maxIDBytes)  // Config/DaemonConfiguration+Costs.swift
        }
        if let text = root.value("alerts") {
            let (alerts, inline) = try SecretFiles.resolveNotifiers(
                text, document: document, credentialsDirectory: credentialsDirectory)  // Config/SecretFiles.swift
            configuration.inlineSecrets = inline
            do {
                configuration.alerts = try AlertConfiguration(
                    json: alerts, path: "alerts", line: { document.line($0) },
                    knownWindows: configuration.engine.windowNames)
            } catch {
                // Every problem at once, one per line, each as file:line: path: message.
                let first = error.issues.first
                let rest = error.issues.dropFirst().map { issue in
                    let location = issue.line.map { "\(document.fileName):\($0)" } ?? document.fileName
                    let rule = issue.rule.map { "rule \"\($0)\": " } ?? ""
                    return "\n\(location): \(issue.path): \(rule)\(issue.message)"
                }
                throw ConfigError(
                    file: document.fileName, line: first?.line, path: first?.path ?? "alerts",
                    message: (first?.rule.map { "rule \"\($0)\": " } ?? "") + (first?.message ?? "invalid") + rest.joined())
            }
            try checkCostRules(configuration, document: document)  // Config/DaemonConfiguration+Costs.swift
        }
        configuration.amiSources = try parseAMI(root).map { source in
            var source = source
            source.secretFile = SecretFiles.resolve(source.secretFile, credentialsDirectory: credentialsDirectory)
            return source
        }
        configuration.access = try AccessPolicy.parse(root)  // Access/AccessPolicy+Config.swift
        configuration.redis = try parseRedis(root, stateDirectory: configuration.stateDirectory)
        try root.rejectUnknownKeys()
        return configuration
    }

    private static func parseWindows(_ windows: ConfigReader, into engine: inout EngineConfiguration) throws(ConfigError) {
        if let value = windows.value("rolling_minutes") {
            guard let list = value.arrayValue, !list.isEmpty else {
                throw windows.document.error(windows.childPath("rolling_minutes"), "must be a list of minutes, e.g. [5, 15, 30, 60]")
            }
            var specs: [RollingWindowSpec] = []
            for element in list {
                guard let minutes = element.integerValue, (1...1440).contains(minutes) else {
                    throw windows.document.error(windows.childPath("rolling_minutes"), "each entry must be whole minutes 1...1440")
                }
                specs.append(RollingWindowSpec(name: "\(minutes)m", length: .minutes(minutes)))
            }
            engine.windows = specs
        }
        if let minutes = try windows.integer("interval_minutes", in: 5...1440) {
            guard 1440 % minutes == 0 else {
                throw windows.document.error(windows.childPath("interval_minutes"), "must divide a day evenly (e.g. 15, 30, 60)")
            }
            engine.calendar.intervalLength = .minutes(minutes)
        }
        if let primary = try windows.string("primary") {
            guard engine.windowNames.contains(primary) else {
                throw windows.document.error(
                    windows.childPath("primary"), "\"\(primary)\" is not one of \(engine.windowNames.joined(separator: ", "))")
            }
            engine.primaryWindow = primary
        }
        try windows.rejectUnknownKeys()
    }

    private static func parseStreamIngest(_ stream: ConfigReader, into settings: inout StreamIngestConfiguration)
        throws(ConfigError)
    {
        if let tcp = try stream.string("tcp") {
            guard let (host, port) = ListenAddress.parse(tcp) else {
                throw stream.document.error(stream.childPath("tcp"), "\"\(tcp)\" is not HOST:PORT, e.g. 127.0.0.1:7071")
            }
            settings.tcpHost = host
            settings.tcpPort = port
        }
        settings.unixPath = try stream.string("unix")
        if let value = try stream.integer("max_line_bytes", in: 1024...16_777_216) { settings.maxLineBytes = Int(value) }
        if let value = try stream.integer("max_lines_in_flight", in: 1...65536) { settings.maxLinesInFlight = Int(value) }
        if let value = try stream.integer("max_bytes_in_flight", in: 65536...1_073_741_824) {
            settings.maxBytesInFlight = Int(value)
        }
        if let value = try stream.integer("max_reply_buffer_bytes", in: 4096...67_108_864) {
            settings.maxReplyBufferBytes = Int(value)
        }
        if let value = try stream.integer("max_connections", in: 1...65536) { settings.maxConnections = Int(value) }
        try stream.rejectUnknownKeys()
    }

    /// "HH:MM" as milliseconds after midnight.
    static func parseClockTime(_ text: String) -> Millis? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hours = Int64(parts[0]),
            let minutes = Int64(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return nil }
        return .minutes(hours * 60 + minutes)
    }

    private static func parseQueues(_ root: ConfigReader) throws(ConfigError) -> ([QueueSettings], [String: Double]) {
        var queues: [QueueSettings] = []
        var warningLevels: [String: Double] = [:]
        for queue in try root.list("queues") {
            let id = try queue.requiredString("id")
            guard !queues.contains(where: { $0.id == id }) else {
                throw queue.document.error(queue.childPath("id"), "queue \"\(id)\" is listed twice")
            }
            var settings = QueueSettings(id: id, name: try queue.string("name"))
            if let threshold = try queue.integer("threshold_seconds", in: 1...3600) { settings.threshold = .seconds(threshold) }
            if let target = try queue.number("target", in: 0...1) { settings.target = target }
            if let short = try queue.integer("short_abandon_seconds", in: 0...600) { settings.shortAbandon = .seconds(short) }
            if let callback = try queue.integer("callback_threshold_seconds", in: 1...604_800) {
                settings.callbackThreshold = .seconds(callback)  // docs/metrics.md, "Callbacks"
            }
            settings.close = try parseCloseTime(queue, "close")  // docs/metrics.md, "Projected close"
            if let treatment = try queue.choice(
                "abandon_treatment", from: QueueSettings.AbandonTreatment.allCases.map(\.rawValue))
            {
                settings.abandonTreatment = QueueSettings.AbandonTreatment(rawValue: treatment)!
            }
            if let warning = try queue.number("warning_level", in: 0...1) {
                guard warning <= settings.target else {
                    throw queue.document.error(
                        queue.childPath("warning_level"), "must not be above the target (\(settings.target)), got \(warning)")
                }
                warningLevels[id] = warning
            }
            try queue.rejectUnknownKeys()
            queues.append(settings)
        }
        return (queues, warningLevels)
    }

    private static func parseAMI(_ root: ConfigReader) throws(ConfigError) -> [AMISourceSettings] {
        var sources: [AMISourceSettings] = []
        for (index, ami) in try root.list("ami").enumerated() {
            let name = try ami.string("name") ?? "ami\(index + 1)"
            let host = try ami.requiredString("host")
            let port = Int(try ami.integer("port", in: 1...65535) ?? 5038)
            var wrapUp: [String: Millis] = [:]
            if let section = try ami.section("wrapup_seconds") {
                for key in section.object.keys {
                    wrapUp[key] = .seconds(try section.integer(key, in: 0...3600) ?? 0)
                }
                try section.rejectUnknownKeys()
            }
            var settings = AMISourceSettings(
                name: name, host: host, port: port, username: try ami.requiredString("username"),
                secretFile: try ami.requiredString("secret_file"), wrapUp: wrapUp)
            if let treatment = try ami.choice("service_level", from: AMIEventMapper.ServiceLevelTreatment.allCases.map(\.rawValue)) {
                settings.serviceLevel = AMIEventMapper.ServiceLevelTreatment(rawValue: treatment)!
            }
            if let path = try ami.string("queue_log") {
                // Read only, at each (re)connect: it must be readable now (docs/asterisk.md, "queue_log").
                var isDirectory: ObjCBool = false
                guard !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    FileManager.default.isReadableFile(atPath: path)
                else {
                    throw ami.document.error(
                        ami.childPath("queue_log"),
                        "\(path) is not a file this user can read (add it to the asterisk group, see docs/asterisk.md)")
                }
                settings.queueLog = path
            }
            if let section = try ami.section("self_service") {  // docs/asterisk.md, "Self-service (IVR) containment"
                if let contexts = try section.section("contexts") {
                    for key in contexts.object.keys {
                        guard let entryPoint = try contexts.string(key), !entryPoint.isEmpty else {
                            throw contexts.document.error(contexts.childPath(key), "must name an entry point, e.g. ivr-main")
                        }
                        settings.selfServiceContexts[key] = entryPoint
                    }
                    try contexts.rejectUnknownKeys()
                }
                settings.selfServiceReasonVariable = try section.string("reason_variable")
                try section.rejectUnknownKeys()
            }
            sources.append(settings)
            try ami.rejectUnknownKeys()
        }
        return sources
    }
}

extension DaemonConfiguration {
    /// Reads and validates the config file at `path`.
    public static func load(path: String) throws -> DaemonConfiguration {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, path: "", message: "cannot read the file (missing, unreadable or not UTF-8)")
        }
        return try parse(yaml: text, fileName: path)
    }
}
