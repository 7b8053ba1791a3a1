import WallboardCore

/// Runs a recorded AMI byte stream through the same decoder and mapper as the live source, on a virtual
/// clock, for `wallboardctl replay --format ami FILE.ami`.
public enum AMIReplay {
    /// Received bytes, with the time they arrived when the recording knows it.
    public struct Chunk: Sendable, Equatable {
        public var receivedAt: Instant?
        public var bytes: [UInt8]

        public init(receivedAt: Instant?, bytes: [UInt8]) {
            self.receivedAt = receivedAt
            self.bytes = bytes
        }
    }

    /// Something in the capture that was skipped, with why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var at: Instant?
        public var message: String
        public var description: String { at.map { "\($0): \(message)" } ?? message }
    }

    /// What a replay produced.
    public struct Result: Sendable {
        /// Canonical events in the order the mapper produced them (timestamps non-decreasing except for
        /// resync `contact.queued` backdated by the caller's `Wait`).
        public var events: [Event]
        /// Each queue's settings from QueueParams (Asterisk's `servicelevel` as threshold).
        public var settings: [QueueSettings]
        public var problems: [Problem]
        /// The clock after the last message: where rolling windows end.
        public var endedAt: Instant?
        /// AgentRingNoAnswer per queue.
        public var ringNoAnswers: [String: Int]
    }

    /// Replays a raw capture (`.ami`: the bytes Asterisk sent, banner first). The clock is each event's
    /// `Timestamp:` header (manager.conf `timestampevents=yes`); a message without one happens at the
    /// latest timestamp seen (before the first, at the first one in the capture). A capture without any
    /// `Timestamp:` cannot be timed: every event is then at the epoch and a problem says so.
    public static func events(
        fromCapture bytes: [UInt8], configuration: AMIEventMapper.Configuration = .init()
    ) -> Result {
        events(fromChunks: [Chunk(receivedAt: nil, bytes: bytes)], configuration: configuration)
    }

    /// Replays chunks as received; a chunk's `receivedAt` is the `now` of the messages it completes
    /// (a `Timestamp:` header still wins for an event's own time).
    public static func events(
        fromChunks chunks: [Chunk], configuration: AMIEventMapper.Configuration = .init()
    ) -> Result {
        var decoder = AMIFrameDecoder()
        var problems: [Problem] = []
        var decoded: [(AMIMessage, Instant?)] = []
        for chunk in chunks {
            for output in decoder.feed(chunk.bytes) {
                switch output {
                case .success(let message): decoded.append((message, chunk.receivedAt))
                case .failure(let error): problems.append(Problem(at: chunk.receivedAt, message: error.description))
                }
            }
        }
        if let error = decoder.reset() { problems.append(Problem(at: nil, message: error.description)) }

        let firstTime = decoded.lazy.compactMap { $0.0.timestamp ?? $0.1 }.first
        if firstTime == nil, !decoded.isEmpty {
            problems.append(
                Problem(at: nil, message: "capture has no Timestamp: headers (timestampevents=no) and no receive times"))
        }
        var clock = firstTime ?? Instant(milliseconds: 0)
        var mapper = AMIEventMapper(configuration: configuration)
        var events: [Event] = []
        for (message, receivedAt) in decoded {
            if let time = message.timestamp ?? receivedAt { clock = max(clock, time) }
            events += mapper.map(message, now: clock)
            problems += mapper.takeProblems().map { Problem(at: $0.at, message: $0.description) }
        }
        events += mapper.tick(now: clock)
        return Result(
            events: events, settings: mapper.discoveredSettings, problems: problems,
            endedAt: decoded.isEmpty ? nil : clock, ringNoAnswers: mapper.ringNoAnswers)
    }
}
