/// A set of ``IDDigest``s in one flat array: open addressing with linear probing, 16 bytes a slot, the
/// table at most three quarters full (so 21 to 43 bytes an element, whatever the ids' length), doubled
/// when it would pass that. No removal: the engine drops a whole day's set at once.
struct DigestSet: Sendable {
    /// Power-of-two sized; ``IDDigest/zero`` marks an empty slot.
    private var slots: [IDDigest] = []
    /// Elements held.
    private(set) var count = 0

    init() {}

    /// An empty set with room for `capacity` elements before it grows.
    init(reservingCapacity capacity: Int) {
        var size = 16
        while size / 4 * 3 < capacity { size *= 2 }
        slots = Array(repeating: .zero, count: size)
    }

    /// A set of `digests` (none of them ``IDDigest/zero``), sized for them.
    init(_ digests: [IDDigest]) {
        self.init(reservingCapacity: digests.count)
        for digest in digests { insert(digest) }
    }

    var isEmpty: Bool { count == 0 }

    /// Bytes the table occupies (for tests and docs).
    var tableBytes: Int { slots.count * MemoryLayout<IDDigest>.stride }

    func contains(_ digest: IDDigest) -> Bool {
        guard !slots.isEmpty else { return false }
        return slots.withUnsafeBufferPointer { table in
            let mask = table.count - 1
            var index = Int(truncatingIfNeeded: digest.low) & mask
            while true {
                let slot = table[index]
                if slot == digest { return true }
                if slot == .zero { return false }
                index = (index + 1) & mask
            }
        }
    }

    /// Adds `digest`; returns whether it was not there before. `digest` must not be ``IDDigest/zero``.
    @discardableResult
    mutating func insert(_ digest: IDDigest) -> Bool {
        precondition(digest != .zero, "the zero digest marks empty slots")
        if (count + 1) * 4 > slots.count * 3 { grow() }
        let inserted = slots.withUnsafeMutableBufferPointer { Self.place(digest, in: $0) }
        if inserted { count += 1 }
        return inserted
    }

    /// Calls `body` with every element, in table order.
    func forEach(_ body: (IDDigest) throws -> Void) rethrows {
        for slot in slots where slot != .zero { try body(slot) }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: .zero, count: max(16, old.count * 2))
        slots.withUnsafeMutableBufferPointer { table in
            for slot in old where slot != .zero { _ = Self.place(slot, in: table) }
        }
    }

    private static func place(_ digest: IDDigest, in table: UnsafeMutableBufferPointer<IDDigest>) -> Bool {
        let mask = table.count - 1
        var index = Int(truncatingIfNeeded: digest.low) & mask
        while true {
            let slot = table[index]
            if slot == digest { return false }
            if slot == .zero {
                table[index] = digest
                return true
            }
            index = (index + 1) & mask
        }
    }
}

extension DigestSet: Equatable {
    static func == (lhs: DigestSet, rhs: DigestSet) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var same = true
        lhs.forEach { if same, !rhs.contains($0) { same = false } }
        return same
    }
}
