import JSONModel
import WallboardCore

/// The `alerts` section of the config: rules, notifiers and delivery policy, validated together.
///
/// The config loader turns YAML into a ``JSONValue`` and hands over a `line` lookup from a config
/// path (`alerts.rules[0].threshold`: object keys joined by `.`, array indices in `[n]`) to the
/// line it came from, so errors point into the file.
public struct AlertConfiguration: Sendable, Equatable {
    public var rules: [AlertRule]
    public var notifiers: [NotifierConfig]
    public var delivery: OutboxPolicy
    /// `alerts.source`: this daemon's instance or site name, sent as PagerDuty's `payload.source`, the
    /// webhook's `source` and in chat footers; `nil` means the host name.
    public var source: String?

    public init(
        rules: [AlertRule] = [], notifiers: [NotifierConfig] = [], delivery: OutboxPolicy = OutboxPolicy(),
        source: String? = nil
    ) {
        self.rules = rules
        self.notifiers = notifiers
        self.delivery = delivery
        self.source = source
    }

    /// Validates `json` (the value of the `alerts` key at `path`). `knownWindows`, when given, are the
    /// window names rules may use. Throws every problem at once.
    public init(
        json: JSONValue, path: String = "alerts", line: @escaping (String) -> Int? = { _ in nil },
        knownWindows: [String]? = nil
    ) throws(AlertConfigError) {
        var reader = ConfigReader(line: line)
        self.init()
        guard let object = reader.object(json, at: path, rule: nil) else { throw reader.error }
        reader.rejectUnknown(object, at: path, rule: nil, allowed: ["rules", "notifiers", "delivery", "source"])
        if let value = object["delivery"] { delivery = reader.delivery(value, at: path + ".delivery") }
        if let value = object["source"] { source = reader.source(value, at: path + ".source") }
        if let value = object["notifiers"], let list = reader.array(value, at: path + ".notifiers", rule: nil) {
            for (index, item) in list.enumerated() {
                if let notifier = reader.notifier(item, at: "\(path).notifiers[\(index)]") {
                    if notifiers.contains(where: { $0.name == notifier.name }) {
                        reader.fail("\(path).notifiers[\(index)].name", rule: notifier.name, "duplicate notifier name")
                    } else {
                        notifiers.append(notifier)
                    }
                }
            }
        }
        let names = Set(notifiers.map(\.name))
        if let value = object["rules"], let list = reader.array(value, at: path + ".rules", rule: nil) {
            for (index, item) in list.enumerated() {
                let rulePath = "\(path).rules[\(index)]"
                guard let rule = reader.rule(item, at: rulePath, notifiers: names, windows: knownWindows) else {
                    continue
                }
                if rules.contains(where: { $0.name == rule.name }) {
                    reader.fail(rulePath + ".name", rule: rule.name, "duplicate rule name")
                } else {
                    rules.append(rule)
                }
            }
        }
        if !reader.issues.isEmpty { throw reader.error }
    }
}
