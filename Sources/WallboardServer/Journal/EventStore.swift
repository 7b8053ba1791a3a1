import Dispatch
import Foundation
import JSONC
import JSONModel
import Logging
import WallboardCore
import WallboardJournal

/// The engine's durable memory: every accepted event is appended to the journal (as its canonical
/// JSON) before its sender is acknowledged, and replayed at start so a restart loses nothing.
///
/// Confined to the engine queue (the journal itself checks it). Under a `.batched` fsync policy the
/// acknowledgements wait for the group commit that ``startGroupCommit()`` starts on a timer: its
/// `fdatasync` runs on a queue of its own, so the engine goes on applying (and appending) meanwhile.
final class EventStore: @unchecked Sendable {
    // @unchecked: confined to the engine queue; only `PendingSync` values cross to `syncQueue`.
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
    /// Acknowledgements waiting for their ticket to become durable, oldest first.
    private var waiting: [(ticket: AppendTicket, complete: (StorageFailure?) -> Void)] = []
    /// Events applied in memory whose append failed: a retry by the sender (a duplicate) stores them.
    private var unstored: Set<String> = []
    /// The last write error, cleared by the next successful append (disk space came back).
    private(set) var lastFailure: JournalError?
    private(set) var appended = 0
    /// Where the next record goes: what a checkpoint taken now covers up to.
    private(set) var resumePosition: JournalPosition?
    /// Group commits done, their total and longest duration in seconds (for /metrics).
    private(set) var fsyncCount = 0
    private(set) var fsyncSeconds = 0.0
    private(set) var fsyncMaxSeconds = 0.0
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
        dispatchPrecondition(condition: .onQueue(queue))
        guard !events.isEmpty else { return .success(nil) }
        let records = events.map(EventEncoder.canonicalText)
        do {
            let results = try journal.append(contentsOf: records, day: Self.day(of: now))
            resumePosition = results.last?.next
            appendedSinceCheckpoint += events.count
            if !unstored.isEmpty { events.forEach { unstored.remove($0.id) } }
            if lastFailure != nil {
                logger.notice("journal writable again")
                lastFailure = nil
            }
            appended += events.count
            return .success(results.last?.ticket)
        } catch {
            if lastFailure == nil {
                logger.error("journal append failed: refusing to acknowledge events", metadata: ["journal.error": "\(error)"])
            }
            lastFailure = error
            events.forEach { unstored.insert($0.id) }
            return .failure(StorageFailure(error: error))
        }
    }

    /// Calls `complete` once everything up to `ticket` is durable (at once unless the policy is batched).
    func whenDurable(_ ticket: AppendTicket?, _ complete: @escaping (StorageFailure?) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let ticket, case .batched = policy else {
            complete(nil)
            return
        }
        waiting.append((ticket, complete))
    }

    /// The group commit, without blocking the engine queue: the `fdatasync` of what was appended so far
    /// runs on `syncQueue`, then the senders it covers are answered back on the engine queue. One at a
    /// time: appends made meanwhile wait for the next. Falls back to ``syncDue()`` when the journal
    /// cannot hand the sync over.
    func startGroupCommit() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !groupCommitInFlight, journal.hasUnsyncedAppends || !waiting.isEmpty else { return }
        guard let pending = journal.beginSync() else { return syncDue() }
        groupCommitInFlight = true
        let started = DispatchTime.now().uptimeNanoseconds
        syncQueue.async { [self] in
            let failure = pending.perform()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            queue.async { [self] in finishGroupCommit(pending, failure: failure, seconds: seconds) }
        }
    }

    private func finishGroupCommit(_ pending: EventJournal.PendingSync, failure: Int32?, seconds: Double) {
        dispatchPrecondition(condition: .onQueue(queue))
        groupCommitInFlight = false
        do {
            guard let durable = try journal.finishSync(pending, failure: failure) else { return }
            synced(through: durable, seconds: seconds)
        } catch {
            failed(through: pending.through, error)
        }
    }

    /// The group commit, on the engine queue (at stop, and where no descriptor can be handed over):
    /// fsyncs what was appended and answers the senders it covers.
    func syncDue() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard journal.hasUnsyncedAppends || !waiting.isEmpty else { return }
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            guard let durable = try journal.sync() else { return }
            synced(through: durable, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        } catch {
            failed(through: nil, error)
        }
    }

    /// Counts one fsync and answers the senders whose appends it made durable.
    private func synced(through durable: AppendTicket, seconds: Double) {
        fsyncCount += 1
        fsyncSeconds += seconds
        fsyncMaxSeconds = max(fsyncMaxSeconds, seconds)
        let ready = waiting.prefix { $0.ticket <= durable }
        waiting.removeFirst(ready.count)
        ready.forEach { $0.complete(nil) }
    }

    /// A failed fsync: records it and answers with the failure the senders it covered (up to
    /// `through`, or every waiting sender when `nil`).
    private func failed(through: AppendTicket?, _ error: JournalError) {
        logger.error("journal fsync failed", metadata: ["journal.error": "\(error)"])
        lastFailure = error
        let covered = through.map { through in waiting.prefix { $0.ticket <= through }.count } ?? waiting.count
        let failed = waiting.prefix(covered)
        waiting.removeFirst(covered)
        failed.forEach { $0.complete(StorageFailure(error: error)) }
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
