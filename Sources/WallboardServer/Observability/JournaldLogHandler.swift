import Foundation
import Logging

/// A swift-log handler writing one line per record to stderr, in a form journald understands:
/// a `<N>` syslog priority prefix (when stderr goes to the journal, i.e. `JOURNAL_STREAM` is set),
/// the message, then `key=value` metadata. Without the journal it writes a timestamped line instead.
public struct JournaldLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let toJournal: Bool
    private let sink: @Sendable (String) -> Void

    /// - Parameters:
    ///   - toJournal: write priority prefixes instead of timestamps (default: `JOURNAL_STREAM` is set).
    ///   - sink: where lines go (default: stderr); tests capture them.
    public init(
        label: String, level: Logger.Level, toJournal: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
        sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.label = label
        self.logLevel = level
        self.toJournal = toJournal
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The syslog priority of a level (0 emerg … 7 debug).
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted("\($0.value)"))" }
        let text = ([Self.singleLine("\(event.message)")] + fields).joined(separator: " ")
        if toJournal {
            sink("<\(Self.priority(event.level))>\(text)\n")
        } else {
            let time = ISO8601DateFormatter().string(from: Date())
            sink("\(time) \(event.level) \(label): \(text)\n")
        }
    }

    /// Longest message or field value written, in characters; the rest is cut with a count.
    static let fieldLimit = 4096

    /// One line without terminal control: LF, CR and tab as `\n`, `\r`, `\t`, every other C0/C1 control
    /// and DEL as `\xNN`, whatever module wrote the text (a log line may quote a socket's bytes).
    static func singleLine(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            guard count <= fieldLimit else {
                out += "…(\(text.unicodeScalars.count) characters)"
                break
            }
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7F..<0xA0:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func quoted(_ value: String) -> String {
        let flat = singleLine(value)
        return flat.contains(" ") || flat.contains("\"") || flat.isEmpty
            ? "\"" + flat.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : flat
    }
}
