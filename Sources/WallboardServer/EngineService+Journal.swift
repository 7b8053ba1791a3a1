import Dispatch
import JSONC
import JSONModel
import WallboardAlerts
import WallboardCore
import WallboardJournal

/// The journal: its settings, the restore at start, and checkpoints of the engine's state.
extension EngineService {
    /// Where and how accepted events are journaled.
    public struct JournalSettings: Sendable {
        public var directory: String
        public var policy: FsyncPolicy
        /// Days of segments to keep.
        public var keepDays: Int
        /// 9: the same weekday last week (eight UTC days back at most) and the day before it stay held.
        public static let defaultKeepDays = 9
        /// How often the engine's state is checkpointed (when events arrived since the last one).
        public var checkpointMinutes: Int

        public init(
            directory: String, policy: FsyncPolicy = .batched(milliseconds: 5), keepDays: Int = defaultKeepDays, checkpointMinutes: Int = 5
        ) {
            self.directory = directory
            self.policy = policy
            self.keepDays = keepDays
            self.checkpointMinutes = checkpointMinutes
        }
    }

    /// Whether accepted events are journaled (a state directory is configured); from any thread.
    public var journals: Bool { storeSettings != nil }

    /// The journal records of `events` (their canonical JSON, framed), for ``apply(_:source:receivedAt:journalFrames:completion:)``:
    /// ingest builds them while it decodes, so the engine queue only writes them. `nil` when nothing is
    /// journaled. Any thread.
    public func journalFrames(of events: [Event]) -> JournalFrames? {
        journals ? EventStore.frames(of: events) : nil
    }

    /// Opens the journal and replays what a window still needs: from the earlier of today's start and
    /// the longest window's start.
    func openJournal() throws {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let settings = storeSettings else { return }
        let opening = DispatchTime.now().uptimeNanoseconds
        let store = try EventStore(
            directory: settings.directory, policy: settings.policy, keepDays: settings.keepDays, queue: queue,
            logger: logger)
        logger.info("journal opened", metadata: ["seconds": "\(Self.seconds(since: opening))"])
        let now = clock.now()
        let longest = engine.configuration.windows.map(\.length).max() ?? 0
        let from = min(engine.configuration.calendar.startOfDay(containing: now), now.advanced(by: -longest))
        var position = JournalPosition.start(of: EventStore.day(of: from))
        var replayNow = from
        // The simulator's events are not journaled, so its state is never checkpointed either.
        if simulator == nil, let restored = restoreCheckpoint(store) {
            position = restored
        } else {
            _ = engine.expire(now: from)  // the clock starts where the replay does, so its first interval closes too
        }
        let started = DispatchTime.now().uptimeNanoseconds
        // The engine advances at each interval boundary, as its ticks did: the interval history closes
        // the intervals the replay passes (docs/reliability.md).
        let calendar = engine.configuration.calendar
        var interval = calendar.startOfInterval(containing: replayNow)
        let (records, problems) = try store.replay(from: position) { event in
            replayNow = min(max(replayNow, event.timestamp), now)
            if calendar.startOfInterval(containing: replayNow) != interval {
                interval = calendar.startOfInterval(containing: replayNow)
                _ = engine.expire(now: replayNow)
            }
            engine.apply(event, now: replayNow)
        }
        _ = engine.expire(now: now)
        // Contacts the replay closed as expired were logged by the run that saw them first: one line here.
        let replayExpired = engine.takeExpiredContacts()
        if !replayExpired.contacts.isEmpty {
            logger.notice(
                "contacts expired while replaying the journal",
                metadata: ["contacts": "\(replayExpired.contacts.count + replayExpired.dropped)"])
        }
        HeapTrim.releaseFreePages()  // the checkpoint's parse trees and the replayed records are gone now
        for problem in problems { logger.warning("journal replay problem", metadata: ["journal.problem": "\(problem)"]) }
        logger.notice(
            "journal replayed",
            metadata: [
                "journal.records": "\(records)", "journal.directory": "\(settings.directory)",
                "seconds": "\(Self.seconds(since: started))",
            ])
        self.store = store
        // Under `batched` no timer: each batch that waits starts a group commit (EventStore.whenDurable).
        addTimer(every: .seconds(3600)) { $0.store?.removeExpired(now: $0.clock.now()) }
        if simulator == nil {
            addTimer(every: .seconds(Int(settings.checkpointMinutes) * 60)) { $0.checkpointIfNeeded() }
        }
        store.removeExpired(now: now)
    }

