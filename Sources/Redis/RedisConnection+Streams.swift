/// Authentication and the stream commands the daemon uses, with their replies checked.
extension RedisConnection {
    /// `AUTH [user] password`: an ACL user (Redis 6+) or the `requirepass` password alone.
    public func authenticate(user: String?, password: String) throws(RedisError) {
        var arguments = ["AUTH"]
        if let user { arguments.append(user) }
        arguments.append(password)
        do {
            try call(arguments)
        } catch .server(_, let message) {
            // Never echo the password; Redis' own message (WRONGPASS…) names the problem.
            throw .server(command: "AUTH" + (user.map { " as \($0)" } ?? ""), message: message)
        }
    }

    /// `PING`: whether the server answers.
    public func ping() throws(RedisError) {
        let reply = try call(["PING"])
        guard reply.text == "PONG" else { throw .protocolViolation(command: "PING", message: "\(reply)") }
    }

    /// `XADD stream [MINID ~ minID] * field value …`: appends an entry and returns the id Redis gave it.
    /// `minID` trims entries older than it (approximately: whole macro nodes, so never more than asked).
    public func xadd(stream: String, minID: StreamID? = nil, fields: [(name: String, value: [UInt8])]) throws(RedisError)
        -> StreamID
    {
        try xadd(stream: stream, minID: minID, entries: [fields])[0]
    }

    /// Appends several entries in one round trip (pipelined `XADD`s), in order; returns their ids.
    /// Throws at the first error reply (the entries before it were added, those after it may be).
    public func xadd(stream: String, minID: StreamID? = nil, entries: [[(name: String, value: [UInt8])]]) throws(RedisError)
        -> [StreamID]
    {
        guard !entries.isEmpty, entries.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidArgument("XADD needs at least one field per entry")
        }
        var head: [[UInt8]] = [Array("XADD".utf8), Array(stream.utf8)]
        if let minID { head += [Array("MINID".utf8), Array("~".utf8), Array(minID.description.utf8)] }
        head.append(Array("*".utf8))
        let commands = entries.map { fields in head + fields.flatMap { [Array($0.name.utf8), $0.value] } }
        var ids: [StreamID] = []
        ids.reserveCapacity(entries.count)
        for reply in try pipeline(commands) {
            if case .error(let message) = reply { throw .server(command: "XADD \(stream)", message: message) }
            guard let text = reply.text, let id = StreamID(text) else {
                throw .protocolViolation(command: "XADD \(stream)", message: "expected an entry id, got \(reply)")
            }
            ids.append(id)
        }
        return ids
    }

    /// `XREAD COUNT count BLOCK ms STREAMS stream after`: up to `count` entries after `after`, waiting
    /// up to `block` for the first one. Returns `[]` when nothing came in that time.
    public func xread(stream: String, after: StreamID, count: Int, block: Duration) throws(RedisError) -> [StreamEntry] {
        let milliseconds = max(1, block.components.seconds * 1000 + block.components.attoseconds / 1_000_000_000_000_000)
        let command = "XREAD \(stream)"
        let reply = try withTimeout(extendedBy: block) { () throws(RedisError) in
            try send(["XREAD", "COUNT", "\(max(1, count))", "BLOCK", "\(milliseconds)", "STREAMS", stream, after.description]
                .map { Array($0.utf8) })
        }
        switch reply {
        case .null: return []
        case .error(let message): throw .server(command: command, message: message)
        case .array(let streams):
            guard streams.count == 1, let pair = streams[0].elements, pair.count == 2, let entries = pair[1].elements else {
                throw .protocolViolation(command: command, message: "expected one [name, entries] pair")
            }
            var result: [StreamEntry] = []
            result.reserveCapacity(entries.count)
            for entry in entries { result.append(try Self.entry(entry, command: command)) }
            return result
        default: throw .protocolViolation(command: command, message: "expected an array or nil, got \(reply)")
        }
    }

    /// `XINFO STREAM`-free head lookup: `XREVRANGE stream + - COUNT 1`, the newest entry's id (`nil` if empty).
    public func lastID(stream: String) throws(RedisError) -> StreamID? {
        let command = "XREVRANGE \(stream)"
        let reply = try send(["XREVRANGE", stream, "+", "-", "COUNT", "1"].map { Array($0.utf8) })
        if case .error(let message) = reply { throw .server(command: command, message: message) }
        guard let entries = reply.elements else {
            throw .protocolViolation(command: command, message: "expected an array, got \(reply)")
        }
        return try entries.first.map { entry throws(RedisError) in try Self.entry(entry, command: command).id }
    }

    private static func entry(_ reply: RedisReply, command: String) throws(RedisError) -> StreamEntry {
        guard let parts = reply.elements, parts.count == 2, let idText = parts[0].text, let id = StreamID(idText) else {
            throw .protocolViolation(command: command, message: "an entry is not [id, fields]: \(reply)")
        }
        let values = parts[1].elements ?? []
        guard values.count % 2 == 0 else {
            throw .protocolViolation(command: command, message: "entry \(id) has an odd number of field items")
        }
        var fields: [(name: String, value: [UInt8])] = []
        for index in stride(from: 0, to: values.count, by: 2) {
            guard case .string(let name) = values[index], case .string(let value) = values[index + 1] else {
                throw .protocolViolation(command: command, message: "entry \(id) has a field that is not a string")
            }
            fields.append((String(decoding: name, as: UTF8.self), value))
        }
        return StreamEntry(id: id, fields: fields)
    }
}
