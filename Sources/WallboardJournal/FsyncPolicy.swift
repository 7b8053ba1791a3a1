/// When an append reaches stable storage.
public enum FsyncPolicy: Sendable, Equatable {
    /// `fdatasync` inside every `append`: when `append` returns, the record survives a power loss.
    case always
    /// Group commit: `append` only writes; the server calls `sync()` every `milliseconds` (on a timer on its
    /// engine queue) and acknowledges the appends whose tickets `sync()` reports durable.
    case batched(milliseconds: Int)
    /// No fsync: the kernel writes back when it likes. A returned append survives a crash or `kill -9` of
    /// the daemon (it is in the page cache), not a power loss or kernel crash.
    case os
}

/// Names one append, in order: tickets grow by one per successful append for the life of an `EventJournal`.
public struct AppendTicket: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    public static func < (lhs: AppendTicket, rhs: AppendTicket) -> Bool { lhs.value < rhs.value }
    public var description: String { "#\(value)" }
}

/// What an append did.
public struct AppendResult: Sendable, Equatable {
    public let ticket: AppendTicket
    /// Where the record starts.
    public let position: JournalPosition
    /// Where the next record will start (checkpoint this after applying the event).
    public let next: JournalPosition
    /// True if the record is already fsynced (`.always`). Under `.batched` it is false until a `sync()`
    /// returns a ticket at or after this one; under `.os` it stays false (acknowledge at once).
    public let isDurable: Bool
    /// True if the sender may be answered now: `.always` and `.os`. Under `.batched`, answer after `sync()`.
    public let canAcknowledge: Bool
}
