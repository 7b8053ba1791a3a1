import WallboardCore
@testable import WallboardServer

/// What the topic-building suites share: NDJSON event lines applied to an engine, and the topics
/// `TopicPayloads` builds from it at a time.
protocol TopicTestSupport {}

extension TopicTestSupport {
    /// Decodes `lines` and applies each event to `engine` at `now`.
    func apply(_ lines: [String], to engine: inout WallboardEngine, at now: Instant) {
        for item in EventBatchDecoder.decode(Array(lines.joined(separator: "\n").utf8)).events {
            _ = engine.apply(item.event, now: now)
        }
    }

    /// One event line of `type` with `fields` (JSON members, without braces), stamped `now`.
    func event(_ id: String, _ type: String, _ fields: String, at now: Instant) -> String {
        #"{"id":"\#(id)","ts":"\#(RFC3339.format(now))","type":"\#(type)",\#(fields)}"#
    }

    /// The updates of `topics` that changed since `payloads` last built them, by topic.
    func build(_ payloads: inout TopicPayloads, _ topics: Set<String>, _ engine: WallboardEngine, at now: Instant)
        -> [String: TopicHub.Update]
    {
        let updates = payloads.build(
            topics, fresh: [], engine: engine, snapshot: engine.snapshot(now: now), now: now,
            context: .init(centerName: "test", sources: [], warningLevels: [:]))
        return Dictionary(uniqueKeysWithValues: updates.map { ($0.topic, $0.update) })
    }
}
