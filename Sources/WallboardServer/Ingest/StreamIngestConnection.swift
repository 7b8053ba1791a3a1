import Dispatch
import Glibc
import JSONC
import Logging
import WallboardCore

/// One stream ingest client: bytes → lines → events → engine → one reply line per input line, in order.
///
/// Confined to the server's queue. Holds at most `maxLinesInFlight` unanswered lines (and their events
/// at most `maxBytesInFlight` of line bytes, plus one line), at most one
/// read chunk plus one over-limit line of input, and stops reading while its reply buffer is over
/// `maxReplyBufferBytes`. The descriptor is closed after both Dispatch sources are cancelled.
///
/// Authentication (``AccessGate``): a first line `{"token": "wbt_…"}` names the sender and is answered
/// `{"line":1,"status":"authenticated"}`. Without it, events are taken only when the peer's tokenless
/// rights include ingest (a local process without an `access` section). A refused connection gets one
/// `rejected` line (`missing_token`, `invalid_token`, `forbidden`, `throttled`), its write side is shut
/// down, and what it still sends is read and dropped until it closes (so the error line is not lost to
/// a reset), at most ``refusedInputLimit`` bytes.
final class StreamIngestConnection: @unchecked Sendable {
    // @unchecked: all mutable state is confined to the server's queue.
    /// A line read and not yet answered, in input order.
    private struct Entry {
        var line: Int
        /// The decoded event, until the engine answers.
        var event: Event?
        /// The line's bytes while ``event`` is held (counted in ``eventBytesInFlight``), else 0.
        var bytes = 0
        /// The reply, once known; written into the outbox when every line before it is answered.
        var reply: Reply?
    }

    /// What a line's reply line says (``StreamReply``).
    private struct Reply {
        var status: StreamReply.Status
        var id: String?
        var code: String?
        var reason: String?
    }

    let id: Int
    let kind: String
    /// The TCP peer's address, or `unix socket`.
    let peer: String
    /// Who sends the events: set at accept when no token is needed, else by the token line.
    private var principal: AccessPrincipal?
    /// The first non-blank line has not been looked at yet (it may be a token line).
    private var awaitingFirstLine = true
    /// Why the connection was refused; then nothing more is decoded.
    private var refusal: String?
    private var writeShutDown = false
    private var discardedAfterRefusal = 0
    /// Bytes a refused client may still send (and have dropped) before the connection is closed.
    static let refusedInputLimit = 1 << 20
    private let fd: Int32
    private unowned let server: StreamIngestServer
    private let queue: DispatchQueue
    private let limits: StreamIngestConfiguration
    private var reader: DispatchSourceRead?
    private var writer: DispatchSourceWrite?
    private var readerSuspended = true
    private var writerSuspended = true

    /// Input not yet split into lines; `lineStart` is where the current line begins.
    private var input: [UInt8] = []
    private var lineStart = 0
    /// Skipping an over-long line up to its newline.
    private var discarding = false
    private var lineNumber = 0
    /// Lines in flight from `entries[entriesHead]` on; the released ones before it are dropped in bulk
    /// (``releaseReplies()``): removing them from the front at each release moved every line still in
    /// flight, thousands of them while a journaled batch waits for its group commit (issue 14).
    private var entries: [Entry] = []
    private var entriesHead = 0
    /// Lines in flight (answered or not, not yet released to the outbox).
    private var inFlight: Int { entries.count - entriesHead }
    /// Line bytes of the entries whose event waits for the engine's answer.
    private var eventBytesInFlight = 0
    /// Sequence number of `entries[entriesHead]`; entries are numbered in input order.
    private var firstSequence = 0
    /// First entry not yet handed to the engine.
    private var nextToSubmit = 0
    private var outbox: [UInt8] = []
    private var outboxOffset = 0
    private var endOfInput = false
    private var draining = false
    private var closed = false
    private var buffered = 0
    private var pausedForBackpressure = false
    private var loggedProblems = 0
    private var readChunk: [UInt8]
    /// This connection's json-c tokener, reused for every line (`nil` only when json-c is out of memory).
    private let parser = try? JSONCParser()

    init(id: Int, fd: Int32, kind: String, peer: String, server: StreamIngestServer) {
        self.id = id
        self.fd = fd
        self.kind = kind
        self.peer = peer
        self.principal = server.access.tokenlessStreamPrincipal(peer: peer, local: kind == "unix")
        self.server = server
        self.queue = server.queue
        self.limits = server.configuration
        self.readChunk = [UInt8](repeating: 0, count: max(server.configuration.readChunkBytes, 512))
    }

