import Dispatch
import Glibc

/// The writing side of the event journal: appends records to daily segment files under a state
/// directory, fsyncs per `FsyncPolicy`, writes checkpoints and removes old days.
///
/// Threading: use one `EventJournal` from one serial queue only (the server's engine queue). It has no
/// locks. Pass that queue as `confinedTo` and every method checks it with `dispatchPrecondition`.
/// One process per directory: `init` takes an exclusive `flock` on `<directory>/journal.lock`.
///
/// Crash safety: a record is one `pwrite` of one frame at the end of the valid data. A write that fails
/// part-way is cut back at once (`ftruncate`); if that fails too, the next append cuts it first, and on
/// open the scanner finds any torn tail and truncates it (reported by `takeIssues()`).
public final class EventJournal: @unchecked Sendable {
    // @unchecked Sendable: all state is confined to one serial queue (asserted when `confinedTo` is given);
    // the server hands the instance to that queue's closures, which Swift 6 requires to be Sendable.

    public let directory: JournalDirectory
    public let policy: FsyncPolicy
    private let queue: DispatchQueue?
    private var lockFile: JournalFile?
    private var segment: OpenSegment?
    private var issues: [JournalIssue] = []
    private var lastTicket: UInt64 = 0
    /// Tickets up to this one were reported durable (or failed) by `sync()`.
    private var reportedThrough: UInt64 = 0

    private struct OpenSegment {
        let day: JournalDay
        let file: JournalFile
        /// Offset just past the last complete record: where the next frame goes.
        var end: UInt64
        /// Bytes past `end` may be in the file (a failed write whose cut-back failed).
        var needsRepair = false
        /// Records checked at open (after the newest checkpoint's position) plus those appended since.
        var records: Int
    }

    /// Opens (creating if needed) the journal in `directory`, takes its lock, removes temporary files of
    /// interrupted checkpoint writes, and repairs the newest segment (a torn tail is truncated; see
    /// `takeIssues()`). Replay after this sees only whole records.
    public init(directory path: String, policy: FsyncPolicy, confinedTo queue: DispatchQueue? = nil) throws(JournalError) {
        if let queue { dispatchPrecondition(condition: .onQueue(queue)) }
        try JournalFile.makeDirectory(path)
        self.directory = JournalDirectory(path: path)
        self.policy = policy
        self.queue = queue
        let lockPath = directory.filePath("journal.lock")
        let lock = try JournalFile.open(lockPath, flags: O_RDWR | O_CREAT)
        guard flock(lock.fd, LOCK_EX | LOCK_NB) == 0 else {
            lock.close()
            throw .locked(path: lockPath)
        }
        lockFile = lock
        do throws(JournalError) {
            for name in try JournalFile.list(path) where name.hasSuffix(".tmp") {
                try JournalFile.remove(directory.filePath(name))
                issues.append(.leftoverTemporaryFile(file: directory.filePath(name)))
            }
            if let newest = try directory.segmentDays().last {
                // Only the part after the newest checkpoint's position can have a torn tail: the
                // segment was synced up to there before the checkpoint was written.
                let checkpoint = JournalCheckpoint.position(in: directory.filePath(SegmentFormat.checkpointName(for: newest)))
                try openSegment(newest, scanningFrom: checkpoint?.day == newest ? checkpoint?.offset ?? 0 : 0)
            }
        } catch {
            // deinit runs for a fully initialized instance whose init throws: leave it nothing to close twice.
            segment?.file.close()
            segment = nil
            lock.close()
            lockFile = nil
            throw error
        }
    }

    deinit {
        segment?.file.close()
        lockFile?.close()
    }

    /// Syncs what is pending, closes the segment and releases the lock. Call once, at shutdown.
    /// After it, the instance must not be used again.
    public func close() throws(JournalError) {
        checkQueue()
        defer {
            segment?.file.close()
            segment = nil
            lockFile?.close()
            lockFile = nil
        }
        if hasUnsyncedAppends || policy == .os { try syncSegment() }
    }

    /// Issues found since the last call (torn tails truncated on open, leftover temp files): log them.
    public func takeIssues() -> [JournalIssue] {
        checkQueue()
        defer { issues = [] }
        return issues
    }

    /// Where the next record of the open segment will go (`nil` before the first segment exists).
    public var endPosition: JournalPosition? {
        checkQueue()
        return segment.map { JournalPosition(day: $0.day, offset: $0.end) }
    }

    /// Appends one record to `day`'s segment (default: today in UTC) and returns after writing it and,
    /// under `.always`, after `fdatasync`. Days only move forward in practice; an older `day` still works
    /// (its segment is reopened).
    ///
    /// Throws `noSpace` (disk, quota or file-size limit full) or `writeFailed` with nothing of the record
    /// left behind, so the same append can simply be retried later; `syncFailed` under `.always`.
    public func append(_ payload: [UInt8], day: JournalDay = .todayUTC) throws(JournalError) -> AppendResult {
        try append(contentsOf: [payload], day: day)[0]
    }

