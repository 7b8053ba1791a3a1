/// What a bearer token may do. See `docs/security.md` for the endpoint and topic table.
public enum AccessRole: String, Sendable, CaseIterable, Comparable {
    /// Wallboards: snapshot and topics, customer identifiers masked.
    case viewer
    /// Event sources: `POST /api/v1/events` only.
    case ingest
    /// Supervisors: what a viewer sees, unmasked, plus silent-monitor lookups and alert acknowledgements.
    case supervisor
    /// Everything, including ingest and (later) config reload.
    case admin

    /// Whether this role includes everything `other` may do.
    public func includes(_ other: AccessRole) -> Bool {
        switch (self, other) {
        case (.admin, _): return true
        case (.ingest, .ingest): return true
        case (.ingest, _), (_, .ingest): return false
        default: return self >= other
        }
    }

    /// Whether customer identifiers are masked in what this role reads.
    public var seesCustomerData: Bool { self == .supervisor || self == .admin }

    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool {
        let order: [AccessRole] = [.viewer, .ingest, .supervisor, .admin]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}
