import JSONModel

extension AccessPolicy {
    /// Reads the root's `access` section, or `nil` when there is none. Errors name the key and line.
    static func parse(_ root: ConfigReader) throws(ConfigError) -> AccessPolicy? {
        guard let section = try root.section("access") else { return nil }
        var policy = AccessPolicy()
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
            policy.tokens.append(TokenEntry(name: name, role: role, hash: hash, scope: scope))
            try token.rejectUnknownKeys()
        }
        policy.allowedOrigins = try stringList(section, "allowed_origins")?.map { $0.lowercased() } ?? []
        policy.loopbackWithoutToken = try section.bool("loopback_without_token") ?? false
        try section.rejectUnknownKeys()
        return policy
    }

    /// A list of non-empty strings, or `nil` when the key is absent.
    private static func stringList(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> [String]? {
        guard let value = reader.value(key) else { return nil }
        guard let list = value.arrayValue, !list.isEmpty,
            list.allSatisfy({ !($0.stringValue ?? "").isEmpty })
        else {
            throw reader.document.error(reader.childPath(key), "must be a non-empty list of strings, e.g. [sales, support]")
        }
        return list.compactMap(\.stringValue)
    }
}
