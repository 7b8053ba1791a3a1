import WallboardCore

/// Reads `queue_log` text fed in chunks (docs/asterisk.md, "queue_log"): one ``QueueLogRecord`` per usable
/// line at or after ``since``, a ``QueueLogProblem`` naming the line for each unusable one, which is skipped
/// (the rest is still read). Pure: the server reads the file and feeds the bytes.
///
/// Bounded: a line longer than ``Limits/maximumLineBytes`` is skipped whole without being kept; at most
/// ``Limits/maximumRecords`` records and ``Limits/maximumProblems`` problems are kept (the rest are counted).
/// Every number is read by the rule for numbers from outside (`OutsideNumber`): epoch seconds in the years
/// 2000-2199, durations in whole seconds up to 7 days, counts up to 1e9.
public struct QueueLogParser: Sendable {
    public struct Limits: Sendable, Equatable {
        /// app_queue writes lines of a few hundred bytes; anything much longer is not one of its lines.
        public var maximumLineBytes: Int
        public var maximumRecords: Int
        public var maximumProblems: Int

        public init(maximumLineBytes: Int = 4096, maximumRecords: Int = 200_000, maximumProblems: Int = 100) {
            self.maximumLineBytes = maximumLineBytes
            self.maximumRecords = maximumRecords
            self.maximumProblems = maximumProblems
        }
    }

    /// Lines stamped before this are skipped without a record or a problem (`nil`: none is).
    public let since: Instant?
    public let limits: Limits
    public private(set) var records: [QueueLogRecord] = []
    /// The first ``Limits/maximumProblems`` problems.
    public private(set) var problems: [QueueLogProblem] = []
    /// All problems, kept or not.
    public private(set) var problemCount = 0
    /// Usable lines left out because ``Limits/maximumRecords`` were kept already.
    public private(set) var recordsDropped = 0
    /// The number the next line gets.
    public private(set) var nextLine: Int

    private var pending: [UInt8] = []
    private var overlong = false

    /// `firstLine`: the number of the first line fed (1 when reading from the file's start).
    public init(since: Instant? = nil, firstLine: Int = 1, limits: Limits = Limits()) {
        self.since = since
        self.limits = limits
        self.nextLine = max(1, firstLine)
    }

    /// Parses a whole text at once.
    public static func parse(_ text: some Sequence<UInt8>, since: Instant? = nil, limits: Limits = Limits()) -> QueueLogParser {
        var parser = QueueLogParser(since: since, limits: limits)
        parser.feed(Array(text))
        parser.finish()
        return parser
    }

