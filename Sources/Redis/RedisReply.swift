/// One reply from Redis, copied out of hiredis' reply tree (which is freed at once).
public indirect enum RedisReply: Equatable, Sendable {
    /// A bulk string (binary safe).
    case string([UInt8])
    /// A simple status such as `OK`.
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    /// A nil bulk or nil array (e.g. `XREAD` that timed out with nothing new).
    case null
    /// An error reply (the command was refused); ``RedisConnection/call(_:)`` turns it into a throw.
    case error(String)

    /// The text of a bulk string or status, if it is one and valid UTF-8.
    public var text: String? {
        switch self {
        case .string(let bytes): return String(validating: bytes, as: UTF8.self)
        case .status(let text): return text
        default: return nil
        }
    }

    /// The elements of an array reply, if it is one.
    public var elements: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
