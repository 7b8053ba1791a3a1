import WallboardCore

/// How the ``Outbox`` retries: capped exponential backoff with jitter, then the dead-letter list.
///
/// Config key `alerts.delivery` (`max_attempts`, `initial_backoff`, `max_backoff`, `jitter`).
public struct OutboxPolicy: Sendable, Equatable {
    /// Attempts before a delivery is dead-lettered (the first send counts).
    public var maxAttempts: Int
    /// The wait after the first failure; it doubles after each further failure...
    public var initialBackoff: Millis
    /// ...up to this.
    public var maxBackoff: Millis
    /// Each wait is shortened by up to this fraction at random, so many deliveries that failed together
    /// (a receiver outage) do not retry in lockstep.
    public var jitter: Double
    /// How long a claimed delivery may stay in flight before it counts as lost and is sent again.
    public var leaseDuration: Millis
    /// How many dead letters and delivered ids (for dedup) to remember.
    public var memoryLimit: Int

    public init(
        maxAttempts: Int = 12, initialBackoff: Millis = .seconds(5), maxBackoff: Millis = .minutes(10),
        jitter: Double = 0.2, leaseDuration: Millis = .seconds(60), memoryLimit: Int = 1000
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.jitter = jitter
        self.leaseDuration = leaseDuration
        self.memoryLimit = memoryLimit
    }

    /// The wait before attempt `failures + 1` after `failures` failures, before jitter:
    /// `min(maxBackoff, initialBackoff × 2^(failures − 1))`, never negative. The doubling saturates instead
    /// of overflowing and stops once it reaches `maxBackoff` (at most 63 steps), whatever `failures` is.
    public func backoff(afterFailures failures: Int) -> Millis {
        let cap = max(maxBackoff, 0)
        var delay = min(max(initialBackoff, 0), cap)
        var step = 1
        while step < failures, delay > 0, delay < cap {
            let (doubled, overflow) = delay.multipliedReportingOverflow(by: 2)
            delay = overflow ? cap : min(doubled, cap)
            step += 1
        }
        return delay
    }
}
