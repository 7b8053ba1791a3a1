import JSONModel
import Testing
import WallboardAlerts
import WallboardCore

/// The outbox file is read back on every start, so a damaged or hostile one would crash-loop the daemon if
/// any number in it could trap; extreme policies and `Retry-After` values must not trap either.
@Suite struct OutboxHostileStateTests {
    let t0 = SnapshotFixtures.t0
    let policy = OutboxPolicy(maxAttempts: 6, initialBackoff: .seconds(5), maxBackoff: .seconds(60), jitter: 0.2)

    func stored(id: String, alert: String, attempts: JSONValue, next: String, lease: String?) -> JSONValue {
        [
            "id": .string(id), "notifier": "hook", "alert_id": .string(alert), "event": "fire",
            "request": ["method": "POST", "url": "http://127.0.0.1:9/hook", "headers": [:], "body": ["a": 1]],
            "created_at": "2026-11-23T09:00:00.000Z", "attempts": attempts, "next_attempt_at": .string(next),
            "leased_until": lease.map(JSONValue.string) ?? .null, "last_error": .null, "dead_at": .null,
        ]
    }

    @Test func absurdStoredRetryTimesAndCountsAreReplayedWithoutTrapping() throws {
        let file: JSONValue = [
            "version": 1,
            "pending": [
                // Due now, with an attempt count at the top of Int64: the next claim used to trap on `+= 1`.
                stored(id: "a/fire/hook", alert: "A", attempts: .integer(.max), next: "2026-11-23T09:59:00.000Z", lease: nil),
                // Retry and lease in the year 9999: used to hold this alert's lane for eight thousand years.
                stored(
                    id: "b/fire/hook", alert: "B", attempts: .integer(2), next: "9999-12-31T23:59:59.999Z",
                    lease: "9999-12-31T23:59:59.999Z"),
                // A negative count reads as none made.
                stored(id: "c/fire/hook", alert: "C", attempts: .integer(.min), next: "0000-01-01T00:00:00.000Z", lease: nil),
            ],
            "dead_letters": [], "delivered_ids": [],
        ]
        var outbox = try Outbox(json: file, policy: policy)
        #expect(outbox.pending.map(\.attempts) == [Int.max, 2, 0])

        let first = outbox.claimDue(now: t0)
        #expect(first.map(\.id) == ["a/fire/hook", "c/fire/hook"])
        #expect(first.first?.attempts == Int.max)
        var random = FixedRandom(value: 0)
        guard case .deadLettered = outbox.markFailed(id: "a/fire/hook", failure: .status(503), now: t0, random: &random)
        else { Issue.record("a delivery past max_attempts should be dead-lettered"); return }

        outbox.markDelivered(id: "c/fire/hook", now: t0)
        // The far-future one is due within max_backoff (its lease pulled in to the lease duration).
        let latest = t0.advanced(by: max(policy.maxBackoff, policy.leaseDuration))
        #expect(outbox.nextWakeup.map { $0 <= latest } == true)
        #expect(outbox.claimDue(now: latest).map(\.id) == ["b/fire/hook"])
    }

    @Test func extremePoliciesAndRetryAfterSaturateInsteadOfTrapping() {
        let huge = OutboxPolicy(
            maxAttempts: 1000, initialBackoff: .max / 2 + 1, maxBackoff: .max, jitter: 1, leaseDuration: .max)
        #expect(huge.backoff(afterFailures: 5) == .max)
        #expect(huge.backoff(afterFailures: .max) == .max)
        // A zero initial backoff with an absurd failure count ends at once (no 2^63-step loop).
        #expect(OutboxPolicy(initialBackoff: 0).backoff(afterFailures: .max) == 0)
        #expect(OutboxPolicy(initialBackoff: -5, maxBackoff: -1).backoff(afterFailures: 3) == 0)

        var outbox = Outbox(policy: huge)
        let request = NotificationRequest(url: "http://127.0.0.1:9/hook", headers: [], body: ["a": 1])
        outbox.enqueue(request, id: "k/fire/hook", notifier: "hook", alertID: "A", event: .fire, now: t0)
        #expect(outbox.claimDue(now: t0).first?.leasedUntil == Instant(milliseconds: .max))
        var random = FixedRandom(value: .max)
        let outcome = outbox.markFailed(
            id: "k/fire/hook", failure: .status(429, retryAfter: .max), now: t0, random: &random)
        #expect(outcome == .retry(at: Instant(milliseconds: .max)))
    }

    /// The alert state file is read back on start as well: a count at the top of Int64 used to trap on the
    /// next renotify, and an extreme refire guard on `now.since(guard)`.
    @Test func alertStateWithExtremeNumbersIsClampedOrRefusedClearly() throws {
        var engine = AlertEngine(rules: [AlertEngineTests.slRule(for: 0, renotify: .minutes(10))])
        _ = AlertEngineTests.run(&engine, from: t0, seconds: 2, level: { _ in 0.5 })
        guard case .object(var state) = engine.stateJSON(), case .array(var active)? = state["active"],
            case .object(var alert)? = active.first
        else { Issue.record("no active alert to tamper with"); return }
        alert["notification_count"] = .integer(.max)
        active[0] = .object(alert)
        state["active"] = .array(active)

        var restored = AlertEngine(rules: engine.rules)
        try restored.restore(from: .object(state))
        #expect(restored.activeAlerts.first?.notificationCount == Int(Int32.max))
        let later = t0 + .minutes(11)
        let actions = restored.evaluate(snapshot: SnapshotFixtures.snapshot(at: later, salesServiceLevel: 0.5), now: later)
        #expect(actions.compactMap { $0.notification?.event } == [.renotify])

        for extreme in [Int64.min, .max] {
            state["last_resolved_ms"] = ["x": .integer(extreme)]
            var guarded = AlertEngine(rules: engine.rules)
            #expect(throws: AlertStateError.self) { try guarded.restore(from: .object(state)) }
        }
    }
}
