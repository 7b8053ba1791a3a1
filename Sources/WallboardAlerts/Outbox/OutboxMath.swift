import WallboardCore

/// The outbox's arithmetic on numbers that may come from outside (a receiver's `Retry-After`, the config,
/// the outbox file read back after a restart): saturating, so a hostile or damaged value gives a long wait
/// or a large count, never an overflow trap (which would crash-loop, as the outbox is replayed on start).
enum OutboxMath {
    /// `instant + duration`, clamped to the range of ``Instant``.
    static func advance(_ instant: Instant, by duration: Millis) -> Instant {
        let (sum, overflow) = instant.milliseconds.addingReportingOverflow(duration)
        guard overflow else { return Instant(milliseconds: sum) }
        return Instant(milliseconds: duration > 0 ? .max : .min)
    }

    /// `count + 1`, staying at `Int.max`.
    static func increment(_ count: Int) -> Int { count == .max ? .max : count + 1 }

    /// How much jitter takes off `delay`: `delay × fraction × random`, in `0...delay`. A fraction outside
    /// 0...1 (or NaN) is clamped to it.
    static func jitterCut(of delay: Millis, fraction: Double, random: Double) -> Millis {
        guard delay > 0, fraction > 0, random > 0 else { return 0 }
        let cut = (Double(delay) * min(fraction, 1) * min(random, 1)).rounded(.down)
        return min(Millis(exactly: cut) ?? delay, delay)
    }
}
