import ArgumentParser
import Foundation
import Logging
import WallboardServer

/// `wallboardd`: parses the command line, sets up logging and runs the daemon.
struct WallboardDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallboardd",
        abstract: "Real-time contact-center wallboard daemon.",
        discussion: """
            With no source options it runs the built-in simulator, so the board at http://HOST:PORT/ is live at once.
            """)

    @Option(help: "Address and port to listen on (HOST:PORT; default 127.0.0.1:8080, or the config's `listen`).")
    var listen: String?

    @Option(help: "YAML config file (see docs/configuration.md). Without one the built-in simulator runs.")
    var config: String?

    @Option(help: "Folder with the wallboard's static files (default: found next to the binary or in ./web).")
    var webRoot: String?

    @Flag(help: "Do not run the built-in simulator (events come from ingest or other sources only).")
    var noSimulator = false

    @Option(help: "Seed of the built-in simulator, so a demo run can be repeated.")
    var seed: UInt64 = 42

    @Option(help: "Read events from an Asterisk manager interface at HOST:PORT (turns the simulator off).")
    var ami: String?

    @Option(help: "Manager user for --ami (manager.conf; see docs/asterisk.md).")
    var amiUser: String?

    @Option(help: "File holding the manager user's secret for --ami.")
    var amiSecretFile: String?

    @Option(help: "Accept NDJSON event streams on HOST:PORT (see docs/ingest.md).")
    var ingestTcp: String?

    @Option(help: "Accept NDJSON event streams on this Unix socket (mode 0660).")
    var ingestUnix: String?

    @Option(help: "Keep a journal of accepted events in this folder, so a restart restores today (default: the config's state_dir).")
    var stateDir: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info, or the config's).")
    var logLevel: String?

    mutating func run() throws {
        var options: DaemonOptions
        var level = Logger.Level.info
        if let config {
            do {
                let configuration = try DaemonConfiguration.load(path: config)
                options = DaemonOptions(configuration: configuration, configPath: config, webRootFallback: nil)
                level = configuration.logLevel
            } catch {
                FileHandle.standardError.write(Data("wallboardd: invalid config: \(error)\n".utf8))
                throw ExitCode(2)
            }
        } else {
            options = DaemonOptions(simulator: !noSimulator, simulatorSeed: seed)
        }
        if let listen {
            guard let (host, port) = ListenAddress.parse(listen) else {
                throw ValidationError("--listen \(listen): expected HOST:PORT, e.g. 127.0.0.1:8080")
            }
            options.host = host
            options.port = port
        }
        if let logLevel {
            guard let parsed = Logger.Level(rawValue: logLevel) else {
                throw ValidationError("--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
            }
            level = parsed
        }
        if noSimulator { options.simulator = false }
        if let ami {
            guard let amiUser, let amiSecretFile else {
                throw ValidationError("--ami needs --ami-user NAME and --ami-secret-file FILE")
            }
            guard let (host, port) = ListenAddress.parse(ami.contains(":") ? ami : ami + ":5038") else {
                throw ValidationError("--ami \(ami): expected HOST:PORT, e.g. 127.0.0.1:5038")
            }
            options.amiSources.append(
                .init(name: "asterisk", host: host, port: port, username: amiUser, secretFile: amiSecretFile, wrapUp: [:]))
            if config == nil { options.simulator = false }
        }
        if let ingestTcp {
            guard let (host, port) = ListenAddress.parse(ingestTcp) else {
                throw ValidationError("--ingest-tcp \(ingestTcp): expected HOST:PORT, e.g. 127.0.0.1:7071")
            }
            options.streamIngest.tcpHost = host
            options.streamIngest.tcpPort = port
        }
        if let ingestUnix { options.streamIngest.unixPath = ingestUnix }
        if let stateDir {
            options.journal = EngineService.JournalSettings(directory: stateDir + "/journal")
            options.stateDirectory = stateDir
        }
        let chosenLevel = level
        LoggingSystem.bootstrap { label in JournaldLogHandler(label: label, level: chosenLevel) }
        let logger = Logger(label: "wallboardd")
        options.webRoot = webRoot ?? options.webRoot ?? WebRootLocator.locate()
        if let root = options.webRoot, !FileManager.default.fileExists(atPath: root + "/index.html") {
            logger.warning("web root has no index.html: the board will not be served", metadata: ["web.root": "\(root)"])
        } else if options.webRoot == nil {
            logger.warning("no web root found: the board will not be served (use --web-root)")
        }
        signal(SIGPIPE, SIG_IGN)
        // Under a file-size limit (systemd LimitFSIZE=, ulimit -f) a journal write past it must fail
        // with EFBIG (the journal refuses the event and recovers later), not kill the daemon.
        signal(SIGXFSZ, SIG_IGN)
        let daemon = Daemon.make(options: options, logger: logger)
        do {
            try daemon.start()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        daemon.runUntilSignalled()
    }
}
