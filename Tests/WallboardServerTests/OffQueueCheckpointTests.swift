import Dispatch
import Foundation
import JSONC
import Logging
import Synchronization
import Testing
import WallboardCore
@testable import WallboardServer

/// A checkpoint is encoded off the engine queue (issue 14: the encoding held the queue about a second
/// at 10,000 agents): it must hold exactly the state at the moment it was taken, while events keep
/// being applied during the encoding, and leave the events after that moment to a later checkpoint.
@Suite struct OffQueueCheckpointTests {
    static let start = Instant(milliseconds: 1_795_424_400_000)

    static func login(_ agent: String, at offset: Millis) -> Event {
        Event(
            id: "login-\(agent)", timestamp: start.advanced(by: offset - 60_000),
            body: .agentLogin(AgentLogin(agent: agent, name: agent.uppercased(), queues: ["q"])))
    }

    /// Applies `events` and waits (bounded) until they are journaled.
    static func apply(_ events: [Event], to service: EngineService) -> EngineService.ApplyOutcome? {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<EngineService.ApplyOutcome?>(nil)
        service.apply(events) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return outcome.withLock { $0 }
    }

    @Test func holdsTheStateWhenTakenWhileEventsKeepArriving() throws {
        let directory = "/tmp/off-queue-checkpoint-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "test.checkpoint")
        logger.logLevel = .critical
        let service = EngineService(
            configuration: EngineConfiguration(), simulator: nil,
            journal: EngineService.JournalSettings(directory: directory, checkpointMinutes: 60),
            clock: AMITestClock(Self.start), hub: TopicHub { _, _ in }, logger: logger)
        try service.start { _, _ in }
        defer { service.stop() }
        let first = Self.apply([Self.login("a1", at: 0), Self.login("a2", at: 1)], to: service)
        #expect(first?.results == [.applied, .applied])

        // The encoder is held, so the engine takes more events between the copy and the encoding.
        service.checkpointQueue.suspend()
        let written = DispatchSemaphore(value: 0)
        let (expected, mark) = service.queue.sync {
            let state = JSONC.encode(service.engine.checkpoint())
            let mark = service.store!.checkpointMark(now: Self.start)
            service.checkpointIfNeeded { written.signal() }
            return (state, mark)
        }
        let later = Self.apply([Self.login("a3", at: 2)], to: service)
        #expect(later?.results == [.applied])
        #expect(service.queue.sync { service.checkpointInFlight })
        service.checkpointQueue.resume()
        #expect(written.wait(timeout: .now() + 10) == .success)

        let (stored, pending, agents) = service.queue.sync {
            (service.store!.latestCheckpoint(), service.store!.appendedSinceCheckpoint, service.engine.agents.count)
        }
        #expect(stored?.position == mark.position)
        #expect(stored.map { String(decoding: $0.payload, as: UTF8.self) } == expected)
        #expect(expected.contains("a2") && !expected.contains("a3"))
        // a3 came after the copy: still to be checkpointed, and applied to the live engine.
        #expect(pending == 1)
        #expect(agents == 3)
    }

    @Test func stopWritesTheStateAtTheStopEvenWithAnEncodingInFlight() throws {
        let directory = "/tmp/off-queue-checkpoint-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "test.checkpoint")
        logger.logLevel = .critical
        let service = EngineService(
            configuration: EngineConfiguration(), simulator: nil,
            journal: EngineService.JournalSettings(directory: directory, checkpointMinutes: 60),
            clock: AMITestClock(Self.start), hub: TopicHub { _, _ in }, logger: logger)
        try service.start { _, _ in }
        #expect(Self.apply([Self.login("a1", at: 0)], to: service)?.results == [.applied])
        service.checkpointQueue.suspend()
        let written = DispatchSemaphore(value: 0)
        service.queue.sync { service.checkpointIfNeeded { written.signal() } }
        #expect(Self.apply([Self.login("a2", at: 1)], to: service)?.results == [.applied])
        let atStop = service.queue.sync { JSONC.encode(service.engine.checkpoint()) }
        service.stop()
        service.checkpointQueue.resume()
        #expect(written.wait(timeout: .now() + 10) == .success)

        // The encoding that finished after the stop wrote nothing over the stop's checkpoint.
        let stored = try service.queue.sync {
            let journal = try EventStore(
                directory: directory, policy: .batched(milliseconds: 5), keepDays: 7, queue: service.queue, logger: logger)
            defer { try? journal.journal.close() }
            return journal.latestCheckpoint()
        }
        #expect(stored.map { String(decoding: $0.payload, as: UTF8.self) } == atStop)
    }
}
