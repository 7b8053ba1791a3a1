import JSONModel
import Testing
import WallboardAlerts
import WallboardCore

@Suite struct OutboxTests {
    let t0 = SnapshotFixtures.t0
    let request = NotificationRequest(
        url: "http://127.0.0.1:9/hook", headers: [.init("Content-Type", "application/json")], body: ["a": 1])
    let policy = OutboxPolicy(maxAttempts: 6, initialBackoff: .seconds(5), maxBackoff: .seconds(60), jitter: 0.2)

    func outboxWithOne(_ id: String = "k/fire/hook") -> Outbox {
        var outbox = Outbox(policy: policy)
        outbox.enqueue(request, id: id, notifier: "hook", alertID: "A", event: .fire, now: t0)
        return outbox
    }

    @Test func backoffDoublesUpToTheCapThenDeadLetters() {
        var outbox = outboxWithOne()
        var random = FixedRandom(value: 0)  // no jitter
        var now = t0
        var delays: [Millis] = []
        while true {
            let claimed = outbox.claimDue(now: now)
            #expect(claimed.count == 1)
            switch outbox.markFailed(id: claimed[0].id, failure: .status(503), now: now, random: &random) {
            case .retry(let at):
                delays.append(at.since(now))
                #expect(outbox.due(now: at.advanced(by: -1)).isEmpty)
                now = at
            case .deadLettered(let dead):
                #expect(dead.attempts == 6)
                #expect(dead.lastError == "HTTP 503")
                #expect(outbox.pending.isEmpty && outbox.deadLetters.count == 1)
                #expect(delays == [5000, 10_000, 20_000, 40_000, 60_000])
                return
            case .unknown:
                Issue.record("lost the delivery")
                return
            }
        }
    }

    @Test func jitterOnlyShortensTheWaitByUpToItsFraction() {
        var outbox = outboxWithOne()
        var random = FixedRandom(value: .max)
        _ = outbox.claimDue(now: t0)
        guard
            case .retry(let at) = outbox.markFailed(
                id: "k/fire/hook", failure: .transport("refused"), now: t0, random: &random)
        else { Issue.record("expected retry"); return }
        #expect(at.since(t0) > 4000 && at.since(t0) <= 4001)
    }

    @Test func retryAfterIsHonouredAndPermanentErrorsDeadLetterAtOnce() {
        var outbox = outboxWithOne()
        var random = FixedRandom(value: 0)
        _ = outbox.claimDue(now: t0)
        let outcome = outbox.markFailed(
            id: "k/fire/hook", failure: .status(429, retryAfter: 30_000), now: t0, random: &random)
        #expect(outcome == .retry(at: t0 + 30_000))
        _ = outbox.claimDue(now: t0 + 30_000)
        guard
            case .deadLettered = outbox.markFailed(
                id: "k/fire/hook", failure: .status(400), now: t0 + 30_000, random: &random)
        else { Issue.record("400 should dead-letter"); return }
    }

    @Test func claimedDeliveriesAreNotHandedOutTwiceUntilTheLeaseEnds() {
        var outbox = outboxWithOne()
        #expect(outbox.claimDue(now: t0).count == 1)
        #expect(outbox.claimDue(now: t0 + 1000).isEmpty)
        #expect(outbox.claimDue(now: t0 + policy.leaseDuration).count == 1)  // lost in flight: sent again
    }

    @Test func aResolveWaitsForItsTriggerToTheSameNotifier() {
        var outbox = outboxWithOne("k/fire/hook")
        outbox.enqueue(request, id: "k/resolve/hook", notifier: "hook", alertID: "A", event: .resolve, now: t0)
        outbox.enqueue(request, id: "j/fire/hook", notifier: "hook", alertID: "B", event: .fire, now: t0)
        #expect(outbox.due(now: t0).map(\.id) == ["k/fire/hook", "j/fire/hook"])
        outbox.markDelivered(id: "k/fire/hook", now: t0)
        #expect(outbox.due(now: t0).map(\.id) == ["k/resolve/hook", "j/fire/hook"])
    }

    @Test func aDeliveredIdIsNotEnqueuedAgain() {
        var outbox = outboxWithOne()
        _ = outbox.claimDue(now: t0)
        outbox.markDelivered(id: "k/fire/hook", now: t0)
        let added = outbox.enqueue(request, id: "k/fire/hook", notifier: "hook", alertID: "A", event: .fire, now: t0)
        #expect(!added)
        #expect(outbox.pending.isEmpty)
    }

    @Test func stateSurvivesARestart() throws {
        var outbox = outboxWithOne()
        outbox.enqueue(request, id: "k/resolve/hook", notifier: "hook", alertID: "A", event: .resolve, now: t0)
        var random = FixedRandom(value: 0)
        _ = outbox.claimDue(now: t0)
        _ = outbox.markFailed(id: "k/fire/hook", failure: .transport("connection refused"), now: t0, random: &random)
        let restored = try Outbox(json: outbox.json, policy: policy)
        #expect(restored == outbox)
        #expect(restored.pending.first?.request.header("Idempotency-Key") == "k/fire/hook")
        #expect(restored.nextWakeup == t0 + 5000)
    }

    @Test func engineActionsBecomeOneDeliveryPerNotifier() {
        let rule = AlertRule(
            name: "sl", metric: .serviceLevel, scope: .queue("sales"), window: "15m", comparison: .lessThan,
            threshold: 0.8, notifiers: ["hook", "pd", "am"])
        let notifiers = [
            NotifierConfig(name: "hook", kind: .webhook, url: "http://h"),
            NotifierConfig(name: "pd", kind: .pagerduty, url: NotifierConfig.pagerDutyEventsURL, routingKey: "R"),
            NotifierConfig(name: "am", kind: .alertmanager, url: "http://a"),
        ]
        var engine = AlertEngine(rules: [rule])
        var outbox = Outbox()
        let fire = engine.evaluate(snapshot: SnapshotFixtures.snapshot(at: t0, salesServiceLevel: 0.5), now: t0)
        for action in fire { outbox.enqueue(action, notifiers: notifiers, now: t0) }
        // A second enqueue of the same action (e.g. replay after restart) adds nothing.
        for action in fire {
            let again = outbox.enqueue(action, notifiers: notifiers, now: t0)
            #expect(again.isEmpty)
        }
        let id = engine.activeAlerts[0].id
        for action in try! engine.acknowledge(id: id, by: "m", now: t0 + 1000) {
            outbox.enqueue(action, notifiers: notifiers, now: t0)
        }
        // Alertmanager has no acknowledgement.
        #expect(outbox.pending.map(\.notifier) == ["hook", "pd", "am", "hook", "pd"])
        #expect(outbox.pending.map(\.event) == [.fire, .fire, .fire, .acknowledge, .acknowledge])
    }
}
