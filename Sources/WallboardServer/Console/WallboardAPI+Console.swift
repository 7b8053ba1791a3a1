import JSONC
import JSONModel
import LWS

/// The supervisor console (`/supervisor`, `docs/console.md`): the page's address and what it reads about
/// the caller's token before it draws anything.
///
/// - `GET /supervisor` redirects to the page (`/supervisor.html`, a static file like the board).
/// - `GET /api/v1/console` (supervisor or admin) answers who the token is, its scope, and which actions it
///   can take, each with the reason when it cannot (no Asterisk source, no `monitor_endpoint`), so the page
///   shows those buttons disabled with the reason instead of failing on a click.
extension WallboardAPI {
    /// The console page's address, redirected to its file.
    static let consolePath = "/supervisor"

    /// Answers `request` if it is a console route; returns `false` otherwise.
    func handleConsoleRoute(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        if handleAgentDayRoute(request, respond: respond) { return true }
        switch request.path {
        case Self.consolePath, Self.consolePath + "/":
            guard request.method == .get || request.method == .head else {
                respond(Self.error(405, "method \(request.method.rawValue) not allowed on \(request.path)"))
                return true
            }
            respond(HTTPResponse(status: 302, headers: [("location", "/supervisor.html"), ("cache-control", "no-cache")]))
            return true
        case "/api/v1/console":
            guard request.method == .get else {
                respond(Self.error(405, "method \(request.method.rawValue) not allowed on \(request.path)"))
                return true
            }
            let principal = principal(for: request) ?? AccessPrincipal(name: "unknown", role: .viewer, scope: .nothing)
            respond(
                Self.json(
                    200, Self.consoleCapabilities(principal, amiSources: amiSources.map(\.configuration.name), sources: hub.sources),
                    headers: [("cache-control", "no-store")]))
            return true
        default:
            return false
        }
    }

    /// What the console may do for `principal`: `{who, role, scope, monitor_endpoint, sources, actions}`,
    /// each action `{"allowed": Bool, "reason": String?}`. Pure.
    static func consoleCapabilities(_ principal: AccessPrincipal, amiSources: [String], sources: JSONValue) -> JSONValue {
        let supervisor = principal.role.includes(.supervisor)
        let noRole = supervisor ? nil : "\(principal.described) may not act: it needs a supervisor or admin token"
        let noPBX = amiSources.isEmpty
            ? "needs an Asterisk (AMI) source; none is configured (docs/asterisk.md)" : nil
        let noPhone = principal.monitorEndpoint == nil
            ? "this token has no monitor_endpoint: set the supervisor's phone (e.g. PJSIP/2001) on the token in the "
                + "config's access section" : nil
        func action(_ reasons: String?...) -> JSONValue {
            let reason = reasons.compactMap { $0 }.first
            return ["allowed": .bool(reason == nil), "reason": .optional(reason) { .string($0) }]
        }
        let monitor = action(noRole, noPBX, noPhone)
        let member = action(noRole, noPBX)
        return [
            "who": .string(principal.name), "role": .string(principal.role.rawValue),
            "scope": [
                "limited": .bool(principal.scope.isLimited),
                "queues": .optional(principal.scope.queues) { .array($0.sorted().map { .string($0) }) },
                "teams": .optional(principal.scope.teams) { .array($0.sorted().map { .string($0) }) },
            ],
            "monitor_endpoint": .optional(principal.monitorEndpoint) { .string($0) },
            "ami_sources": .array(amiSources.map { .string($0) }),
            "sources": sources,
            "actions": [
                "listen": monitor, "whisper": monitor, "barge": monitor, "pause": member, "unpause": member,
                "remove": member,
            ],
        ]
    }
}
