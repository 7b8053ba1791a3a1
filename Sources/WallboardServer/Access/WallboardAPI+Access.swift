import JSONC
import JSONModel
import LWS

/// Access control hooks of ``WallboardAPI``: one call at the top of each entry point.
extension WallboardAPI {
    /// Screens the request (Host, Origin, body type; ``RequestScreen``), answers CORS preflights, and
    /// checks its token against the endpoint's permission (`docs/security.md`).
    ///
    /// Returns the `respond` to use for the rest of `handle` (it adds the CORS headers for an origin
    /// listed in `access.allowed_origins`), or `nil` when the request was answered here: refused
    /// (401/403/415/421/429), a preflight, or an access-owned route (silent-monitor lookups).
    func admit(
        _ request: HTTPRequest, respond plainRespond: @escaping @Sendable (HTTPResponse) -> Void
    ) -> (@Sendable (HTTPResponse) -> Void)? {
        let refuse: @Sendable (AccessRefusal) -> Void = { [logger] refusal in
            logger.debug(
                "request refused",
                metadata: ["http.path": "\(request.path)", "http.peer": "\(request.peer)", "access.reason": "\(refusal.reason)"])
            plainRespond(refusal.response)
        }
        if let refusal = access.screenRequest(headers: request.headers, peer: request.peer) {
            refuse(refusal)
            return nil
        }
        let respond = corsResponder(for: request, respond: plainRespond)
        if request.method == .options {
            respond(preflight(request))
            return nil
        }
        if let refusal = RequestScreen.checkBodyType(request.headers["content-type"], method: request.method, path: request.path) {
            access.fail(refusal, peer: request.peer, now: access.now)
            refuse(refusal)
            return nil
        }
        let permission = AccessPermission.required(method: request.method, path: request.path)
        if permission == .open { return respond }
        let urlCredentials = (permission == .board || permission == .unscopedBoard) && request.method == .get
        let principal: AccessPrincipal
        switch access.authenticate(
            headers: request.headers, query: request.query, peer: request.peer, allowURLCredentials: urlCredentials)
        {
        case .failure(let refusal):
            refuse(refusal)
            return nil
        case .success(let admitted):
            principal = admitted
        }
        guard permission.allows(principal) else {
            let refusal = AccessRefusal.forbidden(
                "\(principal.described) may not use \(request.method.rawValue) \(request.path): it needs \(permission.needed)")
            access.fail(refusal, peer: request.peer, now: access.now)
            respond(refusal.response)
            return nil
        }
        if handleInteractionRoute(request, principal: principal, respond: respond) { return nil }
        // Topic routes (snapshot, queues, agents) shape their answers per token themselves.
        return respond
    }

    /// `respond`, adding `Access-Control-Allow-Origin` when the request's Origin is listed in
    /// `access.allowed_origins` (the daemon's own origin needs no CORS; others were refused).
    private func corsResponder(
        for request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) -> @Sendable (HTTPResponse) -> Void {
        guard let origin = request.headers["origin"], access.screen.isListed(origin) else { return respond }
        return { response in
            var response = response
            response.headers += [("access-control-allow-origin", origin), ("vary", "origin")]
            respond(response)
        }
    }

    /// The answer to a CORS preflight (`OPTIONS`): 204, granting methods and headers only to an origin
    /// listed in `access.allowed_origins` (``corsResponder(for:respond:)`` adds its Allow-Origin).
    /// Anything else, including a page on the daemon's own origin (which needs no preflight), gets
    /// nothing, so a browser sends no cross-site JSON, NDJSON or Authorization request.
    private func preflight(_ request: HTTPRequest) -> HTTPResponse {
        guard let origin = request.headers["origin"], access.screen.isListed(origin) else {
            return HTTPResponse(status: 204, headers: [("vary", "origin")])
        }
        return HTTPResponse(
            status: 204,
            headers: [
                ("access-control-allow-methods", "GET, POST"), ("access-control-allow-headers", "authorization, content-type"),
                ("access-control-max-age", "600"),
            ])
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

    /// For `shouldAcceptWebSocket`: `nil` to accept, or 401/403/421/429. Host and Origin are screened
    /// first (a page on another origin never opens a board socket); the token may come from the
    /// Authorization header, the `token` query parameter or the `wallboard_token` cookie.
    func webSocketRefusal(query: [(name: String, value: String)], headers: [String: String], peer: String) -> Int? {
        if let refusal = access.screenRequest(headers: headers, peer: peer) {
            logger.debug("websocket refused", metadata: ["ws.peer": "\(peer)", "access.reason": "\(refusal.reason)"])
            return refusal.status
        }
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

    /// For `webSocketOpened`: remembers the connection's principal (``AccessGate/principal(of:)``) and
    /// what it presented, so a reload that removes or changes its token closes it.
    func admitWebSocket(_ connection: ConnectionID, query: [(name: String, value: String)], headers: [String: String],
                        peer: String)
    {
        let principal = try? access.authenticate(headers: headers, query: query, peer: peer, allowURLCredentials: true).get()
        let digest = AccessGate.credential(headers: headers, query: query, allowURLCredentials: true).map { SHA256.hash($0.utf8) }
        access.remember(
            connection, as: principal ?? AccessPrincipal(name: "unknown", role: .viewer, scope: .nothing), digest: digest,
            peer: peer)
    }

    /// For `webSocketClosed`.
    func forgetWebSocket(_ connection: ConnectionID) { access.forget(connection) }
}
