import JSONModel

/// Who made a request, once authenticated: a token's name, role and scope.
public struct AccessPrincipal: Sendable, Equatable {
    /// The token's name from the config (`anonymous` when no token was needed).
    public var name: String
    public var role: AccessRole
    public var scope: AccessScope
    /// A viewer that may also post events: the anonymous caller on loopback without an `access` section.
    public var alsoIngests: Bool
    /// The supervisor's own endpoint that silent monitors ring (`monitor_endpoint` of the token), if any.
    public var monitorEndpoint: String?

    public init(
        name: String, role: AccessRole, scope: AccessScope = .all, alsoIngests: Bool = false, monitorEndpoint: String? = nil
    ) {
        self.name = name
        self.role = role
        self.scope = scope
        self.alsoIngests = alsoIngests
        self.monitorEndpoint = monitorEndpoint
    }

    /// `token "jane" (supervisor)` or `anonymous caller (viewer)`, for 403 messages.
    public var described: String {
        name == "anonymous" || name == "loopback"
            ? "an \(name) caller (\(role.rawValue); send a token for more, see docs/security.md)"
            : "token \"\(name)\" (\(role.rawValue))"
    }

    /// Whether payloads must be reshaped for this principal (masked and/or scoped).
    public var needsShaping: Bool { !role.seesCustomerData || scope.isLimited }

    /// Identifies what this principal may see: principals with the same key get the same shaped
    /// payload, so a topic is shaped once per key, not once per connection. `nil` = the raw payload.
    public var viewKey: String? {
        guard needsShaping else { return nil }
        let queues = scope.queues.map { $0.sorted().joined(separator: ",") } ?? "*"
        let teams = scope.teams.map { $0.sorted().joined(separator: ",") } ?? "*"
        return "\(role.seesCustomerData ? "full" : "masked")|q=\(queues)|t=\(teams)"
    }

    /// The snapshot (or a topic payload shaped like one) as this principal may see it: scoped, then
    /// masked for roles that must not see customer identifiers.
    public func view(_ snapshot: JSONValue) -> JSONValue {
        let scoped = scope.filter(snapshot: snapshot)
        return role.seesCustomerData ? scoped : Redaction.maskCustomerData(scoped)
    }

    /// The payload of a topic whose shape `view(_:)` does not know, or `nil`: the `alerts` list cut to
    /// this principal's scope (``viewAlerts(_:snapshot:)``, the REST list's rule) and masked like the board.
    /// `snapshot` (the latest board, for team-visible agents) is read only for a scoped principal.
    public func view(topic: String, _ payload: JSONValue, snapshot: () -> JSONValue?) -> JSONValue? {
        if topic == "interactions" {
            // Supervisors' topic (Console/InteractionsTopic.swift): never customer data for a viewer, even
            // if one were subscribed.
            return role.seesCustomerData ? InteractionsTopic.cut(payload, to: scope) : ["interactions": .array([])]
        }
        // Interval figures carry no customer data and are cut to the scope by `maySubscribe`: as they are.
        if topic.hasPrefix("intervals:") { return payload }
        guard topic == "alerts" else { return nil }
        let cut = scope.isLimited ? viewAlerts(payload, snapshot: snapshot()) : payload
        return role.seesCustomerData ? cut : Redaction.maskCustomerData(cut)
    }

    /// Whether this principal may subscribe to `topic`: `interactions` (live customers) needs a
    /// supervisor or admin.
    public func maySubscribe(_ topic: String) -> Bool {
        role != .ingest && scope.allows(topic: topic) && (topic != "interactions" || role.seesCustomerData)
    }
}
