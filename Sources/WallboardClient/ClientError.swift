/// Why a client call to a wallboardd server failed.
public enum ClientError: Error, CustomStringConvertible, Sendable {
    /// The URL is not `http://HOST:PORT/PATH` (or `ws://`).
    case badURL(String)
    /// The TCP connection could not be made.
    case connectFailed(host: String, port: Int, errno: Int32)
    /// Nothing arrived in time.
    case timedOut
    /// The peer closed the connection.
    case closed
    /// The peer's bytes do not follow the protocol.
    case protocolViolation(String)
    /// The WebSocket handshake was refused with this HTTP status.
    case handshakeRefused(status: Int)

    public var description: String {
        switch self {
        case .badURL(let url): return "not an http:// or ws:// URL with a host: \(url)"
        case .connectFailed(let host, let port, let errno): return "cannot connect to \(host):\(port) (errno \(errno))"
        case .timedOut: return "timed out"
        case .closed: return "connection closed by the server"
        case .protocolViolation(let detail): return "protocol error: \(detail)"
        case .handshakeRefused(let status): return "websocket handshake refused with HTTP \(status)"
        }
    }
}
