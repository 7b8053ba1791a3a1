/// A small, fast, seedable pseudo-random generator (SplitMix64), so a simulator run can be repeated.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { self.state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// An exponentially distributed duration with the given mean, in milliseconds.
    public mutating func exponential(mean: Millis) -> Millis {
        Millis((Double(mean) * negativeLogOfOneMinus(unit())).rounded())
    }

    /// A uniform duration in `range`, in milliseconds.
    public mutating func uniform(_ range: ClosedRange<Millis>) -> Millis { Millis.random(in: range, using: &self) }

    /// -ln(1 - u) without Foundation: ln via the series around 1 is poor near 0, so use the
    /// identity ln(x) = 2·atanh((x-1)/(x+1)), converging fast for x in (0, 1].
    private func negativeLogOfOneMinus(_ u: Double) -> Double {
        let x = 1 - u
        guard x > 1e-12 else { return 27.6 }
        // Reduce x into [0.5, 1] by powers of two.
        var value = x
        var exponent = 0.0
        while value < 0.5 {
            value *= 2
            exponent += 1
        }
        let y = (value - 1) / (value + 1)
        var term = y
        var sum = 0.0
        var n = 1.0
        while abs(term) > 1e-17 {
            sum += term / n
            term *= y * y
            n += 2
        }
        let ln = 2 * sum - exponent * 0.693_147_180_559_945_3
        return -ln
    }
}
