/// A point in time as whole milliseconds since the Unix epoch (UTC).
///
/// The core never reads a clock: callers pass `now` in, so replays on a virtual clock and tests are
/// deterministic. Milliseconds keep every wait and window boundary exact in integer arithmetic.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// An instant `seconds` after the epoch, rounded to the millisecond.
    public init(secondsSinceEpoch seconds: Double) {
        self.milliseconds = Int64((seconds * 1000).rounded())
    }

    /// Seconds since the epoch.
    public var secondsSinceEpoch: Double { Double(milliseconds) / 1000 }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// This instant moved by `duration` milliseconds.
    public func advanced(by duration: Millis) -> Instant { Instant(milliseconds: milliseconds + duration) }

    /// Milliseconds from `earlier` to this instant (negative if `earlier` is later).
    public func since(_ earlier: Instant) -> Millis { milliseconds - earlier.milliseconds }

    public var description: String { RFC3339.format(self) }
}

/// A duration in milliseconds.
public typealias Millis = Int64

extension Millis {
    /// `seconds` whole seconds in milliseconds. Traps on overflow: for constants and range-checked values
    /// only; a number from outside goes through ``OutsideNumber`` or ``checkedSeconds(_:)`` first.
    public static func seconds(_ seconds: Int64) -> Millis { seconds * 1000 }
    /// `minutes` whole minutes in milliseconds (constants and range-checked values; see ``seconds(_:)``).
    public static func minutes(_ minutes: Int64) -> Millis { minutes * 60_000 }
    /// This duration in seconds.
    public var asSeconds: Double { Double(self) / 1000 }
}
