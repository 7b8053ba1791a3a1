extension JSONValue {
    /// The text a `.number` is encoded as: fixed point with at most ``fractionDigits`` decimals,
    /// trailing zeros dropped (`0.8` not `0.80000000000000004`, `12` not `12.0`).
    ///
    /// Rates and durations on a wallboard do not need more, and every screen gets the same short text.
    public static func formatNumber(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        var scale: Double = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return String(value) }
        let units = UInt64(scaled)
        let whole = units / UInt64(scale)
        var fraction = String(units % UInt64(scale))
        fraction = String(repeating: "0", count: fractionDigits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = (value < 0 && units != 0) ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}
