/// The on-disk layout of segments and checkpoints. All integers are little-endian.
///
/// Segment `journal-YYYY-MM-DD.wbj`:
/// ```
/// offset 0   8 bytes  file magic "WBJRNL01"
/// offset 8   records, back to back, each:
///            +0  4 bytes  record magic FF 57 42 52 (0xFF, "WBR"; 0xFF never occurs in UTF-8 text)
///            +4  u32      payload length (at most `maxPayload`)
///            +8  u32      CRC-32C of the payload
///            +12 u32      CRC-32C of bytes +0..<+12 (so a damaged length is caught, not trusted)
///            +16 payload
/// ```
/// Checkpoint `checkpoint-YYYY-MM-DD.wbc` (written as `.tmp`, fsynced, renamed, directory fsynced):
/// ```
/// offset 0   8 bytes  "WBJCKP01"
/// offset 8   10 bytes journal position's day key, ASCII, then 2 zero bytes
/// offset 20  u64      journal position's offset
/// offset 28  u64      payload length
/// offset 36  u32      CRC-32C of the payload
/// offset 40  u32      CRC-32C of bytes 0..<40
/// offset 44  payload
/// ```
enum SegmentFormat {
    static let fileMagic: [UInt8] = Array("WBJRNL01".utf8)
    static let headerSize: UInt64 = 8
    static let recordMagic: [UInt8] = [0xFF, 0x57, 0x42, 0x52]
    static let frameHeaderSize = 16
    /// 16 MiB: far above any event, low enough that a damaged length can't make a reader allocate wildly.
    static let maxPayload = 16 << 20

    static let checkpointMagic: [UInt8] = Array("WBJCKP01".utf8)
    static let checkpointHeaderSize = 44

    static func fileName(for day: JournalDay) -> String { "journal-\(day.key).wbj" }
    static func checkpointName(for day: JournalDay) -> String { "checkpoint-\(day.key).wbc" }

    /// The day of a segment file name, or `nil` if the name is not one.
    static func segmentDay(_ name: String) -> JournalDay? { day(in: name, prefix: "journal-", suffix: ".wbj") }
    static func checkpointDay(_ name: String) -> JournalDay? { day(in: name, prefix: "checkpoint-", suffix: ".wbc") }

    private static func day(in name: String, prefix: String, suffix: String) -> JournalDay? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count == prefix.count + 10 + suffix.count
        else { return nil }
        return JournalDay(String(name.dropFirst(prefix.count).prefix(10)))
    }

    /// A complete record frame for `payload`.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = []
        appendFrame(payload, to: &frame)
        return frame
    }

    /// Appends the record frame of `payload` to `bytes` (a batch of frames is written with one `pwrite`).
    static func appendFrame(_ payload: [UInt8], to bytes: inout [UInt8]) {
        let headerStart = bytes.count
        bytes.reserveCapacity(headerStart + frameHeaderSize + payload.count)
        bytes.append(contentsOf: recordMagic)
        appendLE(UInt32(payload.count), to: &bytes)
        appendLE(CRC32C.checksum(payload), to: &bytes)
        let headerCRC = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[headerStart...])) }
        appendLE(headerCRC, to: &bytes)
        bytes.append(contentsOf: payload)
    }

    /// What a 16-byte frame header says.
    enum HeaderCheck: Equatable {
        case valid(length: Int, payloadCRC: UInt32)
        case invalid(reason: String)
    }

    static func checkHeader<C: Collection>(_ header: C) -> HeaderCheck where C.Element == UInt8, C.Index == Int {
        let bytes = Array(header)
        guard bytes.count == frameHeaderSize else { return .invalid(reason: "short header") }
        guard Array(bytes[0..<4]) == recordMagic else { return .invalid(reason: "bad record magic") }
        guard readLE32(bytes, at: 12) == CRC32C.checksum(bytes[0..<12]) else {
            return .invalid(reason: "header checksum mismatch")
        }
        let length = Int(readLE32(bytes, at: 4))
        guard length <= maxPayload else { return .invalid(reason: "length \(length) over limit") }
        return .valid(length: length, payloadCRC: readLE32(bytes, at: 8))
    }

    static func appendLE(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func appendLE(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func readLE32(_ bytes: [UInt8], at index: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[index + $1]) << UInt32(8 * $1) }
    }

    static func readLE64(_ bytes: [UInt8], at index: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[index + $1]) << UInt64(8 * $1) }
    }
}
