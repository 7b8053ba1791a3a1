import ArgumentParser
import Foundation
import Glibc
import JSONC
import WallboardClient
import WallboardServer

/// `wallboardctl`: the operator's and supervisor's command line for a wallboardd.
struct WallboardControl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallboardctl",
        abstract: "Talk to a wallboardd daemon, replay event files, check configs.",
        subcommands: [
            Version.self, SnapshotCommand.self, Ingest.self, ReplayCommand.self, ConfigCommand.self, AlertsCommand.self,
            AckCommand.self, TokenCommand.self, MonitorCommand.self, AgentsCommand.self, JournalCommand.self, ReportCommand.self,
        ])
}

/// `wallboardctl version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("wallboardctl \(WallboardAPI.version)") }
}

/// Options shared by commands that talk to a running daemon.
struct ServerOptions: ParsableArguments {
    @Option(help: "Base URL of the daemon.")
    var url: String = "http://127.0.0.1:8080"

    @Option(help: "Bearer token (default: $WALLBOARD_TOKEN).")
    var token: String?

    /// The Authorization header for `--token` or `$WALLBOARD_TOKEN`, if any.
    var authorization: [String: String] {
        (token ?? ProcessInfo.processInfo.environment["WALLBOARD_TOKEN"]).map { ["Authorization": "Bearer \($0)"] } ?? [:]
    }

    func endpoint(_ path: String) -> String {
        (url.hasSuffix("/") ? String(url.dropLast()) : url) + path
    }
}

/// `wallboardctl snapshot --url URL`: prints the current snapshot JSON.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "snapshot", abstract: "Print the current snapshot as JSON.")

    @OptionGroup var server: ServerOptions

    func run() throws {
        let response = try HTTPClient.get(server.endpoint("/api/v1/snapshot"), headers: server.authorization)
        guard response.status == 200 else {
            throw CommandFailure("GET /api/v1/snapshot answered \(response.status): \(response.text)")
        }
        print(response.text)
    }
}

/// `wallboardctl ingest FILE`: posts an NDJSON file of events and prints the daemon's per-line verdict.
struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send an NDJSON file of events to the daemon.")

    @OptionGroup var server: ServerOptions

    @Argument(help: "NDJSON file, one event per line (- for standard input).")
    var file: String

    func run() throws {
        let body = try readInput(file)
        let response = try HTTPClient.request(
            "POST", server.endpoint("/api/v1/events"),
            headers: server.authorization.merging(["Content-Type": "application/x-ndjson"]) { $1 }, body: body)
        print(response.text)
        if response.status != 200 { throw ExitCode(1) }
    }
}

/// An error that prints its message and exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The bytes of `path`, or standard input for `-`.
func readInput(_ path: String) throws -> [UInt8] {
    if path == "-" {
        var bytes: [UInt8] = []
        while let line = readLine(strippingNewline: false) { bytes += Array(line.utf8) }
        return bytes
    }
    guard let file = fopen(path, "rb") else { throw CommandFailure("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes += chunk[..<count]
    }
    return bytes
}

/// `wallboardctl config check FILE`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with config files.", subcommands: [Check.self])

    /// Validates a config file offline; errors name the file, line and key.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a config file; exit 0 if it is valid.")

        @Argument(help: "The YAML config file.")
        var file: String

        func run() throws {
            do {
                let configuration = try DaemonConfiguration.load(path: file)
                print("\(file): OK (\(configuration.engine.queues.count) queues, \(configuration.amiSources.count) AMI sources)")
                if let warning = SecretFiles.exposureWarning(file: file, inlineSecrets: configuration.inlineSecrets) {
                    printError(warning)
                }
            } catch {
                printError("\(error)")
                throw ExitCode(2)
            }
        }
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
