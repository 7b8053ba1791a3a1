import JSONC
import JSONModel
import WallboardCore

/// Splits an ingest body (one JSON event, a JSON array of events, or NDJSON) into events, and
/// reports each bad line with its number and reason. Valid lines around a bad one are kept.
public enum EventBatchDecoder {
    /// A line (1-based) that could not be turned into an event.
    public struct LineError: Sendable, Equatable {
        public var line: Int
        /// The event's `id`, when the line held one that may be quoted back (``EventDecoder/quotableID(of:limits:)``).
        public var id: String?
        public var rejection: EventRejection

        public init(line: Int, id: String? = nil, rejection: EventRejection) {
            self.line = line
            self.id = id
            self.rejection = rejection
        }
    }

    /// The events in the order they appeared, each with its line number, and the bad lines.
    ///
    /// A body that is one JSON value (an event, or an array of events, pretty-printed or not) is read
    /// whole; for an array, `line` is the element's position (1-based). Anything else is read as NDJSON,
    /// one event per line; a line longer than `limits.maxLineBytes` is rejected (`line_too_long`)
    /// without being parsed. A leading UTF-8 byte-order mark is ignored.
    public static func decode(_ body: [UInt8], limits: EventLimits = .standard)
        -> (events: [(line: Int, event: Event)], errors: [LineError])
    {
        var body = body
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
        if let whole = wholeDocument(body, limits: limits) { return whole }
        var events: [(line: Int, event: Event)] = []
        var errors: [LineError] = []
        var lineNumber = 0
        for rawLine in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard rawLine.count <= limits.maxLineBytes else {
                errors.append(LineError(line: lineNumber, rejection: lineTooLong(rawLine.count, limit: limits.maxLineBytes)))
                continue
            }
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
                    events.append((lineNumber, try EventDecoder.decode(item, limits: limits)))
                } catch {
                    errors.append(LineError(line: lineNumber, id: EventDecoder.quotableID(of: item, limits: limits), rejection: error))
                }
            }
        }
        return (events, errors)
    }

    /// The rejection of a line over `limit` bytes, `length` when it is known (HTTP and stream ingest alike).
    static func lineTooLong(_ length: Int?, limit: Int) -> EventRejection {
        guard let length else {
            return EventRejection(.lineTooLong, "line is longer than the line limit of \(limit) bytes: skipped up to its newline")
        }
        return EventRejection(.lineTooLong, "line is \(length) bytes long, over the line limit of \(limit) bytes: skipped unread")
    }

    /// The body as one JSON document, when it is one (else `nil`: read it as NDJSON).
    private static func wholeDocument(_ body: [UInt8], limits: EventLimits)
        -> (events: [(line: Int, event: Event)], errors: [LineError])?
    {
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
                events.append((index + 1, try EventDecoder.decode(item, limits: limits)))
            } catch {
                errors.append(LineError(line: index + 1, id: EventDecoder.quotableID(of: item, limits: limits), rejection: error))
            }
        }
        return (events, errors)
    }
}
