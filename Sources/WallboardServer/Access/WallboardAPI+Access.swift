import JSONC
import JSONModel
import LWS

/// Access control hooks of ``WallboardAPI``: one call at the top of each entry point.
extension WallboardAPI {
    /// Checks the request's token against the endpoint's permission (`docs/security.md`).
    ///
    /// Returns the `respond` to use for the rest of `handle` (for a viewer or scoped token it reshapes
    /// the snapshot), or `nil` when the request was answered here: refused (401/403/429), or an
    /// access-owned route (silent-monitor lookups).
    func admit(
        _ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) -> (@Sendable (HTTPResponse) -> Void)? {
        let permission = AccessPermission.required(method: request.method, path: request.path)
        if permission == .open { return respond }
        let urlCredentials = (permission == .board || permission == .unscopedBoard) && request.method == .get
        let principal: AccessPrincipal
        switch access.authenticate(
            headers: request.headers, query: request.query, peer: request.peer, allowURLCredentials: urlCredentials)
        {
        case .failure(let refusal):
            logger.debug(
                "request refused",
                metadata: ["http.path": "\(request.path)", "http.peer": "\(request.peer)", "access.reason": "\(refusal.reason)"])
            respond(refusal.response)
            return nil
        case .success(let admitted):
            principal = admitted
        }
        guard permission.allows(principal) else {
            let refusal = AccessRefusal.forbidden(
                "token \"\(principal.name)\" (\(principal.role.rawValue)) may not use \(request.method.rawValue) \(request.path): "
                    + "it needs \(permission.needed)")
            access.fail(refusal, peer: request.peer, now: access.now)
            respond(refusal.response)
            return nil
        }
        if handleInteractionRoute(request, principal: principal, respond: respond) { return nil }
        // Topic routes (snapshot, queues, agents) shape their answers per token themselves.
        return respond
    }

    /// The principal of a request that ``admit(_:respond:)`` let through (for routes that audit, e.g. acks).
    public func principal(for request: HTTPRequest) -> AccessPrincipal? {
        let permission = AccessPermission.required(method: request.method, path: request.path)
        let urlCredentials = (permission == .board || permission == .unscopedBoard) && request.method == .get
        return try? access.authenticate(
            headers: request.headers, query: request.query, peer: request.peer, allowURLCredentials: urlCredentials
        ).get()
    }

    /// Audits an alert acknowledgement (or any supervisor action) made through `request`.
    public func auditAction(_ action: String, request: HTTPRequest, target: JSONObject, resultCount: Int = 1, status: Int = 200) {
        let principal = principal(for: request) ?? AccessPrincipal(name: "unknown", role: .viewer)
        access.audit?.record(
            AuditLog.Entry(
                at: access.now, who: principal.name, role: principal.role, action: action, peer: request.peer,
                query: target, resultCount: resultCount, status: status))
    }

    // MARK: WebSocket

    /// For `shouldAcceptWebSocket`: `nil` to accept, or 401/403/429. The token may come from the
    /// Authorization header, the `token` query parameter or the `wallboard_token` cookie.
    func webSocketRefusal(query: [(name: String, value: String)], headers: [String: String], peer: String) -> Int? {
        switch access.authenticate(headers: headers, query: query, peer: peer, allowURLCredentials: true) {
        case .failure(let refusal):
            logger.debug("websocket refused", metadata: ["ws.peer": "\(peer)", "access.reason": "\(refusal.reason)"])
            return refusal.status
        case .success(let principal):
            guard AccessPermission.board.allows(principal) else {
                access.fail(.forbidden("websocket"), peer: peer, now: access.now)
                return 403
            }
            return nil
        }
    }

    /// For `webSocketOpened`: remembers the connection's principal (``AccessGate/principal(of:)``).
    func admitWebSocket(_ connection: ConnectionID, query: [(name: String, value: String)], headers: [String: String],
                        peer: String)
    {
        let principal = try? access.authenticate(headers: headers, query: query, peer: peer, allowURLCredentials: true).get()
        access.remember(connection, as: principal ?? AccessPrincipal(name: "unknown", role: .viewer, scope: .nothing))
    }

    /// For `webSocketClosed`.
    func forgetWebSocket(_ connection: ConnectionID) { access.forget(connection) }
}
