import Glibc

/// The process's file-descriptor limit, and the line above which listeners stop taking connections so
/// that the journal, the AMI socket, webhooks and logs always find a descriptor (see
/// docs/reliability.md, "Hostile connections").
///
/// `accept(2)` hands out the lowest free descriptor, so an accepted descriptor numbered `n` means
/// descriptors `0..<n` are all open. A listener closes at once any accepted descriptor at or above
/// ``acceptCeiling(reserve:)``: connections never take the last `reserve` descriptors, and the
/// listener never reaches `EMFILE` (which libwebsockets 4.1.6 retries in a busy loop).
package enum DescriptorBudget {
    /// Descriptors kept free of client connections by default.
    package static let defaultReserve = 64

    /// The soft `RLIMIT_NOFILE` now, or `nil` when it cannot be read or is unlimited.
    package static func softLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// The most the soft limit is raised to: every lws context allocates (and zeroes) 16 bytes per
    /// descriptor of the limit (a `struct lws *` lookup slot and a `pollfd`), 1 MiB at 65,536, 8 MiB
    /// at systemd's usual hard limit of 524,288. 65,536 is far above what 1,000+ screens need.
    package static let defaultCap = 65_536

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (at most `cap`). Call it before any listener
    /// or libwebsockets context is created: lws sizes its descriptor table from the soft limit then.
    /// Returns the limits before and after, or `nil` when they cannot be read; an unchanged soft
    /// limit (already at the hard one, or `setrlimit` refused) returns equal values.
    @discardableResult
    package static func raiseSoftLimit(cap: Int = DescriptorBudget.defaultCap) -> (before: Int, after: Int)? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let before = limit.rlim_cur
        let target = min(limit.rlim_max, rlim_t(max(cap, 0)))
        guard target > before else { return (Int(clamping: before), Int(clamping: before)) }
        limit.rlim_cur = target
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return (Int(clamping: before), Int(clamping: before))
        }
        return (Int(clamping: before), Int(clamping: target))
    }

    /// The lowest descriptor number a listener refuses: the soft limit less `reserve`, but never below
    /// half the soft limit (a tiny limit still serves some clients). `Int.max` when there is no limit.
    package static func acceptCeiling(reserve: Int, softLimit: Int? = DescriptorBudget.softLimit()) -> Int {
        guard let softLimit else { return Int.max }
        let kept = min(max(reserve, 0), softLimit / 2)
        return softLimit - kept
    }
}

/// Counts refusals in one episode of descriptor pressure so that the log says it once, with a count,
/// instead of once per connection. Not thread-safe: keep it on one thread or queue.
package struct PressureEpisode: Sendable {
    /// Events (refusals or failed accepts) in the current episode; 0 when none is under way.
    package private(set) var count = 0
    /// Episodes since start.
    package private(set) var episodes = 0

    package init() {}

    /// Records one event; returns `true` when it starts an episode (log then).
    package mutating func record() -> Bool {
        count += 1
        guard count == 1 else { return false }
        episodes += 1
        return true
    }

    /// Ends the episode; returns its count when one was under way (log then).
    package mutating func end() -> Int? {
        guard count > 0 else { return nil }
        defer { count = 0 }
        return count
    }
}
