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
    ///
    /// A body that is one JSON value (an event, or an array of events, pretty-printed or not) is read
    /// whole; for an array, `line` is the element's position (1-based). Anything else is read as NDJSON,
    /// one event per line. A leading UTF-8 byte-order mark is ignored.
    public static func decode(_ body: [UInt8]) -> (events: [(line: Int, event: Event)], errors: [LineError]) {
        var body = body
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
        if let whole = wholeDocument(body) { return whole }
        var events: [(line: Int, event: Event)] = []
        var errors: [LineError] = []
        var lineNumber = 0
        for rawLine in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let json: JSONValue
            switch NDJSONLine(rawLine) {
            case .blank: continue
            case .invalid(let rejection):
                errors.append(LineError(line: lineNumber, rejection: rejection))
                continue
            case .json(let value): json = value
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

    /// The body as one JSON document, when it is one (else `nil`: read it as NDJSON).
    private static func wholeDocument(_ body: [UInt8]) -> (events: [(line: Int, event: Event)], errors: [LineError])? {
        // NDJSON of one-line events starts every line with `{`; a single document spans lines only when
        // pretty-printed, or is an array.
        guard let first = body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return nil }
        guard first == UInt8(ascii: "[") || first == UInt8(ascii: "{") else { return nil }
        var bytes = body
        guard let value = try? JSONC.parse(bytes: &bytes) else { return nil }
        var events: [(line: Int, event: Event)] = []
        var errors: [LineError] = []
        for (index, item) in (value.arrayValue ?? [value]).enumerated() {
            do {
                events.append((index + 1, try EventDecoder.decode(item)))
            } catch {
                errors.append(LineError(line: index + 1, rejection: error))
            }
        }
        return (events, errors)
    }
}
