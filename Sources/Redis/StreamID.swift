/// A Redis stream entry id, `<milliseconds>-<sequence>`: the time (Unix milliseconds) at which the
/// entry was added by the server that added it, and a sequence within that millisecond. Ordered as
/// the stream orders entries.
public struct StreamID: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var milliseconds: UInt64
    public var sequence: UInt64

    public init(milliseconds: UInt64, sequence: UInt64 = 0) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// The id before everything: `0-0` (`XREAD` after it reads from the stream's start).
    public static let zero = StreamID(milliseconds: 0)

    /// Parses `MS-SEQ` (both decimal, no sign, no spaces) or `MS` (sequence 0). Rejects anything else,
    /// including numbers past `UInt64`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let milliseconds = Self.decimal(first) else { return nil }
        if parts.count == 2 {
            guard let sequence = Self.decimal(parts[1]) else { return nil }
            self.init(milliseconds: milliseconds, sequence: sequence)
        } else {
            self.init(milliseconds: milliseconds)
        }
    }

    public var description: String { "\(milliseconds)-\(sequence)" }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }

    private static func decimal(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.count <= 20, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text)
    }
}

/// One stream entry: its id and its field/value pairs in the order they were added.
public struct StreamEntry: Equatable, Sendable {
    public var id: StreamID
    public var fields: [(name: String, value: [UInt8])]

    public init(id: StreamID, fields: [(name: String, value: [UInt8])]) {
        self.id = id
        self.fields = fields
    }

    /// The value of the first field called `name`.
    public func value(_ name: String) -> [UInt8]? { fields.first { $0.name == name }?.value }

    public static func == (lhs: StreamEntry, rhs: StreamEntry) -> Bool {
        lhs.id == rhs.id && lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