    /// Restores the engine from the newest checkpoint; returns the position to replay from, or `nil`
    /// (no checkpoint, or an unusable one: the caller replays from the start of the day instead).
    /// Its own function so the payload and its parsed tree are released before the replay starts.
    private func restoreCheckpoint(_ store: EventStore) -> JournalPosition? {
        let started = DispatchTime.now().uptimeNanoseconds
        guard var checkpoint = store.latestCheckpoint() else { return nil }
        let file = checkpoint.file
        let position = checkpoint.position
        let size = checkpoint.payload.count
        do {
            let tree = try checkpoint.takePayload { payload throws(JSONCError) in try JSONC.parse(bytes: &payload) }
            engine = try WallboardEngine(restoringFrom: tree, configuration: engine.configuration)
        } catch {
            logger.error(
                "checkpoint unusable: replaying the journal from the start of the day instead",
                metadata: ["checkpoint.file": "\(file)", "checkpoint.error": "\(error)"])
            return nil
        }
        logger.notice(
            "engine restored from checkpoint",
            metadata: [
                "journal.position": "\(position)", "bytes": "\(size)", "seconds": "\(Self.seconds(since: started))",
            ])
        return position
    }

    /// Writes an engine checkpoint when events were stored since the last one (so a restart replays
    /// only the journal's tail), without holding the engine queue while it is encoded: the engine's
    /// state is copied here (a value copy; its storage stays shared until the engine next changes it),
    /// encoded on ``checkpointQueue`` while events keep being applied, and written back on the queue as
    /// the checkpoint of the journal up to the moment of the copy. One at a time; `written` (tests) is
    /// called on the queue once it is written or dropped.
    func checkpointIfNeeded(written: (@Sendable () -> Void)? = nil) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let store, simulator == nil, store.appendedSinceCheckpoint > 0, !checkpointInFlight else {
            written?()
            return
        }
        let mark = store.checkpointMark(now: clock.now())
        let frozen = engine
        checkpointInFlight = true
        let started = DispatchTime.now().uptimeNanoseconds
        checkpointQueue.async { [self] in
            let payload = Array(JSONC.encode(frozen.checkpoint()).utf8)
            let encoded = Self.seconds(since: started)
            queue.async { [self] in
                checkpointInFlight = false
                defer { written?() }
                // Stopped meanwhile: ``stop()`` wrote the state at the stop, newer than this one.
                guard let current = self.store, current === store else { return }
                store.writeCheckpoint(payload, mark: mark)
                HeapTrim.releaseFreePages()  // the encoding's trees and text are freed
                logger.info(
                    "engine checkpointed",
                    metadata: ["seconds": "\(Self.seconds(since: started))", "encoding_seconds": "\(encoded)"])
            }
        }
    }

    /// Writes a checkpoint of the state now, on the queue (at stop: nothing runs after it to write one).
    func checkpointNow() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let store, simulator == nil, store.appendedSinceCheckpoint > 0 else { return }
        let started = DispatchTime.now().uptimeNanoseconds
        store.writeCheckpoint(Array(JSONC.encode(engine.checkpoint()).utf8), now: clock.now())
        HeapTrim.releaseFreePages()
        logger.info("engine checkpointed", metadata: ["seconds": "\(Self.seconds(since: started))"])
    }

    /// Seconds since `start` (a `DispatchTime` uptime in nanoseconds), for logs.
    static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
    }

}
