import JSONModel

extension AccessPolicy {
    /// Reads the root's `access` section, or `nil` when there is none. Errors name the key and line.
    static func parse(_ root: ConfigReader) throws(ConfigError) -> AccessPolicy? {
        guard let section = try root.section("access") else { return nil }
        var policy = AccessPolicy()
        let technologies = try stringList(section, "monitor_technologies") ?? MonitorEndpoint.defaultTechnologies
        if let local = technologies.first(where: { $0.lowercased() == "local" }) {
            throw section.document.error(
                section.childPath("monitor_technologies"), "\(local) runs dialplan and can never be a monitor endpoint")
        }
        for token in try section.list("tokens") {
            let name = try token.requiredString("name")
            guard !policy.tokens.contains(where: { $0.name == name }) else {
                throw token.document.error(token.childPath("name"), "token \"\(name)\" is listed twice")
            }
            let role = AccessRole(rawValue: try token.choice("role", from: AccessRole.allCases.map(\.rawValue)) ?? "")
            guard let role else { throw token.document.error(token.path, "missing required key \"role\"") }
            var text = try token.requiredString("hash")
            if text.hasPrefix("sha256:") { text.removeFirst(7) }
            guard !text.hasPrefix(AccessToken.prefix) else {
                throw token.document.error(token.childPath("hash"), "is a token, not its hash: never put the token itself here")
            }
            guard text.utf8.count == 64, let hash = SHA256.bytes(hex: text) else {
                throw token.document.error(
                    token.childPath("hash"), "must be the token's SHA-256 as 64 hex digits (wallboardctl token create prints it)")
            }
            if let other = policy.tokens.first(where: { $0.hash == hash }) {
                throw token.document.error(
                    token.childPath("hash"), "the same token as \"\(other.name)\": give each token its own (wallboardctl token create)")
            }
            let scope = AccessScope(
                queues: try stringList(token, "queues"), teams: try stringList(token, "teams"))
            let endpoint = try token.string("monitor_endpoint")
            if let endpoint {
                guard role.includes(.supervisor) else {
                    throw token.document.error(
                        token.childPath("monitor_endpoint"), "only supervisor and admin tokens start monitors; this one is \(role.rawValue)")
                }
                if let problem = MonitorEndpoint.problem(endpoint, technologies: technologies) {
                    throw token.document.error(token.childPath("monitor_endpoint"), problem)
                }
            }
            policy.tokens.append(TokenEntry(name: name, role: role, hash: hash, scope: scope, monitorEndpoint: endpoint))
            try token.rejectUnknownKeys()
        }
        policy.allowedOrigins = try stringList(section, "allowed_origins")?.map { $0.lowercased() } ?? []
        for (index, origin) in policy.allowedOrigins.enumerated() where !isOrigin(origin) {
            throw section.document.error(
                section.childPath("allowed_origins") + "[\(index)]",
                "\"\(origin)\" is not an origin: scheme://host[:port] without a path, e.g. https://wall.example.com")
        }
        policy.loopbackWithoutToken = try section.bool("loopback_without_token") ?? false
        try section.rejectUnknownKeys()
        return policy
    }

    /// Whether `text` is `http(s)://host[:port]` (what browsers send as `Origin`).
    static func isOrigin(_ text: String) -> Bool {
        guard text.hasPrefix("http://") || text.hasPrefix("https://"),
            let authority = RequestScreen.authority(ofOrigin: text)
        else { return false }
        return RequestScreen.hostName(authority) != nil
    }

    /// A list of non-empty strings, or `nil` when the key is absent.
    static func stringList(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> [String]? {
        guard let value = reader.value(key) else { return nil }
        guard let list = value.arrayValue, !list.isEmpty,
            list.allSatisfy({ !($0.stringValue ?? "").isEmpty })
        else {
            throw reader.document.error(reader.childPath(key), "must be a non-empty list of strings, e.g. [sales, support]")
        }
        return list.compactMap(\.stringValue)
    }
}

extension DaemonConfiguration {
    /// The root's `allowed_hosts`: host names without scheme, port or path (`wall.example.com`).
    static func parseAllowedHosts(_ root: ConfigReader) throws(ConfigError) -> [String] {
        let hosts = try AccessPolicy.stringList(root, "allowed_hosts") ?? []
        for (index, host) in hosts.enumerated() {
            guard let name = RequestScreen.hostName(host), name == RequestScreen.normalizedName(host),
                !name.contains("/"), !name.contains(" ")
            else {
                throw root.document.error(
                    "allowed_hosts[\(index)]", "\"\(host)\" is not a host name: no scheme, port or path, e.g. wall.example.com")
            }
        }
        return hosts.map(RequestScreen.normalizedName)
    }
}
