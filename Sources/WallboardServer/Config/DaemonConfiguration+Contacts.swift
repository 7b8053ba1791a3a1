import WallboardCore

extension DaemonConfiguration {
    /// Reads the `contacts:` section (docs/configuration.md): `expire_after_minutes` and `capacity`
    /// (per channel, and per team and per agent under `teams:` and `agents:`).
    static func parseContacts(_ contacts: ConfigReader, into engine: inout EngineConfiguration) throws(ConfigError) {
        if let minutes = try contacts.integer("expire_after_minutes", in: 0...(7 * 24 * 60)) {
            engine.contactExpiry = .minutes(minutes)
        }
        if let capacity = try contacts.section("capacity") {
            engine.capacity.channels = try parseCapacities(capacity, nested: true)
            if let teams = try capacity.section("teams") {
                for team in teams.object.keys.sorted() {
                    guard let reader = try teams.section(team) else { continue }
                    engine.capacity.teams[team] = try parseCapacities(reader, nested: false)
                }
            }
            if let agents = try capacity.section("agents") {
                for agent in agents.object.keys.sorted() {
                    guard let reader = try agents.section(agent) else { continue }
                    engine.capacity.agents[agent] = try parseCapacities(reader, nested: false)
                }
            }
            try capacity.rejectUnknownKeys()
        }
        try contacts.rejectUnknownKeys()
    }

    /// Channel → contacts at once (1...100); `nested` allows the `teams:` and `agents:` keys beside them.
    private static func parseCapacities(_ reader: ConfigReader, nested: Bool) throws(ConfigError) -> [Channel: Int] {
        var result: [Channel: Int] = [:]
        for channel in Channel.allCases {
            if let value = try reader.integer(channel.rawValue, in: 1...100) { result[channel] = Int(value) }
        }
        if !nested { try reader.rejectUnknownKeys() }
        return result
    }
}
