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
        var events: [(line: Int, event: Event)] = []
        var errors: [LineError] = []
        decode(body, limits: limits, chunkEvents: .max) { chunk, chunkErrors in
            events += chunk
            errors += chunkErrors
        }
        return (events, errors)
    }

    /// ``decode(_:limits:)`` delivered in chunks of at most `chunkEvents` events (with the bad lines met
    /// since the previous chunk), in order, as soon as each is decoded: HTTP ingest hands each chunk to
    /// the engine while it decodes the next. `deliver` is called at least once (the last chunk may be
    /// empty); it returns how many times it was called.
    ///
    /// Every line is read in place from `body` and its JSON decoded straight from json-c's tree (no
    /// ``JSONValue`` in between), with one json-c tokener for the whole body.
    @discardableResult
    static func decode(
        _ body: [UInt8], limits: EventLimits, chunkEvents: Int,
        deliver: ([(line: Int, event: Event)], [LineError]) -> Void
    ) -> Int {
        let parser = try? JSONCParser()
        var events: [(line: Int, event: Event)] = []
        var errors: [LineError] = []
        var chunks = 0
        func take(_ item: JSONCNode, line: Int) {
            do throws(EventRejection) {
                events.append((line, try EventDecoder.decode(readable: item, limits: limits)))
            } catch {
                errors.append(LineError(line: line, id: EventDecoder.quotableID(readable: item, limits: limits), rejection: error))
            }
            if events.count >= chunkEvents {
                deliver(events, errors)
                chunks += 1
                events.removeAll(keepingCapacity: true)
                errors.removeAll()
            }
        }
        body.withUnsafeBytes { whole in
            var body = whole
            if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = UnsafeRawBufferPointer(rebasing: body[3...]) }
            if let parser, isOneDocument(body, parser: parser, take: take) { return }
            var lineNumber = 0
            var start = 0
            while true {
                let newline = body[start...].firstIndex(of: UInt8(ascii: "\n"))
                let rawLine = UnsafeRawBufferPointer(rebasing: body[start..<(newline ?? body.count)])
                lineNumber += 1
                if rawLine.count > limits.maxLineBytes {
                    errors.append(LineError(line: lineNumber, rejection: lineTooLong(rawLine.count, limit: limits.maxLineBytes)))
                } else {
                    let line = lineNumber
                    let outcome = NDJSONLine.read(rawLine, parser: parser) { json in
                        if let count = json.arrayCount {
                            for index in 0..<count { take(json.element(at: index), line: line) }
                        } else {
                            take(json, line: line)
                        }
                    }
                    if case .invalid(let rejection) = outcome { errors.append(LineError(line: lineNumber, rejection: rejection)) }
                }
                guard let newline else { break }
                start = newline + 1
            }
        }
        deliver(events, errors)
        return chunks + 1
    }

    /// The rejection of a line over `limit` bytes, `length` when it is known (HTTP and stream ingest alike).
    static func lineTooLong(_ length: Int?, limit: Int) -> EventRejection {
        guard let length else {
            return EventRejection(.lineTooLong, "line is longer than the line limit of \(limit) bytes: skipped up to its newline")
        }
        return EventRejection(.lineTooLong, "line is \(length) bytes long, over the line limit of \(limit) bytes: skipped unread")
    }

    /// Reads the body as one JSON document when it is one (an event, or an array of events: `take` gets
    /// each with its 1-based position); `false` when it is not: read it as NDJSON.
    private static func isOneDocument(
        _ body: UnsafeRawBufferPointer, parser: JSONCParser, take: (JSONCNode, Int) -> Void
    ) -> Bool {
        // NDJSON of one-line events starts every line with `{`; a single document spans lines only when
        // pretty-printed, or is an array.
        guard let first = body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return false }
        guard first == UInt8(ascii: "[") || first == UInt8(ascii: "{") else { return false }
        do {
            try parser.parse(body) { value in
                if let count = value.arrayCount {
                    for index in 0..<count { take(value.element(at: index), index + 1) }
                } else {
                    take(value, 1)
                }
            }
            return true
        } catch {
            return false
        }
    }
}
