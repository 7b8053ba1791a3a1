import Glibc

/// Everything the journal can throw. Each description names the file (and the offset, where one applies)
/// and the system error, so a log line alone says what happened.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state directory could not be created or opened.
    case cannotOpenDirectory(path: String, errno: Int32)
    /// Another process (a second daemon) holds the journal's lock file.
    case locked(path: String)
    /// A file could not be opened or created.
    case cannotOpen(file: String, errno: Int32)
    /// The disk (or quota, or file-size limit) is full: `ENOSPC`, `EDQUOT` or `EFBIG`. Nothing of the
    /// record stays in the file; the append can be retried when space returns.
    case noSpace(file: String, offset: UInt64, errno: Int32)
    /// Writing at `offset` failed for another reason (e.g. `EIO`). Nothing of the record stays in the file.
    case writeFailed(file: String, offset: UInt64, errno: Int32)
    /// A partial record at `offset` could not be cut off after a failed write; the next append tries again
    /// first, and opening the journal again repairs it too.
    case tailRepairFailed(file: String, offset: UInt64, errno: Int32)
    /// `fsync`/`fdatasync` failed: the appends with tickets in `tickets` (if any were waiting) are not
    /// durable and must not be acknowledged; no later `sync()` reports them. They may still be on disk and
    /// come back on replay: their event ids make the sender's retry a duplicate.
    case syncFailed(file: String, errno: Int32, tickets: ClosedRange<UInt64>?)
    /// Reading at `offset` failed.
    case readFailed(file: String, offset: UInt64, errno: Int32)
    /// The file does not start with the journal's magic bytes: it is not a segment of this format.
    case notASegment(file: String)
    /// A payload is larger than `limit` bytes.
    case recordTooLarge(size: Int, limit: Int)
    /// A position handed to replay does not start a valid record in `file`.
    case positionNotAtRecord(file: String, offset: UInt64)
    /// A position handed to replay lies past the end of `file` (`size` bytes).
    case positionBeyondEnd(file: String, offset: UInt64, size: UInt64)
    /// Renaming, deleting or syncing a directory entry failed.
    case fileOperationFailed(operation: String, file: String, errno: Int32)
    /// Retention was asked to keep fewer than one day.
    case invalidRetention(days: Int)

    public var description: String {
        switch self {
        case .cannotOpenDirectory(let path, let errno):
            return "journal directory \(path): cannot open: \(Self.text(errno))"
        case .locked(let path):
            return "journal directory lock \(path) is held by another process"
        case .cannotOpen(let file, let errno):
            return "\(file): cannot open: \(Self.text(errno))"
        case .noSpace(let file, let offset, let errno):
            return "\(file): no space to append at offset \(offset): \(Self.text(errno))"
        case .writeFailed(let file, let offset, let errno):
            return "\(file): write at offset \(offset) failed: \(Self.text(errno))"
        case .tailRepairFailed(let file, let offset, let errno):
            return "\(file): cannot truncate partial record back to offset \(offset): \(Self.text(errno))"
        case .syncFailed(let file, let errno, let tickets):
            let lost = tickets.map { ", appends #\($0.lowerBound)...#\($0.upperBound) not durable" } ?? ""
            return "\(file): fsync failed\(lost): \(Self.text(errno))"

        case .readFailed(let file, let offset, let errno):
            return "\(file): read at offset \(offset) failed: \(Self.text(errno))"
        case .notASegment(let file):
            return "\(file): not a journal segment (bad magic bytes at offset 0)"
        case .recordTooLarge(let size, let limit):
            return "record of \(size) bytes exceeds the journal's limit of \(limit) bytes"
        case .positionNotAtRecord(let file, let offset):
            return "\(file): offset \(offset) does not start a valid record"
        case .positionBeyondEnd(let file, let offset, let size):
            return "\(file): offset \(offset) is past the end of the segment (\(size) bytes)"
        case .fileOperationFailed(let operation, let file, let errno):
            return "\(file): \(operation) failed: \(Self.text(errno))"
        case .invalidRetention(let days):
            return "retention must keep at least 1 day, not \(days)"
        }
    }

    /// `strerror` text with the symbolic name for the errors a journal meets most.
    static func text(_ errno: Int32) -> String {
        let names: [Int32: String] = [ENOSPC: "ENOSPC", EDQUOT: "EDQUOT", EFBIG: "EFBIG", EIO: "EIO", EACCES: "EACCES",
                                      ENOENT: "ENOENT", EROFS: "EROFS"]
        let message = String(cString: strerror(errno))
        return names[errno].map { "\($0) (\(message))" } ?? "errno \(errno) (\(message))"
    }

    /// True for errors that mean "out of space" rather than "broken".
    static func isNoSpace(_ errno: Int32) -> Bool { errno == ENOSPC || errno == EDQUOT || errno == EFBIG }
}
