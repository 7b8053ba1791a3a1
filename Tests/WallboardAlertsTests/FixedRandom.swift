/// A "random" source that always returns `value`: 0 gives no jitter, `.max` gives the most.
struct FixedRandom: RandomNumberGenerator {
    var value: UInt64
    mutating func next() -> UInt64 { value }
}
