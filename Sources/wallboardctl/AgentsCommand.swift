import ArgumentParser
import Foundation
import JSONC
import JSONModel
import WallboardClient

/// `wallboardctl agents --url URL --token TOKEN [--period 15m] [--agent ID] [--json]`: each agent's day as
/// the supervisor console's agent table shows it (`GET /api/v1/console/agents`, supervisor or admin).
struct AgentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "Show each agent's day: handled, AHT, occupancy, utilization, not-ready time, ring-no-answers, transfers.")

    @OptionGroup var server: ServerOptions

    @Option(help: "The period: today (default) or a rolling window's name (5m, 15m, 30m, 60m, ...).")
    var period = "today"

    @Option(help: "Only this agent.")
    var agent: String?

    @Flag(help: "Print the daemon's JSON instead of a table.")
    var json = false

    func run() throws {
        var path = "/api/v1/console/agents"
        if let agent { path += "?agent=" + (agent.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+"])) ?? agent) }
        let response = try HTTPClient.get(server.endpoint(path), headers: server.authorization)
        if json {
            print(response.text)
            if response.status != 200 { throw ExitCode(1) }
            return
        }
        let body = try? JSONC.parse(response.text)
        guard response.status == 200, let agents = body?["agents"]?.arrayValue else {
            throw CommandFailure("GET \(path) answered \(response.status): \(body?["error"]?.stringValue ?? response.text)")
        }
        let windows = body?["windows"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard period == "today" || windows.contains(period) else {
            throw CommandFailure("unknown period \"\(period)\": today or one of \(windows.joined(separator: ", "))")
        }
        print(Self.table(agents, period: period))
    }

    /// The agents as an aligned text table for `period`.
    static func table(_ agents: [JSONValue], period: String) -> String {
        let header = ["agent", "state", "in state", "handled", "AHT", "talk", "hold", "wrap", "occ", "util", "not ready", "RNA",
                      "xfer"]
        var rows = [header]
        for agent in agents {
            let f = agent["periods"]?[period] ?? .null
            func seconds(_ value: JSONValue?) -> String {
                guard let s = value?.doubleValue else { return "-" }
                let whole = Int(s.rounded())
                return whole >= 3600
                    ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
                    : String(format: "%d:%02d", whole / 60, whole % 60)
            }
            func ratio(_ value: JSONValue?) -> String { value?.doubleValue.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
            let reasons = (f["not_ready_by_reason"]?.objectValue?.members ?? []).map { "\($0.key) \(seconds($0.value))" }
            let notReady = seconds(f["not_ready_seconds"]) + (reasons.isEmpty ? "" : " (" + reasons.joined(separator: ", ") + ")")
            rows.append([
                agent["id"]?.stringValue ?? "-", agent["state"]?.stringValue ?? "-", seconds(agent["state_seconds"]),
                f["handled"]?.doubleValue.map { String(Int($0)) } ?? "0", seconds(f["aht_seconds"]), seconds(f["talk_seconds"]),
                seconds(f["hold_seconds"]), seconds(f["wrap_up_seconds"]), ratio(f["occupancy"]), ratio(f["utilization"]),
                notReady, f["ring_no_answer"]?.doubleValue.map { String(Int($0)) } ?? "0",
                f["transfers"]?.doubleValue.map { String(Int($0)) } ?? "0",
            ])
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
