/// Binary sections of a checkpoint: fixed or varint-coded records, carried in the JSON as one base64
/// string each, so a section of a million records is one JSON value to parse, not a million.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Standard base64 (RFC 4648 §4) with `=` padding.
    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let word = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(word >> 18)], alphabet[Int(word >> 12 & 63)], alphabet[Int(word >> 6 & 63)],
                    alphabet[Int(word & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let word = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out += [alphabet[Int(word >> 18)], alphabet[Int(word >> 12 & 63)]]
            out += rest == 2 ? [alphabet[Int(word >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of standard padded base64 `text`, or why it is not that (with the character offset).
    static func decode(_ text: String) -> Result<[UInt8], CheckpointBytes.Failure> {
        var text = text
        return text.withUTF8 { input -> Result<[UInt8], CheckpointBytes.Failure> in
            guard input.count % 4 == 0 else {
                return .failure(.init("base64 length \(input.count) is not a multiple of 4"))
            }
            var out = [UInt8]()
            out.reserveCapacity(input.count / 4 * 3)
            var index = 0
            while index < input.count {
                let last = index + 4 == input.count
                let padding = last ? (input[index + 3] == UInt8(ascii: "=") ? (input[index + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
                var word: UInt32 = 0
                for offset in 0..<(4 - padding) {
                    let value = values[Int(input[index + offset])]
                    guard value != 0xFF else {
                        return .failure(.init("character \(index + offset) of the base64 text is not base64"))
                    }
                    word = word << 6 | UInt32(value)
                }
                word <<= UInt32(6 * padding)
                out.append(UInt8(word >> 16))
                if padding < 2 { out.append(UInt8(word >> 8 & 0xFF)) }
                if padding < 1 { out.append(UInt8(word & 0xFF)) }
                index += 4
            }
            return .success(out)
        }
    }
}

/// Writing and reading the records of a binary checkpoint section.
enum CheckpointBytes {
    /// Why a binary section could not be read.
    struct Failure: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    struct Writer {
        private(set) var bytes: [UInt8] = []

        init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

        mutating func word(_ value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func digest(_ digest: IDDigest) {
            word(digest.low)
            word(digest.high)
        }

        mutating func instant(_ instant: Instant) { word(UInt64(bitPattern: instant.milliseconds)) }

        mutating func byte(_ value: UInt8) { bytes.append(value) }

        /// LEB128: 7 bits a byte, low bits first, the high bit set on every byte but the last.
        mutating func varint(_ value: UInt32) {
            var rest = value
            while rest >= 0x80 {
                bytes.append(UInt8(rest & 0x7F) | 0x80)
                rest >>= 7
            }
            bytes.append(UInt8(rest))
        }
    }

    struct Reader {
        let bytes: [UInt8]
        private(set) var offset = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { offset == bytes.count }

        private mutating func take(_ count: Int) throws(Failure) -> Int {
            guard bytes.count - offset >= count else {
                throw Failure("truncated: \(count) more bytes needed at byte \(offset) of \(bytes.count)")
            }
            defer { offset += count }
            return offset
        }

        mutating func word() throws(Failure) -> UInt64 {
            let start = try take(8)
            return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt64.self)) }
        }

        /// A digest; the zero digest (never produced by ``IDDigest/init(_:)``) is refused.
        mutating func digest() throws(Failure) -> IDDigest {
            let at = offset
            let digest = IDDigest(low: try word(), high: try word())
            guard digest != .zero else { throw Failure("all-zero digest at byte \(at)") }
            return digest
        }

        mutating func instant() throws(Failure) -> Instant { Instant(milliseconds: Int64(bitPattern: try word())) }

        mutating func byte() throws(Failure) -> UInt8 { bytes[try take(1)] }

        mutating func varint() throws(Failure) -> UInt32 {
            let start = offset
            var value: UInt32 = 0
            var shift: UInt32 = 0
            while true {
                let byte = try byte()
                guard shift < 32, shift < 28 || byte & 0x7F < 0x10 else {
                    throw Failure("varint at byte \(start) is beyond 32 bits")
                }
                value |= UInt32(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
    }
}

extension CheckpointNode {
    /// The bytes of a base64 string value.
    func base64Bytes() throws(CheckpointError) -> [UInt8] {
        switch Base64.decode(try string()) {
        case .success(let bytes): return bytes
        case .failure(let failure): throw error(.invalidValue, failure.message)
        }
    }

    /// Reads every record of this base64 section with `record`; a truncated or malformed record
    /// becomes an error naming the record's number and what was wrong.
    func records(
        _ record: (inout CheckpointBytes.Reader) throws(CheckpointBytes.Failure) -> Void
    ) throws(CheckpointError) {
        try records(of: try base64Bytes(), record)
    }

    /// Like ``records(_:)`` on `bytes`, this value already decoded.
    func records(
        of bytes: [UInt8], _ record: (inout CheckpointBytes.Reader) throws(CheckpointBytes.Failure) -> Void
    ) throws(CheckpointError) {
        var reader = CheckpointBytes.Reader(bytes)
        var number = 0
        while !reader.isAtEnd {
            do {
                try record(&reader)
            } catch {
                throw self.error(.invalidValue, "record \(number): \(error.message)")
            }
            number += 1
        }
    }
}
