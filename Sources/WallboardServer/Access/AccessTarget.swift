import JSONModel

/// Something a principal acts on or reads one at a time: the one place that decides, for every
/// action route and the alert list, whether a token's queue/team scope covers it.
public enum AccessTarget: Sendable, Equatable {
    /// A queue member action (pause, unpause, remove) on agent `agent` in `queue` (`nil`: all its queues).
    case member(agent: String, queue: String?)
    /// A live contact in `queue`, handled by an agent of `team` (silent monitor, lookups).
    case contact(queue: String, team: String?)
    /// An alert on a scope instance (`center`, `queue:sales`, `team:t1`, `agent:1001`, …).
    case alert(scope: String)
}

extension AccessPrincipal {
    /// Whether this principal's scope covers `target`. An unscoped principal may act on anything its
    /// role allows (the role is checked by ``AccessPermission``). For a scoped one, queue and agent
    /// visibility come from `snapshot` (the latest published snapshot: an agent is visible when its
    /// team is listed or it serves a listed queue; a queue when listed or served by a listed team):
    ///
    /// - a member action needs a named queue in scope and a visible agent (pausing "in all queues"
    ///   would reach queues outside the scope);
    /// - a contact needs its queue in scope or its agent's team listed;
    /// - an alert needs its scope instance in scope; center-wide and other alerts are unscoped-only.
    public func mayAct(on target: AccessTarget, snapshot: JSONValue?) -> Bool {
        guard scope.isLimited else { return true }
        switch target {
        case .contact(let queue, let team):
            return scope.allows(queue: queue, team: team)
        case .member(let agent, let queue):
            guard let queue else { return false }
            let visible = Visibility(scope: scope, snapshot: snapshot)
            return visible.queues.contains(queue) && visible.agents.contains(agent)
        case .alert(let instance):
            guard let colon = instance.firstIndex(of: ":") else { return false }
            let id = String(instance[instance.index(after: colon)...])
            let visible = Visibility(scope: scope, snapshot: snapshot)
            switch instance[..<colon] {
            case "queue": return visible.queues.contains(id)
            case "team": return scope.teams?.contains(id) == true
            case "agent": return visible.agents.contains(id)
            default: return false
            }
        }
    }

    /// The alert list (`{"active": [...], "resolved_today": [...]}`) cut to the alerts this principal
    /// may see; unscoped principals get it as is.
    public func viewAlerts(_ list: JSONValue, snapshot: JSONValue?) -> JSONValue {
        guard scope.isLimited, var object = list.objectValue else { return list }
        for key in ["active", "resolved_today"] {
            guard let alerts = object[key]?.arrayValue else { continue }
            object[key] = .array(alerts.filter { mayAct(on: .alert(scope: $0["scope"]?.stringValue ?? ""), snapshot: snapshot) })
        }
        return .object(object)
    }
}

/// The queues and agents a scope sees in a snapshot (``AccessScope/filter(snapshot:)``'s rules).
struct Visibility {
    var queues: Set<String>
    var agents: Set<String>

    init(scope: AccessScope, snapshot: JSONValue?) {
        let filtered = scope.filter(snapshot: snapshot ?? .object(JSONObject()))
        queues = Set(filtered["scope"]?["queues"]?.arrayValue?.compactMap(\.stringValue) ?? Array(scope.queues ?? []))
        agents = Set(filtered["agents"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
    }
}
