import JSONModel
import Yams

/// A YAML config file read into a ``JSONValue`` tree, with the line of every value kept so errors
/// can say where the problem is.
public struct ConfigDocument: Sendable {
    /// The document's root value (an object for a valid config).
    public let root: JSONValue
    /// The file name used in messages.
    public let fileName: String
    private let lines: [String: Int]

    /// Parses YAML text. Throws ``ConfigError`` with the line for YAML syntax errors.
    public init(yaml: String, fileName: String) throws(ConfigError) {
        self.fileName = fileName
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: fileName, line: Self.line(of: error), path: "", message: "not valid YAML: \(error)")
        } catch {
            throw ConfigError(file: fileName, line: nil, path: "", message: "not valid YAML: \(error)")
        }
        var lines: [String: Int] = [:]
        var duplicates: [(path: String, line: Int?)] = []
        root = node.map { Self.convert($0, path: "", lines: &lines, duplicates: &duplicates) } ?? .object(JSONObject())
        if let duplicate = duplicates.first {
            throw ConfigError(
                file: fileName, line: duplicate.line, path: duplicate.path,
                message: "the key is given twice (the second would silently win); keep one")
        }
        self.lines = lines
    }

    /// The 1-based line where the value at `path` (e.g. `queues[0].target`) starts.
    public func line(_ path: String) -> Int? { lines[path] }

    /// An error about the value at `path`, with its line.
    public func error(_ path: String, _ message: String) -> ConfigError {
        var probe = path
        var line = lines[probe]
        while line == nil, let cut = probe.lastIndex(where: { $0 == "." || $0 == "[" }) {
            probe = String(probe[..<cut])
            line = lines[probe]
        }
        return ConfigError(file: fileName, line: line, path: path, message: message)
    }

    private static func convert(
        _ node: Node, path: String, lines: inout [String: Int], duplicates: inout [(path: String, line: Int?)]
    ) -> JSONValue {
        if let mark = node.mark { lines[path] = mark.line }
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar, node: node)
        case .sequence(let sequence):
            return .array(
                sequence.enumerated().map {
                    convert($0.element, path: "\(path)[\($0.offset)]", lines: &lines, duplicates: &duplicates)
                })
        case .mapping(let mapping):
            // Members collected, then the object built once: setting them one by one is quadratic (a
            // `costs.agents` map of 100,000 agents).
            var members: [(String, JSONValue)] = []
            var seen = Set<String>()
            for (key, value) in mapping {
                let name = key.string ?? ""
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if !seen.insert(name).inserted { duplicates.append((childPath, key.mark?.line)) }
                members.append((name, convert(value, path: childPath, lines: &lines, duplicates: &duplicates)))
                if let mark = key.mark { lines[childPath] = mark.line }
            }
            return .object(JSONObject(distinctKeys: members))
        }
    }

    /// Plain scalars resolve as YAML 1.2's core schema (not 1.1's: `127.0.0.1:8080` stays a string,
    /// `no` stays a string); quoted scalars are always strings.
    private static func scalarValue(_ scalar: Node.Scalar, node: Node) -> JSONValue {
        guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
        let text = scalar.string
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if isInteger(text), let value = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) { return .integer(value) }
        if isDecimal(text), let value = Double(text), value.isFinite { return .number(value) }
        return .string(text)
    }

    private static func isInteger(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func isDecimal(_ text: String) -> Bool {
        var body = Substring(text)
        if body.hasPrefix("-") || body.hasPrefix("+") { body = body.dropFirst() }
        let parts = body.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
        let mantissa = parts[0].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard mantissa.count <= 2, mantissa.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            mantissa.contains(where: { !$0.isEmpty })
        else { return false }
        if parts.count == 2 {
            var exponent = parts[1]
            if exponent.hasPrefix("-") || exponent.hasPrefix("+") { exponent = exponent.dropFirst() }
            return !exponent.isEmpty && exponent.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return true
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

/// A config problem, with where it is: `wallboardd.yaml:12: queues[0].target: must be between 0 and 1`.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int?
    /// The key path of the bad value, e.g. `queues[0].target` (empty for the whole file).
    public let path: String
    public let message: String

    public init(file: String, line: Int?, path: String, message: String) {
        self.file = file
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}
