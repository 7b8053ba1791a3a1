import JSONModel

/// Runs a recorded event stream through a fresh engine on a virtual clock, for
/// `wallboardctl replay FILE.ndjson --instant --json`. Pure: the caller reads and parses the file.
///
/// The clock is the latest event time seen so far: each event is applied at
/// `now = max(previous now, its ts)`, then the engine advances to `now`. Rolling windows end at the
/// last event's time.
public enum Replay {
    /// One line of the input as the caller parsed it.
    public enum Input: Sendable, Equatable {
        /// A line that parsed as JSON (1-based line number).
        case json(line: Int, JSONValue)
        /// A line that is not JSON, with the parser's message.
        case unparseable(line: Int, message: String)
    }

    /// Decodes and replays parsed lines; lines that do not decode are reported, the rest applied.
    /// Each line is decoded and applied in one pass: no array of every decoded event is built.
    public static func run(inputs: [Input], configuration: EngineConfiguration = EngineConfiguration()) -> ReplayResult {
        var session = Session(configuration: configuration)
        for input in inputs {
            switch input {
            case .unparseable(let line, let message): session.unparseable(line: line, message: message)
            case .json(let line, let value): session.apply(readable: value, line: line)
            }
        }
        return session.finish()
    }

    /// Replays already decoded events (line numbers unknown).
    public static func run(events: [Event], configuration: EngineConfiguration = EngineConfiguration()) -> ReplayResult {
        var session = Session(configuration: configuration)
        for event in events { session.apply(event, line: nil) }
        return session.finish()
    }

    /// One replay in progress: the engine on its virtual clock and what was rejected so far. Fed line
    /// by line (``apply(readable:line:)`` straight from a parser's tree, ``unparseable(line:message:)``)
    /// or event by event, then ``finish()``: what ``run(inputs:configuration:)`` does without first
    /// holding every line's tree.
    public struct Session {
        private let configuration: EngineConfiguration
        private var engine: WallboardEngine
        private var rejections: [ReplayRejection] = []
        private var now: Instant?
        private var eventsRead = 0
        private var duplicates = 0
        /// Line of each held-back event, to report its rejection (a lookup, not a scan of every event).
        private var heldLines: [String: Int] = [:]

        /// A fresh engine on a clock that starts at the first event.
        public init(configuration: EngineConfiguration = EngineConfiguration()) {
            self.configuration = configuration
            self.engine = WallboardEngine(configuration: configuration)
            // Read once, in `finish()`: no running window totals to keep per event (issue 14).
            engine.summingWindowsWhenRead()
        }

        /// Decodes one parsed line and applies it, or reports why it does not decode.
        ///
        /// Inlinable, so the decoder is specialized for the caller's tree (json-c's for `wallboardctl replay`):
        /// compiled here it read every field through the generic protocol, looking up type metadata for
        /// each (issue 14).
        @inlinable
        public mutating func apply<Value: JSONReadable>(readable value: Value, line: Int) {
            do {
                apply(try EventDecoder.decode(readable: value), line: line)
            } catch {
                reject(line: line, eventID: EventDecoder.quotableID(readable: value), error)
            }
        }

        /// Reports a line that does not decode.
        @usableFromInline
        mutating func reject(line: Int, eventID: String?, _ error: EventRejection) {
            rejections.append(ReplayRejection(line: line, eventID: eventID, code: error.code.rawValue, message: error.message))
        }

        /// Reports a line that does not decode as an event: what ``apply(readable:line:)`` does with the
        /// decoder's error, for a caller that decoded the line itself (`wallboardctl replay --timings`).
        public mutating func undecodable(line: Int, eventID: String?, _ error: EventRejection) {
            reject(line: line, eventID: eventID, error)
        }

        /// Reports a line that is not JSON, with the parser's message.
        public mutating func unparseable(line: Int, message: String) {
            rejections.append(ReplayRejection(line: line, eventID: nil, code: "invalid_json", message: message))
        }

        /// Applies one decoded event at `max(previous clock, its ts)`, then advances the engine there.
        public mutating func apply(_ event: Event, line: Int?) {
            eventsRead += 1
            let at = max(now ?? event.timestamp, event.timestamp)
            now = at
            switch engine.apply(event, now: at) {
            case .applied: break
            case .held: if let line { heldLines[event.id] = line }
            case .duplicate: duplicates += 1
            case .rejected(let rejection):
                rejections.append(
                    ReplayRejection(line: line, eventID: event.id, code: rejection.code.rawValue, message: rejection.message))
            }
            expire(at)
        }

        private mutating func expire(_ at: Instant) {
            for late in engine.expire(now: at) {
                let line = heldLines.removeValue(forKey: late.event.id)
                rejections.append(
                    ReplayRejection(
                        line: line, eventID: late.event.id, code: late.rejection.code.rawValue,
                        message: late.rejection.message))
            }
        }

        /// Rejects what is still held back and reads every window at the last event's time.
        public mutating func finish() -> ReplayResult {
            let end = now ?? Instant(milliseconds: 0)
            // Events still held back at the end never got their predecessor.
            expire(end.advanced(by: configuration.reorderTolerance + 1))
            rejections.sort { ($0.line ?? Int.max) < ($1.line ?? Int.max) }
            return ReplayResult(
                end: end, snapshot: engine.snapshot(now: end), rejections: rejections, eventsRead: eventsRead,
                duplicates: duplicates)
        }
    }
}

/// A line or event the replay could not apply.
public struct ReplayRejection: Sendable, Equatable {
    /// 1-based line number, when known.
    public var line: Int?
    public var eventID: String?
    /// An ``EventRejection/Code`` raw value, or `invalid_json`.
    public var code: String
    public var message: String
}

/// What a replay computed: every window at the end of the stream, and what was rejected.
public struct ReplayResult: Sendable, Equatable {
    /// The last event's time: where rolling windows end.
    public var end: Instant
    /// The engine's snapshot at `end` (windows, queues, teams, lists).
    public var snapshot: Snapshot
    public var rejections: [ReplayRejection]
    /// Events decoded (applied, duplicate or rejected by the engine).
    public var eventsRead: Int
    public var duplicates: Int
}
