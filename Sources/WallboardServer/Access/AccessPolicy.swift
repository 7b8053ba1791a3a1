/// The config's `access` section: who may call the daemon, validated.
///
/// `nil` in ``DaemonConfiguration/access`` means no section: the quick-start rule applies (see
/// ``AccessGate/init(policy:listenHost:auditDirectory:clock:logger:)``).
public struct AccessPolicy: Sendable, Equatable {
    /// One configured token (its hash, never the token itself).
    public struct TokenEntry: Sendable, Equatable {
        public var name: String
        public var role: AccessRole
        /// SHA-256 of the token, 32 bytes.
        public var hash: [UInt8]
        public var scope: AccessScope

        public init(name: String, role: AccessRole, hash: [UInt8], scope: AccessScope = .all) {
            self.name = name
            self.role = role
            self.hash = hash
            self.scope = scope
        }
    }

    public var tokens: [TokenEntry]
    /// Origins (`https://wall.example.com`) whose pages may call the daemon; empty = no Origin check.
    public var allowedOrigins: [String]
    /// Requests from 127.0.0.1 / ::1 without a token are treated as `admin` (for local scripts).
    public var loopbackWithoutToken: Bool

    public init(tokens: [TokenEntry] = [], allowedOrigins: [String] = [], loopbackWithoutToken: Bool = false) {
        self.tokens = tokens
        self.allowedOrigins = allowedOrigins
        self.loopbackWithoutToken = loopbackWithoutToken
    }
}
