import Dispatch
import Glibc
import LWS
import Logging
import Synchronization
import WallboardCore

/// Long-lived NDJSON event ingest on a TCP port and/or a Unix socket (see `docs/ingest.md`).
///
/// Each connection sends canonical events, one per line; the server applies them through
/// ``EngineService/apply(_:source:completion:)`` (source `stream`) and writes one NDJSON reply per
/// non-blank line, in input order, once the event is durable in the journal. Backpressure instead of
/// unbounded buffering: a connection with ``StreamIngestConfiguration/maxLinesInFlight`` unanswered
/// lines, or more than ``StreamIngestConfiguration/maxReplyBufferBytes`` of unread replies, is not
/// read until that drops, so TCP flow control slows the sender.
///
/// Non-blocking POSIX sockets with Dispatch read/write sources. All state is confined to `queue`
/// (label `wallboardd.ingest`); the public methods may be called from any thread.
public final class StreamIngestServer: @unchecked Sendable {
    // @unchecked: mutable state is confined to `queue` (asserted with dispatchPrecondition); counters
    // and bound addresses are behind Mutexes.

    public let configuration: StreamIngestConfiguration
    let queue = DispatchQueue(label: "wallboardd.ingest")
    let engine: EngineService
    let logger: Logger
    /// Decides who may send events (``AccessGate/tokenlessStreamPrincipal(peer:local:)``, the token line).
    let access: AccessGate
    private let countersBox = Mutex(StreamIngestCounters())
    private let boundPort = Mutex<Int?>(nil)
    private var listeners: [Listener] = []
    private var connections: [Int: StreamIngestConnection] = [:]
    private var nextConnectionID = 0
    private var stopping = false
    private var stopWaiters: [@Sendable () -> Void] = []
    private var drainTimer: DispatchSourceTimer?
    /// The lowest descriptor a stream connection may not have; set by ``start()``.
    private var acceptCeiling = Int.max
    /// Refused or failed accepts of the current episode of descriptor pressure, logged once.
    private var descriptorPressure = PressureEpisode()
    /// `accept(2)`; a seam for tests that need `EMFILE` without starving the whole test process.
    var acceptCall: @Sendable (Int32) -> Int32 = { Glibc.accept($0, nil, nil) }

    /// `access` is the daemon's gate (live on reload); the default is the quick start's: only local
    /// processes may send events, and no token is configured.
    public init(configuration: StreamIngestConfiguration, engine: EngineService, logger: Logger, access: AccessGate = AccessGate()) {
        self.configuration = configuration
        self.engine = engine
        self.logger = logger
        self.access = access
    }

    /// A copy of the counters, from any thread.
    public var counters: StreamIngestCounters { countersBox.withLock { $0 } }

    /// The TCP port bound by ``start()`` (useful with port 0), or `nil` when TCP is off.
    public var tcpPort: Int? { boundPort.withLock { $0 } }

    /// Binds the configured listeners and starts accepting. Throws when an address cannot be bound
    /// (nothing is left listening then).
    public func start() throws {
        try queue.sync {
            acceptCeiling = DescriptorBudget.acceptCeiling(reserve: configuration.descriptorReserve)
            do {
                if let port = configuration.tcpPort {
                    let listener = try Listener.tcp(host: configuration.tcpHost, port: port)
                    boundPort.withLock { $0 = listener.port }
                    listeners.append(listener)
                }
                if let path = configuration.unixPath {
                    listeners.append(try Listener.unix(path: path, mode: configuration.unixMode))
                }
            } catch {
                listeners.forEach { $0.close() }
                listeners.removeAll()
                throw error
            }
            for listener in listeners {
                let source = DispatchSource.makeReadSource(fileDescriptor: listener.fd, queue: queue)
                source.setEventHandler { [weak self, unowned listener] in self?.accept(on: listener) }
                let fd = listener.fd
                source.setCancelHandler { Glibc.close(fd) }
                listener.source = source
                source.resume()
            }
        }
        logger.notice(
            "stream ingest listening",
            metadata: [
                "ingest.tcp": "\(tcpPort.map { "\(configuration.tcpHost):\($0)" } ?? "off")",
                "ingest.unix": "\(configuration.unixPath ?? "off")",
            ])
    }

