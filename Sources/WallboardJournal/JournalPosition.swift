/// A place in the journal: a segment (its day) and a byte offset in that segment's file.
///
/// Positions returned by the journal always sit on a record boundary: `JournalRecord.position` is where a
/// record starts, `JournalRecord.next` where the following one will start. A checkpoint stores the `next` of
/// the last record its state includes; replay starts there. Offset 0 means "the first record of the segment".
public struct JournalPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let day: JournalDay
    public let offset: UInt64

    public init(day: JournalDay, offset: UInt64) {
        self.day = day
        self.offset = offset
    }

    /// The first record of `day`'s segment.
    public static func start(of day: JournalDay) -> JournalPosition { JournalPosition(day: day, offset: 0) }

    public var description: String { "\(SegmentFormat.fileName(for: day))@\(offset)" }

    public static func < (lhs: JournalPosition, rhs: JournalPosition) -> Bool {
        (lhs.day, lhs.offset) < (rhs.day, rhs.offset)
    }
}

/// One record read back from the journal.
public struct JournalRecord: Sendable, Equatable {
    /// Where the record's frame starts.
    public let position: JournalPosition
    /// Where the next record starts: the position to checkpoint after applying this one.
    public let next: JournalPosition
    /// The payload exactly as appended (for the server: one canonical JSON event, no trailing newline).
    public let payload: [UInt8]
}

/// Something found while reading the journal that the caller should log: nothing here stops a start.
public enum JournalIssue: Sendable, Equatable, CustomStringConvertible {
    /// The segment ends inside a record (a write cut short by a crash or a full disk). When the writer
    /// opened the segment it cut the file back to `offset` (`truncated` is then true); readers only report it.
    case tornTail(file: String, offset: UInt64, length: UInt64, truncated: Bool)
    /// `length` bytes at `offset` are not a valid record (`reason` says why) and a valid record follows them:
    /// reading skipped the region and went on. Records in the region are lost.
    case corruptRegion(file: String, offset: UInt64, length: UInt64, reason: String)
    /// A checkpoint file is unreadable or damaged and was passed over (an older one, if any, is used).
    case badCheckpoint(file: String, reason: String)
    /// A temporary file from an interrupted checkpoint write was found and removed.
    case leftoverTemporaryFile(file: String)

    public var description: String {
        switch self {
        case .tornTail(let file, let offset, let length, let truncated):
            return "\(file): torn last record at offset \(offset) (\(length) bytes)"
                + (truncated ? ", truncated" : ", not truncated (read-only)")
        case .corruptRegion(let file, let offset, let length, let reason):
            return "\(file): corrupt region at offset \(offset) (\(length) bytes skipped): \(reason)"
        case .badCheckpoint(let file, let reason):
            return "\(file): checkpoint skipped: \(reason)"
        case .leftoverTemporaryFile(let file):
            return "\(file): removed temporary file of an interrupted checkpoint write"
        }
    }
}
