import Dispatch
import WallboardCore

/// The Redis sink's side of the apply path: which accepted events go to the stream, and the answer
/// when Redis refuses them.
extension EngineService {
    /// The engine's configuration now (from a thread other than the engine queue).
    func configurationNow() -> EngineConfiguration {
        dispatchPrecondition(condition: .notOnQueue(queue))
        return queue.sync { engine.configuration }
    }

    /// An outcome refusing every event with `reason` (Redis unavailable, `on_unavailable: refuse`).
    static func refused(_ count: Int, reason: String) -> ApplyOutcome {
        var outcome = ApplyOutcome(results: Array(repeating: .applied, count: count))
        outcome.refusal = reason
        for index in 0..<count { outcome.storageFailures[index] = reason }
        return outcome
    }

    /// `forward_only`: appends the events to the stream without applying them here.
    func forwardOnly(_ events: [Event], sink: RedisStreamSink, completion: @escaping @Sendable (ApplyOutcome) -> Void) {
        if let reason = sink.refusal { return completion(Self.refused(events.count, reason: reason)) }
        sink.forward(events, appliedHere: false) { refusal in
            completion(refusal.map { Self.refused(events.count, reason: $0) }
                ?? ApplyOutcome(results: Array(repeating: .applied, count: events.count)))
        }
    }

    /// `apply_and_forward`: after the local apply (and journal), appends the accepted events (applied,
    /// held, or a retry of one the stream refused before) and completes once they are in Redis or spooled.
    func forwardAccepted(
        _ events: [Event], outcome: ApplyOutcome, sink: RedisStreamSink, completion: @escaping @Sendable (ApplyOutcome) -> Void
    ) {
        let chosen = events.indices.filter { index in
            guard outcome.storageFailures[index] == nil else { return false }
            switch outcome.results[index] {
            case .applied, .held: return true
            case .duplicate: return sink.isUnforwarded(events[index].id)
            case .rejected: return false
            }
        }
        guard !chosen.isEmpty else { return completion(outcome) }
        sink.forward(chosen.map { events[$0] }, appliedHere: true) { refusal in
            guard let refusal else { return completion(outcome) }
            var refused = outcome
            refused.refusal = refusal
            for index in chosen { refused.storageFailures[index] = refusal }
            completion(refused)
        }
    }
}
