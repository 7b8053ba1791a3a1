import Dispatch
import Foundation
import JSONC
import JSONModel
import Logging
import Synchronization
import WallboardCore
import WallboardJournal

/// The engine's durable memory: every accepted event is appended to the journal (as its canonical
/// JSON) before its sender is acknowledged, and replayed at start so a restart loses nothing.
///
/// Confined to the engine queue (the journal itself checks it). Under a `.batched` fsync policy the
/// acknowledgements wait for a group commit (``startGroupCommit()``): its `fdatasync` runs on a queue
/// of its own, so the engine goes on applying (and appending) meanwhile, and the senders it covers are
/// answered from there at once, not after the engine queue's backlog (issue 14). A commit starts as
/// soon as something waits and none runs, at most one per policy interval; everything appended while
/// one runs goes into the next.
final class EventStore: @unchecked Sendable {
    // @unchecked: confined to the engine queue, except `commits` (a Mutex shared with `syncQueue`);
    // only `PendingSync` values cross to `syncQueue`.
    /// Why an accepted event could not be stored.
    struct StorageFailure: Error, CustomStringConvertible {
        let error: JournalError
        var description: String { "not stored in the journal: \(error)" }
    }

    let journal: EventJournal
    let policy: FsyncPolicy
    let keepDays: Int
    private let queue: DispatchQueue
    private let logger: Logger
    /// Acknowledgements waiting for their ticket to become durable, oldest first, and whether a group
    /// commit runs on `syncQueue`: shared with `syncQueue`, which answers the ones a commit covers.
    private let commits = Mutex(Commits())
    private struct Commits {
        var waiting: [(ticket: AppendTicket, since: UInt64, complete: @Sendable (StorageFailure?) -> Void)] = []
        var head = 0
        var running = false
        /// How long answered batches waited for their commit (from their append to their answer).
        var waited = CommitWait()
        /// How long each group commit's `fdatasync` took.
        var fsyncs = CommitWait()

        /// Removes and returns the waiting acknowledgements up to `through` (all when `nil`).
        mutating func take(through: AppendTicket?) -> [@Sendable (StorageFailure?) -> Void] {
            var end = head
            while end < waiting.count, through.map({ waiting[end].ticket <= $0 }) ?? true { end += 1 }
            let now = DispatchTime.now().uptimeNanoseconds
            for index in head..<end { waited.add(Double(now &- waiting[index].since) / 1e9) }
            let taken = waiting[head..<end].map(\.complete)
            head = end
            if head == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= waiting.count {
                waiting.removeFirst(head)
                head = 0
            }
            return taken
        }

        var isEmpty: Bool { head == waiting.count }
    }
    /// How long batches waited for the group commit that answered them: count, total and longest
    /// seconds (for /metrics; a batch is one call of ``whenDurable(_:_:)``).
    struct CommitWait: Sendable {
        var count = 0
        var seconds = 0.0
        var maxSeconds = 0.0

        mutating func add(_ wait: Double) {
            count += 1
            seconds += wait
            maxSeconds = max(maxSeconds, wait)
        }
    }

    /// ``CommitWait`` so far; any thread.
    var commitWait: CommitWait { commits.withLock { $0.waited } }

