import Dispatch
import Glibc

/// A non-blocking TCP client on Dispatch: resolves `host` (IPv4 and IPv6, via `getaddrinfo` off the
/// queue), tries each address with one overall connect timeout, then reads chunks and writes with a
/// buffer for partial writes. Plain POSIX sockets: the lws loop is for the HTTP/WebSocket server only.
///
/// Confined to `queue`: create it, call ``write(_:)`` and ``close()`` there; every callback runs there.
/// After ``close()`` (or a failure callback) it never calls back again. The descriptor is closed only
/// once both its Dispatch sources have been cancelled (libdispatch's rule for sources on one fd).
final class TCPClientConnection: @unchecked Sendable {
    // @unchecked: all mutable state is confined to `queue` (asserted with dispatchPrecondition).

    /// Why a connection ended or never started.
    enum Failure: Error, Equatable, CustomStringConvertible {
        /// `getaddrinfo` failed.
        case resolve(host: String, message: String)
        /// `connect` failed for every address; `errno` of the last attempt.
        case connect(errno: Int32)
        /// Resolving plus connecting took longer than the timeout.
        case connectTimedOut
        /// The peer closed the connection.
        case endOfStream
        case read(errno: Int32)
        case write(errno: Int32)

        var description: String {
            switch self {
            case .resolve(let host, let message): return "cannot resolve \(host): \(message)"
            case .connect(let code): return Self.text(code)
            case .connectTimedOut: return "connect timed out"
            case .endOfStream: return "connection closed by Asterisk"
            case .read(let code): return "read failed: \(Self.text(code))"
            case .write(let code): return "write failed: \(Self.text(code))"
            }
        }

        private static func text(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
    }

    struct Callbacks {
        var connected: () -> Void
        var received: ([UInt8]) -> Void
        /// Called once, when the connection failed or ended (not after ``close()``).
        var closed: (Failure) -> Void
    }

    private enum Phase { case resolving, connecting, open, closed }

    /// One socket and its sources. The fd is closed after both sources' cancel handlers ran.
    private final class Socket {
        let fd: Int32
        var reader: DispatchSourceRead?
        var writer: DispatchSourceWrite?
        var writerSuspended = false

        init(fd: Int32) { self.fd = fd }

        func cancel(on queue: DispatchQueue) {
            let sources: [DispatchSourceProtocol] = [reader, writer].compactMap { $0 }
            guard !sources.isEmpty else {
                Glibc.close(fd)
                return
            }
            let group = DispatchGroup()
            for source in sources {
                group.enter()
                source.setCancelHandler { group.leave() }
            }
            if writerSuspended {
                writer?.resume()
                writerSuspended = false
            }
            sources.forEach { $0.cancel() }
            let fd = self.fd
            group.notify(queue: queue) { Glibc.close(fd) }
        }
    }

    let host: String
    let port: Int
    private let queue: DispatchQueue
    private let callbacks: Callbacks
    private var phase = Phase.resolving
    private var socket: Socket?
    private var addresses: [[UInt8]] = []
    private var lastConnectError: Int32 = ECONNREFUSED
    private var timeoutTimer: DispatchSourceTimer?
    private var outbox: [UInt8] = []
    private var outboxOffset = 0
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Starts resolving and connecting at once; `callbacks` run on `queue`.
    init(host: String, port: Int, timeout: DispatchTimeInterval, queue: DispatchQueue, callbacks: Callbacks) {
        self.host = host
        self.port = port
        self.queue = queue
        self.callbacks = callbacks
        dispatchPrecondition(condition: .onQueue(queue))
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { [weak self] in self?.fail(.connectTimedOut) }
        timer.resume()
        timeoutTimer = timer
        DispatchQueue.global().async { [self] in
            let result = Self.resolve(host: host, port: port)
            queue.async { self.resolved(result) }
        }
    }

    /// Whether the TCP connection is established and not closed.
    var isOpen: Bool { phase == .open }

    /// Queues `bytes` and writes as much as the socket takes now; the rest goes when it is writable.
    func write(_ bytes: [UInt8]) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard phase == .open else { return }
        outbox += bytes
        flush()
    }

