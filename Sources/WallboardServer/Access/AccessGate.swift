import Foundation
import LWS
import Logging
import Synchronization
import WallboardCore

/// Authenticates and authorizes every request and WebSocket upgrade, counts and throttles failures,
/// remembers each WebSocket's principal, and owns the audit log. Thread-safe (state in a Mutex).
///
/// With no `access` section (``AccessPolicy`` `nil`) a daemon bound to loopback lets everyone in as
/// an anonymous `admin` (the quick-start demo); bound to any other address, anonymous callers are
/// `viewer`s (masked board, no ingest, no lookups) until tokens are configured.
public final class AccessGate: Sendable {
    private struct Settings: Sendable {
        var policy: AccessPolicy?
        var anonymous: AccessPrincipal?
        var clock: any WallClock = SystemClock()
        var audit: AuditLog?
    }

    private struct State: Sendable {
        var limiter = AuthFailureLimiter()
        var failures: [String: Int] = [:]
        var webSockets: [ConnectionID: AccessPrincipal] = [:]
    }

    private let settings = Mutex(Settings(anonymous: AccessPrincipal(name: "anonymous", role: .admin)))
    private let state = Mutex(State())

    /// An open gate (anonymous admin) until ``configure(policy:listenHost:auditDirectory:clock:logger:)``.
    public init() {}

    /// Applies a policy (at start and on reload). `auditDirectory` `nil` sends audit lines to the log only.
    public func configure(
        policy: AccessPolicy?, listenHost: String, auditDirectory: String?, clock: any WallClock, logger: Logger
    ) {
        let anonymous: AccessPrincipal?
        if let policy {
            anonymous = policy.loopbackWithoutToken ? AccessPrincipal(name: "loopback", role: .admin) : nil
        } else {
            anonymous = AccessPrincipal(name: "anonymous", role: Self.isLoopback(listenHost) ? .admin : .viewer)
        }
        let audit = AuditLog(directory: auditDirectory, logger: logger)
        settings.withLock {
            $0 = Settings(policy: policy, anonymous: anonymous, clock: clock, audit: audit)
        }
    }

    /// Whether tokens are configured (an `access` section): then names come from tokens, not callers.
    public var hasTokens: Bool { settings.withLock { $0.policy != nil } }

    /// The audit log, once configured.
    public var audit: AuditLog? { settings.withLock { $0.audit } }

    var now: Instant { settings.withLock { $0.clock.now() } }

    /// Who is calling, or why not. `allowURLCredentials` lets the token come from the `token` query
    /// parameter or the `wallboard_token` cookie (GET requests and WebSocket upgrades only).
    public func authenticate(
        headers: [String: String], query: [(name: String, value: String)], peer: String, allowURLCredentials: Bool
    ) -> Result<AccessPrincipal, AccessRefusal> {
        let (policy, anonymous, now) = settings.withLock { ($0.policy, $0.anonymous, $0.clock.now()) }
        if let until = state.withLock({ $0.limiter.blockedUntil(peer, now: now) }) {
            return fail(.throttled(retryAfterSeconds: max(1, (until.since(now) + 999) / 1000)), peer: peer, now: now)
        }
        if let origin = headers["origin"], let policy, !policy.allowedOrigins.isEmpty,
            !policy.allowedOrigins.contains(origin.lowercased())
        {
            return fail(.originNotAllowed(origin), peer: peer, now: now)
        }
        guard let policy else { return .success(anonymous!) }
        guard let token = Self.credential(headers: headers, query: query, allowURLCredentials: allowURLCredentials) else {
            if let anonymous, Self.isLoopback(peer) { return .success(anonymous) }
            return fail(.missingToken, peer: peer, now: now)
        }
        let digest = SHA256.hash(token.utf8)
        var found: AccessPolicy.TokenEntry?
        for entry in policy.tokens where AccessToken.constantTimeEqual(entry.hash, digest) && found == nil {
            found = entry
        }
        guard let found else { return fail(.invalidToken, peer: peer, now: now) }
        return .success(AccessPrincipal(name: found.name, role: found.role, scope: found.scope))
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

    /// Refusals so far, by reason (`missing_token`, `invalid_token`, `forbidden`, `origin_not_allowed`, `throttled`).
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

    /// Remembers the principal of an open WebSocket.
    func remember(_ connection: ConnectionID, as principal: AccessPrincipal) {
        state.withLock { $0.webSockets[connection] = principal }
    }

    /// Forgets a closed WebSocket.
    func forget(_ connection: ConnectionID) {
        _ = state.withLock { $0.webSockets.removeValue(forKey: connection) }
    }

    /// The principal of an open WebSocket (for shaping its topic payloads), `nil` when unknown.
    public func principal(of connection: ConnectionID) -> AccessPrincipal? {
        state.withLock { $0.webSockets[connection] }
    }

    /// The principals of the open WebSockets (tests, diagnostics).
    var webSocketPrincipals: [AccessPrincipal] { state.withLock { Array($0.webSockets.values) } }

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
