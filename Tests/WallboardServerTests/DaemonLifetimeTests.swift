import Foundation
import JSONC
import JSONModel
import LWS
import Testing
import WallboardClient
@testable import WallboardServer

/// A stopped daemon is freed once nobody holds it: no reference cycle keeps its engine, hub, API or
/// server alive (LeakSanitizer reported each test's daemon as leaked, see docs/reliability.md
/// "Sanitizers").
@Suite(.serialized) struct DaemonLifetimeTests {
    /// Weak references to the daemon's parts, taken while it runs.
    final class Parts: @unchecked Sendable {
        weak var daemon: Daemon?
        weak var engine: EngineService?
        weak var hub: TopicHub?
        weak var api: WallboardAPI?
        weak var server: LWSServer?

        var alive: [String] {
            [("daemon", daemon as AnyObject?), ("engine", engine), ("hub", hub), ("api", api), ("server", server)]
                .compactMap { $0.1 == nil ? nil : $0.0 }
        }
    }

    /// Runs a daemon through HTTP, ingest and a WebSocket subscription, stops it and drops it.
    private func runAndStop(simulator: Bool) throws -> Parts {
        let parts = Parts()
        let running = try TestDaemon(simulator: simulator)
        parts.daemon = running.daemon
        parts.engine = running.daemon.engine
        parts.hub = running.daemon.hub
        parts.api = running.daemon.api
        parts.server = running.daemon.server
        #expect(try running.get("/healthz").status == 200)
        let event = #"{"type":"agent.login","ts":"2026-03-02T09:00:00Z","agent":"a1","queues":["sales"]}"#
        _ = try running.post("/api/v1/events", body: event + "\n")
        let client = try running.connect()
        _ = try client.next(type: "topic")
        client.close()
        running.stop()
        return parts
    }

    /// Waits (bounded) for threads that finish after the shutdown completion (the lws service threads
    /// return right after calling it) to drop their last references.
    private func waitUntilFreed(_ parts: Parts) -> [String] {
        let deadline = Date().addingTimeInterval(10)
        while !parts.alive.isEmpty && Date() < deadline { usleep(10_000) }
        return parts.alive
    }

    @Test func stoppedDaemonIsFreed() throws {
        let parts = try runAndStop(simulator: false)
        #expect(waitUntilFreed(parts) == [])
    }

    @Test func stoppedSimulatorDaemonIsFreed() throws {
        let parts = try runAndStop(simulator: true)
        #expect(waitUntilFreed(parts) == [])
    }
}