    /// The highest ticket appended, and the highest a started group commit covers (engine queue).
    private var appendedThrough: AppendTicket?
    private var committingThrough: AppendTicket?
    /// Group commits start at most once per interval (`.batched(milliseconds:)`): when the last one
    /// started (monotonic nanoseconds; the store's opening at first), and whether a start is scheduled.
    private let commitInterval: UInt64
    private var lastCommitStart: UInt64
    private var commitScheduled = false
    /// Events applied in memory whose append failed: a retry by the sender (a duplicate) stores them.
    private var unstored: Set<String> = []
    /// The last write error, cleared by the next successful append (disk space came back).
    private(set) var lastFailure: JournalError?
    private(set) var appended = 0
    /// Where the next record goes: what a checkpoint taken now covers up to.
    private(set) var resumePosition: JournalPosition?
    /// Group commits done, their total and longest duration in seconds (for /metrics; any thread).
    var fsyncCount: Int { commits.withLock { $0.fsyncs.count } }
    var fsyncSeconds: Double { commits.withLock { $0.fsyncs.seconds } }
    var fsyncMaxSeconds: Double { commits.withLock { $0.fsyncs.maxSeconds } }
    /// Events stored since the last checkpoint.
    private(set) var appendedSinceCheckpoint = 0
    /// Where group commits run their `fdatasync`, off the engine queue.
    private let syncQueue = DispatchQueue(label: "wallboardd.journal.sync")
    /// A group commit is running on `syncQueue`.
    private var groupCommitInFlight = false

    init(directory: String, policy: FsyncPolicy, keepDays: Int, queue: DispatchQueue, logger: Logger) throws(JournalError) {
        self.journal = try EventJournal(directory: directory, policy: policy, confinedTo: queue)
        self.policy = policy
        self.keepDays = keepDays
        self.queue = queue
        self.logger = logger
        if case .batched(let milliseconds) = policy { commitInterval = UInt64(max(milliseconds, 0)) * 1_000_000 } else { commitInterval = 0 }
        lastCommitStart = DispatchTime.now().uptimeNanoseconds
        for issue in journal.takeIssues() {
            logger.warning("journal repaired on open", metadata: ["journal.issue": "\(issue)"])
        }
    }

    /// Whether `id` was applied but is not yet stored (so its duplicate should be stored now).
    func isUnstored(_ id: String) -> Bool { unstored.contains(id) }

    /// Appends `event`; returns its ticket, or the failure (the event stays applied in memory and is
    /// remembered so that the sender's retry stores it).
    func store(_ event: Event, now: Instant) -> Result<AppendTicket, StorageFailure> {
        store([event], now: now).map { $0! }
    }

    /// Appends `events` as one group (one write, see ``EventJournal/append(contentsOf:day:)``), each as
    /// its canonical JSON text (``EventEncoder/canonicalText(_:)``); returns the last ticket (`nil` for
    /// no events), or the failure, which then holds for every event of the group (they stay applied in
    /// memory and are remembered so that the sender's retry stores them).
    func store(_ events: [Event], now: Instant) -> Result<AppendTicket?, StorageFailure> {
        store(events, selecting: Array(events.indices), frames: nil, now: now)
    }

    /// The journal records of `events`, framed (``JournalFrames``): built by ingest while it decodes, off
    /// the engine queue, and handed to ``store(_:selecting:frames:now:)`` with the events.
    static func frames(of events: [Event]) -> JournalFrames {
        var frames = JournalFrames()
        frames.reserve(records: events.count, bytes: events.count * 192)
        for event in events { frames.append(EventEncoder.canonicalText(event)) }
        return frames
    }

    /// Appends `events[selecting]` (ascending indices) as one group, like ``store(_:now:)``: from
    /// `frames`, their records built ahead by ``frames(of:)`` (one per event of `events`), or encoded
    /// here when `frames` is `nil`.
    func store(_ events: [Event], selecting: [Int], frames: JournalFrames?, now: Instant) -> Result<AppendTicket?, StorageFailure> {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !selecting.isEmpty else { return .success(nil) }
        do {
            let results: [AppendResult]
            if let frames, frames.count == events.count {
                results = try journal.append(frames: frames, selecting: selecting, day: Self.day(of: now))
            } else {
                results = try journal.append(contentsOf: selecting.map { EventEncoder.canonicalText(events[$0]) }, day: Self.day(of: now))
            }
            resumePosition = results.last?.next
            appendedSinceCheckpoint += selecting.count
            if !unstored.isEmpty { selecting.forEach { unstored.remove(events[$0].id) } }
            if lastFailure != nil {
                logger.notice("journal writable again")
                lastFailure = nil
            }
            appended += selecting.count
            if let last = results.last?.ticket { appendedThrough = last }
            return .success(results.last?.ticket)
        } catch {
            if lastFailure == nil {
                logger.error("journal append failed: refusing to acknowledge events", metadata: ["journal.error": "\(error)"])
            }
            lastFailure = error
            selecting.forEach { unstored.insert(events[$0].id) }
            return .failure(StorageFailure(error: error))
        }
    }

