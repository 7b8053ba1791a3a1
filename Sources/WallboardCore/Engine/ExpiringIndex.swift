/// A dictionary whose entries carry an instant and are forgotten once that instant falls behind a
/// horizon, at a cost proportional to what is forgotten: a min-heap of (instant, key) orders the
/// entries by age, so ``prune(before:)`` never scans the whole dictionary (issue 14: filtering whole
/// dictionaries on every event made a day's replay quadratic).
///
/// Replacing a key's entry leaves its older heap slot behind; such slots are skipped when they come
/// up. The heap holds at most one slot per `set` since the last time those slots' instants passed the
/// horizon, so memory stays bounded by what the horizon keeps.
///
/// Keys are ids kept as their ``IDDigest`` (16 bytes, no string storage): the index answers "what was
/// stored under this id", never "which ids are stored".
struct ExpiringIndex<Value: Sendable>: Sendable {
    private var entries: [IDDigest: (value: Value, at: Instant)] = [:]
    private var heap: [(at: Instant, key: IDDigest)] = []

    init() {}

    /// The value stored under `key`, if it has not been pruned.
    subscript(key: String) -> Value? { entries[IDDigest(key)]?.value }

    /// The value stored under the id whose digest is `key`.
    subscript(digest key: IDDigest) -> Value? { entries[key]?.value }

    /// The value and instant stored under the id whose digest is `key`.
    func entry(_ key: IDDigest) -> (value: Value, at: Instant)? { entries[key] }

    /// The instant stored with `key`'s value.
    func instant(of key: String) -> Instant? { entries[IDDigest(key)]?.at }

    /// How many keys are held.
    var count: Int { entries.count }

    /// Heap slots held, stale ones included (tests: memory stays bounded).
    var heapSlots: Int { heap.count }

    /// Every entry, sorted by key digest (for checkpoints: the same state always gives the same bytes).
    var sortedByKey: [(key: IDDigest, value: Value, at: Instant)] {
        entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value.value, $0.value.at) }
    }

    /// Stores `value` under `key`, to be forgotten once `at` is older than the horizon.
    mutating func set(_ key: String, _ value: Value, at: Instant) { set(digest: IDDigest(key), value, at: at) }

    /// Stores `value` under the id whose digest is `key`.
    mutating func set(digest key: IDDigest, _ value: Value, at: Instant) {
        entries[key] = (value, at)
        push((at, key))
    }

    /// Makes room for `count` entries (before a checkpoint's entries are restored).
    mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
        heap.reserveCapacity(count)
    }

    /// Replaces every value by `transform` of it, keeping keys and instants (heap order is unchanged).
    mutating func mapValues(_ transform: (Value) -> Value) {
        entries = entries.mapValues { (transform($0.value), $0.at) }
    }

    /// Calls `body` with every value held.
    func forEachValue(_ body: (Value) -> Void) {
        for entry in entries.values { body(entry.value) }
    }

    /// Forgets every entry whose instant is before `horizon`.
    mutating func prune(before horizon: Instant) {
        while let oldest = heap.first, oldest.at < horizon {
            popMinimum()
            if let entry = entries[oldest.key], entry.at < horizon { entries[oldest.key] = nil }
        }
    }

    // MARK: Binary heap on `at`

    private mutating func push(_ slot: (at: Instant, key: IDDigest)) {
        heap.append(slot)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].at < heap[parent].at else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popMinimum() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].at < heap[smallest].at { smallest = left }
            if right < heap.count, heap[right].at < heap[smallest].at { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
