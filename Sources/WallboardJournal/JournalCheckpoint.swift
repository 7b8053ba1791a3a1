import Glibc

/// A checkpoint: the server's serialized engine state (opaque here) and the journal position to replay
/// from to bring that state up to date.
public struct JournalCheckpoint: Sendable, Equatable {
    /// The engine state, exactly as written (empty after ``takePayload(_:)``).
    public private(set) var payload: [UInt8]
    /// The first record the state does not include: pass it to `replay(from:)`.
    public let position: JournalPosition
    /// The checkpoint file.
    public let file: String

    /// Hands the payload to `body` without a copy and leaves this checkpoint's payload empty, so the
    /// bytes are freed as soon as `body` is done with them (a restore parses megabytes).
    public mutating func takePayload<T, E: Error>(_ body: (inout [UInt8]) throws(E) -> T) throws(E) -> T {
        var bytes: [UInt8] = []
        swap(&bytes, &payload)
        return try body(&bytes)
    }

    struct Failure: Error {
        let text: String
    }

    /// The checkpoint file's header (see `SegmentFormat`); the payload follows it in the file.
    static func header(payload: [UInt8], position: JournalPosition) -> [UInt8] {
        var bytes = SegmentFormat.checkpointMagic
        bytes += Array(position.day.key.utf8) + [0, 0]
        SegmentFormat.appendLE(position.offset, to: &bytes)
        SegmentFormat.appendLE(UInt64(payload.count), to: &bytes)
        SegmentFormat.appendLE(CRC32C.checksum(payload), to: &bytes)
        SegmentFormat.appendLE(CRC32C.checksum(bytes), to: &bytes)
        return bytes
    }

    /// The checkpoint file's bytes: header then payload.
    static func encode(payload: [UInt8], position: JournalPosition) -> [UInt8] {
        header(payload: payload, position: position) + payload
    }

    /// The journal position in the header of the checkpoint file at `path`, when the file exists and its
    /// header is intact (the payload is not read or checked): what the writer may skip when it looks for
    /// a torn tail, since a checkpoint is written only after the segment up to its position was synced.
    static func position(in path: String) -> JournalPosition? {
        guard let file = try? JournalFile.open(path, flags: O_RDONLY) else { return nil }
        defer { file.close() }
        guard let bytes = try? file.read(count: SegmentFormat.checkpointHeaderSize, at: 0),
            bytes.count == SegmentFormat.checkpointHeaderSize, Array(bytes[0..<8]) == SegmentFormat.checkpointMagic,
            SegmentFormat.readLE32(bytes, at: 40) == CRC32C.checksum(bytes[0..<40]),
            let day = JournalDay(String(decoding: bytes[8..<18], as: UTF8.self))
        else { return nil }
        return JournalPosition(day: day, offset: SegmentFormat.readLE64(bytes, at: 20))
    }

    /// Reads the header, then the payload straight into its own array (the file is never held twice).
    static func read(from path: String) -> Result<JournalCheckpoint, Failure> {
        let headerSize = SegmentFormat.checkpointHeaderSize
        let bytes: [UInt8]
        let payload: [UInt8]
        do {
            let file = try JournalFile.open(path, flags: O_RDONLY)
            defer { file.close() }
            let size = try file.size()
            bytes = try file.read(count: headerSize, at: 0)
            guard bytes.count == headerSize, Array(bytes[0..<8]) == SegmentFormat.checkpointMagic else {
                return .failure(Failure(text: "not a checkpoint (bad magic or short header)"))
            }
            guard SegmentFormat.readLE32(bytes, at: 40) == CRC32C.checksum(bytes[0..<40]) else {
                return .failure(Failure(text: "header checksum mismatch"))
            }
            let length = SegmentFormat.readLE64(bytes, at: 28)
            guard size - UInt64(headerSize) == length else {
                return .failure(Failure(text: "payload is \(size - UInt64(headerSize)) bytes, header says \(length)"))
            }
            payload = try file.read(count: Int(length), at: UInt64(headerSize))
        } catch {
            return .failure(Failure(text: error.description))
        }
        guard let day = JournalDay(String(decoding: bytes[8..<18], as: UTF8.self)) else {
            return .failure(Failure(text: "bad day key"))
        }
        guard UInt64(payload.count) == SegmentFormat.readLE64(bytes, at: 28) else {
            return .failure(Failure(text: "payload is \(payload.count) bytes, header says \(SegmentFormat.readLE64(bytes, at: 28))"))
        }
        guard CRC32C.checksum(payload) == SegmentFormat.readLE32(bytes, at: 36) else {
            return .failure(Failure(text: "payload checksum mismatch"))
        }
        let position = JournalPosition(day: day, offset: SegmentFormat.readLE64(bytes, at: 20))
        return .success(JournalCheckpoint(payload: payload, position: position, file: path))
    }
}
