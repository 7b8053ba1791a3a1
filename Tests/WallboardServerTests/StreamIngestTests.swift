import Foundation
import Glibc
import JSONC
import JSONModel
import Logging
import Synchronization
import Testing
import WallboardCore
@testable import WallboardServer

/// The NDJSON stream ingest over TCP and a Unix socket, against a real EngineService.
@Suite struct StreamIngestTests {
    static let login = #"{"id":"e1","ts":"2026-11-23T09:00:00.000Z","type":"agent.login","agent":"a1","name":"Alice","queues":["sales"]}"#
    static let queued = #"{"id":"e2","ts":"2026-11-23T09:00:05.000Z","type":"contact.queued","contact":"c1","queue":"sales"}"#
    static let missingQueue = #"{"id":"e4","ts":"2026-11-23T09:00:06.000Z","type":"contact.queued","contact":"c2"}"#
    static let answered = #"{"id":"e5","ts":"2026-11-23T09:00:12.000Z","type":"contact.answered","contact":"c1","agent":"a1"}"#

    /// Valid lines, a malformed line and an invalid event in the middle, a blank keep-alive and a
    /// duplicate: each line gets its reply in order and the good lines around the bad ones are applied.
    @Test(arguments: [StreamTarget.tcp, .unix])
    func malformedLineInTheMiddleIsAnsweredAndItsNeighboursApplied(target: StreamTarget) throws {
        let harness = try StreamHarness()
        defer { harness.stop() }
        let input = [Self.login, Self.queued, #"{"id":"e3","ts": nope"#, Self.missingQueue, Self.answered, "  ", Self.login]
        let replies = try harness.exchange(target, input.joined(separator: "\n") + "\n")
        #expect(replies.count == 6)
        #expect(replies.map { $0["line"]?.integerValue ?? 0 } == [1, 2, 3, 4, 5, 7])
        #expect(replies.map { $0["status"]?.stringValue ?? "" } == ["accepted", "accepted", "rejected", "rejected", "accepted", "duplicate"])
        #expect(replies[0]["id"] == "e1")
        #expect(replies[2]["code"] == "not_an_object")
        #expect(replies[2]["reason"]?.stringValue?.isEmpty == false)
        #expect(replies[3]["code"] == "missing_field")
        #expect(replies[3]["id"] == "e4")
        #expect(replies[3]["reason"]?.stringValue?.contains("queue") == true)
        let phase = harness.read { engine, _ in engine.contacts["c1"]?.phase.rawValue }
        #expect(phase == "connected")
        try harness.poll("connection closed") { harness.server.counters.connectionsOpen == 0 }
        let counters = harness.server.counters
        #expect(counters.accepted == 3)
        #expect(counters.duplicates == 1)
        #expect(counters.rejectedByCode == ["not_an_object": 1, "missing_field": 1])
        #expect(counters.connectionsTotal == 1)
        #expect(counters.bufferedBytes == 0)
    }

    /// An over-long line (read over several chunks) is answered `line_too_long` and skipped to its
    /// newline; the lines on either side are applied.
    @Test func overLongLineIsSkippedWithoutLosingSync() throws {
        let harness = try StreamHarness {
            $0.maxLineBytes = 1024
            $0.readChunkBytes = 512
        }
        defer { harness.stop() }
        let long = #"{"id":"big","ts":"2026-11-23T09:00:01.000Z","type":"agent.logout","agent":""# + String(repeating: "x", count: 5000) + #""}"#
        let replies = try harness.exchange(.tcp, [Self.login, long, Self.queued, long].joined(separator: "\n"))
        #expect(replies.map { $0["status"]?.stringValue ?? "" } == ["accepted", "rejected", "accepted", "rejected"])
        #expect(replies[1]["code"] == "line_too_long")
        #expect(replies[1]["line"] == 2)
        #expect(replies[3]["line"] == 4, "an over-long last line without a newline is answered too")
        #expect(harness.server.counters.rejectedByCode["line_too_long"] == 2)
        #expect(harness.server.counters.peakConnectionBufferedBytes <= 1024 + 512 + 512)
    }

    /// The engine's event limits apply to stream lines: an over-long field is answered `too_long` with
    /// the line's id; an id over the id limit is not quoted back. Changing the limits (as a reload does)
    /// applies to the next line.
    @Test func eventLimitsApplyToStreamLines() throws {
        let harness = try StreamHarness()
        defer { harness.stop() }
        harness.engine.eventLimits = EventLimits(maxNameBytes: 16)
        let longName = #"{"id":"n1","ts":"2026-11-23T09:00:00.000Z","type":"agent.login","agent":"a9","name":"\#(String(repeating: "n", count: 17))"}"#
        let longID = #"{"id":"\#(String(repeating: "i", count: 201))","ts":"2026-11-23T09:00:00.000Z","type":"agent.logout","agent":"a1"}"#
        let replies = try harness.exchange(.tcp, [Self.login, longName, longID].joined(separator: "\n") + "\n")
        #expect(replies.map { $0["status"]?.stringValue ?? "" } == ["accepted", "rejected", "rejected"])
        #expect(replies[1]["id"] == "n1")
        #expect(replies[1]["code"] == "too_long")
        #expect(replies[1]["reason"] == "agent.login \"name\" is 17 bytes long, over the limit of 16 bytes (limits.max_name_bytes)")
        #expect(replies[2]["id"] == nil, "an id over the id limit is not echoed")
        #expect(replies[2]["reason"]?.stringValue?.hasPrefix("agent.logout \"id\" is 201 bytes long") == true)
        #expect(harness.server.counters.rejectedByCode == ["too_long": 2])

        harness.engine.eventLimits = .standard
        let again = try harness.exchange(.tcp, longName + "\n")
        #expect(again.first?["status"] == "accepted")
    }

    /// End of input inside a line: a complete JSON object without its newline is applied, a cut one
    /// is rejected with its line number.
    @Test func endOfInputMidLine() throws {
        let harness = try StreamHarness()
        defer { harness.stop() }
        let cut = try harness.exchange(.unix, Self.login + "\n" + #"{"id":"e2","ts":"2026-11-23T09:00"#)
        #expect(cut.map { $0["status"]?.stringValue ?? "" } == ["accepted", "rejected"])
        #expect(cut[1]["line"] == 2)
        #expect(cut[1]["code"] == "not_an_object")
        let whole = try harness.exchange(.tcp, Self.queued)
        #expect(whole.map { $0["status"]?.stringValue ?? "" } == ["accepted"])
    }

    /// Long lines while the engine is busy: the server stops taking lines once their bytes in flight reach
    /// `maxBytesInFlight` (one line more at most), far below `maxLinesInFlight`; once the engine answers,
    /// every line is answered in order.
    @Test func linesInFlightAreBoundedByTheirBytes() throws {
        let budget = 65536
        let harness = try StreamHarness {
            $0.maxLinesInFlight = 10_000
            $0.maxBytesInFlight = budget
        }
        defer { harness.stop() }
        let release = DispatchSemaphore(value: 0)
        harness.engine.queue.async { _ = release.wait(timeout: .now() + 20) }  // the engine is busy meanwhile
        let pad = String(repeating: "p", count: 4000)
        let lines = (0..<100).map {
            #"{"id":"b\#($0)","ts":"2026-11-23T09:00:00.000Z","type":"agent.logout","agent":"nobody","pad":"\#(pad)"}"#
        }
        let lineBytes = lines[0].utf8.count
        let client = try StreamClient(.tcp, harness: harness)
        defer { client.close() }
        var sent = 0
        for line in lines {
            guard try client.sendNonBlocking(Array((line + "\n").utf8), waitMilliseconds: 200) else { break }
            sent += 1
        }
        try harness.poll("reading paused") { harness.server.counters.connectionsPaused == 1 }
        let taken = harness.server.counters.lines
        #expect(taken <= budget / lineBytes + 1, "took \(taken) lines of \(lineBytes) bytes with a \(budget)-byte budget")
        #expect(taken >= budget / lineBytes)
        #expect(harness.server.counters.peakConnectionBufferedBytes <= budget + 2 * lineBytes + 64 * 1024)
        release.signal()
        for line in lines[sent...] { try client.sendAll(Array((line + "\n").utf8)) }
        let replies = try client.finishAndReadReplies()
        #expect(replies.count == lines.count)
        #expect(replies.last?["line"]?.integerValue == Int64(lines.count))
        #expect(replies.allSatisfy { $0["code"] == "unknown_agent" })
    }

    /// A client that sends fast and never reads its replies: the server stops reading it (the
    /// client's writes block) and its buffers stay within the configured bounds; once the client reads,
    /// every line is answered.
    @Test func clientThatNeverReadsRepliesIsThrottled() throws {
        let limits = (lines: 8, replies: 4096, chunk: 4096, line: 1024)
        let harness = try StreamHarness {
            $0.maxLinesInFlight = limits.lines
            $0.maxReplyBufferBytes = limits.replies
            $0.readChunkBytes = limits.chunk
            $0.maxLineBytes = limits.line
        }
        defer { harness.stop() }
        let client = try StreamClient(.tcp, harness: harness, bufferBytes: 16 * 1024)
        defer { client.close() }
        // Unique ids keep the engine busy with real work; a duplicate id would do as well.
        var sent = 0
        var blocked = false
        while sent < 2_000_000, !blocked {
            let line = #"{"id":"t\#(sent)","ts":"2026-11-23T09:00:00.000Z","type":"agent.logout","agent":"nobody"}"# + "\n"
            blocked = try !client.sendNonBlocking(Array(line.utf8), waitMilliseconds: 300)
            if !blocked { sent += 1 }
        }
        #expect(blocked, "the server kept reading a client that never reads its replies")
        try harness.poll("reading paused") { harness.server.counters.connectionsPaused == 1 }
        let counters = harness.server.counters
        #expect(counters.readPauses >= 1)
        #expect(counters.lines < sent)
        let bound = limits.line + limits.chunk + limits.replies + limits.lines * 200
        #expect(counters.peakConnectionBufferedBytes <= bound, "peak \(counters.peakConnectionBufferedBytes) > \(bound)")
        #expect(counters.bufferedBytes <= bound)
        // Now the client reads: every line sent is answered, in order.
        let replies = try client.finishAndReadReplies()
        #expect(replies.count == sent)
        #expect(replies.last?["line"]?.integerValue == Int64(sent))
        #expect(replies.allSatisfy { $0["code"] == "unknown_agent" })
    }

    /// Batches go to the engine while earlier ones still wait for their group commit: a second line,
    /// read after the first was applied, is applied too though the first is not yet durable (here the
    /// commit never comes before the end). One batch in flight per connection used to hold it back.
    @Test func batchesAreNotHeldBackByAnEarlierOneWaitingForItsCommit() throws {
        let folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("sj-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let harness = try StreamHarness(journal: .init(directory: folder.path, policy: .batched(milliseconds: 600_000))) {
            $0.drainTimeoutMilliseconds = 100
        }
        defer { harness.stop() }
        let client = try StreamClient(.tcp, harness: harness)
        defer { client.close() }
        try client.sendAll(Array((Self.login + "\n").utf8))
        try harness.poll("the first line applied") { harness.read { engine, _ in engine.agents["a1"] != nil } }
        try client.sendAll(Array((Self.queued + "\n").utf8))
        try harness.poll("the second line applied while the first waits for its commit") {
            harness.read { engine, _ in engine.contacts["c1"] != nil }
        }
        #expect(harness.server.counters.accepted == 0, "nothing is answered before the commit")
    }

    /// 50 clients at once, each with its own events: all applied, all connections counted and closed.
    @Test func manyConcurrentConnections() throws {
        let harness = try StreamHarness()
        defer { harness.stop() }
        let results = Mutex<[Int: [JSONValue]]>([:])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 50) { client in
            let lines = (0..<20).map { index in
                #"{"id":"k\#(client)-\#(index)","ts":"2026-11-23T09:00:00.000Z","type":"agent.login","agent":"a\#(client)-\#(index)"}"#
            }
            do {
                let replies = try harness.exchange(client % 2 == 0 ? .tcp : .unix, lines.joined(separator: "\n") + "\n")
                results.withLock { $0[client] = replies }
            } catch {
                failures.withLock { $0.append("\(client): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let all = results.withLock { $0 }
        #expect(all.count == 50)
        #expect(all.values.allSatisfy { $0.count == 20 && $0.allSatisfy { $0["status"] == "accepted" } })
        #expect(harness.read { engine, _ in engine.agents.count } == 1000)
        try harness.poll("all closed") { harness.server.counters.connectionsOpen == 0 }
        #expect(harness.server.counters.connectionsTotal == 50)
        #expect(harness.server.counters.accepted == 1000)
    }

    /// The Unix socket file: a stale one is replaced, the new one has mode 0660, a live one is
    /// refused, and stop removes it.
    @Test func unixSocketFileLifecycle() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("si-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ingest.sock").path
        // A stale socket: bound, then its process "died" (closed without unlink).
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try StreamClient.withUnixAddress(path) { #expect(bind(stale, $0, $1) == 0) }
        Glibc.close(stale)
        let harness = try StreamHarness(unixPath: path)
        var status = stat()
        #expect(lstat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o660)
        let second = StreamIngestServer(
            configuration: StreamIngestConfiguration(unixPath: path), engine: harness.engine, logger: Logger(label: "t"))
        #expect(throws: StreamIngestError.unixPathInUse(path: path)) { try second.start() }
        let replies = try harness.exchange(.unix, Self.login + "\n")
        #expect(replies.first?["status"] == "accepted")
        harness.stop()
        #expect(!FileManager.default.fileExists(atPath: path))
        let notSocket = folder.appendingPathComponent("plain").path
        try "x".write(toFile: notSocket, atomically: true, encoding: .utf8)
        let third = StreamIngestServer(
            configuration: StreamIngestConfiguration(unixPath: notSocket), engine: harness.engine, logger: Logger(label: "t"))
        #expect(throws: StreamIngestError.unixPathNotSocket(path: notSocket)) { try third.start() }
    }

    /// The documented sample day over the stream gives the same answers as over HTTP (docs/ingest.md).
    @Test func documentedSampleDayOverTheStream() throws {
        let harness = try StreamHarness()
        defer { harness.stop() }
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/samples/day-sample.ndjson")
        let replies = try harness.exchange(.tcp, try String(contentsOf: sample, encoding: .utf8))
        let byStatus = Dictionary(grouping: replies) { $0["status"]?.stringValue ?? "" }
        #expect(byStatus["accepted"]?.count == 27)
        #expect(byStatus["duplicate"]?.count == 1)
        #expect(byStatus["held"]?.map { $0["line"] } == [27])
        #expect(byStatus["rejected"]?.map { $0["line"] } == [29])
        #expect(byStatus["rejected"]?.first?["id"] == "s29")
        #expect(replies.map { $0["line"]?.integerValue ?? 0 } == replies.map { $0["line"]?.integerValue ?? 0 }.sorted())
    }

    /// The counters render as Prometheus families.
    @Test func countersRenderForMetrics() {
        var counters = StreamIngestCounters()
        counters.accepted = 3
        counters.rejectedByCode = ["line_too_long": 1, "missing_field": 2]
        var renderer = MetricsRenderer()
        counters.render(into: &renderer)
        #expect(renderer.text.contains(#"wallboardd_stream_ingest_lines_total{status="accepted"} 3"#))
        #expect(renderer.text.contains(#"wallboardd_stream_ingest_lines_total{status="rejected"} 3"#))
        #expect(renderer.text.contains(#"wallboardd_stream_ingest_rejected_total{code="line_too_long"} 1"#))
    }
}

enum StreamTarget: Sendable, CustomStringConvertible {
    case tcp, unix
    var description: String { self == .tcp ? "tcp" : "unix" }
}

enum StreamTestError: Error { case timedOut(String), system(String, Int32) }

/// A real EngineService (no journal, fixed clock) and a stream ingest server on an ephemeral TCP port
/// and a temporary Unix socket.
final class StreamHarness: Sendable {
    let engine: EngineService
    let server: StreamIngestServer
    let unixPath: String
    private let folder: URL?

    init(
        unixPath: String? = nil, journal: EngineService.JournalSettings? = nil, access: AccessGate = AccessGate(),
        configure: (inout StreamIngestConfiguration) -> Void = { _ in }
    ) throws {
        let clock = AMITestClock(Instant(milliseconds: 1_795_424_400_000))  // 2026-11-23T10:00:00Z
        var logger = Logger(label: "test.stream")
        logger.logLevel = .critical
        engine = EngineService(
            configuration: EngineConfiguration(), simulator: nil, journal: journal, clock: clock, hub: TopicHub { _, _ in },
            logger: logger)
        try engine.start { _, _ in }
        if let unixPath {
            self.unixPath = unixPath
            folder = nil
        } else {
            let made = URL(fileURLWithPath: "/tmp").appendingPathComponent("si-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true)
            folder = made
            self.unixPath = made.appendingPathComponent("s").path
        }
        var configuration = StreamIngestConfiguration(tcpHost: "127.0.0.1", tcpPort: 0, unixPath: self.unixPath)
        configure(&configuration)
        server = StreamIngestServer(configuration: configuration, engine: engine, logger: logger, access: access)
        try server.start()
    }

    /// Stops the server (waiting until it is down) and the engine. Safe to call twice.
    func stop() {
        let done = DispatchSemaphore(value: 0)
        server.stop { done.signal() }
        _ = done.wait(timeout: .now() + 5)
        engine.stop()
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// Sends `text`, half-closes, and reads every reply line until the server closes.
    func exchange(_ target: StreamTarget, _ text: String) throws -> [JSONValue] {
        let client = try StreamClient(target, harness: self)
        defer { client.close() }
        try client.sendAll(Array(text.utf8))
        return try client.finishAndReadReplies()
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (WallboardEngine, Instant) -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        engine.read(body) { value in
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    /// Polls `condition` every 10 ms for up to `seconds`; throws when it never held.
    func poll(_ what: String, seconds: Double = 10, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw StreamTestError.timedOut(what) }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}

/// A plain blocking POSIX stream client (with a receive timeout so a hung server fails the test).
final class StreamClient: @unchecked Sendable {
    // @unchecked: used by one thread at a time.
    let fd: Int32

    init(_ target: StreamTarget, harness: StreamHarness, bufferBytes: Int32? = nil) throws {
        switch target {
        case .tcp:
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            if var size = bufferBytes {
                setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(harness.server.tcpPort!).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else { throw StreamTestError.system("connect tcp", errno) }
        case .unix:
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let connectFD = fd
            let result = try Self.withUnixAddress(harness.unixPath) { connect(connectFD, $0, $1) }
            guard result == 0 else { throw StreamTestError.system("connect unix", errno) }
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    static func withUnixAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) throws -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }

    func sendAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw StreamTestError.system("send", errno) }
            offset += sent
        }
    }

    /// Sends all of `bytes` unless the socket stays unwritable for `waitMilliseconds` (then `false`;
    /// a partial write is finished before returning `true`).
    func sendNonBlocking(_ bytes: [UInt8], waitMilliseconds: Int32) throws -> Bool {
        var offset = 0
        while offset < bytes.count {
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, offset == 0 ? waitMilliseconds : 20_000)
            if ready == 0 {
                guard offset == 0 else { throw StreamTestError.system("partial line stuck", 0) }
                return false
            }
            let sent = bytes.withUnsafeBytes {
                send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if sent > 0 { offset += sent } else if errno != EAGAIN { throw StreamTestError.system("send", errno) }
        }
        return true
    }

    /// Half-closes (end of input) and reads reply lines until the server closes.
    func finishAndReadReplies() throws -> [JSONValue] {
        shutdown(fd, Int32(SHUT_WR))
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw StreamTestError.system("recv", errno) }
            data += chunk[0..<count]
        }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONC.parse(String(decoding: $0, as: UTF8.self)) }
    }

    func close() { Glibc.close(fd) }
}
