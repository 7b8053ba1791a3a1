import Glibc

/// One segment's figures, for `wallboardctl journal stats`.
public struct SegmentStats: Sendable, Equatable {
    public let day: JournalDay
    public let file: String
    public let bytes: UInt64
    public let records: Int
    /// Positions of the first and last record (`nil` if the segment has none).
    public let first: JournalPosition?
    public let last: JournalPosition?
    /// Torn tails and corrupt regions (`verify()` lists them).
    public let issues: Int
}

/// The whole journal's figures.
public struct JournalStats: Sendable, Equatable {
    public let segments: [SegmentStats]
    /// Days with a checkpoint, oldest first.
    public let checkpoints: [JournalDay]
    public var totalBytes: UInt64 { segments.reduce(0) { $0 + $1.bytes } }
    public var totalRecords: Int { segments.reduce(0) { $0 + $1.records } }
    public var first: JournalPosition? { segments.lazy.compactMap(\.first).first }
    public var last: JournalPosition? { segments.reversed().lazy.compactMap(\.last).first }
}

/// What `verify()` found: every record's checksums checked, every checkpoint read back.
public struct JournalVerification: Sendable, Equatable {
    public var segments = 0
    public var records = 0
    public var checkpoints = 0
    public var issues: [JournalIssue] = []
    /// Segments that could not be read at all (not a segment, I/O error), with the error.
    public var unreadable: [String] = []
    public var isClean: Bool { issues.isEmpty && unreadable.isEmpty }
}

extension JournalDirectory {
    /// Walks every segment and counts records (checksums included).
    public func stats() throws -> JournalStats {
        var segments: [SegmentStats] = []
        for day in try segmentDays() {
            let file = try JournalFile.open(filePath(SegmentFormat.fileName(for: day)), flags: O_RDONLY)
            defer { file.close() }
            var scanner = try SegmentScanner(file: file)
            let outcome = try scanner.scan()
            segments.append(
                SegmentStats(
                    day: day, file: file.path, bytes: scanner.size, records: outcome.records,
                    first: outcome.firstRecord.map { JournalPosition(day: day, offset: $0) },
                    last: outcome.lastRecord.map { JournalPosition(day: day, offset: $0) },
                    issues: outcome.corruptions.count + (outcome.tornTail == nil ? 0 : 1)))
        }
        return JournalStats(segments: segments, checkpoints: try checkpointDays())
    }

    /// Walks every record of every segment and reads every checkpoint back, and lists every problem with
    /// its file and offset. Never changes a file.
    public func verify() throws(JournalError) -> JournalVerification {
        var result = JournalVerification()
        for day in try segmentDays() {
            let path = filePath(SegmentFormat.fileName(for: day))
            result.segments += 1
            do throws(JournalError) {
                let file = try JournalFile.open(path, flags: O_RDONLY)
                defer { file.close() }
                var scanner = try SegmentScanner(file: file)
                let outcome: SegmentScanner.Outcome
                do { outcome = try scanner.scan() } catch let error as JournalError { throw error } catch {
                    preconditionFailure("scan without a body throws only JournalError")
                }
                result.records += outcome.records
                result.issues += outcome.corruptions
                if let tail = outcome.tornTail {
                    result.issues.append(.tornTail(file: path, offset: tail.offset, length: tail.length, truncated: false))
                }
            } catch {
                result.unreadable.append(error.description)
            }
        }
        for day in try checkpointDays() {
            let path = filePath(SegmentFormat.checkpointName(for: day))
            result.checkpoints += 1
            if case .failure(let failure) = JournalCheckpoint.read(from: path) {
                result.issues.append(.badCheckpoint(file: path, reason: failure.text))
            }
        }
        return result
    }
}
