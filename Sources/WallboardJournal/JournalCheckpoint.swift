import Glibc

/// A checkpoint: the server's serialized engine state (opaque here) and the journal position to replay
/// from to bring that state up to date.
public struct JournalCheckpoint: Sendable, Equatable {
    /// The engine state, exactly as written.
    public let payload: [UInt8]
    /// The first record the state does not include: pass it to `replay(from:)`.
    public let position: JournalPosition
    /// The checkpoint file.
    public let file: String

    struct Failure: Error {
        let text: String
    }

    /// The checkpoint file's bytes (see `SegmentFormat`).
    static func encode(payload: [UInt8], position: JournalPosition) -> [UInt8] {
        var bytes = SegmentFormat.checkpointMagic
        bytes += Array(position.day.key.utf8) + [0, 0]
        SegmentFormat.appendLE(position.offset, to: &bytes)
        SegmentFormat.appendLE(UInt64(payload.count), to: &bytes)
        SegmentFormat.appendLE(CRC32C.checksum(payload), to: &bytes)
        SegmentFormat.appendLE(CRC32C.checksum(bytes), to: &bytes)
        return bytes + payload
    }

    static func read(from path: String) -> Result<JournalCheckpoint, Failure> {
        let bytes: [UInt8]
        do {
            let file = try JournalFile.open(path, flags: O_RDONLY)
            defer { file.close() }
            bytes = try file.read(count: Int(try file.size()), at: 0)
        } catch {
            return .failure(Failure(text: error.description))
        }
        let headerSize = SegmentFormat.checkpointHeaderSize
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == SegmentFormat.checkpointMagic else {
            return .failure(Failure(text: "not a checkpoint (bad magic or short header)"))
        }
        guard SegmentFormat.readLE32(bytes, at: 40) == CRC32C.checksum(bytes[0..<40]) else {
            return .failure(Failure(text: "header checksum mismatch"))
        }
        guard let day = JournalDay(String(decoding: bytes[8..<18], as: UTF8.self)) else {
            return .failure(Failure(text: "bad day key"))
        }
        let length = SegmentFormat.readLE64(bytes, at: 28)
        guard UInt64(bytes.count - headerSize) == length else {
            return .failure(Failure(text: "payload is \(bytes.count - headerSize) bytes, header says \(length)"))
        }
        let payload = Array(bytes[headerSize...])
        guard CRC32C.checksum(payload) == SegmentFormat.readLE32(bytes, at: 36) else {
            return .failure(Failure(text: "payload checksum mismatch"))
        }
        let position = JournalPosition(day: day, offset: SegmentFormat.readLE64(bytes, at: 20))
        return .success(JournalCheckpoint(payload: payload, position: position, file: path))
    }
}
