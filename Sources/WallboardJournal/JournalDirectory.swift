/// A read-only view of a journal's state directory: read segments, replay, find the latest checkpoint,
/// compute stats and verify. It never changes a file, so `wallboardctl journal verify|stats` can use it
/// while the daemon appends (a record being written then shows as a torn tail, not truncated).
///
/// A value type with no open files between calls; safe to use from any thread.
public struct JournalDirectory: Sendable {
    /// The state directory.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    func filePath(_ name: String) -> String { path.hasSuffix("/") ? path + name : path + "/" + name }

    /// The days that have a segment file, oldest first.
    public func segmentDays() throws(JournalError) -> [JournalDay] {
        try JournalFile.list(path).compactMap(SegmentFormat.segmentDay).sorted()
    }

    /// The days that have a checkpoint file, oldest first.
    public func checkpointDays() throws(JournalError) -> [JournalDay] {
        try JournalFile.list(path).compactMap(SegmentFormat.checkpointDay).sorted()
    }

    /// Every record of `day`'s segment, in order, and what was wrong with the file (torn tail, corrupt
    /// regions skipped). A missing segment reads as empty.
    public func readSegment(day: JournalDay) throws -> (records: [JournalRecord], issues: [JournalIssue]) {
        var records: [JournalRecord] = []
        let report = try replay(from: .start(of: day), through: day) { records.append($0) }
        return (records, report.issues)
    }

    /// What a replay went through.
    public struct ReplayReport: Sendable, Equatable {
        /// Records handed to the body.
        public var records = 0
        /// Where the next record will go: the position after the last record read (or the start position).
        public var end: JournalPosition?
        /// Torn tails and corrupt regions met (log them; none stops the replay).
        public var issues: [JournalIssue] = []
    }

    /// Hands every record from `position` on to `body`, in order: the rest of `position.day`'s segment,
    /// then each later segment up to `through` (all of them if `nil`). This is how the server restores
    /// "today": `replay(from: latestCheckpoint()?.position ?? .start(of: today))`.
    ///
    /// Throws `positionNotAtRecord`/`positionBeyondEnd` if `position` is not a record boundary of an
    /// existing segment, and whatever `body` throws.
    public func replay(
        from position: JournalPosition,
        through last: JournalDay? = nil,
        _ body: (JournalRecord) throws -> Void
    ) throws -> ReplayReport {
        var report = ReplayReport(end: position)
        for day in try segmentDays() where day >= position.day && (last.map { day <= $0 } ?? true) {
            let file = try JournalFile.open(filePath(SegmentFormat.fileName(for: day)), flags: O_RDONLY)
            defer { file.close() }
            var scanner = try SegmentScanner(file: file)
            let start = day == position.day ? position.offset : 0
            let outcome = try scanner.scan(from: start) { offset, payload, next in
                try body(
                    JournalRecord(
                        position: JournalPosition(day: day, offset: offset),
                        next: JournalPosition(day: day, offset: next), payload: payload))
            }
            report.records += outcome.records
            report.issues += outcome.corruptions
            if let tail = outcome.tornTail {
                report.issues.append(.tornTail(file: file.path, offset: tail.offset, length: tail.length, truncated: false))
            }
            report.end = JournalPosition(day: day, offset: max(outcome.validEnd, SegmentFormat.headerSize))
        }
        return report
    }

    /// The newest checkpoint that reads back intact, and the damaged ones passed over on the way.
    public func latestCheckpoint() throws -> (checkpoint: JournalCheckpoint?, issues: [JournalIssue]) {
        var issues: [JournalIssue] = []
        for day in try checkpointDays().reversed() {
            let name = filePath(SegmentFormat.checkpointName(for: day))
            switch JournalCheckpoint.read(from: name) {
            case .success(let checkpoint): return (checkpoint, issues)
            case .failure(let reason): issues.append(.badCheckpoint(file: name, reason: reason.text))
            }
        }
        return (nil, issues)
    }
}

import Glibc
