import JSONC
import JSONModel
import WallboardCore

/// Splits an ingest body (one JSON event, a JSON array of events, or NDJSON) into events, and
/// reports each bad line with its number and reason. Valid lines around a bad one are kept.
public enum EventBatchDecoder {
    /// A line (1-based) that could not be turned into an event.
    public struct LineError: Sendable, Equatable {
        public var line: Int
        public var rejection: EventRejection
    }

    /// The events in the order they appeared, each with its line number, and the bad lines.
    public static func decode(_ body: [UInt8]) -> (events: [(line: Int, event: Event)], errors: [LineError]) {
        var events: [(line: Int, event: Event)] = []
        var errors: [LineError] = []
        var lineNumber = 0
        for rawLine in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Array(rawLine)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            guard String(validating: line, as: UTF8.self) != nil else {
                errors.append(LineError(line: lineNumber, rejection: EventRejection(.invalidValue, "line is not valid UTF-8")))
                continue
            }
            let json: JSONValue
            do {
                json = try JSONC.parse(bytes: &line)
            } catch {
                errors.append(LineError(line: lineNumber, rejection: EventRejection(.notAnObject, "\(error)")))
                continue
            }
            let items = json.arrayValue ?? [json]
            for item in items {
                do {
                    events.append((lineNumber, try EventDecoder.decode(item)))
                } catch {
                    errors.append(LineError(line: lineNumber, rejection: error))
                }
            }
        }
        return (events, errors)
    }
}
