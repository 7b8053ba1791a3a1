import Foundation
import Glibc
import Synchronization

/// A loopback "HTTP server" that answers every request with scripted raw bytes: the hostile answers
/// `LWSServer` never sends (absurd headers, bodies that never end). One background thread, blocking POSIX
/// sockets with 5 s timeouts, connections served one after another; every reply is bounded in bytes and time.
final class RawHTTPResponder: @unchecked Sendable {
    // @unchecked: `listener`, `port` and `reply` are immutable; counters are Mutexes.
    enum Reply: Sendable {
        /// These bytes, then close.
        case bytes([UInt8])
        /// `head`, then `chunk` again and again until the client closes or `limit` bytes in all, then close.
        case endless(head: [UInt8], chunk: [UInt8], limit: Int)
        /// `head`, then nothing until the client closes or `seconds` pass.
        case stall(head: [UInt8], seconds: Double)
    }

    let port: Int
    private let listener: Int32
    private let reply: Reply
    private let stopFlag = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)
    /// Requests read so far.
    let requests = Mutex(0)
    /// Bytes written so far over all replies.
    let written = Mutex(0)

    init(_ reply: Reply) throws {
        self.reply = reply
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard listener >= 0, bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            serve()
            finished.signal()
        }.start()
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// Stops serving once the current reply is done; later calls return at once. The wait happens on a
    /// Dispatch thread, not on one of the (few) threads of Swift's cooperative pool that other tests need.
    func stop() async {
        let first = stopFlag.withLock { stopping in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { [self] in
                finished.wait()
                close(listener)
                continuation.resume()
            }
        }
    }

    /// `HTTP/1.1 <status line>` plus `headers`, CRLF-terminated, and the blank line.
    static func head(_ statusLine: String, _ headers: [String]) -> [UInt8] {
        Array((["HTTP/1.1 " + statusLine] + headers).map { $0 + "\r\n" }.joined().utf8) + [13, 10]
    }

    private func serve() {
        while !stopFlag.withLock({ $0 }) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if readRequest(connection) {
                requests.withLock { $0 += 1 }
                answer(connection)
            }
            close(connection)
        }
    }

    /// Reads one request (headers and a `content-length` body, at most 1 MiB). `false` if it never came.
    private func readRequest(_ connection: Int32) -> Bool {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let separator: [UInt8] = [13, 10, 13, 10]
        while received.count < 1 << 20 {
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { return false }
            received += buffer[0..<count]
            guard let end = received.firstRange(of: separator)?.upperBound else { continue }
            let head = String(decoding: received[..<end], as: UTF8.self).lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if received.count - end >= min(length, 1 << 20) { return true }
        }
        return true
    }

    private func send(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return false }
            offset += count
            written.withLock { $0 += count }
        }
        return true
    }

    private func answer(_ connection: Int32) {
        switch reply {
        case .bytes(let bytes):
            _ = send(connection, bytes)
        case .endless(let head, let chunk, let limit):
            guard send(connection, head) else { return }
            var total = head.count
            while total < limit, send(connection, chunk) { total += chunk.count }
        case .stall(let head, let seconds):
            guard send(connection, head) else { return }
            var poller = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            _ = poll(&poller, 1, Int32(seconds * 1000))  // the client closing ends the wait
        }
    }
}
