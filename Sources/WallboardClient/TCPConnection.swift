import Glibc

/// A blocking TCP connection with a receive timeout: enough for a CLI and for tests.
public final class TCPConnection {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    /// Connects to `host` (an IPv4 address or `localhost`) and `port`.
    public init(host: String, port: Int, timeoutSeconds: Int = 10) throws(ClientError) {
        let resolved = host == "localhost" ? "127.0.0.1" : host
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw .connectFailed(host: host, port: port, errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, resolved, &address.sin_addr) == 1 else {
            close(socketDescriptor)
            throw .badURL(host)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(socketDescriptor)
            throw .connectFailed(host: host, port: port, errno: code)
        }
        descriptor = socketDescriptor
        setTimeout(seconds: timeoutSeconds)
    }

    deinit { close(descriptor) }

    /// Sets how long a read waits before ``ClientError/timedOut``.
    public func setTimeout(seconds: Int, microseconds: Int = 0) {
        var timeout = timeval(tv_sec: seconds, tv_usec: microseconds)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { throw .closed }
            offset += sent
        }
    }

    /// Reads exactly `count` bytes.
    public func read(exactly count: Int) throws(ClientError) -> [UInt8] {
        while buffer.count < count { try fill() }
        let result = Array(buffer[..<count])
        buffer.removeFirst(count)
        return result
    }

    /// Reads up to and including the first `delimiter`.
    public func read(until delimiter: [UInt8], limit: Int = 1 << 20) throws(ClientError) -> [UInt8] {
        while true {
            if let range = firstRange(of: delimiter) {
                let result = Array(buffer[..<range])
                buffer.removeFirst(range)
                return result
            }
            if buffer.count > limit { throw .protocolViolation("no \(delimiter) within \(limit) bytes") }
            try fill()
        }
    }

    /// Reads until the peer closes.
    public func readToEnd() throws(ClientError) -> [UInt8] {
        while true {
            do { try fill() } catch ClientError.closed { break }
        }
        defer { buffer.removeAll() }
        return buffer
    }

    private func firstRange(of delimiter: [UInt8]) -> Int? {
        guard buffer.count >= delimiter.count else { return nil }
        for start in 0...(buffer.count - delimiter.count) where buffer[start] == delimiter[0] {
            if Array(buffer[start..<(start + delimiter.count)]) == delimiter { return start + delimiter.count }
        }
        return nil
    }

    private func fill() throws(ClientError) {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if received == 0 { throw .closed }
        if received < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw .timedOut }
            throw .closed
        }
        buffer.append(contentsOf: chunk[..<received])
    }
}