    func open() {
        dispatchPrecondition(condition: .onQueue(queue))
        let group = DispatchGroup()
        let reader = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let writer = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        reader.setEventHandler { [weak self] in self?.readable() }
        writer.setEventHandler { [weak self] in self?.writable() }
        for source in [reader, writer] as [DispatchSourceProtocol] {
            group.enter()
            source.setCancelHandler { group.leave() }
        }
        let fd = self.fd
        group.notify(queue: queue) { Glibc.close(fd) }
        self.reader = reader
        self.writer = writer
        setReading(true)
    }

    /// Server shutdown: read nothing more, answer what is in flight, then close.
    func drain() {
        dispatchPrecondition(condition: .onQueue(queue))
        draining = true
        pump()
    }

    /// Closes now; unanswered lines and unsent replies are dropped.
    func close(reason: String) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !closed else { return }
        closed = true
        if pausedForBackpressure {
            pausedForBackpressure = false
            server.updateCounters { $0.connectionsPaused -= 1 }
        }
        if readerSuspended { reader?.resume() }
        if writerSuspended { writer?.resume() }
        readerSuspended = false
        writerSuspended = false
        reader?.cancel()
        writer?.cancel()
        reader = nil
        writer = nil
        input = []
        entries = []
        entriesHead = 0
        eventBytesInFlight = 0
        outbox = []
        outboxOffset = 0
        noteBuffered()
        server.logger.debug(
            "stream ingest connection closed", metadata: ["ingest.connection": "\(id)", "ingest.reason": "\(reason)"])
        server.connectionClosed(id)
    }

    // MARK: - Events

    private func readable() {
        guard !closed, !readerSuspended else { return }
        let count = readChunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0, refusal != nil {
            discardedAfterRefusal = discardedAfterRefusal.addingReportingOverflow(count).partialValue
        } else if count > 0 {
            input.append(contentsOf: readChunk[0..<count])
            server.updateCounters { $0.bytesReceived += count }
        } else if count == 0 {
            endOfInput = true
        } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
            return
        } else {
            return close(reason: "read failed: \(String(cString: strerror(errno)))")
        }
        pump()
    }

    private func writable() {
        guard !closed else { return }
        flush()
        pump()
    }

    // MARK: - The pump

    private var replyBacklog: Int { outbox.count - outboxOffset }

    private var hasRoom: Bool {
        inFlight < limits.maxLinesInFlight && eventBytesInFlight < limits.maxBytesInFlight
            && replyBacklog <= limits.maxReplyBufferBytes
    }

    /// Moves everything forward as far as the limits allow: lines out of the input, events to the
    /// engine, replies to the socket; then decides whether to read and whether the connection is done.
    private func pump() {
        guard !closed else { return }
        guard refusal == nil, admit() else { return finishRefusal() }
        var rejections: [EventRejection] = []
        var counts = StreamIngestCounters()
        let eventLimits = server.engine.eventLimits
        repeat {
            while !draining, hasRoom, let (line, bytes, decoded) = nextLine(eventLimits) {
                add(line, bytes, decoded, rejections: &rejections, counts: &counts)
            }
            submit()
        } while releaseReplies() > 0 && !draining
        compactInput()
        if !rejections.isEmpty { server.engine.countRejections(rejections) }
        if counts.lines > 0 {
            server.updateCounters {
                $0.lines += counts.lines
                for (code, count) in counts.rejectedByCode { $0.rejectedByCode[code, default: 0] += count }
            }
        }
        flush()
        guard !closed else { return }
        // Read only when every complete line already read is taken: the input buffer then holds at
        // most one partial line (≤ maxLineBytes) plus one read chunk.
        let wantRead = !endOfInput && !draining && hasRoom && !input[lineStart...].contains(UInt8(ascii: "\n"))
        if !wantRead, !endOfInput, !draining, !pausedForBackpressure {
            pausedForBackpressure = true
            server.updateCounters {
                $0.readPauses += 1
                $0.connectionsPaused += 1
            }
        } else if pausedForBackpressure, wantRead || endOfInput || draining {
            pausedForBackpressure = false
            server.updateCounters { $0.connectionsPaused -= 1 }
        }
        setReading(wantRead)
        noteBuffered()
        let inputDone = draining || (endOfInput && lineStart >= input.count && !discarding)
        if inputDone, inFlight == 0, replyBacklog == 0 {
            close(reason: draining ? "server stopping" : "end of input")
        }
    }

    // MARK: - Authentication

    /// Looks at the first non-blank line once: a token line authenticates (or refuses) the
    /// connection; any other line goes on as an event only when no token is needed. Returns whether
    /// events may be read (now or once the first line is complete).
    private func admit() -> Bool {
        while awaitingFirstLine {
            let end: Int
            if let newline = input[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                end = newline
            } else if input.count - lineStart > limits.maxLineBytes || (endOfInput && lineStart < input.count) {
                end = input.count
            } else {
                return true  // incomplete (or nothing at all): the pump reads on, or closes at end of input
            }
            let line = input[lineStart..<end]
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                lineNumber += 1
                lineStart = min(end + 1, input.count)
                continue
            }
            let first = end - lineStart > limits.maxLineBytes ? .other : AccessGate.streamFirstLine(line)
            if first == .other, principal != nil {
                awaitingFirstLine = false  // an event: nextLine takes it
                return true
            }
            awaitingFirstLine = false
            lineNumber += 1
            lineStart = min(end + 1, input.count)
            let result: Result<AccessPrincipal, AccessRefusal>
            switch first {
            case .token(let token):
                result = server.access.authenticateStream(token: token, peer: peer, local: kind == "unix")
            case .malformedToken:
                result = server.access.fail(.invalidToken, peer: peer, now: server.access.now)
            case .other:
                result = server.access.fail(.missingToken, peer: peer, now: server.access.now)
            }
            switch result {
            case .success(let principal):
                self.principal = principal
                StreamReply.append(to: &outbox, lineNumber, .authenticated, id: nil)
                server.logger.debug(
                    "stream ingest connection authenticated",
                    metadata: ["ingest.connection": "\(id)", "ingest.who": "\(principal.name)", "ingest.role": "\(principal.role.rawValue)"])
            case .failure(let refused):
                refuse(refused, malformed: first == .malformedToken)
                return false
            }
        }
        return true
    }

    private func refuse(_ refused: AccessRefusal, malformed: Bool) {
        let reason: String
        switch refused {
        case .missingToken where server.access.policy == nil:
            reason = "only processes on the daemon's machine may stream events without a token: "
                + "add an access section with an ingest token, then send {\"token\": \"<token>\"} as the first line"
        case .missingToken:
            reason = "authentication required: the first line must be {\"token\": \"<token>\"} of a token with role ingest or admin"
        case .invalidToken:
            reason = malformed ? "the token line must be exactly {\"token\": \"<token>\"}" : "invalid token"
        case .forbidden(let detail):
            reason = detail
        case .throttled(let seconds):
            reason = "too many failed authentication attempts from this address; retry in \(seconds) s"
        default:
            reason = refused.reason
        }
        refusal = refused.reason
        StreamReply.append(to: &outbox, lineNumber, .rejected, id: nil, code: refused.reason, reason: reason)
        input = []
        lineStart = 0
        server.logger.notice(
            "stream ingest connection refused",
            metadata: ["ingest.connection": "\(id)", "ingest.peer": "\(peer)", "ingest.code": "\(refused.reason)"])
    }

    /// A refused connection: send the error line, shut the write side, drop input until the client
    /// closes (or sends more than ``refusedInputLimit``), then close.
    private func finishRefusal() {
        input = []
        lineStart = 0
        flush()
        guard !closed else { return }
        if replyBacklog == 0, !writeShutDown {
            writeShutDown = true
            shutdown(fd, Int32(SHUT_WR))
        }
        noteBuffered()
        if writeShutDown, endOfInput || discardedAfterRefusal > Self.refusedInputLimit {
            return close(reason: "refused: \(refusal ?? "")")
        }
        setReading(!endOfInput)
    }

    /// The next non-blank line, or the unterminated rest at end of input; `nil` when a line is incomplete.
    /// The next line: its number, its length in bytes and what it decodes to.
    private func nextLine(_ eventLimits: EventLimits) -> (Int, Int, StreamLineDecoder.Decoded)? {
        while true {
            if let newline = input[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                lineNumber += 1
                let tooLong = discarding || newline - lineStart > limits.maxLineBytes
                let decoded = tooLong ? StreamLineDecoder.tooLong(limit: limits.maxLineBytes) : decode(lineStart..<newline, eventLimits)
                let bytes = newline - lineStart
                discarding = false
                lineStart = newline + 1
                if case .blank = decoded { continue }
                return (lineNumber, bytes, decoded)
            }
            if discarding || input.count - lineStart > limits.maxLineBytes {
                // Over the limit: keep no more of it, remember to answer it when its newline comes.
                discarding = true
                lineStart = input.count
            }
            guard endOfInput, lineStart < input.count || discarding else { return nil }
            // End of input inside a line: that line is the last one.
            lineNumber += 1
            let decoded = discarding ? StreamLineDecoder.tooLong(limit: limits.maxLineBytes) : decode(lineStart..<input.count, eventLimits)
            let bytes = input.count - lineStart
            discarding = false
            lineStart = input.count
            if case .blank = decoded { return nil }
            return (lineNumber, bytes, decoded)
        }
    }

    /// Decodes `range` of the input in place.
    private func decode(_ range: Range<Int>, _ eventLimits: EventLimits) -> StreamLineDecoder.Decoded {
        input.withUnsafeBytes { bytes in
            StreamLineDecoder.decode(UnsafeRawBufferPointer(rebasing: bytes[range]), parser: parser, limits: eventLimits)
        }
    }

    /// Drops the consumed lines from the input: at once when all of it was consumed, else only when they
    /// are at least half of it (each pump moved the unconsumed rest to the front before; issue 14).
    private func compactInput() {
        guard lineStart > 0 else { return }
        if lineStart == input.count {
            input.removeAll(keepingCapacity: true)
            lineStart = 0
            return
        }
        guard lineStart * 2 >= input.count else { return }
        input.removeSubrange(0..<lineStart)
        lineStart = 0
    }

    /// Takes one line: its counts go to `counts` (added to the server's counters once per pump).
    private func add(
        _ line: Int, _ bytes: Int, _ decoded: StreamLineDecoder.Decoded, rejections: inout [EventRejection],
        counts: inout StreamIngestCounters
    ) {
        counts.lines += 1
        switch decoded {
        case .blank: return
        case .event(let event):
            entries.append(Entry(line: line, event: event, bytes: bytes, reply: nil))
            eventBytesInFlight += bytes
        case .error(let id, let code, let reason, let rejection):
            rejections.append(rejection)
            counts.rejectedByCode[code, default: 0] += 1
            logProblem(line: line, code: code, reason: reason)
            entries.append(Entry(line: line, event: nil, reply: Reply(status: .rejected, id: id, code: code, reason: reason)))
        }
    }

    /// Hands the lines read since the last batch to the engine, one batch (one hop to the engine queue)
    /// per pump. Batches are not waited for: the engine queue is serial, so they are applied in input
    /// order, and their answers are matched back by sequence number whatever order they come in (a
    /// batch of duplicates needs no fsync and may be answered before the batch before it).
    private func submit() {
        let start = entriesHead + nextToSubmit - firstSequence
        guard start < entries.count else { return }
        var sequences: [Int] = []
        var events: [Event] = []
        for index in start..<entries.count {
            if let event = entries[index].event {
                sequences.append(firstSequence + index - entriesHead)
                events.append(event)
            }
        }
        nextToSubmit = firstSequence + inFlight
        guard !events.isEmpty else { return }
        let batch = sequences
        // The journal's records too are encoded here, off the engine queue.
        server.engine.apply(events, source: "stream", journalFrames: server.engine.journalFrames(of: events)) { [self, queue] outcome in
            queue.async { self.applied(batch, outcome) }
        }
    }

    private func applied(_ sequences: [Int], _ outcome: EngineService.ApplyOutcome) {
        guard !closed else { return }
        var counts = StreamIngestCounters()
        for (position, (sequence, result)) in zip(sequences, outcome.results).enumerated() {
            let index = entriesHead + sequence - firstSequence
            guard index >= entriesHead, index < entries.count, let event = entries[index].event else { continue }
            let reply: Reply
            if let failure = outcome.storageFailures[position] {
                counts.notStored += 1
                reply = Reply(status: .notStored, id: event.id, code: "not_stored", reason: failure)
            } else {
                switch result {
                case .applied:
                    counts.accepted += 1
                    reply = Reply(status: .accepted, id: event.id)
                case .duplicate:
                    counts.duplicates += 1
                    reply = Reply(status: .duplicate, id: event.id)
                case .held(let rejection):
                    counts.held += 1
                    reply = Reply(status: .held, id: event.id, code: rejection.code.rawValue, reason: rejection.message)
                case .rejected(let rejection):
                    counts.rejectedByCode[rejection.code.rawValue, default: 0] += 1
                    reply = Reply(status: .rejected, id: event.id, code: rejection.code.rawValue, reason: rejection.message)
                }
            }
            entries[index].event = nil
            eventBytesInFlight -= entries[index].bytes
            entries[index].bytes = 0
            entries[index].reply = reply
        }
        server.updateCounters {
            $0.accepted += counts.accepted
            $0.duplicates += counts.duplicates
            $0.held += counts.held
            $0.notStored += counts.notStored
            for (code, count) in counts.rejectedByCode { $0.rejectedByCode[code, default: 0] += count }
        }
        pump()
    }

    /// Moves answered lines at the front into the outbox, keeping input order.
    @discardableResult
    private func releaseReplies() -> Int {
        var released = 0
        while entriesHead + released < entries.count, let reply = entries[entriesHead + released].reply {
            let entry = entries[entriesHead + released]
            StreamReply.append(to: &outbox, entry.line, reply.status, id: reply.id, code: reply.code, reason: reply.reason)
            entries[entriesHead + released].reply = nil
            released += 1
        }
        guard released > 0 else { return 0 }
        entriesHead += released
        firstSequence += released
        if entriesHead == entries.count {
            entries.removeAll(keepingCapacity: true)
            entriesHead = 0
        } else if entriesHead >= 1024, entriesHead * 2 >= entries.count {
            entries.removeFirst(entriesHead)
            entriesHead = 0
        }
        return released
    }

    private func flush() {
        guard !closed else { return }
        var sentTotal = 0
        while outboxOffset < outbox.count {
            let sent = outbox.withUnsafeBytes {
                send(fd, $0.baseAddress! + outboxOffset, $0.count - outboxOffset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                outboxOffset += sent
                sentTotal += sent
            } else if sent < 0, errno == EINTR {
                continue
            } else if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else {
                close(reason: "write failed: \(String(cString: strerror(errno)))")
                return
            }
        }
        if sentTotal > 0 { server.updateCounters { $0.bytesSent += sentTotal } }
        if outboxOffset == outbox.count {
            outbox.removeAll(keepingCapacity: outbox.capacity <= 4 * limits.maxReplyBufferBytes)
            outboxOffset = 0
        } else if outboxOffset > 64 * 1024 {
            outbox.removeSubrange(0..<outboxOffset)
            outboxOffset = 0
        }
        setWriting(replyBacklog > 0)
    }

    // MARK: - Sources

    private func setReading(_ on: Bool) {
        guard !closed, let reader else { return }
        if on, readerSuspended {
            readerSuspended = false
            reader.resume()
        } else if !on, !readerSuspended {
            readerSuspended = true
            reader.suspend()
        }
    }

    private func setWriting(_ on: Bool) {
        guard !closed, let writer else { return }
        if on, writerSuspended {
            writerSuspended = false
            writer.resume()
        } else if !on, !writerSuspended {
            writerSuspended = true
            writer.suspend()
        }
    }

    /// Keeps the server-wide buffered-bytes gauge and the per-connection peak up to date.
    private func noteBuffered() {
        let now = closed ? 0 : (input.count - lineStart) + eventBytesInFlight + replyBacklog
        let delta = now - buffered
        buffered = now
        guard delta != 0 else { return }
        server.updateCounters {
            $0.bufferedBytes += delta
            $0.peakConnectionBufferedBytes = max($0.peakConnectionBufferedBytes, now)
        }
    }

    private func logProblem(line: Int, code: String, reason: String) {
        loggedProblems += 1
        let metadata: Logger.Metadata = [
            "ingest.connection": "\(id)", "ingest.line": "\(line)", "ingest.code": "\(code)", "ingest.reason": "\(reason)",
        ]
        if loggedProblems <= 10 {
            server.logger.notice("stream ingest line rejected", metadata: metadata)
        } else {
            server.logger.debug("stream ingest line rejected", metadata: metadata)
        }
    }
}
