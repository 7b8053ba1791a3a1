import Foundation
import LWS
import Logging
import Synchronization
import WallboardCore

/// Screens (Host, Origin, body type), authenticates and authorizes every request and WebSocket
/// upgrade, counts and throttles failures, remembers each WebSocket's principal (and closes it when a
/// reload changes what its token may do), and owns the audit log. Thread-safe (state in a Mutex).
///
/// With no `access` section (``AccessPolicy`` `nil`) anonymous callers are `viewer`s: masked board,
/// no lookups, no actions, no acknowledgements; a caller on loopback may also post events. With an
/// `access` section every caller needs a token, except loopback callers when
/// `loopback_without_token` says so explicitly. `docs/security.md` has the table.
public final class AccessGate: Sendable {
    private struct Settings: Sendable {
        var policy: AccessPolicy?
        var screen = RequestScreen()
        var clock: any WallClock = SystemClock()
        var audit: AuditLog?
    }

    /// An open WebSocket: its principal and what it presented, to re-check it after a reload.
    private struct OpenSocket: Sendable {
        var principal: AccessPrincipal
        var digest: [UInt8]?
        var peer: String
    }

    private struct State: Sendable {
        var limiter = AuthFailureLimiter()
        var failures: [String: Int] = [:]
        var webSockets: [ConnectionID: OpenSocket] = [:]
    }

    private let settings = Mutex(Settings())
    private let state = Mutex(State())

    /// The quick-start gate (no `access` section, loopback) until
    /// ``configure(policy:listenHost:allowedHosts:auditDirectory:clock:logger:)``.
    public init() {}

    /// Applies a policy (at start and on reload). `auditDirectory` `nil` sends audit lines to the log only.
    /// - Returns: the open WebSockets whose token was removed or now grants something else (another
    ///   role or scope, or anonymous rights that changed): the caller closes them (1008).
    @discardableResult
    public func configure(
        policy: AccessPolicy?, listenHost: String, allowedHosts: [String] = [], auditDirectory: String?, clock: any WallClock,
        logger: Logger
    ) -> [ConnectionID] {
        let audit = AuditLog(directory: auditDirectory, logger: logger)
        let screen = RequestScreen(
            listenHost: listenHost, allowedHosts: allowedHosts, allowedOrigins: policy?.allowedOrigins ?? [])
        settings.withLock {
            $0 = Settings(policy: policy, screen: screen, clock: clock, audit: audit)
        }
        return state.withLock { state in
            var changed: [ConnectionID] = []
            for (connection, socket) in state.webSockets
            where Self.resolve(digest: socket.digest, peer: socket.peer, policy: policy) != socket.principal {
                changed.append(connection)
            }
            return changed.sorted { $0.rawValue < $1.rawValue }
        }
    }

    /// The policy in force (`nil`: no `access` section).
    var policy: AccessPolicy? { settings.withLock { $0.policy } }

    /// Whether tokens are configured (an `access` section): then names come from tokens, not callers.
    public var hasTokens: Bool { settings.withLock { $0.policy != nil } }

    /// The audit log, once configured.
    public var audit: AuditLog? { settings.withLock { $0.audit } }

    /// The Host, Origin and body-type rules in force.
    public var screen: RequestScreen { settings.withLock { $0.screen } }

    var now: Instant { settings.withLock { $0.clock.now() } }

    /// The Host and Origin checks (``RequestScreen``) for a request or upgrade; a refusal is counted.
    func screenRequest(headers: [String: String], peer: String) -> AccessRefusal? {
        let screen = self.screen
        let refusal = screen.checkHost(headers["host"]) ?? screen.checkOrigin(headers["origin"], host: headers["host"])
        if let refusal { fail(refusal, peer: peer, now: now) }
        return refusal
    }

    /// Who is calling, or why not. `allowURLCredentials` lets the token come from the `token` query
    /// parameter or the `wallboard_token` cookie (GET requests and WebSocket upgrades only).
    public func authenticate(
        headers: [String: String], query: [(name: String, value: String)], peer: String, allowURLCredentials: Bool
    ) -> Result<AccessPrincipal, AccessRefusal> {
        let (policy, now) = settings.withLock { ($0.policy, $0.clock.now()) }
        if let until = state.withLock({ $0.limiter.blockedUntil(peer, now: now) }) {
            return fail(.throttled(retryAfterSeconds: max(1, (until.since(now) + 999) / 1000)), peer: peer, now: now)
        }
        let digest = Self.credential(headers: headers, query: query, allowURLCredentials: allowURLCredentials)
            .map { SHA256.hash($0.utf8) }
        if let principal = Self.resolve(digest: digest, peer: peer, policy: policy) { return .success(principal) }
        return fail(digest == nil ? .missingToken : .invalidToken, peer: peer, now: now)
    }

