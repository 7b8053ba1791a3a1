import Dispatch
import Foundation
import Logging
import Synchronization
import Testing
import WallboardCore
@testable import WallboardServer

/// `Daemon.shutdown` stops the engine (closing the journal) before the HTTP server: a batch that
/// arrived in between was applied in memory and answered "accepted" though no journal recorded it.
@Suite struct EngineStopTests {
    @Test func batchesAfterStopAreRefusedNotAppliedUnjournaled() throws {
        let directory = "/tmp/engine-stop-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "test.stop")
        logger.logLevel = .critical
        let engine = EngineService(
            configuration: EngineConfiguration(), simulator: nil,
            journal: EngineService.JournalSettings(directory: directory + "/journal"),
            clock: AMITestClock(Instant(milliseconds: 1_795_424_400_000)), hub: TopicHub { _, _ in }, logger: logger)
        try engine.start { _, _ in }
        engine.stop()
        let login = Event(
            id: "late-1", timestamp: Instant(milliseconds: 1_795_424_399_000),
            body: .agentLogin(AgentLogin(agent: "a", name: "A", queues: ["q"])))
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<EngineService.ApplyOutcome?>(nil)
        engine.apply([login]) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(outcome.withLock { $0?.refusal }?.contains("stopping") == true)
        let agents = DispatchSemaphore(value: 0)
        let known = Mutex(-1)
        engine.read({ engine, _ in engine.agents.count }) { count in
            known.withLock { $0 = count }
            agents.signal()
        }
        _ = agents.wait(timeout: .now() + 5)
        #expect(known.withLock { $0 } == 0, "nothing applied after stop")
    }
}