    /// Closes without calling back. Unsent bytes are dropped.
    func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard phase != .closed else { return }
        phase = .closed
        timeoutTimer?.cancel()
        timeoutTimer = nil
        socket?.cancel(on: queue)
        socket = nil
        outbox = []
        outboxOffset = 0
    }

    // MARK: - Connecting

    private func resolved(_ result: Result<[[UInt8]], Failure>) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard phase == .resolving else { return }
        switch result {
        case .failure(let failure): fail(failure)
        case .success(let list):
            addresses = list
            phase = .connecting
            connectNext()
        }
    }

    /// Tries the next address; fails with the last `connect` error when none is left.
    private func connectNext() {
        while phase == .connecting, !addresses.isEmpty {
            let address = addresses.removeFirst()
            let family = address.withUnsafeBytes { Int32($0.load(as: sockaddr.self).sa_family) }
            let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                lastConnectError = errno
                continue
            }
            let result = address.withUnsafeBytes {
                Glibc.connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
            if result == 0 || errno == EINPROGRESS {
                let socket = Socket(fd: fd)
                self.socket = socket
                let writer = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
                writer.setEventHandler { [weak self] in self?.writable() }
                socket.writer = writer
                writer.resume()
                return
            }
            lastConnectError = errno
            Glibc.close(fd)
        }
        if phase == .connecting { fail(.connect(errno: lastConnectError)) }
    }

    /// The socket became writable: finishes a pending connect, or flushes the outbox.
    private func writable() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let socket else { return }
        switch phase {
        case .connecting:
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, &code, &length)
            if code != 0 {
                lastConnectError = code
                socket.cancel(on: queue)
                self.socket = nil
                connectNext()
                return
            }
            established(socket)
        case .open: flush()
        case .resolving, .closed: break
        }
    }

    private func established(_ socket: Socket) {
        phase = .open
        timeoutTimer?.cancel()
        timeoutTimer = nil
        var on: Int32 = 1
        setsockopt(socket.fd, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(socket.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        socket.writer?.suspend()
        socket.writerSuspended = true
        let reader = DispatchSource.makeReadSource(fileDescriptor: socket.fd, queue: queue)
        reader.setEventHandler { [weak self] in self?.readable() }
        socket.reader = reader
        reader.resume()
        callbacks.connected()
    }

    // MARK: - Open

    private func readable() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard phase == .open, let socket else { return }
        let count = readBuffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            callbacks.received(Array(readBuffer[0..<count]))
        } else if count == 0 {
            fail(.endOfStream)
        } else if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
            fail(.read(errno: errno))
        }
    }

    private func flush() {
        guard phase == .open, let socket else { return }
        while outboxOffset < outbox.count {
            let sent = outbox.withUnsafeBytes {
                send(socket.fd, $0.baseAddress! + outboxOffset, $0.count - outboxOffset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                outboxOffset += sent
            } else if sent < 0, errno == EINTR {
                continue
            } else if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                if socket.writerSuspended {
                    socket.writer?.resume()
                    socket.writerSuspended = false
                }
                return
            } else {
                fail(.write(errno: errno))
                return
            }
        }
        outbox.removeAll(keepingCapacity: true)
        outboxOffset = 0
        if !socket.writerSuspended {
            socket.writer?.suspend()
            socket.writerSuspended = true
        }
    }

    private func fail(_ failure: Failure) {
        guard phase != .closed else { return }
        close()
        callbacks.closed(failure)
    }

    /// `getaddrinfo` for TCP; each result's `sockaddr` bytes. Blocking: runs off the queue.
    private static func resolve(host: String, port: Int) -> Result<[[UInt8]], Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, String(port), &hints, &list)
        guard code == 0 else { return .failure(.resolve(host: host, message: String(cString: gai_strerror(code)))) }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var entry = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                addresses.append(Array(UnsafeRawBufferPointer(start: address, count: Int(current.pointee.ai_addrlen))))
            }
            entry = current.pointee.ai_next
        }
        return addresses.isEmpty ? .failure(.resolve(host: host, message: "no address")) : .success(addresses)
    }
}
