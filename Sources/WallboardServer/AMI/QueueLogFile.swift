import AMIAdapter
import Glibc
import Logging
import WallboardCore

/// Reads the part of Asterisk's `queue_log` a gap needs (docs/asterisk.md, "queue_log"): the file is only
/// read, never written or locked. The first line at or after the gap's start is found by a binary search over
/// the file (lines are in time order), so a long log costs a few small reads before it; from there the lines
/// up to the file's size at the start of the read are parsed in 64 KiB chunks (a last line without its
/// newline is being written and is left out), at most ``maximumBytes`` of them.
public enum QueueLogFile {
    /// What one read found.
    public struct Reading: Sendable {
        public var records: [QueueLogRecord] = []
        public var problems: [QueueLogProblem] = []
        public var problemCount = 0
        public var recordsDropped = 0
        /// Where the parsed part starts: line numbers in problems count from here.
        public var startOffset: Int64 = 0
        public var bytesRead: Int64 = 0
        /// More than ``maximumBytes`` followed the start: the newest lines were not read.
        public var truncated = false
        /// The file's first line is after `since`: it was rotated during the gap (the older part is in
        /// `queue_log.1` or similar, which is not read).
        public var startsAfterGap = false

        /// A problem as the log says it: line numbers count from the file's start, or from ``startOffset``.
        public func describe(_ problem: QueueLogProblem) -> String {
            startOffset == 0 ? problem.description : "queue_log line \(problem.line) counted from byte \(startOffset): \(problem.message)"
        }
    }

    /// Most bytes parsed per read (a busy center writes about 10 MB a day).
    public static let maximumBytes: Int64 = 64 * 1024 * 1024
    /// Lines may be out of order by a second or so (threads): the search aims this much before `since`.
    static let searchMargin: Millis = .seconds(60)
    static let chunk = 64 * 1024

    /// Reads `path` from the lines stamped at or after `since`. Throws a sentence naming the file and the
    /// reason when it cannot be opened or read.
    public static func read(
        path: String, since: Instant, limits: QueueLogParser.Limits = .init(), maximumBytes: Int64 = maximumBytes
    ) throws(QueueLogFileError) -> Reading {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw QueueLogFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw QueueLogFileError(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw QueueLogFileError(path: path, reason: "not a regular file") }
        let size = Int64(info.st_size)
        let file = Handle(fd: fd, size: size, maximumLine: limits.maximumLineBytes)

        var reading = Reading()
        if let first = try file.epoch(at: 0, path: path), first > since { reading.startsAfterGap = true }
        let start = try file.firstLine(atOrAfter: since.advanced(by: -searchMargin), path: path)
        reading.startOffset = start
        var parser = QueueLogParser(since: since, limits: limits)
        var offset = start
        while offset < size {
            if offset - start >= maximumBytes {
                reading.truncated = true
                break
            }
            let count = Int(min(Int64(chunk), size - offset, maximumBytes - (offset - start)))
            let bytes = try file.bytes(at: offset, count: count, path: path)
            if bytes.isEmpty { break }
            parser.feed(bytes)
            offset += Int64(bytes.count)
        }
        reading.bytesRead = offset - start
        reading.records = parser.records
        reading.problems = parser.problems
        reading.problemCount = parser.problemCount
        reading.recordsDropped = parser.recordsDropped
        return reading
    }

    /// Reads the lines a (re)connect needs and logs what was read; an unreadable file is logged and read as
    /// empty (the resync then expires what it cannot explain, as without a `queue_log`).
    public static func readForGap(path: String, since: Instant, logger: Logger) -> [QueueLogRecord] {
        let reading: Reading
        do {
            reading = try read(path: path, since: since)
        } catch {
            logger.error("queue_log unreadable: contacts that ended while away are closed as expired", metadata: ["ami.queue_log": "\(error)"])
            return []
        }
        for problem in reading.problems.prefix(10) {
            logger.notice("queue_log line skipped", metadata: ["ami.queue_log": "\(reading.describe(problem))"])
        }
        if reading.startsAfterGap {
            logger.warning(
                "queue_log starts after the gap began (rotated meanwhile?): calls logged only in the older file are not filled",
                metadata: ["ami.queue_log_path": "\(path)"])
        }
        if reading.truncated || reading.recordsDropped > 0 {
            logger.warning(
                "queue_log gap too long to read whole: later calls of the gap are not filled",
                metadata: ["ami.queue_log_path": "\(path)", "bytes": "\(reading.bytesRead)", "records": "\(reading.records.count)"])
        }
        logger.info(
            "queue_log read for the gap",
            metadata: [
                "ami.queue_log_path": "\(path)", "since": "\(RFC3339.format(since))", "records": "\(reading.records.count)",
                "problems": "\(reading.problemCount)", "bytes": "\(reading.bytesRead)",
            ])
        return reading.records
    }

    /// Positional reads of an open file.
    struct Handle {
        var fd: Int32
        var size: Int64
        var maximumLine: Int

        func bytes(at offset: Int64, count: Int, path: String) throws(QueueLogFileError) -> [UInt8] {
            guard count > 0, offset < size else { return [] }
            var buffer = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let result = buffer.withUnsafeMutableBytes { raw in
                    pread(fd, raw.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                }
                if result < 0, errno == EINTR { continue }
                guard result >= 0 else { throw QueueLogFileError(path: path, reason: String(cString: strerror(errno))) }
                if result == 0 { break }
                filled += result
            }
            buffer.removeLast(count - filled)
            return buffer
        }

        /// The epoch of the line starting at `offset`; `nil` when it does not start with one.
        func epoch(at offset: Int64, path: String) throws(QueueLogFileError) -> Instant? {
            let head = try bytes(at: offset, count: 40, path: path)
            guard let bar = head.firstIndex(of: 0x7C) else { return nil }
            return OutsideNumber.epochSeconds(String(decoding: head[..<bar], as: UTF8.self))
        }

        /// The start of the first line that starts at or after `offset`, or `size`.
        func lineStart(atOrAfter offset: Int64, path: String) throws(QueueLogFileError) -> Int64 {
            if offset <= 0 { return 0 }
            var position = offset - 1
            while position < size {
                let window = try bytes(at: position, count: 4096, path: path)
                if let newline = window.firstIndex(of: 0x0A) { return position + Int64(newline) + 1 }
                if window.isEmpty { break }
                position += Int64(window.count)
            }
            return size
        }

        /// A line start at or before the first line stamped at or after `since` (binary search; a line
        /// without a usable time never lets the search skip past it).
        func firstLine(atOrAfter since: Instant, path: String) throws(QueueLogFileError) -> Int64 {
            var low: Int64 = 0
            var high = size
            while high - low > Int64(QueueLogFile.chunk) {
                let middle = low + (high - low) / 2
                let start = try lineStart(atOrAfter: middle, path: path)
                guard start < high else {
                    high = middle
                    continue
                }
                if let time = try epoch(at: start, path: path), time < since { low = start } else { high = start }
            }
            return low
        }
    }
}

/// The `queue_log` could not be opened or read.
public struct QueueLogFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot read queue_log \(path): \(reason)" }
}