    /// Appends `payloads` as consecutive records of `day`'s segment with one `pwrite` (and, under
    /// `.always`, one `fdatasync`): the group append of a batch of events. All or nothing: on any error
    /// nothing of the batch is left behind (the same errors as ``append(_:day:)``), so the whole batch
    /// can be retried. Returns one result per payload, in order (tickets consecutive).
    public func append(contentsOf payloads: [[UInt8]], day: JournalDay = .todayUTC) throws(JournalError) -> [AppendResult] {
        checkQueue()
        guard !payloads.isEmpty else { return [] }
        for payload in payloads where payload.count > SegmentFormat.maxPayload {
            throw .recordTooLarge(size: payload.count, limit: SegmentFormat.maxPayload)
        }
        return try append(frames: JournalFrames(payloads), day: day)
    }

    /// Appends the frames built ahead (``JournalFrames``, maybe on another thread) as consecutive
    /// records of `day`'s segment, like ``append(contentsOf:day:)``: the frames at `selecting` (indices
    /// into `frames`, ascending), or all of them when `nil`. All of them are written straight from
    /// `frames.bytes`; a selection is gathered into one buffer first. Returns one result per record
    /// written, in order.
    public func append(frames: JournalFrames, selecting: [Int]? = nil, day: JournalDay = .todayUTC) throws(JournalError) -> [AppendResult] {
        checkQueue()
        let all = selecting == nil || selecting!.count == frames.count
        let count = all ? frames.count : selecting!.count
        guard count > 0 else { return [] }
        if let size = frames.oversized {
            throw .recordTooLarge(size: size, limit: SegmentFormat.maxPayload)
        }
        if segment?.day != day {
            if segment != nil { try syncSegment() }
            try openSegment(day)
        }
        guard var current = segment else { preconditionFailure("openSegment sets the segment") }
        if current.needsRepair {
            if let failure = current.file.truncate(to: current.end) {
                throw .tailRepairFailed(file: current.file.path, offset: current.end, errno: failure)
            }
            current.needsRepair = false
            segment = current
        }
        var gathered: [UInt8] = []
        var ends: [Int]
        if all {
            ends = frames.ends
        } else {
            ends = []
            ends.reserveCapacity(count)
            for index in selecting! {
                gathered.append(contentsOf: frames.bytes[frames.range(of: index)])
                ends.append(gathered.count)
            }
        }
        let start = current.end
        let (written, failure) = current.file.writeAll(all ? frames.bytes : gathered, at: start)
        if let failure {
            _ = written
            cutBack(to: start)
            throw JournalError.isNoSpace(failure)
                ? .noSpace(file: current.file.path, offset: start, errno: failure)
                : .writeFailed(file: current.file.path, offset: start, errno: failure)
        }
        let firstTicket = lastTicket + 1
        lastTicket += UInt64(count)
        current.end = start + UInt64(ends.last!)
        current.records += count
        segment = current
        if policy == .always {
            if let failure = current.file.sync() {
                cutBack(to: start)
                reportedThrough = lastTicket
                throw .syncFailed(file: current.file.path, errno: failure, tickets: firstTicket...lastTicket)
            }
            reportedThrough = lastTicket
        }
        var results: [AppendResult] = []
        results.reserveCapacity(count)
        for (index, end) in ends.enumerated() {
            results.append(
                AppendResult(
                    ticket: AppendTicket(firstTicket + UInt64(index)),
                    position: JournalPosition(day: day, offset: start + UInt64(index == 0 ? 0 : ends[index - 1])),
                    next: JournalPosition(day: day, offset: start + UInt64(end)),
                    isDurable: policy == .always,
                    canAcknowledge: !isBatched))
        }
        return results
    }

    /// Group commit: fsyncs the open segment if anything was appended since the last call, and returns the
    /// highest ticket that is now durable and was not reported before (every ticket up to it is durable),
    /// or `nil` if there was nothing new. Under `.batched` the server calls this every N ms on its queue and
    /// then answers the senders whose tickets are at or below the result. Under `.always` it returns `nil`.
    ///
    /// Throws `syncFailed` naming the tickets that will never be reported durable: fail those senders.
    public func sync() throws(JournalError) -> AppendTicket? {
        checkQueue()
        guard lastTicket > reportedThrough else { return nil }
        try syncSegment()
        reportedThrough = lastTicket
        return AppendTicket(lastTicket)
    }

    /// A group commit whose `fdatasync` runs off the journal's queue (``beginSync()``): appends go on
    /// meanwhile and are covered by the next one.
    public struct PendingSync: Sendable {
        /// Every ticket up to this one is durable once ``perform()`` succeeds.
        public let through: AppendTicket
        public let file: String
        /// A duplicate of the segment's descriptor: the segment may be closed or replaced meanwhile.
        let fd: Int32

        /// `fdatasync(2)` of the segment, then closes the duplicate; returns the errno on failure. Call
        /// it once, on any thread, then hand the result to ``EventJournal/finishSync(_:failure:)``.
        public func perform() -> Int32? {
            let failure = JournalFile(fd: fd, path: file).sync()
            Glibc.close(fd)
            return failure
        }
    }

