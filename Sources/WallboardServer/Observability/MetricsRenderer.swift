import WallboardCore

/// Renders the daemon's figures in the Prometheus text exposition format (version 0.0.4).
public struct MetricsRenderer: Sendable {
    private var lines: [String] = []
    private var declared: Set<String> = []

    public init() {}

    /// Adds one sample, declaring the family (HELP/TYPE) the first time it appears.
    public mutating func add(
        _ name: String, _ type: String, _ help: String, labels: [(String, String)] = [], value: Double
    ) {
        if !declared.contains(name) {
            declared.insert(name)
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        let labelText =
            labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        lines.append("\(name)\(labelText) \(Self.format(value))")
    }

    /// The exposition text.
    public var text: String { lines.joined(separator: "\n") + "\n" }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