    /// The principal for a presented token digest (or none) from `peer` under `policy`; `nil` when
    /// refused. The one place that says what anonymous callers get.
    static func resolve(digest: [UInt8]?, peer: String, policy: AccessPolicy?) -> AccessPrincipal? {
        guard let policy else {
            return AccessPrincipal(name: "anonymous", role: .viewer, alsoIngests: isLoopback(peer))
        }
        guard let digest else {
            return policy.loopbackWithoutToken && isLoopback(peer) ? AccessPrincipal(name: "loopback", role: .admin) : nil
        }
        var found: AccessPolicy.TokenEntry?
        for entry in policy.tokens where AccessToken.constantTimeEqual(entry.hash, digest) && found == nil {
            found = entry
        }
        return found?.principal
    }

    /// Counts a refusal (and, for a wrong token, takes from the address's bucket).
    @discardableResult
    func fail(_ refusal: AccessRefusal, peer: String, now: Instant) -> Result<AccessPrincipal, AccessRefusal> {
        state.withLock { state in
            state.failures[refusal.reason, default: 0] += 1
            if refusal == .invalidToken { _ = state.limiter.recordFailure(peer, now: now) }
        }
        return .failure(refusal)
    }

    /// Refusals so far, by reason (`missing_token`, `invalid_token`, `forbidden`, `origin_not_allowed`,
    /// `host_not_allowed`, `content_type`, `throttled`).
    public var failureCounts: [String: Int] { state.withLock { $0.failures } }

    /// Adds `wallboardd_auth_failures_total{reason}` to a `/metrics` exposition.
    public func addMetrics(to renderer: inout MetricsRenderer) {
        for (reason, count) in failureCounts.sorted(by: { $0.key < $1.key }) {
            renderer.add(
                "wallboardd_auth_failures_total", "counter", "Requests refused by access control, by reason.",
                labels: [("reason", reason)], value: Double(count))
        }
    }

    // MARK: WebSockets

    /// Remembers the principal of an open WebSocket and what it presented (`digest`, `nil` for no token).
    func remember(_ connection: ConnectionID, as principal: AccessPrincipal, digest: [UInt8]?, peer: String) {
        state.withLock { $0.webSockets[connection] = OpenSocket(principal: principal, digest: digest, peer: peer) }
    }

    /// Forgets a closed WebSocket.
    func forget(_ connection: ConnectionID) {
        _ = state.withLock { $0.webSockets.removeValue(forKey: connection) }
    }

    /// The principal of an open WebSocket (for shaping its topic payloads), `nil` when unknown.
    public func principal(of connection: ConnectionID) -> AccessPrincipal? {
        state.withLock { $0.webSockets[connection]?.principal }
    }

    /// The principals of the open WebSockets (tests, diagnostics).
    var webSocketPrincipals: [AccessPrincipal] { state.withLock { $0.webSockets.values.map(\.principal) } }

    // MARK: Helpers

    /// The bearer token from the Authorization header, else (when allowed) the query or cookie.
    static func credential(
        headers: [String: String], query: [(name: String, value: String)], allowURLCredentials: Bool
    ) -> String? {
        if let header = headers["authorization"] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                if !token.isEmpty { return token }
            }
        }
        guard allowURLCredentials else { return nil }
        if let token = query.first(where: { $0.name == "token" })?.value, !token.isEmpty { return token }
        for cookie in (headers["cookie"] ?? "").split(separator: ";") {
            let pair = cookie.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == "wallboard_token" {
                let token = pair[1].trimmingCharacters(in: .whitespaces)
                if !token.isEmpty { return token }
            }
        }
        return nil
    }

    /// Whether an address (a listen host or a peer) is the loopback interface.
    static func isLoopback(_ address: String) -> Bool {
        let bare = address.hasPrefix("[") && address.hasSuffix("]") ? String(address.dropFirst().dropLast()) : address
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.") || bare.hasPrefix("::ffff:127.")
    }
}