    /// Calls `complete` once everything up to `ticket` is durable: at once unless the policy is
    /// batched; else from the group commit that covers it, on its queue (not the engine queue), which
    /// starts now when none runs and the interval since the last one has passed, or when it has.
    func whenDurable(_ ticket: AppendTicket?, _ complete: @escaping @Sendable (StorageFailure?) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let ticket, case .batched = policy else {
            complete(nil)
            return
        }
        let since = DispatchTime.now().uptimeNanoseconds
        commits.withLock { $0.waiting.append((ticket, since, complete)) }
        startGroupCommit()
    }

    /// The group commit, without blocking the engine queue: the `fdatasync` of what was appended so far
    /// runs on `syncQueue`, which then answers the senders it covers. One at a time, at most one start
    /// per interval: called too early it schedules itself for when the interval is over. Appends made
    /// meanwhile wait for the next. Falls back to ``syncDue()`` when the journal cannot hand the sync over.
    func startGroupCommit() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let appendedThrough, appendedThrough > (committingThrough ?? AppendTicket(0)) else { return }
        guard !commits.withLock({ $0.running }) else { return }  // its end starts the next one
        let now = DispatchTime.now().uptimeNanoseconds
        let due = lastCommitStart &+ commitInterval
        if now < due {
            guard !commitScheduled else { return }
            commitScheduled = true
            queue.asyncAfter(deadline: DispatchTime(uptimeNanoseconds: due)) { [weak self] in
                self?.commitScheduled = false
                self?.startGroupCommit()
            }
            return
        }
        guard let pending = journal.beginSync() else { return syncDue() }
        lastCommitStart = now
        committingThrough = pending.through
        commits.withLock { $0.running = true }
        syncQueue.async { [self] in
            let failure = pending.perform()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds &- now) / 1e9
            // Answered here, at once: the engine queue may have a backlog of batches to apply first.
            let covered = commits.withLock { commits in
                commits.running = false
                commits.fsyncs.add(seconds)
                return commits.take(through: pending.through)
            }
            let storageFailure = failure.map { _ in
                StorageFailure(error: .syncFailed(file: pending.file, errno: failure!, tickets: nil))
            }
            covered.forEach { $0(storageFailure) }
            queue.async { [self] in finishGroupCommit(pending, failure: failure) }
        }
    }

    /// Back on the engine queue after a commit answered its senders: the journal's bookkeeping, the
    /// figures, and the next commit when more was appended meanwhile.
    private func finishGroupCommit(_ pending: EventJournal.PendingSync, failure: Int32?) {
        dispatchPrecondition(condition: .onQueue(queue))
        do {
            _ = try journal.finishSync(pending, failure: failure)
        } catch {
            logger.error("journal fsync failed", metadata: ["journal.error": "\(error)"])
            lastFailure = error
        }
        startGroupCommit()
    }

    /// The group commit, on the engine queue (at stop, and where no descriptor can be handed over):
    /// fsyncs what was appended and answers the senders it covers.
    func syncDue() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard journal.hasUnsyncedAppends || !commits.withLock({ $0.isEmpty }) else { return }
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            guard let durable = try journal.sync() else { return }
            committingThrough = max(committingThrough ?? durable, durable)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds &- started) / 1e9
            commits.withLock { commits in
                commits.fsyncs.add(seconds)
                return commits.take(through: durable)
            }.forEach { $0(nil) }
        } catch {
            logger.error("journal fsync failed", metadata: ["journal.error": "\(error)"])
            lastFailure = error
            let failure = StorageFailure(error: error)
            commits.withLock { $0.take(through: nil) }.forEach { $0(failure) }
        }
    }

    /// The newest readable checkpoint: engine state and the journal position it covers up to.
    func latestCheckpoint() -> JournalCheckpoint? {
        dispatchPrecondition(condition: .onQueue(queue))
        do {
            let checkpoint = try journal.latestCheckpoint()
            for issue in journal.takeIssues() {
                logger.warning("journal checkpoint problem", metadata: ["journal.issue": "\(issue)"])
            }
            return checkpoint
        } catch {
            logger.error("cannot read journal checkpoints", metadata: ["journal.error": "\(error)"])
            return nil
        }
    }

    /// What a checkpoint of the engine's state taken now covers: the journal up to here, and the
    /// events stored since the last checkpoint.
    struct CheckpointMark: Sendable {
        var position: JournalPosition
        var appended: Int
    }

    /// The mark of a checkpoint of the engine's state now (encoded later, maybe off the queue).
    func checkpointMark(now: Instant) -> CheckpointMark {
        dispatchPrecondition(condition: .onQueue(queue))
        return CheckpointMark(position: resumePosition ?? .start(of: Self.day(of: now)), appended: appendedSinceCheckpoint)
    }

    /// Writes `payload` (the engine's state now) as the checkpoint covering everything stored so far.
    func writeCheckpoint(_ payload: [UInt8], now: Instant) {
        writeCheckpoint(payload, mark: checkpointMark(now: now))
    }

    /// Writes `payload`, the engine's state when `mark` was taken, as the checkpoint covering the journal
    /// up to `mark`; events stored since then still count as not checkpointed.
    func writeCheckpoint(_ payload: [UInt8], mark: CheckpointMark) {
        dispatchPrecondition(condition: .onQueue(queue))
        let position = mark.position
        do {
            try journal.writeCheckpoint(payload: payload, journalPosition: position)
            appendedSinceCheckpoint = max(appendedSinceCheckpoint - mark.appended, 0)
            logger.info("journal checkpoint written", metadata: ["journal.position": "\(position)", "bytes": "\(payload.count)"])
        } catch {
            logger.error("journal checkpoint failed", metadata: ["journal.error": "\(error)"])
        }
    }

    /// Replays stored events from `position` on, oldest first, decoding each record.
    /// Returns how many were read and problems met (undecodable records are skipped and reported).
    func replay(from position: JournalPosition, _ apply: (Event) -> Void) throws -> (records: Int, problems: [String]) {
        dispatchPrecondition(condition: .onQueue(queue))
        var count = 0
        var problems: [String] = []
        let report = try journal.replay(from: position) { record in
            var bytes = record.payload
            do {
                // Unlimited: these were accepted under the limits of their day; a lowered limit must not drop them.
                apply(try EventDecoder.decode(try JSONC.parse(bytes: &bytes), limits: .unlimited))
                count += 1
            } catch {
                problems.append("\(record.position): \(error)")
            }
        }
        problems += report.issues.map { "\($0)" }
        if let end = report.end { resumePosition = end }
        return (count, problems)
    }

    /// Deletes segments older than `keepDays`.
    func removeExpired(now: Instant) {
        dispatchPrecondition(condition: .onQueue(queue))
        do {
            let removed = try journal.removeExpired(keepingDays: keepDays, today: Self.day(of: now))
            if !removed.isEmpty { logger.info("journal segments removed", metadata: ["journal.removed": "\(removed)"]) }
        } catch {
            logger.warning("journal retention failed", metadata: ["journal.error": "\(error)"])
        }
    }

    /// The UTC day segment an instant belongs to.
    static func day(of instant: Instant) -> JournalDay {
        JournalDay(utc: Date(timeIntervalSince1970: instant.secondsSinceEpoch))
    }
}
