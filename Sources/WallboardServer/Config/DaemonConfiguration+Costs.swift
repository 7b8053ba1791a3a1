import JSONModel
import WallboardAlerts
import WallboardCore

extension DaemonConfiguration {
    /// Reads the `costs:` section (docs/configuration.md, docs/metrics.md "Cost per contact"):
    /// `currency` (required), `decimals`, `agent_hourly` (required), `teams` (team → hourly), `agents`
    /// (agent → hourly, at most ``CostConfiguration/maximumAgentRates``) and `fixed_hourly`. Amounts are
    /// decimal numbers of the currency (`32.50`, or quoted `"32.50"`) turned into integer minor units
    /// exactly; more decimals than `decimals`, a negative, non-finite or too large amount, a malformed
    /// team or agent id, or too many agents is an error naming the key.
    static func parseCosts(_ costs: ConfigReader, idLimit: Int) throws(ConfigError) -> CostConfiguration {
        let currency = try costs.requiredString("currency")
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw costs.document.error(
                costs.childPath("currency"), "must be an ISO 4217 code of three capital letters (e.g. EUR), got \"\(currency)\"")
        }
        let decimals = Int(try costs.integer("decimals", in: 0...Int64(CostConfiguration.maximumDecimals)) ?? 2)
        guard let agentHourly = try amount(costs, "agent_hourly", decimals: decimals) else {
            throw costs.document.error(costs.path, "missing required key \"agent_hourly\" (the hourly cost of an agent)")
        }
        var configuration = CostConfiguration(currency: currency, decimals: decimals, agentHourly: agentHourly)
        configuration.fixedHourly = try amount(costs, "fixed_hourly", decimals: decimals) ?? 0
        if let teams = try costs.section("teams") {
            configuration.teamHourly = try rates(teams, of: "team", decimals: decimals, idLimit: idLimit)
        }
        if let agents = try costs.section("agents") {
            guard agents.object.count <= CostConfiguration.maximumAgentRates else {
                throw agents.document.error(
                    agents.path, "at most \(CostConfiguration.maximumAgentRates) agents may have a rate of their own, got \(agents.object.count)")
            }
            configuration.agentRates = try rates(agents, of: "agent", decimals: decimals, idLimit: idLimit)
        }
        try costs.rejectUnknownKeys()
        return configuration
    }

    /// Id → hourly amount of a `teams:` or `agents:` map (`kind` names the ids in errors).
    private static func rates(
        _ section: ConfigReader, of kind: String, decimals: Int, idLimit: Int
    ) throws(ConfigError) -> [String: Int64] {
        var result: [String: Int64] = [:]
        // The members directly: a reader's lookup by key is linear, and `agents:` may hold many.
        for member in section.object.members {
            let id = member.key
            guard !id.isEmpty, id.utf8.count <= idLimit, !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw section.document.error(
                    section.childPath(id), "a\(kind == "agent" ? "n" : "") \(kind) id must be 1 to \(idLimit) bytes without control characters")
            }
            guard !member.value.isNull else {
                throw section.document.error(section.childPath(id), "must be an hourly amount, got null")
            }
            result[id] = try amount(member.value, in: section, path: section.childPath(id), decimals: decimals)
        }
        return result
    }

    /// A cost rule without a `costs:` section could never fire: say so rather than watch nothing.
    static func checkCostRules(_ configuration: DaemonConfiguration, document: ConfigDocument) throws(ConfigError) {
        guard configuration.engine.costs == nil else { return }
        for (index, rule) in configuration.alerts.rules.enumerated() where rule.metric.isMoney {
            throw document.error(
                "alerts.rules[\(index)].metric",
                "rule \"\(rule.name)\": \(rule.metric.name) needs a costs: section (currency and hourly rates)")
        }
    }

    /// The amount at `key` in minor units (`decimals` digits after the point), or nil when absent.
    private static func amount(_ reader: ConfigReader, _ key: String, decimals: Int) throws(ConfigError) -> Int64? {
        guard let value = reader.value(key) else { return nil }
        return try amount(value, in: reader, path: reader.childPath(key), decimals: decimals)
    }

    /// `value` (at `path` of `reader`'s document) in minor units.
    private static func amount(_ value: JSONValue, in reader: ConfigReader, path: String, decimals: Int) throws(ConfigError) -> Int64 {
        let text: String
        switch value {
        case .integer(let number): text = String(number)
        case .number(let number):
            guard number.isFinite else { throw reader.document.error(path, "must be a finite amount, got \(number)") }
            // The shortest text that reads back as the same double: the literal as written for any amount
            // in range; past the range (1e30) or below a minor unit (1e-7) Swift writes an exponent.
            var scaled = number
            for _ in 0..<decimals { scaled *= 10 }
            if scaled > Double(CostConfiguration.maximumHourly) {
                throw reader.document.error(path, CostAmountText.Problem.tooLarge.message("\(number)", decimals: decimals))
            }
            text = "\(number)"
            if text.contains("e") && number > 0 {
                throw reader.document.error(path, CostAmountText.Problem.tooManyDecimals.message(text, decimals: decimals))
            }
        case .string(let string):
            text = string.trimmingCharacters(in: .whitespaces)
            if [".nan", "nan", ".inf", "inf", "+.inf", "-.inf", "infinity"].contains(text.lowercased()) {
                throw reader.document.error(path, "must be a finite amount, got \(text)")
            }
        default: throw reader.document.error(path, "must be an amount such as 32.50, got \(value.typeName)")
        }
        switch CostAmountText.minorUnits(text, decimals: decimals) {
        case .success(let minor): return minor
        case .failure(let problem): throw reader.document.error(path, problem.message(text, decimals: decimals))
        }
    }
}