    /// Stops accepting, stops reading, answers the lines already in flight (for at most
    /// ``StreamIngestConfiguration/drainTimeoutMilliseconds``), closes every connection and removes
    /// the Unix socket file. Calls `completion` once all is closed. Safe to call twice.
    public func stop(completion: @escaping @Sendable () -> Void) {
        queue.async { [self] in
            stopWaiters.append(completion)
            guard !stopping else { return finishStopIfDone() }
            stopping = true
            for listener in listeners {
                // Unlinked now, not in the cancel handler: the path is gone when `completion` runs.
                if let path = listener.unixPath { unlink(path) }
                listener.resumeIfPaused()  // a suspended source would never run its cancel handler
                listener.source?.cancel()
            }
            listeners.removeAll()
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .milliseconds(configuration.drainTimeoutMilliseconds))
            timer.setEventHandler { [weak self] in
                guard let self else { return }
                for connection in connections.values { connection.close(reason: "server stopping (drain timeout)") }
            }
            timer.resume()
            drainTimer = timer
            for connection in Array(connections.values) { connection.drain() }
            finishStopIfDone()
        }
    }

    // MARK: - On the queue

    func updateCounters(_ body: (inout StreamIngestCounters) -> Void) {
        countersBox.withLock { body(&$0) }
    }

    func connectionClosed(_ id: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        connections[id] = nil
        updateCounters { $0.connectionsOpen -= 1 }
        finishStopIfDone()
    }

    private func finishStopIfDone() {
        guard stopping, connections.isEmpty, !stopWaiters.isEmpty else { return }
        drainTimer?.cancel()
        drainTimer = nil
        let waiters = stopWaiters
        stopWaiters.removeAll()
        logger.notice("stream ingest stopped")
        waiters.forEach { $0() }
    }

    /// Polls the listeners paused by a failed accept again (unless stopping: `stop` resumes them).
    fileprivate func resumePausedListeners() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !stopping else { return }
        listeners.forEach { $0.resumeIfPaused() }
    }

    private func accept(on listener: Listener) {
        dispatchPrecondition(condition: .onQueue(queue))
        while !stopping {
            let fd = acceptCall(listener.fd)
            if fd < 0 {
                let code = errno
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    return pause(listener, errno: code)
                }
                if code != EAGAIN && code != EWOULDBLOCK {
                    logger.warning("stream ingest accept failed", metadata: ["ingest.errno": "\(code)"])
                }
                return
            }
            guard Int(fd) < acceptCeiling else {
                Glibc.close(fd)
                updateCounters { $0.descriptorRefusals += 1 }
                notePressure("refusing stream connections: near the descriptor limit (raise LimitNOFILE)", errno: nil)
                continue
            }
            if let count = descriptorPressure.end() {
                logger.notice("stream ingest accepting again", metadata: ["ingest.refused": "\(count)"])
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            guard connections.count < configuration.maxConnections else {
                Glibc.close(fd)
                updateCounters { $0.connectionsRefused += 1 }
                logger.warning(
                    "stream ingest connection refused: limit reached",
                    metadata: ["ingest.max_connections": "\(configuration.maxConnections)"])
                continue
            }
            if listener.unixPath == nil {
                var on: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            }
            nextConnectionID += 1
            let local = listener.unixPath != nil
            let connection = StreamIngestConnection(
                id: nextConnectionID, fd: fd, kind: local ? "unix" : "tcp", peer: local ? "unix socket" : Self.peerAddress(fd),
                server: self)
            connections[connection.id] = connection
            updateCounters {
                $0.connectionsOpen += 1
                $0.connectionsTotal += 1
            }
            logger.debug("stream ingest connection opened", metadata: ["ingest.connection": "\(connection.id)", "ingest.kind": "\(connection.kind)"])
            connection.open()
        }
    }
}

