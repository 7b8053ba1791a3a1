/// What surveys need to know about contacts that have finished, kept for the survey horizon: an
/// ``ExpiringIndex`` keyed by the contact id's digest whose values are small fixed records, their
/// strings (queue, team, segment, language) interned in a ``StringPool``. About 100 bytes a contact
/// instead of the 200 to 300 of a record holding its own strings.
struct FinishedContactIndex: Sendable {
    /// A ``FinishedContact`` without its instant (the index keeps that), strings as pool codes.
    struct Packed: Sendable, Equatable {
        var queue: UInt32
        var team: UInt32
        var segment: UInt32
        var language: UInt32
        var channel: Channel
    }

    private(set) var index = ExpiringIndex<Packed>()
    private(set) var pool = StringPool()

    init() {}

    /// An index restored from a checkpoint: `pool` must hold every code of `records`.
    init(pool: StringPool, records: [(key: IDDigest, value: Packed, at: Instant)]) {
        self.pool = pool
        index.reserveCapacity(records.count)
        for record in records { index.set(digest: record.key, record.value, at: record.at) }
    }

    /// How many contacts are held.
    var count: Int { index.count }

    /// Heap slots held, stale ones included.
    var heapSlots: Int { index.heapSlots }

    /// What is known of `contact`, if it finished within the horizon.
    subscript(contact: String) -> FinishedContact? {
        guard let entry = index.entry(IDDigest(contact)) else { return nil }
        let packed = entry.value
        return FinishedContact(
            queue: pool[packed.queue] ?? "", channel: packed.channel, team: pool[packed.team],
            segment: pool[packed.segment], language: pool[packed.language], at: entry.at)
    }

    /// Stores `record` for `contact`, to be forgotten once `at` (normally `record.at`) falls behind the
    /// horizon; a lookup returns `at` as the record's instant.
    mutating func set(_ contact: String, _ record: FinishedContact, at: Instant) {
        let packed = Packed(
            queue: pool.code(record.queue), team: pool.code(record.team), segment: pool.code(record.segment),
            language: pool.code(record.language), channel: record.channel)
        index.set(contact, packed, at: at)
        // Each record names at most 4 strings: past twice that per record, rebuild the pool from the
        // records still held (amortized constant per set), so ids seen once do not pile up.
        if pool.count > 2 * max(256, 4 * index.count) { compactPool() }
    }

    /// Forgets contacts that finished before `horizon`.
    mutating func prune(before horizon: Instant) { index.prune(before: horizon) }

    /// Every record, sorted by key digest (for checkpoints).
    var sortedByKey: [(key: IDDigest, value: Packed, at: Instant)] { index.sortedByKey }

    private mutating func compactPool() {
        var fresh = StringPool()
        let old = pool
        index.mapValues { packed in
            Packed(
                queue: fresh.code(old[packed.queue]), team: fresh.code(old[packed.team]),
                segment: fresh.code(old[packed.segment]), language: fresh.code(old[packed.language]),
                channel: packed.channel)
        }
        pool = fresh
    }
}

/// Distinct strings numbered from 1 in the order first seen; code 0 stands for `nil`.
struct StringPool: Sendable, Equatable {
    private(set) var strings: [String] = []
    private var codes: [String: UInt32] = [:]

    init() {}

    /// A pool of `strings`, coded 1, 2, ... in that order; `nil` when one appears twice.
    init?(strings: [String]) {
        for string in strings {
            guard codes[string] == nil else { return nil }
            codes[string] = UInt32(self.strings.count + 1)
            self.strings.append(string)
        }
    }

    var count: Int { strings.count }

    /// The code of `string`, adding it when new (`nil` is 0).
    mutating func code(_ string: String?) -> UInt32 {
        guard let string else { return 0 }
        if let code = codes[string] { return code }
        strings.append(string)
        let code = UInt32(strings.count)
        codes[string] = code
        return code
    }

    /// The string coded `code` (`nil` for 0 or a code not in the pool).
    subscript(code: UInt32) -> String? {
        code == 0 || Int(code) > strings.count ? nil : strings[Int(code) - 1]
    }

    static func == (lhs: StringPool, rhs: StringPool) -> Bool { lhs.strings == rhs.strings }
}
