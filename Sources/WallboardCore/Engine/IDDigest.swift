/// A 128-bit digest of an id (an event, contact or customer id), the same in every process: the engine
/// keeps these instead of the id strings where it only needs to recognise an id again (duplicate
/// suppression, finished contacts, repeat customers), so each costs 16 bytes whatever the id's length.
///
/// The function is SipHash-2-4 with 128-bit output (Aumasson & Bernstein) over the id's UTF-8 bytes,
/// under the fixed key ``key``. Swift's `Hasher` cannot serve: it is seeded per process, and the digests
/// are stored in checkpoints and compared after a restart. Two different ids share a digest with
/// probability 2⁻¹²⁸ per pair (see docs/reliability.md, "Compact engine memory").
struct IDDigest: Hashable, Comparable, Sendable {
    /// The first 8 bytes of the SipHash output, read little-endian.
    var low: UInt64
    /// The last 8 bytes.
    var high: UInt64

    /// The SipHash key: the ASCII bytes of "wallboardd.ids.1", read as two little-endian words.
    static let key: (UInt64, UInt64) = (0x7261_6F62_6C6C_6177, 0x312E_7364_692E_6464)

    /// The all-zero value, which ``DigestSet`` uses to mark an empty slot; a real digest never takes it.
    static let zero = IDDigest(low: 0, high: 0)

    init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// The digest of `id`. An id whose SipHash is all zeros (probability 2⁻¹²⁸) gets `high = 1` instead.
    init(_ id: String) {
        var id = id
        let (low, high) = id.withUTF8 { Self.sipHash128(UnsafeRawBufferPointer($0), key: Self.key) }
        self.init(low: low, high: low == 0 && high == 0 ? 1 : high)
    }

    static func < (lhs: IDDigest, rhs: IDDigest) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }

    /// SipHash-2-4 with 128-bit output: the two output words, little-endian halves of the 16 output bytes.
    static func sipHash128(_ bytes: UnsafeRawBufferPointer, key: (UInt64, UInt64)) -> (UInt64, UInt64) {
        var state = SipState(key: key)
        let whole = bytes.count & ~7
        var offset = 0
        while offset < whole {
            state.absorb(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
            offset += 8
        }
        var last = UInt64(truncatingIfNeeded: bytes.count) << 56
        for index in 0..<(bytes.count - whole) { last |= UInt64(bytes[whole + index]) << UInt64(8 * index) }
        state.absorb(last)
        state.v2 ^= 0xEE
        state.rounds(4)
        let first = state.v0 ^ state.v1 ^ state.v2 ^ state.v3
        state.v1 ^= 0xDD
        state.rounds(4)
        return (first, state.v0 ^ state.v1 ^ state.v2 ^ state.v3)
    }

    private struct SipState {
        var v0: UInt64, v1: UInt64, v2: UInt64, v3: UInt64

        init(key: (UInt64, UInt64)) {
            v0 = 0x736F_6D65_7073_6575 ^ key.0
            v1 = 0x646F_7261_6E64_6F6D ^ key.1 ^ 0xEE
            v2 = 0x6C79_6765_6E65_7261 ^ key.0
            v3 = 0x7465_6462_7974_6573 ^ key.1
        }

        mutating func absorb(_ word: UInt64) {
            v3 ^= word
            rounds(2)
            v0 ^= word
        }

        mutating func rounds(_ count: Int) {
            for _ in 0..<count {
                v0 &+= v1; v1 = v1.rotated(13); v1 ^= v0; v0 = v0.rotated(32)
                v2 &+= v3; v3 = v3.rotated(16); v3 ^= v2
                v0 &+= v3; v3 = v3.rotated(21); v3 ^= v0
                v2 &+= v1; v1 = v1.rotated(17); v1 ^= v2; v2 = v2.rotated(32)
            }
        }
    }
}

extension UInt64 {
    fileprivate func rotated(_ bits: UInt64) -> UInt64 { (self << bits) | (self >> (64 - bits)) }
}
