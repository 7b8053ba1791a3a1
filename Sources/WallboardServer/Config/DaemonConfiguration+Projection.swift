import WallboardCore

/// The `projection:` section and the queues' `close:` (docs/configuration.md, docs/metrics.md "Projected close").
extension DaemonConfiguration {
    /// `projection: { close: "HH:MM" }`: when the business day ends for the projected close.
    static func parseProjection(_ section: ConfigReader) throws(ConfigError) -> Millis? {
        let close = try parseCloseTime(section, "close")
        try section.rejectUnknownKeys()
        return close
    }

    /// A close time `HH:MM` (local time; `24:00` is midnight at the day's end) as ms after local midnight.
    static func parseCloseTime(_ section: ConfigReader, _ key: String) throws(ConfigError) -> Millis? {
        guard let text = try section.string(key) else { return nil }
        if text == "24:00" { return 0 }
        guard let millis = parseClockTime(text) else {
            throw section.document.error(
                section.childPath(key), "\"\(text)\" is not a time of day HH:MM (e.g. \"20:00\", or \"24:00\" for midnight)")
        }
        return millis
    }
}
