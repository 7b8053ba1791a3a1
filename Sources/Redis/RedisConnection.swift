import CHiredis
import Glibc

/// One blocking connection to a Redis server. Every `redis*` call of the project lives in this file.
///
/// Ownership: the `redisContext` is owned by this object and freed with `redisFree` in `deinit`; each
/// reply from `redisGetReply` is copied into a ``RedisReply`` and freed with `freeReplyObject`
/// before the call returns, so no C pointer escapes.
///
/// Not thread-safe: use one connection from one thread (a source's reader thread, a sink's queue).
/// After an I/O error (``RedisError/isConnectionLost``) the connection is dead; make a new one.
public final class RedisConnection {
    /// `host:port`, for messages.
    public let address: String
    /// How long a command may take to be sent and answered (and to connect).
    public let timeout: Duration
    private let context: UnsafeMutablePointer<redisContext>
    /// Set when hiredis reported an I/O error: the context must not be used again.
    public private(set) var isBroken = false

    /// Connects over TCP, waiting at most `timeout` for the connection and then for each reply.
    public init(host: String, port: Int, timeout: Duration) throws(RedisError) {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard (1...65535).contains(port) else { throw .invalidArgument("port \(port) is not 1...65535") }
        guard let context = redisConnectWithTimeout(host, Int32(port), Self.timeval(timeout)) else {
            throw .connect(address: address, message: "out of memory for the connection")
        }
        if context.pointee.err != 0 {
            let message = Self.errorText(context)
            redisFree(context)
            throw .connect(address: address, message: message)
        }
        guard redisSetTimeout(context, Self.timeval(timeout)) == 0 else {
            let message = Self.errorText(context)
            redisFree(context)
            throw .connect(address: address, message: "cannot set the socket timeout: \(message)")
        }
        self.context = context
        self.address = address
        self.timeout = timeout
    }

    deinit { redisFree(context) }

    /// Sends one command (binary-safe arguments) and returns its reply; an error reply is returned as
    /// ``RedisReply/error(_:)``. Throws only when the connection fails (it is then broken).
    public func send(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        try pipeline([arguments])[0]
    }

    /// Sends `commands` back to back, then reads their replies in order (one round trip for all).
    /// Error replies are returned in place; a connection failure throws, and then which of the
    /// commands ran is unknown.
    public func pipeline(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        guard !isBroken else { throw .io(address: address, message: "the connection failed earlier") }
        guard !commands.isEmpty, commands.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidArgument("a command needs at least its name")
        }
        let name = String(decoding: commands[0][0], as: UTF8.self)
        for arguments in commands {
            guard append(arguments) == 0 else {
                isBroken = true
                throw .io(address: address, message: "\(name): \(Self.errorText(context))")
            }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == 0, let raw else {
                isBroken = true
                throw .io(address: address, message: "\(name): \(Self.errorText(context))")
            }
            replies.append(Self.copy(raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Queues one command in hiredis' output buffer (`redisAppendCommandArgv` copies the arguments).
    private func append(_ arguments: [[UInt8]]) -> Int32 {
        // Copies with a trailing NUL (hiredis reads `argvlen` bytes, the NUL only keeps pointers valid for empty values).
        let buffers = arguments.map { argument -> UnsafeMutablePointer<CChar> in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: argument.count + 1)
            argument.withUnsafeBytes { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count)
            }
            buffer[argument.count] = 0
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var pointers: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        var lengths: [Int] = arguments.map(\.count)
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeMutableBufferPointer { argvlen in
                redisAppendCommandArgv(context, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
            }
        }
    }

    /// Sends a command of text arguments and returns its reply; an error reply is thrown as
    /// ``RedisError/server(command:message:)``.
    @discardableResult
    public func call(_ arguments: [String]) throws(RedisError) -> RedisReply {
        let reply = try send(arguments.map { Array($0.utf8) })
        if case .error(let message) = reply { throw .server(command: arguments.first ?? "", message: message) }
        return reply
    }

    /// Runs `body` with the reply timeout raised by `extra` (for `XREAD BLOCK`, which answers only
    /// after its block time), then restores it.
    func withTimeout<T>(extendedBy extra: Duration, _ body: () throws(RedisError) -> T) throws(RedisError) -> T {
        guard redisSetTimeout(context, Self.timeval(timeout + extra)) == 0 else {
            isBroken = true
            throw .io(address: address, message: "cannot set the socket timeout: \(Self.errorText(context))")
        }
        defer { _ = redisSetTimeout(context, Self.timeval(timeout)) }
        return try body()
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch Int32(value.type) {
        case CHIREDIS_REPLY_STRING: return .string(bytes(value.str, value.len))
        case CHIREDIS_REPLY_STATUS: return .status(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case CHIREDIS_REPLY_ERROR: return .error(String(decoding: bytes(value.str, value.len), as: UTF8.self))
        case CHIREDIS_REPLY_INTEGER: return .integer(Int64(value.integer))
        case CHIREDIS_REPLY_ARRAY:
            guard let element = value.element else { return .array([]) }
            return .array((0..<value.elements).map { index in element[index].map(copy) ?? .null })
        default: return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "error \(context.pointee.err)" : text
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        let clamped = max(0, min(seconds, 86_400))
        return Glibc.timeval(tv_sec: Int(clamped), tv_usec: Int(max(0, attoseconds / 1_000_000_000_000)))
    }
}
