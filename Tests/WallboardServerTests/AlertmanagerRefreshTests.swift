import Dispatch
import JSONC
import JSONModel
import Logging
import Testing
import WallboardAlerts
import WallboardCore
@testable import WallboardServer

/// Alertmanager resolves an alert once its `endsAt` passes: wallboardd re-posts every active alert each
/// minute with `endsAt` four minutes ahead, and never lets re-posts pile up behind a failing Alertmanager.
@Suite struct AlertmanagerRefreshTests {
    static let t0 = RFC3339.parse("2026-11-23T10:00:00Z")!

    /// One call waiting in `q1` at t0.
    static func snapshot() throws -> Snapshot {
        let ts = RFC3339.format(t0)
        let lines = [
            #"{"id":"1","ts":"\#(ts)","type":"agent.login","agent":"a1","name":"Ann","queues":["q1"]}"#,
            #"{"id":"2","ts":"\#(ts)","type":"contact.queued","contact":"c1","queue":"q1"}"#,
        ]
        let inputs = try lines.enumerated().map { Replay.Input.json(line: $0.offset + 1, try JSONC.parse($0.element)) }
        return Replay.run(inputs: inputs).snapshot
    }

    static func service(_ transport: RecordingTransport, queue: DispatchQueue) throws -> AlertService {
        let configuration = try AlertConfiguration(json: [
            "notifiers": [["name": "am", "kind": "alertmanager", "url": "http://127.0.0.1:9/api/v2/alerts"]],
            "rules": [[
                "name": "calls-waiting", "metric": "waiting_now", "scope": "queue:*", "comparison": ">=",
                "threshold": 1, "notifiers": ["am"],
            ]],
            "delivery": ["initial_backoff": "1s"],
        ])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return AlertService(
            configuration: configuration, utcOffset: { _ in 0 }, transport: transport, stateDirectory: nil, boardURL: nil,
            queue: queue, logger: logger)
    }

    /// `endsAt` of every post so far (the transport answers on the queue: drain it first).
    static func endsAts(_ transport: RecordingTransport, _ queue: DispatchQueue) -> [String] {
        queue.sync {}
        return transport.bodies.compactMap { $0.arrayValue?.first?["endsAt"]?.stringValue }
    }

    @Test func activeAlertsArePostedAgainEveryMinuteWithEndsAtAhead() throws {
        let queue = DispatchQueue(label: "alerts")
        let transport = RecordingTransport()
        let service = try queue.sync { try Self.service(transport, queue: queue) }
        let snapshot = try Self.snapshot()
        queue.sync { _ = service.evaluate(snapshot, now: Self.t0) }
        #expect(Self.endsAts(transport, queue) == ["2026-11-23T10:04:00.000Z"])
        queue.sync { _ = service.evaluate(snapshot, now: Self.t0.advanced(by: 59_000)) }
        #expect(Self.endsAts(transport, queue).count == 1, "not before a minute has passed")
        queue.sync { _ = service.evaluate(snapshot, now: Self.t0.advanced(by: 60_000)) }
        queue.sync { _ = service.evaluate(snapshot, now: Self.t0.advanced(by: 125_000)) }
        #expect(
            Self.endsAts(transport, queue)
                == ["2026-11-23T10:04:00.000Z", "2026-11-23T10:05:00.000Z", "2026-11-23T10:06:05.000Z"])
    }

    @Test func refreshesDoNotPileUpBehindAFailingAlertmanager() throws {
        let queue = DispatchQueue(label: "alerts")
        let transport = RecordingTransport(failures: 1000)
        let service = try queue.sync { try Self.service(transport, queue: queue) }
        let snapshot = try Self.snapshot()
        for minute in 0..<10 {
            queue.sync { _ = service.evaluate(snapshot, now: Self.t0.advanced(by: Millis(minute) * 60_000)) }
        }
        queue.sync {}
        #expect(service.pendingDeliveries <= 2, "the fire and at most one re-post wait")
    }
}
