import WallboardCore

/// Builds events for tests with ids that are unique per factory and timestamps in seconds after `origin`.
struct EventFactory {
    var origin: Instant
    private var next = 0

    init(origin: Instant = RFC3339.parse("2026-11-23T09:00:00Z")!) { self.origin = origin }

    /// The instant `seconds` after the origin.
    func at(_ seconds: Double) -> Instant { origin.advanced(by: Millis((seconds * 1000).rounded())) }

    mutating func make(_ seconds: Double, _ body: EventBody) -> Event {
        next += 1
        return Event(id: "e\(next)", timestamp: at(seconds), body: body)
    }
}

extension WallboardEngine {
    /// Applies events in order, each at its own timestamp, and advances the engine to the last one.
    mutating func run(_ events: [Event]) {
        for event in events {
            apply(event, now: event.timestamp)
            expire(now: event.timestamp)
        }
    }
}

/// A tiny deterministic random generator (SplitMix64), so property tests replay the same streams.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// `true` with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
}
