/// Wiring of access control into a made daemon (called by `wallboardd`'s main before `start()`).
extension Daemon {
    /// Applies the config's `access` section (or the no-section rule for `options.host`), with the
    /// audit log in `<stateDirectory>/audit/` or, without a state directory, in the log only.
    public func configureAccess(_ policy: AccessPolicy?, stateDirectory: String?, clock: any WallClock = SystemClock()) {
        api.access.configure(
            policy: policy, listenHost: options.host, auditDirectory: stateDirectory.map { $0 + "/audit" }, clock: clock,
            logger: logger)
        if let policy {
            logger.notice(
                "access control on",
                metadata: ["access.tokens": "\(policy.tokens.count)", "audit.directory": "\(stateDirectory.map { $0 + "/audit" } ?? "log only")"])
        } else {
            logger.notice(
                "no access section: anonymous callers allowed",
                metadata: ["access.anonymous_role": "\(AccessGate.isLoopback(options.host) ? "admin" : "viewer")"])
        }
    }
}
