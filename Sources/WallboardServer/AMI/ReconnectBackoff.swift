import WallboardCore

/// Capped exponential reconnect delays: `initial`, doubling per consecutive failure up to `maximum`,
/// each shortened by up to `jitter` (a fraction) so many daemons do not reconnect in step after an
/// Asterisk restart. Pure; the random fraction is passed in.
struct ReconnectBackoff: Sendable {
    var initial: Millis
    var maximum: Millis
    var jitter: Double = 0.2
    /// Consecutive failed attempts since the last successful login.
    private(set) var failures = 0

    init(initial: Millis, maximum: Millis, jitter: Double = 0.2) {
        self.initial = max(1, initial)
        self.maximum = max(self.initial, maximum)
        self.jitter = jitter
    }

    /// The delay before the next attempt, counting one more failure. `random` is in 0..<1.
    mutating func nextDelay(random: Double = Double.random(in: 0..<1)) -> Millis {
        let shift = min(failures, 30)
        failures += 1
        let base = min(initial << Int64(shift), maximum)
        return base - Millis(Double(base) * jitter * random)
    }

    /// A login succeeded: the next failure starts again at `initial`.
    mutating func reset() { failures = 0 }

    /// "4 s", "0.8 s": a delay for a status line.
    static func describe(_ delay: Millis) -> String {
        if delay >= 10_000 || delay % 1000 == 0 { return "\((delay + 500) / 1000) s" }
        return "\(Double((delay + 50) / 100) / 10) s"
    }
}
