/// The one rule for numbers that come from outside the process (AMI headers, HTTP headers, config files,
/// events): **parse into a documented range first, do arithmetic only on what passed.** A value outside its
/// range is not real (a PBX wait of 3 billion years, a timestamp in the year 5000): the caller drops that one
/// value with a reason it logs and counts, and keeps the rest of the message. Nothing here ever traps.
///
/// The ranges (see docs/reliability.md, "Numbers from outside"):
/// - a duration is `0...maximumDuration` (7 days);
/// - an instant is in ``instantRange`` (2000-01-01 up to, not including, 2200-01-01 UTC);
/// - a count (position, weight, caller limit) is `0...maximumCount`.
///
/// Inside those ranges every sum or difference of a few instants and durations fits an `Int64` many times
/// over, so code downstream may use plain `+`, `-` and ``Millis/seconds(_:)`` on them.
public enum OutsideNumber {
    /// The longest duration accepted from outside: 7 days.
    public static let maximumDuration: Millis = 7 * 86_400_000
    /// Durations accepted from outside, in milliseconds.
    public static let durationRange: ClosedRange<Millis> = 0...maximumDuration
    /// The largest count accepted from outside.
    public static let maximumCount: Int64 = 1_000_000_000
    /// Instants accepted from outside: 2000-01-01T00:00:00Z up to, not including, 2200-01-01T00:00:00Z.
    public static let instantRange = Instant(milliseconds: 946_684_800_000)..<Instant(milliseconds: 7_258_118_400_000)

    /// Decimal integer text (optional `+`/`-`, ASCII digits, surrounding spaces or tabs ignored) within
    /// `range`, else `nil` (also when empty, not a number, or beyond `Int64`).
    public static func integer(_ text: some StringProtocol, in range: ClosedRange<Int64>) -> Int64? {
        var view = Substring(text)
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        let digits = view.first == "+" || view.first == "-" ? view.dropFirst() : view
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(view),
            range.contains(value)
        else { return nil }
        return value
    }

    /// Whole seconds as a duration within ``durationRange`` (`0...604800`), else `nil`.
    public static func durationSeconds(_ text: some StringProtocol) -> Millis? {
        integer(text, in: 0...(maximumDuration / 1000)).map { $0 * 1000 }
    }

    /// A count within `0...maximumCount`, else `nil`.
    public static func count(_ text: some StringProtocol) -> Int? {
        integer(text, in: 0...maximumCount).map { Int($0) }
    }

    /// Epoch seconds `seconds[.fraction]` (ASCII digits only) within ``instantRange``, truncated to the
    /// millisecond in integer arithmetic; `nil` when malformed or out of range.
    public static func epochSeconds(_ text: some StringProtocol) -> Instant? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let lowest = instantRange.lowerBound.milliseconds / 1000
        let highest = instantRange.upperBound.milliseconds / 1000 - 1
        guard let first = parts.first, first.first != "+", first.first != "-",
            let seconds = integer(first, in: lowest...highest)
        else { return nil }
        var millis: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard fraction.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            for byte in fraction.utf8.prefix(3) { millis = millis * 10 + Int64(byte - 0x30) }
            for _ in fraction.utf8.count..<max(fraction.utf8.count, 3) { millis *= 10 }
        }
        return Instant(milliseconds: seconds * 1000 + millis)
    }
}

extension Millis {
    /// `seconds` whole seconds in milliseconds, or `nil` when that does not fit a `Millis`. For values from
    /// outside that are not range-checked yet; ``seconds(_:)`` is for constants and checked values.
    public static func checkedSeconds(_ seconds: Int64) -> Millis? {
        checkedProduct(seconds, 1000)
    }

    /// `minutes` whole minutes in milliseconds, or `nil` when that does not fit a `Millis`.
    public static func checkedMinutes(_ minutes: Int64) -> Millis? {
        checkedProduct(minutes, 60_000)
    }

    /// `amount` units of `unit` milliseconds each (`90` × `1000`), or `nil` on overflow.
    public static func checkedProduct(_ amount: Int64, _ unit: Millis) -> Millis? {
        let (product, overflow) = amount.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }

    /// Milliseconds from a number of seconds given as a `Double` (a JSON or YAML number), rounded, or `nil`
    /// when it is not finite or does not fit a `Millis` (converting such a `Double` to `Int64` would trap).
    public static func checkedSeconds(fractional seconds: Double) -> Millis? {
        let millis = (seconds * 1000).rounded()
        // 2^63 is exactly representable; every finite Double below it converts.
        guard millis.isFinite, millis >= -9_223_372_036_854_775_808.0, millis < 9_223_372_036_854_775_808.0 else { return nil }
        return Millis(millis)
    }
}
