/// One callback event as the windows count it, by the moment it happened (docs/metrics.md, "Callbacks").
public struct CallbackRecord: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The caller chose a callback and left the waiting list.
        case requested
        /// The center dialled the customer (one per attempt).
        case attempted
        /// The customer was connected to an agent: ``CallbackRecord/wait`` is the time since the request.
        case connected
        /// The callback was given up, with ``CallbackRecord/reason``.
        case failed
        /// Closed by the engine: no event about it for the contact expiry (docs/metrics.md, "Expired contacts").
        case expired
    }

    public var contact: String
    /// The queue the caller waited in: a callback keeps its queue.
    public var queue: String
    public var channel: Channel
    public var kind: Kind
    public var at: Instant
    /// Request to connection (``Kind/connected`` only; 0 otherwise).
    public var wait: Millis
    /// Why it failed (``Kind/failed`` only; "unspecified" is counted without one).
    public var reason: String?
    /// The agent connected, and their team (``Kind/connected`` only).
    public var agent: String?
    public var team: String?
    public var segment: String?
    public var language: String?

    public init(
        contact: String, queue: String, channel: Channel, kind: Kind, at: Instant, wait: Millis = 0,
        reason: String? = nil, agent: String? = nil, team: String? = nil, segment: String? = nil,
        language: String? = nil
    ) {
        self.contact = contact
        self.queue = queue
        self.channel = channel
        self.kind = kind
        self.at = at
        self.wait = wait
        self.reason = reason
        self.agent = agent
        self.team = team
        self.segment = segment
        self.language = language
    }
}

/// The callback figures of one window and scope: counts and sums only, so parts merge exactly and an
/// entry taken back leaves no trace (``WindowMetrics/callbacks``).
public struct CallbackFigures: Sendable, Equatable {
    public var requested = 0
    public var attempted = 0
    public var connected = 0
    public var failed = 0
    /// Pending callbacks the engine closed because no event came for them (in no other figure).
    public var expired = 0
    /// Connected within the queue's ``QueueSettings/callbackThreshold`` of the request (wait ≤ threshold).
    public var connectedWithinThreshold = 0
    /// Sum of request-to-connection waits of the connected ones.
    public var totalWait: Millis = 0
    /// Longest request-to-connection wait (rolling windows keep it apart, see ``MaxDeque``).
    public var maxWait: Millis?
    /// Failed callbacks by reason ("unspecified" without one).
    public var failedReasons: [String: Int] = [:]

    public init() {}

    /// Counts (`sign` 1) or takes back (`sign` -1) one record, judged by `threshold`; a maximum is only
    /// raised, never taken back.
    mutating func count(_ record: CallbackRecord, threshold: Millis, sign: Int) {
        switch record.kind {
        case .requested: requested += sign
        case .attempted: attempted += sign
        case .expired: expired += sign
        case .failed:
            failed += sign
            let key = record.reason ?? "unspecified"
            let value = (failedReasons[key] ?? 0) + sign
            failedReasons[key] = value == 0 ? nil : value
        case .connected:
            connected += sign
            totalWait += Millis(sign) * record.wait
            if record.wait <= threshold { connectedWithinThreshold += sign }
            if sign > 0 { maxWait = Swift.max(maxWait ?? 0, record.wait) }
        }
    }

    /// Adds the figures of a disjoint part of the same window.
    mutating func merge(_ other: CallbackFigures) {
        requested += other.requested
        attempted += other.attempted
        connected += other.connected
        failed += other.failed
        expired += other.expired
        connectedWithinThreshold += other.connectedWithinThreshold
        totalWait += other.totalWait
        if let wait = other.maxWait { maxWait = Swift.max(maxWait ?? 0, wait) }
        failedReasons.merge(other.failedReasons, uniquingKeysWith: +)
    }

    /// Callback service level: connected within the threshold ÷ (connected + failed); `nil` with neither.
    public var serviceLevel: Double? {
        connected + failed == 0 ? nil : Double(connectedWithinThreshold) / Double(connected + failed)
    }

    /// Mean request-to-connection wait of the connected callbacks, in seconds.
    public var averageWait: Double? { connected == 0 ? nil : Double(totalWait) / Double(connected) / 1000 }

    /// Whether every figure is zero (nothing to store in a checkpoint).
    var isEmpty: Bool { self == CallbackFigures() }
}
