import WallboardCore

/// Reads a receiver's `Retry-After` header (RFC 9110 §10.2.3) into a bounded wait.
///
/// The header comes from whatever a webhook URL answers, so nothing in it is trusted: the result is always
/// in `0...ceiling`, computed without any arithmetic that can overflow, and anything that is not one of the
/// two forms RFC 9110 allows counts as no header at all. The outbox then caps the wait at its own
/// `max_backoff` (``OutboxPolicy/maxBackoff``), so the effective longest wait is `max_backoff`.
public enum RetryAfter {
    /// The longest wait this parser returns: 24 hours. More digits, or a later date, saturate here.
    public static let ceiling: Millis = 86_400_000

    /// The wait that `value` asks for, or `nil` when it is absent or malformed.
    ///
    /// - `delay-seconds` (`1*DIGIT`, optional surrounding blanks): that many seconds, saturating at ``ceiling``.
    ///   A sign, a fraction or any other character makes it malformed (`-1`, `+5`, `1.5`, `soon`).
    /// - `HTTP-date` (IMF-fixdate, RFC 850 or asctime, see ``HTTPDate``): the time until that date, measured
    ///   from `date` (the response's own `Date` header, so a receiver whose clock is off still gets the
    ///   delay it meant) when that parses, else from `now`. A date in the past means "now": 0.
    public static func delay(_ value: String?, date: String? = nil, now: Instant) -> Millis? {
        guard let text = value?.trimmingBlanks, !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return seconds(digits: text.utf8) }
        guard let until = HTTPDate.parse(text) else { return nil }
        let reference = date.flatMap(HTTPDate.parse) ?? now
        let (difference, overflow) = until.milliseconds.subtractingReportingOverflow(reference.milliseconds)
        if overflow { return until > reference ? ceiling : 0 }
        return min(max(difference, 0), ceiling)
    }

    /// `digits` (ASCII digits only) as seconds in milliseconds, saturating at ``ceiling``.
    private static func seconds(digits: String.UTF8View) -> Millis {
        let limit = ceiling / 1000
        var seconds: Millis = 0
        for byte in digits {
            seconds = seconds * 10 + Millis(byte - 0x30)
            if seconds >= limit { return ceiling }  // checked before it can grow: at most limit × 10 + 9
        }
        return seconds * 1000
    }
}

/// Parses the three HTTP-date forms a recipient must accept (RFC 9110 §5.6.7), always in GMT:
/// `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate), `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 850; a two-digit
/// year 70–99 is 19xx, 00–69 is 20xx) and `Sun Nov  6 08:49:37 1994` (asctime). Years have at most four
/// digits, so every result is a few thousand years from the epoch at most.
public enum HTTPDate {
    /// The instant `text` names, or `nil` when it is none of the three forms or names no real date.
    public static func parse(_ text: String) -> Instant? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch tokens.count {
        case 6:  // IMF-fixdate
            guard tokens[0].hasSuffix(","), shortDays.contains(String(tokens[0].dropLast())), tokens[5] == "GMT",
                let day = number(tokens[1], digits: 2...2), let month = month(tokens[2]),
                let year = number(tokens[3], digits: 4...4)
            else { return nil }
            return instant(year: year, month: month, day: day, time: tokens[4])
        case 4:  // RFC 850
            let parts = tokens[1].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard tokens[0].hasSuffix(","), longDays.contains(String(tokens[0].dropLast())), tokens[3] == "GMT",
                parts.count == 3, let day = number(parts[0], digits: 2...2), let month = month(parts[1]),
                let shortYear = number(parts[2], digits: 2...2)
            else { return nil }
            return instant(year: shortYear + (shortYear < 70 ? 2000 : 1900), month: month, day: day, time: tokens[2])
        case 5:  // asctime
            guard shortDays.contains(tokens[0]), let month = month(tokens[1]),
                let day = number(tokens[2], digits: 1...2), let year = number(tokens[4], digits: 4...4)
            else { return nil }
            return instant(year: year, month: month, day: day, time: tokens[3])
        default:
            return nil
        }
    }

    private static let shortDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func month(_ name: String) -> Int64? { months.firstIndex(of: name).map { Int64($0) + 1 } }

    /// A decimal of `digits` ASCII digits (so never more than four: no overflow), or `nil`.
    private static func number(_ text: String, digits: ClosedRange<Int>) -> Int64? {
        guard digits.contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return text.utf8.reduce(0) { $0 * 10 + Int64($1 - 0x30) }
    }

    /// `hh:mm:ss` on that date, or `nil` when the date or time does not exist (a leap second counts as :59).
    private static func instant(year: Int64, month: Int64, day: Int64, time: String) -> Instant? {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let hour = number(parts[0], digits: 2...2), let minute = number(parts[1], digits: 2...2),
            let second = number(parts[2], digits: 2...2), hour < 24, minute < 60, second <= 60,
            day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        let days = RFC3339.daysFromCivil(year: year, month: month, day: day)
        return Instant(milliseconds: (days * 86_400 + hour * 3600 + minute * 60 + min(second, 59)) * 1000)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    fileprivate var trimmingBlanks: String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
            let last = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
