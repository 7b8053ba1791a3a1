import JSONModel

/// The precision of the figures in topic payloads (docs/protocol.md, "Precision"): fixed, finer than any
/// screen shows, and applied before a topic compares what it built with what it sent, so a figure that
/// moved below its precision sends nothing.
///
/// - Window figures in seconds (`*_seconds` of a `metrics` window): tenths of a second, cut toward zero
///   from the 4-decimal value every number is printed with. Boards show whole seconds cut toward zero,
///   so they show the same second as from the 4-decimal value (`GET /api/v1/snapshot` prints that one).
/// - `erlang_traffic`: hundredths of an Erlang (no screen shows it).
/// - Every other number (rates and fractions, averages, settings): 4 decimals, as every JSON number is
///   printed (``JSONValue/fractionDigits``), so two values compare equal exactly when they print the same.
/// - Counts are integers and stay exact.
///
/// The REST snapshot, the `snapshot` topic and `/metrics` keep full precision for scripts.
enum TopicPrecision {
    /// Decimals of a window figure in seconds, and of `erlang_traffic`.
    static let secondsDecimals = 1
    static let trafficDecimals = 2

    /// A scope's figures object (a queue, the center, a team, a group) with its numbers at their precision:
    /// the figures of each window of `metrics` as ``window(_:)`` says, every other number at 4 decimals.
    static func scope(_ object: JSONObject) -> JSONObject {
        var rounded = JSONObject()
        for member in object.members {
            if member.key == "metrics", case .object(let windows) = member.value {
                rounded[member.key] = .object(JSONObject(distinctKeys: windows.members.map { window in
                    guard case .object(let figures) = window.value else { return (window.key, plain(window.value)) }
                    return (window.key, .object(Self.window(figures)))
                }))
            } else {
                rounded[member.key] = plain(member.value)
            }
        }
        return rounded
    }

    /// One window's figures: `*_seconds` to tenths cut toward zero, `erlang_traffic` to hundredths, the rest
    /// at 4 decimals.
    static func window(_ figures: JSONObject) -> JSONObject {
        JSONObject(distinctKeys: figures.members.map { member in
            guard case .number(let value) = member.value else { return (member.key, plain(member.value)) }
            if member.key.hasSuffix("_seconds") { return (member.key, .number(seconds(value))) }
            if member.key == "erlang_traffic" { return (member.key, .number(rounded(value, decimals: trafficDecimals))) }
            return (member.key, .number(rounded(value, decimals: JSONValue.fractionDigits)))
        })
    }

    /// `value` with every number in it at 4 decimals (what it prints as), at any depth.
    static func plain(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let number): return .number(rounded(number, decimals: JSONValue.fractionDigits))
        case .array(let elements): return .array(elements.map(plain))
        case .object(let object): return .object(JSONObject(distinctKeys: object.members.map { ($0.key, plain($0.value)) }))
        default: return value
        }
    }

    /// `value` rounded to `decimals` (half away from zero, as ``JSONValue/formatNumber(_:)`` prints it).
    /// Values too large for that are left as they are (they print as they are too).
    static func rounded(_ value: Double, decimals: Int) -> Double {
        guard let units = units(value, decimals: decimals) else { return value }
        return (value < 0 ? -units : units) / scale(decimals)
    }

    /// Seconds to tenths, cut toward zero from the 4-decimal value (12.96 → 12.9, 12.99996 → 13).
    static func seconds(_ value: Double) -> Double {
        guard let units = units(value, decimals: JSONValue.fractionDigits) else { return value }
        let per = scale(JSONValue.fractionDigits - secondsDecimals)
        let tenths = (units / per).rounded(.down)
        return (value < 0 ? -tenths : tenths) / scale(secondsDecimals)
    }

    /// |value| × 10^decimals rounded half away from zero, `nil` when not finite or beyond 2^53 (not exact).
    private static func units(_ value: Double, decimals: Int) -> Double? {
        guard value.isFinite else { return nil }
        let units = (abs(value) * scale(decimals)).rounded()
        return units < 9.0e15 ? units : nil
    }

    private static func scale(_ decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<max(0, decimals) { scale *= 10 }
        return scale
    }
}