/// Decimal text (`32.50`) to integer minor units, exactly and with checked arithmetic.
enum CostAmountText {
    enum Problem: Error, Equatable {
        case negative, malformed, tooManyDecimals, tooLarge

        func message(_ text: String, decimals: Int) -> String {
            switch self {
            case .negative: return "must not be negative, got \(text)"
            case .malformed: return "must be an amount such as 32.50, got \"\(text)\""
            case .tooManyDecimals:
                return "has more than \(decimals) decimal\(decimals == 1 ? "" : "s") (costs.decimals), got \(text)"
            case .tooLarge:
                return "must be at most \(CostAmountText.format(CostConfiguration.maximumHourly, decimals: decimals)) an hour, got \(text)"
            }
        }
    }

    /// The minor units `text` stands for with `decimals` digits after the point.
    static func minorUnits(_ text: String, decimals: Int) -> Result<Int64, Problem> {
        if text.hasPrefix("-") { return .failure(.negative) }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        var fraction = parts.count > 1 ? parts[1] : ""
        guard !whole.isEmpty || !fraction.isEmpty, whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit) else {
            return .failure(.malformed)
        }
        // Trailing zeros past the allowed decimals change nothing ("32.500" with two decimals).
        while fraction.count > decimals, fraction.last == "0" { fraction = fraction.dropLast() }
        guard fraction.count <= decimals else { return .failure(.tooManyDecimals) }
        var minor: Int64 = 0
        let digits = Array(whole) + Array(fraction) + Array(repeating: "0", count: decimals - fraction.count)
        for digit in digits {
            let times = minor.multipliedReportingOverflow(by: 10)
            let plus = times.partialValue.addingReportingOverflow(Int64(digit.asciiValue! - 48))
            guard !times.overflow, !plus.overflow, plus.partialValue <= CostConfiguration.maximumHourly else {
                return .failure(.tooLarge)
            }
            minor = plus.partialValue
        }
        return .success(minor)
    }

    /// Minor units as decimal text with `decimals` digits after the point (`3250`, 2 → `32.50`).
    static func format(_ minor: Int64, decimals: Int) -> String {
        guard decimals > 0 else { return String(minor) }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let fraction = String(minor % scale)
        return "\(minor / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
