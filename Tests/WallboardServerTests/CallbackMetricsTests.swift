import Testing
import WallboardCore

@testable import WallboardServer

/// The callback and self-service families on `/metrics` (docs/metrics.md, "Callbacks").
@Suite struct CallbackMetricsTests {
    @Test func familiesCarryTodaysFiguresPerQueueAndEntryPoint() {
        let t0 = RFC3339.parse("2026-11-23T09:00:00Z")!
        var engine = WallboardEngine(configuration: EngineConfiguration(queues: [QueueSettings(id: "sales")]))
        var n = 0
        func apply(_ seconds: Int64, _ body: EventBody) {
            n += 1
            let at = t0.advanced(by: .seconds(seconds))
            engine.apply(Event(id: "m\(n)", timestamp: at, body: body), now: at)
            engine.expire(now: at)
        }
        apply(0, .contactQueued(ContactQueued(contact: "c1", queue: "sales", channel: .voice)))
        apply(0, .contactQueued(ContactQueued(contact: "c2", queue: "sales", channel: .voice)))
        apply(10, .contactCallbackRequested(contact: "c1"))
        apply(10, .contactCallbackRequested(contact: "c2"))
        apply(70, .contactCallbackConnected(contact: "c1", agent: "a1"))
        apply(80, .contactEnteredSelfService(contact: "s1", entryPoint: "ivr-main"))
        apply(90, .contactSelfServed(contact: "s1", reason: "faq"))
        var renderer = MetricsRenderer()
        CallbackMetrics.add(engine.snapshot(now: t0.advanced(by: .seconds(90))), to: &renderer)
        let lines = Set(renderer.text.split(separator: "\n").map(String.init))
        for line in [
            "wallboardd_queue_callbacks_pending{queue=\"sales\"} 1", "wallboardd_queue_callbacks_requested_today{queue=\"sales\"} 2",
            "wallboardd_queue_callbacks_connected_today{queue=\"sales\"} 1", "wallboardd_queue_callbacks_failed_today{queue=\"sales\"} 0",
            "wallboardd_queue_callback_service_level{queue=\"sales\",window=\"15m\"} 1",
            "wallboardd_self_served_today{entry_point=\"ivr-main\"} 1",
            "wallboardd_self_service_reached_queue_today{entry_point=\"ivr-main\"} 0",
        ] {
            #expect(lines.contains(line), "\(line) in \(renderer.text)")
        }
    }
}
