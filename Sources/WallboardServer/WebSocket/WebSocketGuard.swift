import LWS
import Synchronization
import WallboardCore

/// Enforces ``WebSocketLimits`` per connection: how many topics each one holds and how fast it sends,
/// and counts every refusal by reason. Thread-safe (one Mutex); called from the lws service thread.
final class WebSocketGuard: Sendable {
    /// Why a client was refused (the `reason` label on `/metrics`).
    enum Refusal: String, CaseIterable, Sendable {
        case maxClients = "max_clients"
        case tooManySubscriptions = "too_many_subscriptions"
        case messageRate = "message_rate"
    }

    private struct Connection {
        var topics: Set<String> = []
        /// Token bucket: messages that may still be sent now, refilled at the limit's rate.
        var tokens: Double
        var refilledAt: Instant
        /// Refused for its rate and being closed: what it still sends is dropped uncounted.
        var closing = false
    }

    /// What to do with a message.
    enum MessageVerdict: Equatable {
        case admit
        /// Over the rate: close the connection (counted once).
        case refuse
        /// Sent after a refusal, while the close is under way: drop it.
        case drop
    }

    private struct State {
        var limits = WebSocketLimits()
        var connections: [ConnectionID: Connection] = [:]
        var refusals: [Refusal: Int] = [:]
    }

    private let state = Mutex(State())

    init(limits: WebSocketLimits = WebSocketLimits()) {
        state.withLock { $0.limits = limits }
    }

    /// The limits in force (replaced on reload; open connections keep their topics).
    var limits: WebSocketLimits {
        get { state.withLock { $0.limits } }
        set { state.withLock { $0.limits = newValue } }
    }

    /// Whether a new client may connect while `open` are connected; counts a refusal otherwise.
    func admitClient(open: Int) -> Bool {
        state.withLock { state in
            guard open < state.limits.maxClients else {
                state.refusals[.maxClients, default: 0] += 1
                return false
            }
            return true
        }
    }

    /// A connection opened at `now`: it starts with a full bucket.
    func opened(_ connection: ConnectionID, at now: Instant) {
        state.withLock { state in
            state.connections[connection] = Connection(tokens: Double(state.limits.burstMessages), refilledAt: now)
        }
    }

    /// A connection closed: forgets it and returns the topics it held.
    func closed(_ connection: ConnectionID) -> [String] {
        state.withLock { Array($0.connections.removeValue(forKey: connection)?.topics ?? []) }
    }

    /// Takes one message from the connection's bucket; ``MessageVerdict/refuse`` (counted) when it is empty.
    func admitMessage(from connection: ConnectionID, at now: Instant) -> MessageVerdict {
        state.withLock { state in
            guard var entry = state.connections[connection] else { return .admit }
            guard !entry.closing else { return .drop }
            let rate = Double(state.limits.maxMessagesPerSecond)
            let elapsed = Double(max(0, now.since(entry.refilledAt))) / 1000
            entry.tokens = min(Double(state.limits.burstMessages), entry.tokens + elapsed * rate)
            entry.refilledAt = now
            defer { state.connections[connection] = entry }
            guard entry.tokens >= 1 else {
                state.refusals[.messageRate, default: 0] += 1
                entry.closing = true
                return .refuse
            }
            entry.tokens -= 1
            return .admit
        }
    }

    /// Records that `connection` subscribes to `topics` if its total stays within the limit; otherwise
    /// records nothing, counts a refusal and returns the limit that was hit.
    func reserve(_ topics: [String], for connection: ConnectionID) -> Int? {
        state.withLock { state in
            // A connection that is already gone records nothing (its close is handled after this).
            guard var entry = state.connections[connection] else { return nil }
            let total = entry.topics.union(topics).count
            guard total <= state.limits.maxSubscriptionsPerConnection else {
                state.refusals[.tooManySubscriptions, default: 0] += 1
                return state.limits.maxSubscriptionsPerConnection
            }
            entry.topics.formUnion(topics)
            state.connections[connection] = entry
            return nil
        }
    }

    /// Forgets topics the connection subscribed to (they no longer count against its limit).
    func release(_ topics: [String], for connection: ConnectionID) {
        state.withLock { state in
            state.connections[connection]?.topics.subtract(topics)
        }
    }

    /// Refusals so far, by reason.
    var refusalCounts: [Refusal: Int] { state.withLock { $0.refusals } }

    /// Adds `wallboardd_websocket_refusals_total{reason}` (every reason, zeros included) to `/metrics`.
    func addMetrics(to renderer: inout MetricsRenderer) {
        let counts = refusalCounts
        for reason in Refusal.allCases {
            renderer.add(
                "wallboardd_websocket_refusals_total", "counter",
                "WebSocket clients or messages refused by a websocket limit, by reason.",
                labels: [("reason", reason.rawValue)], value: Double(counts[reason] ?? 0))
        }
    }
}
