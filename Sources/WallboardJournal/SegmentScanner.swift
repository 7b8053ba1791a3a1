/// Reads one segment file front to back in 1 MiB chunks, checking every frame.
///
/// Rules (see `SegmentFormat`):
/// - a frame whose header and payload checksums hold is a record;
/// - bytes that are not a valid frame are skipped up to the next valid frame (found by its magic and both
///   checksums) and reported as `corruptRegion`;
/// - bad bytes with no valid frame after them, up to the end of the file, are a torn tail: the last write
///   was cut short. `validEnd` is then where that write began, and the writer truncates the file there.
///
/// Never changes the file; used by readers and, before it truncates, by the writer.
struct SegmentScanner {
    let file: JournalFile
    let size: UInt64
    private var buffer: [UInt8] = []
    private var bufferStart: UInt64 = 0
    private static let chunk = 1 << 20

    init(file: JournalFile) throws(JournalError) {
        self.file = file
        self.size = try file.size()
    }

    /// What a scan found.
    struct Outcome {
        /// Offset just past the last valid record (or the header): where the next append belongs.
        var validEnd: UInt64
        var records = 0
        var firstRecord: UInt64?
        var lastRecord: UInt64?
        var corruptions: [JournalIssue] = []
        /// A torn tail at `offset` of `length` bytes, if any.
        var tornTail: (offset: UInt64, length: UInt64)?
        /// The file has no (complete) header yet: a crash hit its creation.
        var headerMissing = false
    }

    /// Scans from `start` (0 or a record boundary) to the end, calling `body` for each record in order.
    mutating func scan(
        from start: UInt64 = 0,
        _ body: (_ offset: UInt64, _ payload: [UInt8], _ next: UInt64) throws -> Void = { _, _, _ in }
    ) throws -> Outcome {
        let header = try bytes(at: 0, count: Int(SegmentFormat.headerSize))
        if header != SegmentFormat.fileMagic {
            let isPrefix = header.count < SegmentFormat.fileMagic.count && Array(SegmentFormat.fileMagic.prefix(header.count)) == header
            guard isPrefix || header.allSatisfy({ $0 == 0 }) else { throw JournalError.notASegment(file: file.path) }
            var outcome = Outcome(validEnd: 0, headerMissing: true)
            if size > 0 { outcome.tornTail = (0, size) }
            return outcome
        }
        var offset = max(start, SegmentFormat.headerSize)
        if offset > size { throw JournalError.positionBeyondEnd(file: file.path, offset: offset, size: size) }
        if offset > SegmentFormat.headerSize, offset < size, try frame(at: offset) == nil {
            throw JournalError.positionNotAtRecord(file: file.path, offset: offset)
        }
        var outcome = Outcome(validEnd: offset)
        while offset < size {
            if let (payload, next) = try frame(at: offset) {
                try body(offset, payload, next)
                outcome.records += 1
                if outcome.firstRecord == nil { outcome.firstRecord = offset }
                outcome.lastRecord = offset
                outcome.validEnd = next
                offset = next
                continue
            }
            let reason = try damage(at: offset)
            guard let resume = try nextValidFrame(after: offset) else {
                outcome.tornTail = (offset, size - offset)
                break
            }
            outcome.corruptions.append(
                .corruptRegion(file: file.path, offset: offset, length: resume - offset, reason: reason))
            offset = resume
        }
        return outcome
    }

    /// The payload and next offset of a valid frame at `offset`, or `nil`.
    private mutating func frame(at offset: UInt64) throws -> ([UInt8], UInt64)? {
        let header = try bytes(at: offset, count: SegmentFormat.frameHeaderSize)
        guard case .valid(let length, let crc) = SegmentFormat.checkHeader(header) else { return nil }
        let start = offset + UInt64(SegmentFormat.frameHeaderSize)
        guard start + UInt64(length) <= size else { return nil }
        let payload = try bytes(at: start, count: length)
        guard CRC32C.checksum(payload) == crc else { return nil }
        return (payload, start + UInt64(length))
    }

    /// Why the bytes at `offset` are not a valid frame.
    private mutating func damage(at offset: UInt64) throws -> String {
        let header = try bytes(at: offset, count: SegmentFormat.frameHeaderSize)
        switch SegmentFormat.checkHeader(header) {
        case .invalid(let reason): return reason
        case .valid(let length, _):
            let end = offset + UInt64(SegmentFormat.frameHeaderSize) + UInt64(length)
            return end > size ? "record runs past end of file" : "payload checksum mismatch"
        }
    }

    /// The offset of the first valid frame after `offset`, found by scanning for the record magic.
    private mutating func nextValidFrame(after offset: UInt64) throws -> UInt64? {
        var candidate = offset + 1
        while candidate + UInt64(SegmentFormat.frameHeaderSize) <= size {
            let window = try bytes(at: candidate, count: Self.chunk)
            guard let index = window.firstIndex(of: SegmentFormat.recordMagic[0]) else {
                candidate += UInt64(window.count)
                continue
            }
            let position = candidate + UInt64(index)
            if try frame(at: position) != nil { return position }
            candidate = position + 1
        }
        return nil
    }

    /// Up to `count` bytes at `offset` (fewer at end of file), served from the current chunk when possible.
    private mutating func bytes(at offset: UInt64, count: Int) throws(JournalError) -> [UInt8] {
        let end = min(offset + UInt64(count), size)
        guard offset < end else { return [] }
        if offset < bufferStart || end > bufferStart + UInt64(buffer.count) {
            buffer = try file.read(count: max(count, Self.chunk), at: offset)
            bufferStart = offset
        }
        let low = Int(offset - bufferStart)
        return Array(buffer[low..<low + Int(end - offset)])
    }
}
