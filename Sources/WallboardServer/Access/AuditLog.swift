import Dispatch
import Foundation
import JSONC
import JSONModel
import Logging
import WallboardCore

/// Appends one JSON line per lookup or acknowledgement to `<directory>/audit-YYYY-MM-DD.jsonl`
/// (a new file each UTC day), on its own serial queue so the lws thread never waits on the disk.
/// Each line is flushed to the OS as it is written. With no directory, lines go to the log only.
public final class AuditLog: @unchecked Sendable {
    // @unchecked: `file` and `fileDay` are confined to `queue`.

    /// One audited action.
    public struct Entry: Sendable {
        public var at: Instant
        /// The token's name and role.
        public var who: String
        public var role: AccessRole
        /// What was done, e.g. `interactions.lookup`, `agent.interaction`, `alert.ack`.
        public var action: String
        /// The client's address.
        public var peer: String
        /// The query or target (e.g. `{"agent": "1001"}`).
        public var query: JSONObject
        /// How many records the answer held (interactions found; 1 for an ack).
        public var resultCount: Int
        /// The HTTP status answered.
        public var status: Int

        public init(at: Instant, who: String, role: AccessRole, action: String, peer: String, query: JSONObject,
                    resultCount: Int, status: Int)
        {
            self.at = at
            self.who = who
            self.role = role
            self.action = action
            self.peer = peer
            self.query = query
            self.resultCount = resultCount
            self.status = status
        }

        /// The JSON line (without the newline).
        public var jsonLine: String {
            JSONC.encode([
                "ts": .string(RFC3339.format(at)), "who": .string(who), "role": .string(role.rawValue),
                "action": .string(action), "peer": .string(peer), "query": .object(query),
                "result_count": .int(resultCount), "status": .int(status),
            ])
        }
    }

    public let directory: String?
    private let logger: Logger
    private let queue = DispatchQueue(label: "wallboardd.audit")
    private var file: UnsafeMutablePointer<FILE>?
    private var fileDay = ""

    /// - Parameter directory: where the daily files go (created when missing), or `nil` for the log only.
    public init(directory: String?, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    deinit { if let file { fclose(file) } }

    /// The file name for the UTC day of `instant`: `audit-2024-05-01.jsonl`.
    public static func fileName(for instant: Instant) -> String {
        "audit-\(RFC3339.format(instant).prefix(10)).jsonl"
    }

    /// Queues `entry` for writing; returns at once.
    public func record(_ entry: Entry) {
        queue.async { [self] in write(entry) }
    }

    /// Waits until every entry recorded so far is written (tests, shutdown).
    public func flush() { queue.sync {} }

    private func write(_ entry: Entry) {
        dispatchPrecondition(condition: .onQueue(queue))
        let line = entry.jsonLine
        logger.notice(
            "audit", metadata: ["audit.who": "\(entry.who)", "audit.action": "\(entry.action)", "audit.peer": "\(entry.peer)",
                                "audit.results": "\(entry.resultCount)"])
        guard let directory else { return }
        let day = Self.fileName(for: entry.at)
        if day != fileDay || file == nil {
            if let file { fclose(file) }
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            file = fopen(directory + "/" + day, "a")
            fileDay = day
            if file == nil {
                logger.error("audit file cannot be opened", metadata: ["audit.file": "\(directory)/\(day)", "errno": "\(errno)"])
                return
            }
        }
        guard let file else { return }
        let bytes = Array((line + "\n").utf8)
        if fwrite(bytes, 1, bytes.count, file) != bytes.count || fflush(file) != 0 {
            logger.error("audit line not written", metadata: ["audit.file": "\(directory)/\(day)", "errno": "\(errno)"])
        }
    }
}
