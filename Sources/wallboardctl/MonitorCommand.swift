import ArgumentParser
import Foundation
import JSONC
import JSONModel
import WallboardClient

/// `wallboardctl monitor AGENT --url URL --token TOKEN`: the agent's live interaction and the
/// handle to silently monitor it (e.g. the Asterisk channel for ChanSpy). The lookup is audited.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "Show an agent's live interaction and its silent-monitor handle.")

    @OptionGroup var server: ServerOptions

    /// How to join the call, when starting a silent monitor.
    enum Mode: String, EnumerableFlag {
        case listen, whisper, barge

        static func help(for value: Mode) -> ArgumentHelp? {
            switch value {
            case .listen: return "Start listening to the agent's live call (nobody hears you)."
            case .whisper: return "Start a monitor in which you talk to the agent only."
            case .barge: return "Start a monitor in which you talk to both parties."
            }
        }
    }

    @Flag(help: "Start a silent monitor of the agent's live call on your token's monitor_endpoint.")
    var mode: Mode?

    @Option(help: "Your own phone (e.g. PJSIP/2001); optional: the daemon rings the token's monitor_endpoint and refuses any other.")
    var endpoint: String?

    @Flag(help: "Print the daemon's JSON instead of text.")
    var json = false

    @Argument(help: "The agent id.")
    var agent: String

    func run() throws {
        let headers = server.authorization
        let path = "/api/v1/agents/\(agent.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? agent)/interaction"
        let response = try HTTPClient.get(server.endpoint(path), headers: headers)
        if json {
            print(response.text)
            if response.status != 200 { throw ExitCode(1) }
            return
        }
        let body = try? JSONC.parse(response.text)
        guard response.status == 200, let interactions = body?["interactions"]?.arrayValue else {
            throw CommandFailure("GET \(path) answered \(response.status): \(body?["error"]?.stringValue ?? response.text)")
        }
        for interaction in interactions { print(Self.describe(interaction)) }
        guard let mode else { return }
        guard let contact = interactions.first?["contact"]?.stringValue else {
            throw CommandFailure("\(agent) has no live interaction to monitor")
        }
        var fields: JSONObject = ["mode": .string(mode.rawValue)]
        if let endpoint { fields["endpoint"] = .string(endpoint) }
        let monitor = try HTTPClient.request(
            "POST", server.endpoint("/api/v1/interactions/\(contact)/monitor"),
            headers: headers.merging(["Content-Type": "application/json"]) { $1 },
            body: Array(JSONC.encode(.object(fields)).utf8),
            // The server answers once the supervisor's phone was answered or gave up ringing (30 s).
            timeoutSeconds: 60)
        guard monitor.status == 200 else {
            let answer = try? JSONC.parse(monitor.text)
            throw CommandFailure(
                "starting the monitor answered \(monitor.status): \(answer?["error"]?.stringValue ?? monitor.text)")
        }
        let called = (try? JSONC.parse(monitor.text))?["endpoint"]?.stringValue ?? endpoint ?? "your phone"
        print("\(mode.rawValue): \(called) answered and is on \(contact)")
    }

    /// The text form of one interaction, one `key: value` per line.
    static func describe(_ interaction: JSONValue) -> String {
        func text(_ key: String) -> String {
            switch interaction[key] {
            case .string(let value)?: return value
            case .integer(let value)?: return key.hasSuffix("_seconds") ? "\(value) s" : String(value)
            case .number(let value)?: return String(format: "%.0f s", value)
            case .bool(let value)?: return value ? "yes" : "no"
            default: return "-"
            }
        }
        let monitor = interaction["monitor"].flatMap { handle -> String? in
            guard let kind = handle["kind"]?.stringValue, let target = handle["target"]?.stringValue else { return nil }
            return "\(target) (\(kind))"
        }
        return [
            "agent:     \(text("agent")) (team \(text("team")))",
            "contact:   \(text("contact")) [\(text("phase"))]",
            "queue:     \(text("queue")) via \(text("channel"))",
            "customer:  \(text("customer")) segment \(text("segment")), language \(text("language")), reason \(text("reason"))",
            "since:     queued \(text("queued_at")), answered \(text("answered_at"))",
            "durations: wait \(text("wait_seconds")), handling \(text("handle_seconds")), hold \(text("hold_seconds"))",
            "monitor:   \(monitor ?? "no handle reported by the source")",
        ].joined(separator: "\n")
    }
}
