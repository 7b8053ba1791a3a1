import WallboardCore

/// Numeric headers, read by the rule for numbers from outside (`OutsideNumber`, docs/reliability.md):
/// a duration is whole seconds in 0...604800 (7 days), a count is 0...1e9, a `Timestamp` is epoch seconds
/// in years 2000-2199. An empty or absent header counts as absent. A header that is present but not such a
/// number is ignored (as if absent) and noted as a ``AMIEventMapper/Problem`` naming the header, its value
/// and what was used instead; the rest of the message is mapped as usual.
extension AMIEventMapper {
    /// Header `name` of `message` as a duration (whole seconds), or `nil` when absent or unusable.
    /// `instead` says what the caller uses when it is unusable, for the problem's text.
    mutating func durationHeader(_ name: String, of message: AMIMessage, at: Instant, instead: String) -> Millis? {
        guard let text = presentValue(name, of: message) else { return nil }
        if let value = OutsideNumber.durationSeconds(text) { return value }
        noteUnusable(name, text, of: message, at: at, expected: "whole seconds in 0...\(OutsideNumber.maximumDuration / 1000)", instead: instead)
        return nil
    }

    /// Header `name` of `message` as a count, or `nil` when absent or unusable.
    mutating func countHeader(_ name: String, of message: AMIMessage, at: Instant) -> Int? {
        guard let text = presentValue(name, of: message) else { return nil }
        if let value = OutsideNumber.count(text) { return value }
        noteUnusable(name, text, of: message, at: at, expected: "a count in 0...\(OutsideNumber.maximumCount)", instead: "ignored")
        return nil
    }

    /// When `message` happened: its `Timestamp:` when usable, else `now` (the arrival time).
    mutating func time(of message: AMIMessage, now: Instant) -> Instant {
        if let stamp = message.timestamp { return stamp }
        if let text = presentValue("Timestamp", of: message) {
            noteUnusable(
                "Timestamp", text, of: message, at: now, expected: "epoch seconds in the years 2000-2199",
                instead: "the arrival time is used")
        }
        return now
    }

    /// Text from the AMI stream as it may appear in a problem: escaped and cut (`PrintableText`).
    static func shown(_ text: String) -> String { PrintableText.escaping(text, limit: 80) }

    private func presentValue(_ name: String, of message: AMIMessage) -> String? {
        guard let text = message[name], text.contains(where: { $0 != " " && $0 != "\t" }) else { return nil }
        return text
    }

    private mutating func noteUnusable(
        _ name: String, _ text: String, of message: AMIMessage, at: Instant, expected: String, instead: String
    ) {
        let what = message.eventName ?? message["Response"].map { "Response \($0)" } ?? "AMI message"
        note(Self.shown(what), at: at, "\(name) \"\(Self.shown(text))\" is not \(expected); \(instead)")
    }
}
