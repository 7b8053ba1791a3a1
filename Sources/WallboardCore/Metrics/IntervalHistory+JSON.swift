import JSONModel

/// A scope's clock intervals of one business day, as `GET /api/v1/intervals`, the `intervals:<scope>`
/// topic and `wallboardctl report` give them (docs/metrics.md, "Interval history"; docs/intervals.md).
public struct IntervalReport: Sendable, Equatable {
    /// A service-level target: the fraction to reach and the threshold wait (`threshold_seconds`).
    public struct Target: Sendable, Hashable {
        public var serviceLevel: Double
        public var threshold: Millis

        public init(serviceLevel: Double, threshold: Millis) {
            self.serviceLevel = serviceLevel
            self.threshold = threshold
        }
    }

    public var scope: ScopeKey
    /// The start of the business day the report is about.
    public var dayStart: Instant
    public var calendar: CenterCalendar
    /// The queue's target; the center's when every configured queue has the same one, else nil.
    public var target: Target?
    /// The day's intervals, oldest first (today's: the closed ones and the current one, last).
    public var intervals: [IntervalFigures]
    /// The day before's intervals, when known (only with today's report).
    public var yesterday: [IntervalFigures]?
    /// The same weekday last week, when the report says anything of it (the daemon's report of today).
    public var lastWeek: PastDay?

    /// A past day shown beside today: its date, and its intervals of the report's scope or why they are
    /// not held (`last_week`, `last_week_day`, `last_week_reason` in docs/intervals.md).
    public struct PastDay: Sendable, Equatable {
        /// The day's local date, `YYYY-MM-DD`.
        public var date: String
        /// Its intervals, oldest first; nil when not held.
        public var intervals: [IntervalFigures]?
        /// Why they are not held (nil when they are).
        public var reason: String?

        public init(date: String, intervals: [IntervalFigures]?, reason: String? = nil) {
            self.date = date
            self.intervals = intervals
            self.reason = intervals == nil ? reason : nil
        }
    }

    /// Where today is projected to close (only with today's report; docs/metrics.md, "Projected close").
    public var projection: CloseProjection?

    public init(
        scope: ScopeKey, dayStart: Instant, calendar: CenterCalendar, target: Target?, intervals: [IntervalFigures],
        yesterday: [IntervalFigures]? = nil
    ) {
        self.scope = scope
        self.dayStart = dayStart
        self.calendar = calendar
        self.target = target
        self.intervals = intervals
        self.yesterday = yesterday
    }

    /// The report's JSON: `scope`, `day`, `time_zone`, `interval_minutes`, `target`, `intervals`,
    /// `yesterday` and `projection` when known, and `last_week` (null when not held), `last_week_day` and
    /// `last_week_reason` when the report says anything of last week.
    public func json() -> JSONValue {
        var object: JSONObject = [
            "scope": .string(scope.name), "day": .string(calendar.localDate(of: dayStart)),
            "time_zone": .string(calendar.timeZone.identifier),
            "interval_minutes": .number(Double(calendar.intervalLength) / 60_000),
            "target": target.map { ["service_level": .number($0.serviceLevel), "threshold_seconds": .number($0.threshold.asSeconds)] }
                ?? .null,
            "intervals": .array(intervals.map(Self.json)),
        ]
        if let yesterday { object["yesterday"] = .array(yesterday.map(Self.json)) }
        if let lastWeek {
            object["last_week"] = lastWeek.intervals.map { .array($0.map(Self.json)) } ?? .null
            object["last_week_day"] = .string(lastWeek.date)
            object["last_week_reason"] = lastWeek.reason.map { .string($0) } ?? .null
        }
        if let projection { object["projection"] = projection.json() }
        return .object(object)
    }

    /// One interval's JSON object.
    public static func json(_ interval: IntervalFigures) -> JSONValue {
        let m = interval.metrics
        return [
            "start": .string(RFC3339.format(interval.start)), "end": .string(RFC3339.format(interval.end)),
            "complete": .bool(interval.complete), "offered": .int(m.offered), "answered": .int(m.answered),
            "abandoned": .int(m.abandoned), "short_abandoned": .int(m.shortAbandoned),
            "answered_within": .int(m.answeredWithinThreshold), "service_level": .number(m.serviceLevel),
            "abandon_rate": .number(m.abandonRate), "asa_seconds": .number(m.averageSpeedOfAnswer),
            "aht_seconds": .number(m.averageHandleTime), "max_wait_seconds": .number(m.maxWait.map(\.asSeconds)),
            "staffed": .int(interval.staffed),
        ]
    }

    /// The CSV columns, in order.
    public static let csvColumns = [
        "scope", "day", "start", "end", "complete", "offered", "answered", "abandoned", "short_abandoned",
        "answered_within", "service_level", "abandon_rate", "asa_seconds", "aht_seconds", "max_wait_seconds", "staffed",
    ]

    /// The report as CSV (RFC 4180, CRLF line ends): a header line, then one line per interval of the
    /// day (not yesterday's), then one per interval of last week's day when held (its `day` column is
    /// that date); an undefined figure is an empty field.
    public func csv(header: Bool = true) -> String {
        var lines: [String] = header ? [Self.csvColumns.joined(separator: ",")] : []
        let today = calendar.localDate(of: dayStart)
        let rows = intervals.map { (today, $0) } + (lastWeek?.intervals ?? []).map { (lastWeek!.date, $0) }
        for (day, interval) in rows {
            let m = interval.metrics
            func number(_ value: Double?) -> String { value.map(JSONValue.formatNumber) ?? "" }
            let fields = [
                Self.csvField(scope.name), day, RFC3339.format(interval.start), RFC3339.format(interval.end),
                interval.complete ? "true" : "false", String(m.offered), String(m.answered), String(m.abandoned),
                String(m.shortAbandoned), String(m.answeredWithinThreshold), number(m.serviceLevel), number(m.abandonRate),
                number(m.averageSpeedOfAnswer), number(m.averageHandleTime), number(m.maxWait.map(\.asSeconds)),
                String(interval.staffed),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// A field quoted when it holds a comma, a quote or a line break (a queue id may).
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        var quoted = "\""
        for character in text {
            if character == "\"" { quoted.append("\"") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
