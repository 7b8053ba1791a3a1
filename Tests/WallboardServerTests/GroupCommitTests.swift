import Dispatch
import Foundation
import Logging
import Synchronization
import Testing
import WallboardCore
@testable import WallboardServer

/// The journal's side of ingest (issue 14): records encoded off the engine queue are the records the
/// engine queue would have encoded, and a group commit answers its senders from its own queue, only
/// once the events are applied and on disk.
@Suite(.serialized) struct GroupCommitTests {
    static let start = Instant(milliseconds: 1_795_424_400_000)

    /// Events of every shape the journal stores, escapes and non-ASCII text included; a duplicate
    /// (line 3 repeats line 1's id) and a rejected line are not stored, so the batch stores a selection.
    static let lines = [
        #"{"id":"e1","ts":"2026-11-23T07:59:00.000Z","type":"agent.login","agent":"a1","name":"Zoë \"Z\" Ørsted","team":"t1","queues":["q1","q2"],"skills":{"q2":3,"q1":5},"languages":["fr","en"]}"#,
        #"{"id":"e2","ts":"2026-11-23T07:59:01.000Z","type":"agent.state","agent":"a1","state":"available"}"#,
        #"{"id":"e1","ts":"2026-11-23T07:59:00.000Z","type":"agent.login","agent":"a1","queues":["q1"]}"#,
        #"{"ts":"2026-11-23T07:59:02.123Z","type":"contact.queued","contact":"c1","queue":"q1","channel":"voice","id":"e3","priority":2,"customer":{"segment":"gold","id":"k\u00e9"},"language":"fr"}"#,
        #"{"id":"e4","ts":"2026-11-23T07:59:03.000Z","type":"contact.answered","contact":"c1","agent":"a1"}"#,
        #"{"id":"e5","ts":"2026-11-23T07:59:04.000Z","type":"contact.answered","contact":"c-none","agent":"a1"}"#,
        #"{"id":"e6","ts":"2026-11-23T07:59:05.000Z","type":"agent.state","agent":"a1","state":"not_ready","reason":"tab\tand\nnewline"}"#,
    ]

    static func events() -> [Event] {
        EventBatchDecoder.decode(Array(lines.joined(separator: "\n").utf8)).events.map(\.event)
    }

    static func service(_ directory: String) throws -> EngineService {
        var logger = Logger(label: "test.group-commit")
        logger.logLevel = .critical
        let service = EngineService(
            configuration: EngineConfiguration(), simulator: nil,
            journal: EngineService.JournalSettings(directory: directory, checkpointMinutes: 60),
            clock: AMITestClock(Self.start), hub: TopicHub { _, _ in }, logger: logger)
        try service.start { _, _ in }
        return service
    }

    /// Applies `events` and waits (bounded) for the answer.
    static func apply(_ events: [Event], frames: Bool, to service: EngineService) -> EngineService.ApplyOutcome? {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<EngineService.ApplyOutcome?>(nil)
        service.apply(events, journalFrames: frames ? service.journalFrames(of: events) : nil) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return outcome.withLock { $0 }
    }

    /// The segment written from frames built ahead is byte for byte the one written by encoding on
    /// the engine queue, so a restart replays the same records into the same state.
    @Test func recordsBuiltAheadAreTheRecordsEncodedOnTheQueue() throws {
        let base = "/tmp/group-commit-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let events = Self.events()
        #expect(events.count == Self.lines.count)
        var outcomes: [[WallboardEngine.ApplyResult]] = []
        for frames in [false, true] {
            let service = try Self.service("\(base)/\(frames)")
            let outcome = Self.apply(events, frames: frames, to: service)
            #expect(outcome?.storageFailures.isEmpty == true)
            outcomes.append(outcome?.results ?? [])
            service.stop()
        }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0].filter { $0 == .duplicate }.count == 1)
        #expect(outcomes[0].contains { if case .rejected = $0 { true } else if case .held = $0 { true } else { false } })
        let segments = try FileManager.default.contentsOfDirectory(atPath: "\(base)/false").filter { $0.hasSuffix(".wbj") }
        #expect(segments.count == 1)
        for segment in segments {
            let encodedOnQueue = try Data(contentsOf: URL(fileURLWithPath: "\(base)/false/\(segment)"))
            let builtAhead = try Data(contentsOf: URL(fileURLWithPath: "\(base)/true/\(segment)"))
            #expect(builtAhead == encodedOnQueue)
            #expect(encodedOnQueue.count > 8 + 6 * 16, "the stored events are in the segment")
        }
    }

    /// The commit answers from its own queue: a sender is answered while the engine queue is busy.
    @Test func aCommitAnswersWhileTheEngineQueueIsBusy() throws {
        let directory = "/tmp/group-commit-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let service = try Self.service(directory)
        defer { service.stop() }
        Thread.sleep(forTimeInterval: 0.05)  // past the first commit interval (5 ms) since the journal opened
        let answered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        service.apply(Array(Self.events().prefix(2)), journalFrames: nil) { outcome in
            #expect(outcome.results == [.applied, .applied])
            #expect(outcome.storageFailures.isEmpty)
            answered.signal()
        }
        service.queue.async { _ = release.wait(timeout: .now() + 10) }  // the engine queue is busy meanwhile
        #expect(answered.wait(timeout: .now() + 5) == .success, "answered only once the engine queue was free")
        release.signal()
        let commits = service.queue.sync { service.store?.fsyncCount ?? 0 }
        #expect(commits >= 1)
    }

    /// Batches keep coming while commits run: each is answered after a commit that covers it, the
    /// commits are fewer than the batches, and nothing is answered that is not in the journal.
    @Test func everyBatchIsAnsweredByACommitThatCoversIt() throws {
        let directory = "/tmp/group-commit-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let service = try Self.service(directory)
        let group = DispatchGroup()
        let answered = Mutex(0)
        let batches = 200
        for batch in 0..<batches {
            let events = (0..<10).map { index in
                Event(
                    id: "b\(batch)-\(index)", timestamp: Self.start.advanced(by: -60_000),
                    body: .agentLogin(AgentLogin(agent: "a\(batch)-\(index)", name: "", queues: ["q"])))
            }
            group.enter()
            service.apply(events, journalFrames: batch % 2 == 0 ? service.journalFrames(of: events) : nil) { outcome in
                if outcome.storageFailures.isEmpty, outcome.results.allSatisfy({ $0 == .applied }) {
                    answered.withLock { $0 += 1 }
                }
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 20) == .success)
        #expect(answered.withLock { $0 } == batches)
        let (appended, commits) = service.queue.sync { (service.store?.appended ?? 0, service.store?.fsyncCount ?? 0) }
        #expect(appended == batches * 10)
        #expect(commits >= 1 && commits < batches)
        service.stop()
        // Everything answered is in the journal: a restart from it (no checkpoint: removed) has every agent.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix("checkpoint-") {
            try FileManager.default.removeItem(atPath: "\(directory)/\(name)")
        }
        let restarted = try Self.service(directory)
        defer { restarted.stop() }
        #expect(restarted.queue.sync { restarted.engine.agents.count } == batches * 10)
    }
}
