import WallboardCore

/// Throttles failed authentications per client address with a token bucket: each failure takes one
/// token, tokens refill at `capacity` per `refillPeriod`; an empty bucket blocks the address for
/// `blockFor`. A pure value: the caller passes `now` (the gate keeps it in a Mutex).
struct AuthFailureLimiter: Sendable {
    struct Bucket: Sendable {
        var tokens: Double
        var updatedAt: Instant
        var blockedUntil: Instant?
    }

    var capacity: Double = 10
    var refillPeriod: Millis = .minutes(1)
    var blockFor: Millis = .minutes(5)
    /// Most addresses tracked; the stalest are forgotten past this (a flood of addresses cannot grow memory).
    var maximumAddresses = 10_000
    private(set) var buckets: [String: Bucket] = [:]

    /// When `peer` is blocked, the instant the block ends.
    func blockedUntil(_ peer: String, now: Instant) -> Instant? {
        guard let until = buckets[peer]?.blockedUntil, until > now else { return nil }
        return until
    }

    /// Records one failure; returns the end of a block when this failure starts one.
    mutating func recordFailure(_ peer: String, now: Instant) -> Instant? {
        var bucket = buckets[peer] ?? Bucket(tokens: capacity, updatedAt: now)
        let elapsed = Double(max(0, now.since(bucket.updatedAt)))
        bucket.tokens = min(capacity, bucket.tokens + elapsed * capacity / Double(refillPeriod))
        bucket.updatedAt = now
        bucket.tokens -= 1
        var started: Instant?
        if bucket.tokens < 1 {
            bucket.blockedUntil = now.advanced(by: blockFor)
            bucket.tokens = 0
            started = bucket.blockedUntil
        }
        buckets[peer] = bucket
        if buckets.count > maximumAddresses { forgetStale(now: now) }
        return started
    }

    /// Drops addresses whose bucket is full again and not blocked.
    mutating func forgetStale(now: Instant) {
        buckets = buckets.filter { _, bucket in
            let refilled = bucket.tokens + Double(now.since(bucket.updatedAt)) * capacity / Double(refillPeriod)
            return refilled < capacity || (bucket.blockedUntil.map { $0 > now } ?? false)
        }
        if buckets.count > maximumAddresses {
            let keep = buckets.sorted { $0.value.updatedAt > $1.value.updatedAt }.prefix(maximumAddresses / 2)
            buckets = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