    /// Starts a group commit of everything appended so far without blocking the queue: returns what to
    /// run elsewhere (``PendingSync/perform()``), or `nil` when nothing is waiting or the descriptor
    /// could not be duplicated (then call ``sync()``). At most one should be in flight.
    public func beginSync() -> PendingSync? {
        checkQueue()
        guard lastTicket > reportedThrough, let current = segment else { return nil }
        let copy = fcntl(current.file.fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { return nil }
        return PendingSync(through: AppendTicket(lastTicket), file: current.file.path, fd: copy)
    }

    /// Ends a group commit started by ``beginSync()`` with what ``PendingSync/perform()`` returned: the
    /// highest ticket now durable and not reported before, or `nil` (a ``sync()`` in between reported it).
    /// Throws `syncFailed` naming the tickets of this commit that were not reported before: fail those
    /// senders. Appends made since ``beginSync()`` are left for the next commit.
    public func finishSync(_ pending: PendingSync, failure: Int32?) throws(JournalError) -> AppendTicket? {
        checkQueue()
        let through = pending.through.value
        guard through > reportedThrough else { return nil }
        let tickets = (reportedThrough + 1)...through
        reportedThrough = through
        if let failure { throw .syncFailed(file: pending.file, errno: failure, tickets: tickets) }
        return pending.through
    }

    /// fdatasyncs the open segment without reporting tickets (a later `sync()` still reports them). On
    /// failure the unreported tickets are reported failed through the thrown `syncFailed`.
    func syncSegment() throws(JournalError) {
        guard let current = segment, let failure = current.file.sync() else { return }
        let tickets = lastTicket > reportedThrough ? (reportedThrough + 1)...lastTicket : nil
        reportedThrough = lastTicket
        throw .syncFailed(file: current.file.path, errno: failure, tickets: tickets)
    }

    /// True when appends are waiting for `sync()`.
    public var hasUnsyncedAppends: Bool {
        checkQueue()
        return lastTicket > reportedThrough
    }

    private var isBatched: Bool {
        if case .batched = policy { return true }
        return false
    }

    /// Cuts a failed write back to `offset`; remembers to retry if even that fails.
    private func cutBack(to offset: UInt64) {
        guard var current = segment else { return }
        current.end = min(current.end, offset)
        current.needsRepair = current.file.truncate(to: offset) != nil
        segment = current
    }

    /// Opens `day`'s segment for appending: creates it with its header, or scans it and truncates a torn tail.
    /// Opens the segment of `day` for appending after checking it from `start` (0, or a position known to
    /// be a synced record boundary; when it is not one, the whole segment is checked instead).
    private func openSegment(_ day: JournalDay, scanningFrom start: UInt64 = 0) throws(JournalError) {
        segment?.file.close()
        segment = nil
        let path = directory.filePath(SegmentFormat.fileName(for: day))
        let file = try JournalFile.open(path, flags: O_RDWR | O_CREAT)
        do throws(JournalError) {
            var scanner = try SegmentScanner(file: file)
            var outcome: SegmentScanner.Outcome
            do { outcome = try scanner.scan(from: start) } catch let error as JournalError {
                guard start > 0 else { throw error }
                switch error {
                case .positionNotAtRecord, .positionBeyondEnd:
                    do { outcome = try scanner.scan() } catch let error as JournalError { throw error } catch {
                        preconditionFailure("scan without a body throws only JournalError")
                    }
                default: throw error
                }
            } catch {
                preconditionFailure("scan without a body throws only JournalError")
            }
            issues += outcome.corruptions
            if let tail = outcome.tornTail {
                if let failure = file.truncate(to: tail.offset) {
                    throw JournalError.tailRepairFailed(file: path, offset: tail.offset, errno: failure)
                }
                issues.append(.tornTail(file: path, offset: tail.offset, length: tail.length, truncated: true))
            }
            var end = outcome.validEnd
            if outcome.headerMissing {
                let (_, failure) = file.writeAll(SegmentFormat.fileMagic, at: 0)
                if let failure {
                    _ = file.truncate(to: 0)
                    throw JournalError.isNoSpace(failure)
                        ? JournalError.noSpace(file: path, offset: 0, errno: failure)
                        : JournalError.writeFailed(file: path, offset: 0, errno: failure)
                }
                end = SegmentFormat.headerSize
            }
            if policy != .os && (outcome.headerMissing || outcome.tornTail != nil) {
                if let failure = file.sync() {
                    throw JournalError.fileOperationFailed(operation: "fsync", file: path, errno: failure)
                }
                try JournalFile.syncDirectory(directory.path)
            }
            segment = OpenSegment(day: day, file: file, end: end, records: outcome.records)
        } catch {
            file.close()
            throw error
        }
    }

    func noteIssues(_ found: [JournalIssue]) { issues += found }

    func checkQueue() {
        if let queue { dispatchPrecondition(condition: .onQueue(queue)) }
    }
}
