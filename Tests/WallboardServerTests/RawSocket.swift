import Foundation
import Glibc

/// A plain TCP connection to 127.0.0.1 for crafting bytes a well-behaved client never sends
/// (unmasked frames, oversized control frames, impossible lengths). Reads wait at most `timeout`
/// seconds, so a server that hangs fails the test instead of blocking it.
final class RawSocket {
    let fd: Int32
    private(set) var pending: [UInt8] = []
    /// Longest wait for one thing (a head, a close frame, the end), in seconds.
    let timeout: Int

    enum Failure: Error, CustomStringConvertible {
        case connect(Int32), send(Int32), timedOut(String), closed(String)
        var description: String {
            switch self {
            case .connect(let code): return "connect failed: errno \(code)"
            case .send(let code): return "send failed: errno \(code)"
            case .timedOut(let what): return "timed out waiting for \(what)"
            case .closed(let what): return "connection closed while waiting for \(what)"
            }
        }
    }

    init(port: Int, timeout: Int = 5) throws {
        self.timeout = timeout
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure.connect(code)
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure.send(errno) }
            offset += sent
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads more bytes into `pending`; `false` at end of stream (or a reset). Throws once `deadline`
    /// has passed: a server that keeps sending (heartbeats) must not keep a test waiting forever.
    private func fill(_ what: String, deadline: Date? = nil) throws -> Bool {
        if let deadline, Date() > deadline { throw Failure.timedOut(what) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &buffer, buffer.count, 0)
        if count > 0 {
            pending.append(contentsOf: buffer[0..<count])
            return true
        }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw Failure.timedOut(what) }
        return false
    }

    /// Reads up to the end of the HTTP response head; returns it (status line and headers).
    func readHead() throws -> String {
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let range = pending.firstRange(of: end) {
                let head = String(decoding: pending[..<range.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<range.upperBound)
                return head
            }
            guard try fill("the response head") else { throw Failure.closed("the response head") }
        }
    }

    /// Reads one HTTP response with a `Content-Length` body: its head and body.
    func readResponse() throws -> (head: String, body: String) {
        let head = try readHead()
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        while pending.count < length {
            guard try fill("the response body") else { throw Failure.closed("the response body") }
        }
        let body = String(decoding: pending[0..<length], as: UTF8.self)
        pending.removeSubrange(0..<length)
        return (head, body)
    }

    /// Whether the server closes the connection (end of stream or reset) before `timeout` passes,
    /// discarding whatever else it sends.
    func closesByServer() throws -> Bool {
        pending.removeAll()
        let deadline = Date().addingTimeInterval(Double(timeout))
        while try fill("the server to close", deadline: deadline) { pending.removeAll() }
        return true
    }

    /// Performs the WebSocket upgrade on `/ws` with subprotocol `wallboard.v1`.
    func upgrade() throws {
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try send(
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wallboard.v1\r\n\r\n")
        let head = try readHead()
        guard head.hasPrefix("HTTP/1.1 101") else { throw Failure.closed("the upgrade (got \(head))") }
    }

    /// Reads server frames until a close frame; returns its code and reason. A connection that ends
    /// without one returns `nil`.
    func closeFrame() throws -> (code: Int, reason: String)? {
        let deadline = Date().addingTimeInterval(Double(timeout))
        while true {
            while let (opcode, payload) = takeFrame() {
                guard opcode == 8 else { continue }
                guard payload.count >= 2 else { return (1005, "") }
                return (Int(payload[0]) << 8 | Int(payload[1]), String(decoding: payload[2...], as: UTF8.self))
            }
            guard try fill("a close frame", deadline: deadline) else { return nil }
        }
    }

    /// Reads server frames until one with `opcode` (1: text, 0xA: pong) arrives; returns its payload.
    func awaitFrame(opcode wanted: UInt8) throws -> [UInt8] {
        let deadline = Date().addingTimeInterval(Double(timeout))
        while true {
            while let (opcode, payload) = takeFrame() {
                if opcode == wanted { return payload }
            }
            guard try fill("a frame with opcode \(wanted)", deadline: deadline) else { throw Failure.closed("a frame") }
        }
    }

    /// Takes one whole server frame (unmasked) from `pending`, if there is one.
    private func takeFrame() -> (opcode: UInt8, payload: [UInt8])? {
        guard pending.count >= 2 else { return nil }
        var length = Int(pending[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard pending.count >= 4 else { return nil }
            length = Int(pending[2]) << 8 | Int(pending[3])
            offset = 4
        } else if length == 127 {
            guard pending.count >= 10 else { return nil }
            length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard pending.count >= offset + length else { return nil }
        let frame = (pending[0] & 0x0F, Array(pending[offset..<(offset + length)]))
        pending.removeSubrange(0..<(offset + length))
        return frame
    }

    /// A client frame: FIN flag, opcode, masked payload. `announced` overrides the length in the header.
    static func frame(
        opcode: UInt8, _ payload: [UInt8], final: Bool = true, masked: Bool = true, announced: UInt64? = nil
    ) -> [UInt8] {
        var bytes: [UInt8] = [(final ? 0x80 : 0) | opcode]
        let length = announced ?? UInt64(payload.count)
        let maskBit: UInt8 = masked ? 0x80 : 0
        if length < 126 {
            bytes.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            bytes.append(maskBit | 126)
            bytes += [UInt8(length >> 8), UInt8(length & 0xFF)]
        } else {
            bytes.append(maskBit | 127)
            bytes += (0..<8).reversed().map { UInt8((length >> (UInt64($0) * 8)) & 0xFF) }
        }
        guard masked else { return bytes + payload }
        let mask: [UInt8] = (0..<4).map { _ in UInt8.random(in: 0...255) }
        return bytes + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }
}
