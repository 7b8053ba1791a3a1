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

    @Option(help: "Address and port to listen on (HOST:PORT).")
    var listen: String = "127.0.0.1:8080"

    @Option(help: "Folder with the wallboard's static files (default: found next to the binary or in ./web).")
    var webRoot: String?

    @Flag(help: "Do not run the built-in simulator (events come from ingest or other sources only).")
    var noSimulator = false

    @Option(help: "Seed of the built-in simulator, so a demo run can be repeated.")
    var seed: UInt64 = 42

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    mutating func run() throws {
        guard let (host, port) = ListenAddress.parse(listen) else {
            throw ValidationError("--listen \(listen): expected HOST:PORT, e.g. 127.0.0.1:8080")
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "wallboardd")
        let webRoot = webRoot ?? WebRootLocator.locate()
        if webRoot == nil { logger.warning("no web root found: the board will not be served (use --web-root)") }
        signal(SIGPIPE, SIG_IGN)
        let daemon = Daemon.make(
            options: DaemonOptions(host: host, port: port, webRoot: webRoot, simulator: !noSimulator, simulatorSeed: seed),
            logger: logger)
        do {
            try daemon.start()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        daemon.runUntilSignalled()
    }
}
