/// Everything wrong with the `alerts` section of the config, each problem naming the rule, the key and the line.
///
/// One error holds every problem found, so an operator fixes the file in one pass.
public struct AlertConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem at one key.
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        /// The rule's (or notifier's) `name`, when it has one, else `nil`.
        public var rule: String?
        /// The config path of the offending key, e.g. `alerts.rules[2].threshold`.
        public var path: String
        /// The line in the config file, when the loader knows it.
        public var line: Int?
        public var message: String

        public var description: String {
            let location = line.map { "line \($0): " } ?? ""
            let owner = rule.map { "rule \"\($0)\": " } ?? ""
            return "\(location)\(owner)\(path): \(message)"
        }
    }

    public var issues: [Issue]

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
