/// Wiring of access control into a made daemon (called by `wallboardd`'s main before `start()`).
extension Daemon {
    /// Applies the config's `access` section (or the no-section rule) and the Host allow-list, with the
    /// audit log in `<stateDirectory>/audit/` or, without a state directory, in the log only. On a
    /// reload, WebSockets whose token was removed or now grants another role or scope are closed
    /// (1008) at once: the board reconnects with whatever its token grants now, or is refused.
    public func configureAccess(
        _ policy: AccessPolicy?, allowedHosts: [String]? = nil, stateDirectory: String?, clock: any WallClock = SystemClock()
    ) {
        let changed = api.access.configure(
            policy: policy, listenHost: options.host,
            allowedHosts: (allowedHosts ?? options.allowedHosts) + RequestScreen.systemHostNames(),
            auditDirectory: stateDirectory.map { $0 + "/audit" }, clock: clock, logger: logger)
        for connection in changed {
            server.close(connection, reason: .policyViolation("access changed by a config reload: reconnect with a valid token"))
        }
        if !changed.isEmpty {
            logger.notice("closed websockets whose access changed", metadata: ["access.closed": "\(changed.count)"])
        }
        if let policy {
            logger.notice(
                "access control on",
                metadata: ["access.tokens": "\(policy.tokens.count)", "audit.directory": "\(stateDirectory.map { $0 + "/audit" } ?? "log only")"])
        } else {
            logger.notice(
                "no access section: anonymous callers are viewers (customer data masked, no actions; events from loopback)",
                metadata: ["access.anonymous_role": "viewer"])
        }
    }
}
