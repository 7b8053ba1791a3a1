/// Why a Redis call failed. Every case says what was attempted and what went wrong.
public enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The TCP connection could not be made (refused, unreachable, timed out).
    case connect(address: String, message: String)
    /// The connection broke or timed out while sending or reading; it cannot be used again.
    case io(address: String, message: String)
    /// Redis answered the command with an error reply (e.g. `WRONGPASS`, `NOAUTH`, `ERR`).
    case server(command: String, message: String)
    /// The reply did not have the shape the command's documentation promises.
    case protocolViolation(command: String, message: String)
    /// A value we were about to send or a reply we parsed is not acceptable (e.g. a bad stream id).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .connect(let address, let message): return "redis \(address): cannot connect: \(message)"
        case .io(let address, let message): return "redis \(address): connection lost: \(message)"
        case .server(let command, let message): return "redis \(command): \(message)"
        case .protocolViolation(let command, let message): return "redis \(command): unexpected reply: \(message)"
        case .invalidArgument(let message): return "redis: \(message)"
        }
    }

    /// Whether the connection is unusable after this error (reconnect), as opposed to a command refused.
    public var isConnectionLost: Bool {
        switch self {
        case .connect, .io: return true
        case .server, .protocolViolation, .invalidArgument: return false
        }
    }
}