    /// Feeds the next bytes; complete lines are parsed now, a partial last line waits for more.
    public mutating func feed(_ bytes: [UInt8]) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            append(bytes[start..<newline])
            endLine()
            start = newline + 1
        }
        append(bytes[start...])
    }

    /// The text ended: a last line without a newline is parsed too.
    public mutating func finish() {
        if !pending.isEmpty || overlong { endLine() }
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard !overlong, !bytes.isEmpty else { return }
        if pending.count + bytes.count > limits.maximumLineBytes {
            overlong = true
            pending.removeAll()
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    private mutating func endLine() {
        let line = nextLine
        nextLine = nextLine.addingReportingOverflow(1).overflow ? Int.max : nextLine + 1
        defer {
            pending.removeAll(keepingCapacity: pending.capacity <= 4 * 1024)
            overlong = false
        }
        if overlong { return problem(line, "longer than \(limits.maximumLineBytes) bytes; skipped") }
        if pending.last == 0x0D { pending.removeLast() }
        if pending.isEmpty { return }
        switch Self.record(pending, line: line, since: since) {
        case .skipped: break
        case .failure(let message): problem(line, message)
        case .record(let record):
            if records.count < limits.maximumRecords { records.append(record) } else { recordsDropped += 1 }
        }
    }

    private mutating func problem(_ line: Int, _ message: String) {
        problemCount += 1
        if problems.count < limits.maximumProblems { problems.append(QueueLogProblem(line: line, message: message)) }
    }

    enum LineResult {
        case record(QueueLogRecord)
        case skipped
        case failure(String)
    }

    /// The most fields a line may have: 5 fixed ones and up to 10 data fields (app_queue writes at most 5).
    static let maximumFields = 15

    static func record(_ bytes: [UInt8], line: Int, since: Instant?) -> LineResult {
        let parts = bytes.split(separator: 0x7C, maxSplits: maximumFields, omittingEmptySubsequences: false)
        let epochText = String(decoding: parts[0], as: UTF8.self)
        guard let time = OutsideNumber.epochSeconds(epochText) else {
            return .failure("time \"\(shown(parts[0]))\" is not epoch seconds in the years 2000-2199")
        }
        if let since, time < since { return .skipped }
        guard parts.count >= 5 else {
            return .failure("\(parts.count) fields separated by |, expected at least 5 (time|callid|queue|agent|event)")
        }
        guard parts.count <= maximumFields else { return .failure("more than \(maximumFields) fields separated by |") }
        var fields: [String] = []
        for (index, part) in parts.enumerated() {
            guard let text = String(validating: part, as: UTF8.self) else {
                return .failure("field \(index + 1) is not UTF-8 text (\(shown(part)))")
            }
            fields.append(text)
        }
        let name = fields[4]
        guard !name.isEmpty else { return .failure("no event name (field 5 is empty)") }
        let data = Array(fields.dropFirst(5))
        let event: QueueLogEvent
        switch parse(event: name, data: data) {
        case .success(let parsed): event = parsed
        case .failure(let error): return .failure("\(shown(name)) \(error.message)")
        }
        return .record(QueueLogRecord(line: line, time: time, callID: fields[1], queue: fields[2], agent: fields[3], event: event))
    }

    struct DataError: Error {
        var message: String
    }

    static func parse(event name: String, data: [String]) -> Result<QueueLogEvent, DataError> {
        /// Data field `index` (1-based) as whole seconds; absent or empty is `nil`, anything else must be one.
        func seconds(_ index: Int, _ meaning: String) -> Result<Millis?, DataError> {
            guard index <= data.count, !data[index - 1].isEmpty else { return .success(nil) }
            guard let value = OutsideNumber.durationSeconds(data[index - 1]) else {
                return .failure(DataError(message: "data\(index) (\(meaning)) \"\(shown(data[index - 1]))\" is not whole seconds in 0...\(OutsideNumber.maximumDuration / 1000)"))
            }
            return .success(value)
        }
        func required(_ index: Int, _ meaning: String) -> Result<Millis, DataError> {
            seconds(index, meaning).flatMap { value in
                value.map { .success($0) } ?? .failure(DataError(message: "has no data\(index) (\(meaning))"))
            }
        }
        switch name {
        case "ENTERQUEUE":
            let caller = data.count >= 2 ? data[1] : ""
            return .success(.enterQueue(callerID: caller.isEmpty || caller == "unknown" || caller == "<unknown>" ? nil : caller))
        case "CONNECT":
            return required(1, "hold time").map { .connect(wait: $0) }
        case "COMPLETEAGENT", "COMPLETECALLER":
            return required(1, "hold time").flatMap { wait in
                required(2, "call time").map { .complete(byAgent: name == "COMPLETEAGENT", wait: wait, talk: $0) }
            }
        case "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY":
            return required(3, "wait time").map { .exit(QueueLogExit(rawValue: name)!, wait: $0) }
        case "EXITWITHKEY":
            return required(4, "wait time").map { .exit(.key, wait: $0) }
        case "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER":
            return .success(.transfer)
        case "RINGNOANSWER":
            guard let text = data.first, OutsideNumber.count(text) != nil else {
                return .failure(DataError(message: "data1 (ring time in ms) \"\(shown(data.first ?? ""))\" is not a count in 0...\(OutsideNumber.maximumCount)"))
            }
            return .success(.ringNoAnswer)
        default:
            return .success(.other(name))
        }
    }

    static func shown(_ bytes: some Collection<UInt8>) -> String { PrintableText.escaping(bytes, limit: 60) }
    static func shown(_ text: String) -> String { PrintableText.escaping(text, limit: 60) }
}
