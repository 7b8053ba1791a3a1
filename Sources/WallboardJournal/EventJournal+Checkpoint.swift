import Glibc

extension EventJournal {
    /// Atomically replaces the checkpoint of `journalPosition.day` with `payload` (the server's engine
    /// state) and the position to replay from (the `next` of the last record the state includes).
    ///
    /// Steps: fdatasync the open segment (whatever the policy, so a checkpoint never points past data that
    /// could vanish), write `checkpoint-DAY.wbc.tmp`, fsync it, rename it over `checkpoint-DAY.wbc`, fsync
    /// the directory. A crash at any step leaves either the old or the new checkpoint, both whole.
    public func writeCheckpoint(payload: [UInt8], journalPosition: JournalPosition) throws(JournalError) {
        checkQueue()
        if hasUnsyncedAppends || policy == .os { try syncSegment() }
        let finalPath = directory.filePath(SegmentFormat.checkpointName(for: journalPosition.day))
        let temporaryPath = finalPath + ".tmp"
        let file = try JournalFile.open(temporaryPath, flags: O_WRONLY | O_CREAT | O_TRUNC)
        // Header and payload written in two calls: the payload (megabytes) is never copied.
        let header = JournalCheckpoint.header(payload: payload, position: journalPosition)
        var (_, writeFailure) = file.writeAll(header, at: 0)
        if writeFailure == nil { writeFailure = file.writeAll(payload, at: UInt64(header.count)).errno }
        let syncFailure = writeFailure == nil ? file.sync(metadata: true) : nil
        file.close()
        if let failure = writeFailure ?? syncFailure {
            try? JournalFile.remove(temporaryPath)
            if JournalError.isNoSpace(failure) { throw .noSpace(file: temporaryPath, offset: 0, errno: failure) }
            throw .writeFailed(file: temporaryPath, offset: 0, errno: failure)
        }
        try JournalFile.rename(temporaryPath, to: finalPath)
        try JournalFile.syncDirectory(directory.path)
    }

    /// The newest intact checkpoint (damaged ones are skipped and reported by `takeIssues()`).
    public func latestCheckpoint() throws -> JournalCheckpoint? {
        checkQueue()
        let (checkpoint, found) = try directory.latestCheckpoint()
        noteIssues(found)
        return checkpoint
    }

    /// Hands every record from `position` on to `body` (see `JournalDirectory.replay`); issues met are
    /// also in the report. Call after `init` (which has truncated any torn tail) and before appending.
    public func replay(
        from position: JournalPosition,
        _ body: (JournalRecord) throws -> Void
    ) throws -> JournalDirectory.ReplayReport {
        checkQueue()
        return try directory.replay(from: position, body)
    }

    /// Deletes segments and checkpoints of days before the last `days` days ending at `today`
    /// (`days: 1` keeps only `today`). The open segment is never deleted. Returns the deleted paths.
    @discardableResult
    public func removeExpired(keepingDays days: Int, today: JournalDay = .todayUTC) throws(JournalError) -> [String] {
        checkQueue()
        guard days >= 1 else { throw .invalidRetention(days: days) }
        let cutoff = today.adding(days: -(days - 1))
        let openDay = endPosition?.day
        var removed: [String] = []
        for name in try JournalFile.list(directory.path) {
            guard let day = SegmentFormat.segmentDay(name) ?? SegmentFormat.checkpointDay(name),
                day < cutoff, day != openDay || SegmentFormat.checkpointDay(name) != nil
            else { continue }
            let path = directory.filePath(name)
            try JournalFile.remove(path)
            removed.append(path)
        }
        if !removed.isEmpty { try JournalFile.syncDirectory(directory.path) }
        return removed.sorted()
    }
}
