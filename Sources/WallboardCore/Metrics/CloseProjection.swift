import JSONModel

/// Where today will close: the service level and abandon rate a scope is expected to end the business
/// day with, from today's figures so far plus Erlang C over the rest of the day with the agents staffed
/// now (docs/metrics.md, "Projected close", which works an example through).
public struct CloseProjection: Sendable, Equatable {
    /// Why a projected figure is null.
    public enum Reason: String, Sendable, Equatable {
        /// The scope has no single service-level threshold (the center with queues of different targets).
        case noTarget = "no_target"
        /// Contacts are expected before the close but no agent is staffed.
        case noAgents = "no_agents_staffed"
        /// Contacts are expected before the close but none was handled today, so there is no AHT.
        case noHandleTime = "no_handle_time"
        /// Nothing offered today and nothing expected: no rate to project.
        case noContacts = "no_contacts"
    }

    /// One stretch of the rest of the day: a clock interval (or the part of one before the close).
    public struct Slot: Sendable, Equatable {
        public var start: Instant
        public var end: Instant
        /// Contacts expected in the slot.
        public var arrivals: Double
        /// Mean arrival rate in contacts per second over the slot.
        public var rate: Double

        public init(start: Instant, end: Instant, arrivals: Double) {
            self.start = start
            self.end = end
            self.arrivals = max(0, arrivals.isFinite ? arrivals : 0)
            let seconds = end.since(start).asSeconds
            self.rate = seconds > 0 ? self.arrivals / seconds : 0
        }
    }

    /// What the projection starts from.
    public struct Input: Sendable, Equatable {
        /// Today's figures counted so far (the closed intervals).
        public var actual: WindowMetrics
        /// The rest of the day up to the close, with expected arrivals.
        public var slots: [Slot]
        /// Agents staffed now (logged in and not `not_ready`).
        public var agents: Int
        /// The service-level threshold, and how abandons count in the service level.
        public var threshold: Millis?
        public var treatment: QueueSettings.AbandonTreatment
        /// Where the expected arrivals come from, and that pattern's day.
        public var source: IntervalPattern.Source
        public var patternDay: String?
        /// The end of the business day projected to.
        public var close: Instant

        public init(
            actual: WindowMetrics, slots: [Slot], agents: Int, threshold: Millis?,
            treatment: QueueSettings.AbandonTreatment, source: IntervalPattern.Source, patternDay: String?, close: Instant
        ) {
            self.actual = actual
            self.slots = slots
            self.agents = agents
            self.threshold = threshold
            self.treatment = treatment
            self.source = source
            self.patternDay = patternDay
            self.close = close
        }
    }

    /// Projected service level and abandon rate at the close; nil with ``reason``.
    public var serviceLevel: Double?
    public var abandonRate: Double?
    public var reason: Reason?
    public var source: IntervalPattern.Source
    public var patternDay: String?
    /// Agents and AHT (seconds) the rest of the day was projected with.
    public var agents: Int
    public var handleTime: Double?
    public var close: Instant
    /// Contacts expected between the last closed interval and the close, and how they split.
    public var expectedOffered: Double
    public var expectedWithinThreshold: Double
    public var expectedAbandoned: Double
    /// Today's abandons ÷ today's contacts not answered within the threshold: the share of late contacts
    /// expected to abandon.
    public var lateAbandonShare: Double

