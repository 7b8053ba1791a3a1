/// A minimal blocking WebSocket client (RFC 6455, text frames, masking, fragments, ping/pong, close).
public final class WebSocketClient {
    /// What a read returns.
    public enum Message: Sendable, Equatable {
        case text(String)
        /// The server closed with this code and reason.
        case close(code: Int, reason: String)
    }

    private let connection: TCPConnection
    /// The subprotocol the server chose.
    public let selectedProtocol: String?
    private var random = SystemRandomNumberGenerator()

    /// Opens `url` (`ws://HOST:PORT/PATH`) asking for `subprotocol`. Extra headers go into the handshake.
    public init(url: String, subprotocol: String? = "wallboard.v1", headers: [String: String] = [:],
                timeoutSeconds: Int = 10) throws(ClientError)
    {
        let target = try URLParts(url)
        connection = try TCPConnection(host: target.host, port: target.port, timeoutSeconds: timeoutSeconds)
        let key = Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        var request = "GET \(target.pathAndQuery) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\n"
        request += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        if let subprotocol { request += "Sec-WebSocket-Protocol: \(subprotocol)\r\n" }
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        try connection.write(Array(request.utf8))
        let response: [UInt8]
        do {
            response = try connection.read(until: Array("\r\n\r\n".utf8))
        } catch ClientError.closed {
            throw .handshakeRefused(status: 0)
        }
        let lines = String(decoding: response, as: UTF8.self).split(separator: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        guard status == 101 else { throw .handshakeRefused(status: status) }
        selectedProtocol = lines.first { $0.lowercased().hasPrefix("sec-websocket-protocol:") }
            .map { $0.drop(while: { $0 != ":" }).dropFirst().trimmingSpaces() }
    }

    /// Sets how long ``receive()`` waits.
    public func setTimeout(seconds: Int, microseconds: Int = 0) {
        connection.setTimeout(seconds: seconds, microseconds: microseconds)
    }

    /// Sends a text message.
    public func send(text: String) throws(ClientError) { try sendFrame(opcode: 0x1, Array(text.utf8)) }

    /// Sends a frame with any opcode (tests use this to send binary or broken frames).
    public func sendFrame(opcode: UInt8, _ payload: [UInt8], final: Bool = true) throws(ClientError) {
        var frame: [UInt8] = [(final ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count < 65536 {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (UInt64($0) * 8)) & 0xFF) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255, using: &random) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try connection.write(frame)
    }

    /// Reads the next text message or close, answering pings on the way.
    public func receive() throws(ClientError) -> Message {
        var message: [UInt8] = []
        while true {
            let header = try connection.read(exactly: 2)
            let final = header[0] & 0x80 != 0
            let opcode = header[0] & 0x0F
            var length = Int(header[1] & 0x7F)
            if header[1] & 0x80 != 0 { throw .protocolViolation("server frames must not be masked") }
            if length == 126 {
                let bytes = try connection.read(exactly: 2)
                length = Int(bytes[0]) << 8 | Int(bytes[1])
            } else if length == 127 {
                length = try connection.read(exactly: 8).reduce(0) { $0 << 8 | Int($1) }
            }
            let payload = try connection.read(exactly: length)
            switch opcode {
            case 0x0, 0x1:
                message += payload
                if final { return .text(String(decoding: message, as: UTF8.self)) }
            case 0x8:
                let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : 1005
                return .close(code: code, reason: String(decoding: payload.dropFirst(2), as: UTF8.self))
            case 0x9:
                try sendFrame(opcode: 0xA, payload)
            case 0xA:
                continue
            default:
                throw .protocolViolation("unexpected opcode \(opcode)")
            }
        }
    }

    /// Sends a close frame (1000).
    public func close() {
        try? sendFrame(opcode: 0x8, [0x03, 0xE8])
    }
}

/// Base64 without Foundation.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = (UInt32(chunk[0]) << 16) | (chunk.count > 1 ? UInt32(chunk[1]) << 8 : 0)
                | (chunk.count > 2 ? UInt32(chunk[2]) : 0)
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(chunk.count > 1 ? alphabet[Int(value >> 6 & 63)] : UInt8(ascii: "="))
            output.append(chunk.count > 2 ? alphabet[Int(value & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
