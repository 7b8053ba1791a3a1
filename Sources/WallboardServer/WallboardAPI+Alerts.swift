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
            respond(HTTPResponse(status: 200, headers: [("cache-control", "no-cache")], text: latest.dataJSON))
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

    /// Who acknowledges: the token's name under access control; without tokens (a loopback demo),
    /// the `by` field of a JSON body, else the caller's address.
    func acknowledgingUser(_ request: HTTPRequest) -> String {
        if access.hasTokens, let principal = principal(for: request) { return principal.name }
        var body = request.body
        if !body.isEmpty, let value = try? JSONC.parse(bytes: &body), let by = value["by"]?.stringValue, !by.isEmpty {
            return String(by.prefix(100))
        }
        return request.peer.isEmpty ? "unknown" : request.peer
    }
}
