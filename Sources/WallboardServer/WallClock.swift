import Foundation
import WallboardCore

/// Where the daemon gets `now`. The core never reads a clock itself; tests inject their own.
public protocol WallClock: Sendable {
    func now() -> Instant
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Instant { Instant(secondsSinceEpoch: Date().timeIntervalSince1970) }
}
