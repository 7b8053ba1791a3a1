import LWS

/// What an endpoint needs, by method and path. The table is `docs/security.md`'s.
public enum AccessPermission: Sendable, Equatable {
    /// No token needed: `/healthz`, `/readyz` (probes).
    case open
    /// Any role but `ingest`: snapshot, topics, alert list. Viewers get masked payloads.
    case board
    /// Any role but `ingest`, and a token not limited to some queues (figures span every queue): `/metrics`.
    case unscopedBoard
    /// `ingest` or `admin`: `POST /api/v1/events`.
    case ingest
    /// `supervisor` or `admin`: silent-monitor lookups, alert acknowledgements.
    case supervisor
    /// `admin` only: reload and future administration.
    case admin
    /// Any valid token (then the route answers, e.g. 404 for an unknown path).
    case authenticated

    /// The permission a request needs.
    public static func required(method: HTTPMethod, path: String) -> AccessPermission {
        switch (method, path) {
        case (_, "/healthz"), (_, "/readyz"): return .open
        case (_, "/supervisor"), (_, "/supervisor/"): return .open  // the console page's redirect: no data
        case (_, "/api/v1/console"): return .supervisor
        case (_, "/metrics"): return .unscopedBoard
        case (.post, "/api/v1/events"): return .ingest
        case (_, "/api/v1/snapshot"): return .board
        case (_, "/api/v1/intervals"): return .board
        case (_, "/api/v1/interactions"): return .supervisor
        case (.post, "/api/v1/reload"): return .admin
        default: break
        }
        if path.hasPrefix("/api/v1/agents/") && path.hasSuffix("/interaction") { return .supervisor }
        if path.hasPrefix("/api/v1/console/") { return .supervisor }
        if path.hasPrefix("/api/v1/interactions/") || path.hasPrefix("/api/v1/actions/") { return .supervisor }
        if path.hasPrefix("/api/v1/alerts") { return method == .get || method == .head ? .board : .supervisor }
        if path.hasPrefix("/api/v1/queues") || path.hasPrefix("/api/v1/agents") { return .board }
        return .authenticated
    }

    /// Whether `principal` may use an endpoint needing this permission.
    public func allows(_ principal: AccessPrincipal) -> Bool {
        switch self {
        case .open, .authenticated: return true
        case .board: return principal.role != .ingest
        case .unscopedBoard: return principal.role != .ingest && !principal.scope.isLimited
        case .ingest: return principal.role.includes(.ingest) || principal.alsoIngests
        case .supervisor: return principal.role.includes(.supervisor)
        case .admin: return principal.role == .admin
        }
    }

    /// Words for a 403 body.
    var needed: String {
        switch self {
        case .open, .authenticated: return "any token"
        case .board: return "a viewer, supervisor or admin token"
        case .unscopedBoard: return "a viewer, supervisor or admin token not limited to some queues or teams"
        case .ingest: return "an ingest or admin token"
        case .supervisor: return "a supervisor or admin token"
        case .admin: return "an admin token"
        }
    }
}
