import ArgumentParser
import Foundation
import JSONC
import JSONModel
import WallboardClient

/// `wallboardctl alerts`: lists active alerts and today's resolved ones.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "alerts", abstract: "List active and resolved alerts.")

    @OptionGroup var server: ServerOptions

    @Flag(help: "Print the JSON the daemon answered.")
    var json = false

    func run() throws {
        let response = try HTTPClient.get(server.endpoint("/api/v1/alerts"), headers: server.authorization)
        guard response.status == 200 else { throw CommandFailure("GET /api/v1/alerts answered \(response.status): \(response.text)") }
        if json {
            print(response.text)
            return
        }
        let list = try JSONC.parse(response.text)
        let active = list["active"]?.arrayValue ?? []
        let resolved = list["resolved_today"]?.arrayValue ?? []
        print(active.isEmpty ? "no active alerts" : "active:")
        for alert in active { print("  " + Self.line(alert)) }
        if !resolved.isEmpty { print("resolved today:") }
        for alert in resolved { print("  " + Self.line(alert)) }
    }

    static func line(_ alert: JSONValue) -> String {
        let field = { (key: String) in alert[key]?.stringValue ?? "-" }
        var text = "\(field("id"))  \(field("severity"))  \(field("state"))  \(field("summary"))"
        if let by = alert["acknowledged_by"]?.stringValue { text += "  (acknowledged by \(by))" }
        return text
    }
}

/// `wallboardctl ack ID --token TOKEN`: acknowledges an alert as the token's name.
struct AckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge an alert.")

    @OptionGroup var server: ServerOptions

    @Argument(help: "The alert id (from `wallboardctl alerts`).")
    var id: String

    func run() throws {
        // Who acknowledges is the token's name (a supervisor or admin token; see docs/security.md).
        let body = Array("{}".utf8)
        let response = try HTTPClient.request(
            "POST", server.endpoint("/api/v1/alerts/\(id)/ack"),
            headers: server.authorization.merging(["Content-Type": "application/json"]) { $1 }, body: body)
        guard response.status == 200 else { throw CommandFailure("acknowledge \(id): \(response.status): \(response.text)") }
        print("acknowledged \(id)")
    }
}
