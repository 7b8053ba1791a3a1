import JSONModel
import WallboardCore

/// Reads typed values out of the `alerts` JSON, collecting an ``AlertConfigError/Issue`` for each problem
/// instead of stopping at the first.
struct ConfigReader {
    let line: (String) -> Int?
    var issues: [AlertConfigError.Issue] = []

    init(line: @escaping (String) -> Int?) { self.line = line }

    var error: AlertConfigError { AlertConfigError(issues: issues) }

    mutating func fail(_ path: String, rule: String?, _ message: String) {
        issues.append(AlertConfigError.Issue(rule: rule, path: path, line: line(path), message: message))
    }

    mutating func object(_ value: JSONValue, at path: String, rule: String?) -> JSONObject? {
        guard let object = value.objectValue else {
            fail(path, rule: rule, "expected a mapping, found \(value.typeName)")
            return nil
        }
        return object
    }

    mutating func array(_ value: JSONValue, at path: String, rule: String?) -> [JSONValue]? {
        guard let array = value.arrayValue else {
            fail(path, rule: rule, "expected a list, found \(value.typeName)")
            return nil
        }
        return array
    }

    mutating func string(_ value: JSONValue, at path: String, rule: String?) -> String? {
        guard let text = value.stringValue, !text.isEmpty else {
            fail(path, rule: rule, "expected a non-empty string, found \(value.typeName)")
            return nil
        }
        return text
    }

    mutating func number(_ value: JSONValue, at path: String, rule: String?) -> Double? {
        guard let number = value.doubleValue, number.isFinite else {
            fail(path, rule: rule, "expected a number, found \(value.typeName)")
            return nil
        }
        return number
    }

    mutating func rejectUnknown(_ object: JSONObject, at path: String, rule: String?, allowed: Set<String>) {
        for key in object.keys where !allowed.contains(key) {
            fail(
                "\(path).\(key)", rule: rule,
                "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// A duration: a number of seconds, or text like `90s`, `5m`, `1h30m`, `500ms`; at most 7 days
    /// (`OutsideNumber.maximumDuration`, the rule for numbers from outside). Longer is an issue at `path`.
    mutating func duration(_ value: JSONValue, at path: String, rule: String?) -> Millis? {
        let millis: Millis
        let shown: String
        if let seconds = value.doubleValue, seconds >= 0, seconds.isFinite {
            millis = Millis.checkedSeconds(fractional: seconds) ?? .max
            shown = "\(seconds) s"
        } else if let text = value.stringValue, let parsed = Self.parseDuration(text) {
            millis = parsed
            shown = describe(value)
        } else {
            fail(path, rule: rule, "expected a duration like 30s, 5m or 1h30m, found \(describe(value))")
            return nil
        }
        guard OutsideNumber.durationRange.contains(millis) else {
            fail(path, rule: rule, "duration \(shown) is longer than 7d, the longest accepted")
            return nil
        }
        return millis
    }

    /// Parses `90s`, `1h30m`, `500ms`; `nil` when malformed. Sums saturate at `Millis.max` (then the caller's
    /// range check refuses it) instead of overflowing.
    static func parseDuration(_ text: String) -> Millis? {
        var total: Millis = 0
        var digits = ""
        var unit = ""
        var parsedAny = false
        func flush() -> Bool {
            // Only ASCII digits are collected: `nil` means beyond Int64, which saturates too.
            let amount = Int64(digits) ?? .max
            let factor: Millis
            switch unit {
            case "ms": factor = 1
            case "s": factor = 1000
            case "m": factor = 60_000
            case "h": factor = 3_600_000
            case "d": factor = 86_400_000
            default: return false
            }
            let part = Millis.checkedProduct(amount, factor) ?? .max
            let (sum, overflow) = total.addingReportingOverflow(part)
            total = overflow ? .max : sum
            digits = ""
            unit = ""
            parsedAny = true
            return true
        }
        for character in text {
            if character.isASCII, character.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                digits.append(character)
            } else if character.isLetter {
                guard !digits.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard !digits.isEmpty, flush(), parsedAny else { return nil }
        return total
    }

    func describe(_ value: JSONValue) -> String {
        if let text = value.stringValue { return "\"\(text)\"" }
        return value.typeName
    }

    mutating func schedule(_ value: JSONValue, at path: String, rule: String?) -> WeeklySchedule? {
        guard let object = object(value, at: path, rule: rule) else { return nil }
        rejectUnknown(object, at: path, rule: rule, allowed: ["days", "hours"])
        var schedule = WeeklySchedule(ranges: [])
        var ok = true
        if let days = object["days"] {
            if let list = array(days, at: path + ".days", rule: rule) {
                schedule.days = []
                for (index, day) in list.enumerated() {
                    let dayPath = "\(path).days[\(index)]"
                    if let name = day.stringValue?.lowercased(), let position = Self.day(name) {
                        schedule.days.formUnion(position)
                    } else {
                        fail(
                            dayPath, rule: rule, "expected a day (mon..sun, weekdays, weekends), found \(describe(day))"
                        )
                        ok = false
                    }
                }
            } else {
                ok = false
            }
        }
        guard let hours = object["hours"] else {
            fail(path + ".hours", rule: rule, "missing: a list of HH:MM-HH:MM ranges")
            return nil
        }
        if let text = hours.stringValue, let range = WeeklySchedule.Range(text) {
            schedule.ranges = [range]
        } else if let list = array(hours, at: path + ".hours", rule: rule) {
            for (index, item) in list.enumerated() {
                if let text = item.stringValue, let range = WeeklySchedule.Range(text) {
                    schedule.ranges.append(range)
                } else {
                    fail("\(path).hours[\(index)]", rule: rule, "expected HH:MM-HH:MM, found \(describe(item))")
                    ok = false
                }
            }
        } else {
            ok = false
        }
        return ok ? schedule : nil
    }

    static func day(_ name: String) -> Set<Int>? {
        if name == "weekdays" { return Set(1...5) }
        if name == "weekends" { return [6, 7] }
        if name == "all" || name == "daily" { return Set(1...7) }
        let short = String(name.prefix(3))
        guard let index = WeeklySchedule.dayNames.firstIndex(of: short),
            name.count == 3 || Self.fullDayNames[index] == name
        else { return nil }
        return [index + 1]
    }

    static let fullDayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
}
