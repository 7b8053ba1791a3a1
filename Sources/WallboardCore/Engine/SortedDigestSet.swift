/// A set of ``IDDigest``s that no longer grows (the previous business day's ids): the digests sorted in
/// one array, exactly 16 bytes each, plus an index of where each range of leading bits starts (half a
/// byte to a byte an element), so a lookup reads one index slot and 4 to 8 neighbouring digests.
struct SortedDigestSet: Sendable, Equatable {
    /// Ascending (``IDDigest/<``: high word, then low word), no repeats.
    private(set) var digests: [IDDigest] = []
    /// `starts[b]` is the first position whose digest's top `bits` bits are `b` or more.
    private var starts: [Int32] = [0, 0]
    private var bits = 0

    init() {}

    /// The elements of `set`, sorted.
    init(_ set: DigestSet) {
        var digests: [IDDigest] = []
        digests.reserveCapacity(set.count)
        set.forEach { digests.append($0) }
        digests.sort()
        self.init(sorted: digests)
    }

    /// `sorted` must be ascending without repeats (the checkpoint decoder checks that).
    init(sorted: [IDDigest]) {
        digests = sorted
        // 4 to 8 digests a range (they are uniform): 2^bits ranges, bits at most 24 (a 64 MiB index).
        while bits < 24, (digests.count >> (bits + 3)) > 0 { bits += 1 }
        starts = [Int32](repeating: 0, count: (1 << bits) + 1)
        var position = 0
        for range in 0..<(1 << bits) {
            starts[range] = Int32(position)
            while position < digests.count, bucket(of: digests[position]) == range { position += 1 }
        }
        starts[1 << bits] = Int32(digests.count)
    }

    var count: Int { digests.count }

    var isEmpty: Bool { digests.isEmpty }

    /// Bytes held (for tests and docs).
    var bytes: Int { digests.count * MemoryLayout<IDDigest>.stride + starts.count * 4 }

    func contains(_ digest: IDDigest) -> Bool {
        let range = bucket(of: digest)
        var low = Int(starts[range])
        var high = Int(starts[range + 1])
        while low < high {
            let middle = (low + high) / 2
            let element = digests[middle]
            if element == digest { return true }
            if element < digest { low = middle + 1 } else { high = middle }
        }
        return false
    }

    private func bucket(of digest: IDDigest) -> Int { bits == 0 ? 0 : Int(digest.high >> UInt64(64 - bits)) }

    static func == (lhs: SortedDigestSet, rhs: SortedDigestSet) -> Bool { lhs.digests == rhs.digests }
}
