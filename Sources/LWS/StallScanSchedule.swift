/// When the service thread looks for stalled WebSocket clients (``LWSServer/Configuration/stallTimeout``).
///
/// The scan visits every session. It ran at every drain of the mailbox (twice per wake-up: each protocol
/// gets the wake; a wake-up per frame posted and per HTTP response): at 1,000 boards and an ingest POST
/// every 50 ms that was about fifty scans of a thousand sessions a second (1.4 % of the daemon's CPU in the
/// fan-out bench) to find clients stalled for 30 s. Now a scan is due once a quarter of the timeout has passed since the last one, at most every
/// 250 ms: a stalled client is found at most that much later. Service thread only.
struct StallScanSchedule {
    /// The longest time between two scans, whatever the timeout.
    static let longestGap: UInt64 = 250_000_000
    private var last: UInt64?

    /// Whether to scan at `now` (monotonic nanoseconds) for clients stalled `timeout` nanoseconds; if so,
    /// the scan counts as done.
    mutating func isDue(now: UInt64, timeout: UInt64) -> Bool {
        let gap = min(timeout / 4, Self.longestGap)
        if let last, now >= last, now - last < gap { return false }
        last = now
        return true
    }
}
