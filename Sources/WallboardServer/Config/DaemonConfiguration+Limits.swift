import WallboardCore

extension DaemonConfiguration {
    /// The `limits:` keys for events, each with its accepted range (see `docs/configuration.md`).
    static var eventLimitKeys: [(key: String, range: ClosedRange<Int64>, path: WritableKeyPath<EventLimits, Int>)] {
        [
            ("max_id_bytes", 16...65_536, \.maxIDBytes),
            ("max_name_bytes", 16...65_536, \.maxNameBytes),
            ("max_label_bytes", 16...65_536, \.maxLabelBytes),
            ("max_monitor_target_bytes", 16...65_536, \.maxMonitorTargetBytes),
            ("max_list_items", 1...100_000, \.maxListItems),
            ("max_line_bytes", 1024...16_777_216, \.maxLineBytes),
        ]
    }

    /// Reads the event keys of the `limits:` section; keys left out keep their defaults. Other parts of
    /// the daemon may read their own keys from the same section: unknown keys are checked by the caller.
    static func parseEventLimits(_ limits: ConfigReader) throws(ConfigError) -> EventLimits {
        var result = EventLimits.standard
        for entry in eventLimitKeys {
            if let value = try limits.integer(entry.key, in: entry.range) { result[keyPath: entry.path] = Int(value) }
        }
        return result
    }
}