    /// The projection of `input`. Never NaN: an undefined figure is nil with a ``Reason``.
    ///
    /// Per slot with arrival rate λ, AHT h and N agents: traffic A = λh; Erlang C gives the share answered
    /// within the threshold T, SL = 1 − C(N, A)·e^(−(N−A)T/h), and 0 when A ≥ N (its limit as A → N, the
    /// queue then grows without bound). Of the late contacts (1 − SL) the share today's late contacts
    /// abandoned is expected to abandon; the rest are answered late.
    public static func project(_ input: Input) -> CloseProjection {
        let actual = input.actual
        let handleTime = actual.averageHandleTime
        let answeredOrAbandoned = actual.answered + actual.abandoned
        let late = answeredOrAbandoned - actual.answeredWithinThreshold
        let share = late > 0 ? min(1, Double(actual.abandoned) / Double(late)) : 0
        var result = CloseProjection(
            serviceLevel: nil, abandonRate: nil, reason: nil, source: input.source, patternDay: input.patternDay,
            agents: max(0, input.agents), handleTime: handleTime, close: input.close, expectedOffered: 0,
            expectedWithinThreshold: 0, expectedAbandoned: 0, lateAbandonShare: share)
        let expected = input.slots.reduce(0) { $0 + $1.arrivals }
        result.expectedOffered = expected
        guard let threshold = input.threshold else {
            result.reason = .noTarget
            return result
        }
        if expected > 0 {
            guard input.agents > 0 else {
                result.reason = .noAgents
                return result
            }
            // A zero handle time (contacts handled in no time) is a defined one: Erlang C then answers all at once.
            guard let handleTime else {
                result.reason = .noHandleTime
                return result
            }
            for slot in input.slots where slot.arrivals > 0 {
                let model = ErlangC(traffic: slot.rate * handleTime, handleTime: handleTime)
                let level = min(1, max(0, model.serviceLevel(agents: input.agents, threshold: threshold.asSeconds)))
                result.expectedWithinThreshold += slot.arrivals * level
                result.expectedAbandoned += slot.arrivals * (1 - level) * share
            }
        }
        let expectedAnswered = expected - result.expectedAbandoned
        let numerator = Double(actual.serviceLevelNumerator) + result.expectedWithinThreshold
        let denominator =
            Double(actual.serviceLevelDenominator)
            + (input.treatment == .ignore ? expectedAnswered : expected)
        let abandonBase = Double(answeredOrAbandoned) + expected
        // Each figure on its own denominator: with abandons ignored, a day of abandons only has an abandon rate.
        if abandonBase > 0 {
            result.abandonRate = min(1, max(0, (Double(actual.abandoned) + result.expectedAbandoned) / abandonBase))
        }
        guard denominator > 0 else {
            result.reason = .noContacts
            return result
        }
        result.serviceLevel = min(1, max(0, numerator / denominator))
        return result
    }

    /// A clock interval of the rest of the day: its bounds and the local minute of day it starts at.
    public struct Boundary: Sendable, Equatable {
        public var start: Instant
        public var end: Instant
        public var minute: Int
    }

    /// The clock intervals from the one holding `from` up to `until` (at most a day's worth), for
    /// ``slots(_:from:close:pattern:rate:)``: worked out once and shared by every scope.
    public static func boundaries(from: Instant, until: Instant, calendar: CenterCalendar) -> [Boundary] {
        var list: [Boundary] = []
        var start = calendar.startOfInterval(containing: from)
        while start < until, list.count < 1440 {
            let end = calendar.endOfInterval(startingAt: start)
            guard end > start else { break }
            list.append(Boundary(start: start, end: end, minute: calendar.localMinuteOfDay(of: start)))
            start = end
        }
        return list
    }

    /// The slots from `from` to `close` over `boundaries`: each clock interval (the last one cut at the
    /// close) with the pattern's contacts for that interval, pro rata to the part of it kept; with no
    /// pattern, `rate` contacts per second throughout.
    public static func slots(
        _ boundaries: [Boundary], from: Instant, close: Instant, pattern: IntervalPattern?, rate: Double
    ) -> [Slot] {
        var slots: [Slot] = []
        let safeRate = rate.isFinite ? max(0, rate) : 0
        let length = max(pattern?.intervalLength ?? 1000, 1000).asSeconds
        for boundary in boundaries {
            guard boundary.start < close else { break }
            let start = max(boundary.start, from)
            let end = min(boundary.end, close)
            let kept = end.since(start).asSeconds
            guard kept > 0 else { continue }
            let arrivals = pattern.map { Double($0.offered(atMinute: boundary.minute)) * kept / length } ?? safeRate * kept
            slots.append(Slot(start: start, end: end, arrivals: arrivals))
        }
        return slots
    }

    /// ``slots(_:from:close:pattern:rate:)`` over the clock intervals of `calendar`.
    public static func slots(
        from: Instant, close: Instant, calendar: CenterCalendar, pattern: IntervalPattern?, rate: Double
    ) -> [Slot] {
        slots(boundaries(from: from, until: close, calendar: calendar), from: from, close: close, pattern: pattern, rate: rate)
    }
}

extension CloseProjection {
    /// The JSON object of `projection` in `GET /api/v1/intervals`, the `intervals:<scope>` topics and the
    /// REST snapshot (docs/metrics.md, "Projected close"): rates rounded to 0.1 %, counts to 0.1.
    public func json() -> JSONValue {
        func rounded(_ value: Double, _ scale: Double) -> JSONValue { .number((value * scale).rounded() / scale) }
        return [
            "service_level": serviceLevel.map { rounded($0, 1000) } ?? .null,
            "abandon_rate": abandonRate.map { rounded($0, 1000) } ?? .null,
            "reason": reason.map { .string($0.rawValue) } ?? .null,
            "pattern": .string(source.rawValue), "pattern_day": patternDay.map { .string($0) } ?? .null,
            "agents": .int(agents), "aht_seconds": handleTime.map { rounded($0, 10) } ?? .null,
            "close": .string(RFC3339.format(close)), "expected_offered": rounded(expectedOffered, 10),
        ]
    }
}
