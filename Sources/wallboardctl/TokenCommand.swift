import ArgumentParser
import Foundation
import WallboardServer

/// `wallboardctl token create --name NAME --role ROLE [--queues a,b] [--teams x,y] [--monitor-endpoint PJSIP/2001]`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create access tokens (see docs/security.md).", subcommands: [Create.self, Hash.self])

    /// Prints a new token once, and the config snippet holding only its hash.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new token (shown once) and the YAML to paste under access.tokens.")

        @Option(help: "Name for the token: shown in the audit log (e.g. lobby-tv, jane.supervisor).")
        var name: String

        @Option(help: "viewer, supervisor, ingest or admin.")
        var role: String

        @Option(help: "Limit the token to these queue ids (comma-separated).")
        var queues: String?

        @Option(help: "Limit the token to these team ids (comma-separated).")
        var teams: String?

        @Option(help: "The supervisor's own phone that silent monitors ring, e.g. PJSIP/2001 (supervisor and admin only).")
        var monitorEndpoint: String?

        func validate() throws {
            guard AccessRole(rawValue: role) != nil else {
                throw ValidationError("--role \(role): expected viewer, supervisor, ingest or admin")
            }
            guard !name.isEmpty, !name.contains("\"") else { throw ValidationError("--name must be non-empty, without quotes") }
            if let monitorEndpoint {
                guard role == "supervisor" || role == "admin" else {
                    throw ValidationError("--monitor-endpoint: only supervisor and admin tokens start monitors")
                }
                if let problem = MonitorEndpoint.problem(monitorEndpoint) {
                    throw ValidationError("--monitor-endpoint: \(problem)")
                }
            }
            for (flag, value) in [("--queues", queues), ("--teams", teams)] {
                if let value, value.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                    throw ValidationError("\(flag) names no id; leave it out for a token that sees everything")
                }
            }
        }

        func run() {
            let token = AccessToken.generate()
            print("token (store it now; it is not kept anywhere):")
            print("  \(token)")
            print("")
            print("add under access.tokens in the config, then reload wallboardd (systemctl reload wallboardd):")
            print(
                Self.snippet(
                    name: name, role: role, hash: AccessToken.hash(token), queues: list(queues), teams: list(teams),
                    monitorEndpoint: monitorEndpoint))
        }

        private func list(_ text: String?) -> [String]? {
            text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        }

        /// The YAML list item for a token.
        static func snippet(
            name: String, role: String, hash: String, queues: [String]?, teams: [String]?, monitorEndpoint: String? = nil
        ) -> String {
            var lines = ["    - name: \"\(name)\"", "      role: \(role)", "      hash: \"\(hash)\""]
            if let queues, !queues.isEmpty { lines.append("      queues: [\(queues.map { "\"\($0)\"" }.joined(separator: ", "))]") }
            if let teams, !teams.isEmpty { lines.append("      teams: [\(teams.map { "\"\($0)\"" }.joined(separator: ", "))]") }
            if let monitorEndpoint { lines.append("      monitor_endpoint: \"\(monitorEndpoint)\"") }
            return lines.joined(separator: "\n")
        }
    }

    /// Prints the hash of an existing token read from standard input (to rebuild a lost config entry).
    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the SHA-256 hash of a token read from standard input.")

        func run() throws {
            guard let line = readLine(), !line.isEmpty else { throw CommandFailure("no token on standard input") }
            print(AccessToken.hash(line.trimmingCharacters(in: .whitespaces)))
        }
    }
}
