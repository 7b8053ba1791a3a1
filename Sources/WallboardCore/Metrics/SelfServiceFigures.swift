import JSONModel

/// One self-service event as the windows count it, by the moment it happened (docs/metrics.md,
/// "Self-service containment").
public struct SelfServiceRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable, CaseIterable {
        /// The contact started in self-service at the entry point.
        case entered
        /// It ended there without reaching a queue (`contact.self_served`).
        case selfServed = "self_served"
        /// It went on to a queue (`contact.queued` for the same contact id).
        case reachedQueue = "reached_queue"
        /// Closed by the engine: no event about it for the contact expiry.
        case expired
    }

    public var contact: String
    public var entryPoint: String
    public var outcome: Outcome
    public var at: Instant
    /// Why it was self-served (``Outcome/selfServed`` only; "unspecified" is counted without one).
    public var reason: String?

    public init(contact: String, entryPoint: String, outcome: Outcome, at: Instant, reason: String? = nil) {
        self.contact = contact
        self.entryPoint = entryPoint
        self.outcome = outcome
        self.at = at
        self.reason = reason
    }
}

/// One entry point's self-service counts in a window.
public struct SelfServiceCounts: Sendable, Equatable {
    public var entered = 0
    public var selfServed = 0
    public var reachedQueue = 0
    public var expired = 0
    /// Self-served contacts by reason ("unspecified" without one).
    public var reasons: [String: Int] = [:]

    public init() {}

    /// Containment: self-served ÷ (self-served + reached a queue), `nil` with neither.
    public var containmentRate: Double? {
        selfServed + reachedQueue == 0 ? nil : Double(selfServed) / Double(selfServed + reachedQueue)
    }

    /// The `limit` most frequent reasons, most frequent first (ties by name).
    public func topReasons(_ limit: Int) -> [(reason: String, count: Int)] {
        reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(limit).map { ($0.key, $0.value) }
    }

    var isEmpty: Bool { self == SelfServiceCounts() }

    mutating func merge(_ other: SelfServiceCounts) {
        entered += other.entered
        selfServed += other.selfServed
        reachedQueue += other.reachedQueue
        expired += other.expired
        reasons.merge(other.reasons, uniquingKeysWith: +)
    }
}

/// The self-service figures of one window and scope, per entry point (``WindowMetrics/selfService``).
/// Only the center counts them: self-service happens before any queue.
public struct SelfServiceFigures: Sendable, Equatable {
    /// Entry point → its counts; an entry point whose last record is taken back is removed.
    public var entryPoints: [String: SelfServiceCounts] = [:]

    public init() {}

    /// How many self-served reasons the JSON lists per entry point.
    public static let topReasonLimit = 5

    /// Every entry point's counts added up (its `reasons` merged too).
    public var total: SelfServiceCounts {
        entryPoints.values.reduce(into: SelfServiceCounts()) { $0.merge($1) }
    }

    /// Counts (`sign` 1) or takes back (`sign` -1) one record.
    mutating func count(_ record: SelfServiceRecord, sign: Int) {
        var counts = entryPoints[record.entryPoint] ?? SelfServiceCounts()
        switch record.outcome {
        case .entered: counts.entered += sign
        case .reachedQueue: counts.reachedQueue += sign
        case .expired: counts.expired += sign
        case .selfServed:
            counts.selfServed += sign
            let key = record.reason ?? "unspecified"
            let value = (counts.reasons[key] ?? 0) + sign
            counts.reasons[key] = value == 0 ? nil : value
        }
        entryPoints[record.entryPoint] = counts.isEmpty ? nil : counts
    }

    mutating func merge(_ other: SelfServiceFigures) {
        for (entryPoint, counts) in other.entryPoints { entryPoints[entryPoint, default: SelfServiceCounts()].merge(counts) }
    }

    /// `self_service_entry_points` of a window's JSON: one object per entry point, sorted by id.
    func entryPointsJSON() -> JSONValue {
        .array(
            entryPoints.sorted { $0.key < $1.key }.map { entryPoint, counts in
                [
                    "entry_point": .string(entryPoint), "entered": .int(counts.entered),
                    "self_served": .int(counts.selfServed), "reached_queue": .int(counts.reachedQueue),
                    "expired": .int(counts.expired), "containment_rate": .number(counts.containmentRate),
                    "top_reasons": .array(
                        counts.topReasons(Self.topReasonLimit).map { ["reason": .string($0.reason), "count": .int($0.count)] }),
                ]
            })
    }
}
