import JSONC
import JSONModel
import LWS
import WallboardAlerts

/// `GET /api/v1/alerts` and `POST /api/v1/alerts/{id}/ack`.
extension WallboardAPI {
    /// Answers `request` if it is an alert route; returns `false` otherwise.
    func handleAlertRoute(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        if request.path == "/api/v1/alerts" {
            guard request.method == .get else {
                respond(Self.error(405, "method \(request.method.rawValue) not allowed on \(request.path)"))
                return true
            }
            guard let latest = hub.latest("alerts") else {
                respond(Self.error(503, "alerts not evaluated yet: the engine is starting"))
                return true
            }
            // A scoped token sees only the alerts on its queues, teams and agents.
            let principal = principal(for: request)
            guard let principal, principal.scope.isLimited else {
                respond(HTTPResponse(status: 200, headers: [("cache-control", "no-cache")], text: latest.dataJSON))
                return true
            }
            let list = principal.viewAlerts(latest.data, snapshot: hub.latest("snapshot")?.data)
            respond(HTTPResponse(status: 200, headers: [("cache-control", "no-cache")], text: JSONC.encode(list)))
            return true
        }
        let prefix = "/api/v1/alerts/"
        guard request.path.hasPrefix(prefix), request.path.hasSuffix("/ack") else { return false }
        let id = String(request.path.dropFirst(prefix.count).dropLast("/ack".count))
        guard request.method == .post else {
            respond(Self.error(405, "acknowledge with POST \(request.path)"))
            return true
        }
        guard !id.isEmpty, !id.contains("/") else {
            respond(Self.error(404, "no such alert route: \(request.path)"))
            return true
        }
        if let principal = principal(for: request), principal.scope.isLimited, let alerts = hub.latest("alerts")?.data {
            let all = (alerts["active"]?.arrayValue ?? []) + (alerts["resolved_today"]?.arrayValue ?? [])
            if let alert = all.first(where: { $0["id"]?.stringValue == id }),
                !principal.mayAct(on: .alert(scope: alert["scope"]?.stringValue ?? ""), snapshot: hub.latest("snapshot")?.data)
            {
                auditAction("alert.ack", request: request, target: ["alert": .string(id)], resultCount: 0, status: 403)
                respond(Self.error(403, "alert \(AccessRefusal.quoted(id)) is outside \(principal.described)'s scope"))
                return true
            }
        }
        let user = acknowledgingUser(request)
        engine.acknowledgeAlert(id: id, by: user) { [self] result in
            let status: Int
            switch result {
            case .success(let list):
                status = 200
                respond(Self.json(200, ["acknowledged": .string(id), "by": .string(user), "alerts": list]))
            case .failure(let error):
                switch error {
                case .notFound: status = 404
                default: status = 409
                }
                respond(Self.error(status, "\(error)"))
            }
            auditAction("alert.ack", request: request, target: ["alert": .string(id)], resultCount: status == 200 ? 1 : 0,
                        status: status)
        }
        return true
    }

    /// Who acknowledges: the token's name (`loopback` for a tokenless local admin). Acknowledging needs
    /// a supervisor or admin principal, so a caller cannot name someone else.
    func acknowledgingUser(_ request: HTTPRequest) -> String {
        principal(for: request)?.name ?? "unknown"
    }
}