extension StreamIngestServer {
    /// The TCP peer's address (`127.0.0.1`, `::1`, `::ffff:10.0.0.7`), or `"unknown"`.
    static func peerAddress(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard got == 0 else { return "unknown" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        let written: UnsafePointer<CChar>? = withUnsafePointer(to: &storage) { pointer in
            switch family {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    withUnsafePointer(to: address.pointee.sin_addr) { inet_ntop(AF_INET, $0, &text, socklen_t(text.count)) }
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    withUnsafePointer(to: address.pointee.sin6_addr) { inet_ntop(AF_INET6, $0, &text, socklen_t(text.count)) }
                }
            default:
                return nil
            }
        }
        guard written != nil else { return "unknown" }
        return String(cString: text)
    }

    /// Out of descriptors: the connection stays in the backlog, so a level-triggered source would
    /// fire again at once and spin. Stop polling the listener for a while instead.
    fileprivate func pause(_ listener: Listener, errno code: Int32) {
        updateCounters { $0.acceptFailures += 1 }
        notePressure("stream ingest out of descriptors: pausing accept", errno: code)
        guard !listener.paused, let source = listener.source else { return }
        source.suspend()
        listener.paused = true
        queue.asyncAfter(deadline: .now() + .milliseconds(configuration.acceptBackoffMilliseconds)) { [weak self] in
            self?.resumePausedListeners()
        }
    }

    /// Counts one refusal or failed accept; logs only the first of an episode.
    fileprivate func notePressure(_ message: Logger.Message, errno code: Int32?) {
        guard descriptorPressure.record() else { return }
        var metadata: Logger.Metadata = ["fd.ceiling": "\(acceptCeiling)"]
        if let code { metadata["ingest.errno"] = "\(code)" }
        logger.warning(message, metadata: metadata)
    }
}

/// A listening socket and its accept source. Confined to the server's queue.
final class Listener {
    let fd: Int32
    let port: Int?
    let unixPath: String?
    var source: DispatchSourceRead?
    /// The source is suspended after an accept failed for want of descriptors.
    var paused = false

    /// Resumes a source paused by a failed accept.
    func resumeIfPaused() {
        guard paused else { return }
        paused = false
        source?.resume()
    }

    private init(fd: Int32, port: Int?, unixPath: String?) {
        self.fd = fd
        self.port = port
        self.unixPath = unixPath
    }

    /// Closes a listener that never got a source (start failed half-way).
    func close() {
        guard source == nil else { return }
        Glibc.close(fd)
        if let unixPath { unlink(unixPath) }
    }

    static func tcp(host: String, port: Int) throws(StreamIngestError) -> Listener {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &list)
        guard code == 0, let first = list else {
            throw .resolve(host: host, message: String(cString: gai_strerror(code)))
        }
        defer { freeaddrinfo(list) }
        let address = "\(host):\(port)"
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .bind(address: address, errno: errno) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .bind(address: address, errno: code)
        }
        guard listen(fd, 128) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .listen(address: address, errno: code)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let bound = withUnsafeBytes(of: storage) { raw -> Int in
            if Int32(storage.ss_family) == AF_INET6 {
                return Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
            }
            return Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
        }
        return Listener(fd: fd, port: bound, unixPath: nil)
    }

    static func unix(path: String, mode: UInt32) throws(StreamIngestError) -> Listener {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else { throw .unixPathTooLong(path: path) }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        func withAddress<T>(_ body: (UnsafePointer<sockaddr>) -> T) -> T {
            withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFSOCK else { throw .unixPathNotSocket(path: path) }
            // A socket file: live if something accepts on it, else a leftover from a crash.
            let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            let live = probe >= 0 && withAddress { connect(probe, $0, length) } == 0
            if probe >= 0 { Glibc.close(probe) }
            if live { throw .unixPathInUse(path: path) }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .bind(address: path, errno: errno) }
        guard withAddress({ bind(fd, $0, length) }) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .bind(address: path, errno: code)
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            let code = errno
            Glibc.close(fd)
            unlink(path)
            throw .chmod(path: path, errno: code)
        }
        guard listen(fd, 128) == 0 else {
            let code = errno
            Glibc.close(fd)
            unlink(path)
            throw .listen(address: path, errno: code)
        }
        return Listener(fd: fd, port: nil, unixPath: path)
    }
}
