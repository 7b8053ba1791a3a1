/// The config's `access` section: who may call the daemon, validated.
///
/// `nil` in ``DaemonConfiguration/access`` means no section: the quick-start rule applies (see
/// ``AccessGate``).
public struct AccessPolicy: Sendable, Equatable {
    /// One configured token (its hash, never the token itself).
    public struct TokenEntry: Sendable, Equatable {
        public var name: String
        public var role: AccessRole
        /// SHA-256 of the token, 32 bytes.
        public var hash: [UInt8]
        public var scope: AccessScope
        /// The endpoint silent monitors started with this token ring (`PJSIP/2001`), validated by
        /// ``MonitorEndpoint``; `nil`: this token cannot start monitors.
        public var monitorEndpoint: String?

        public init(name: String, role: AccessRole, hash: [UInt8], scope: AccessScope = .all, monitorEndpoint: String? = nil) {
            self.name = name
            self.role = role
            self.hash = hash
            self.scope = scope
            self.monitorEndpoint = monitorEndpoint
        }

        /// The principal a request presenting this token acts as.
        public var principal: AccessPrincipal {
            AccessPrincipal(name: name, role: role, scope: scope, monitorEndpoint: monitorEndpoint)
        }
    }

    public var tokens: [TokenEntry]
    /// Origins (`https://wall.example.com`) whose pages may call the daemon besides its own (the
    /// daemon's own origin is always allowed; every other one is refused).
    public var allowedOrigins: [String]
    /// Requests from 127.0.0.1 / ::1 without a token are treated as `admin` (local scripts; an explicit
    /// choice: with it, supervisor actions need no token from the box itself).
    public var loopbackWithoutToken: Bool

    public init(tokens: [TokenEntry] = [], allowedOrigins: [String] = [], loopbackWithoutToken: Bool = false) {
        self.tokens = tokens
        self.allowedOrigins = allowedOrigins
        self.loopbackWithoutToken = loopbackWithoutToken
    }
}
