import AMIAdapter
import Foundation
import Glibc
import Synchronization
import WallboardCore
@testable import WallboardServer

/// A clock tests set by hand; the fake server moves it to each replayed message's receive time.
final class AMITestClock: WallClock, Sendable {
    private let current: Mutex<Instant>
    init(_ start: Instant) { current = Mutex(start) }
    func now() -> Instant { current.withLock { $0 } }
    func set(_ instant: Instant) { current.withLock { $0 = max($0, instant) } }
}

/// The real Asterisk captures of `Tests/AMIAdapterTests/Fixtures` (read through `#filePath`: this test
/// target has no resources of its own).
enum AMICapture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("AMIAdapterTests/Fixtures")

    struct Row {
        var recvMs: Int64
        var conn: Int
        var block: [UInt8]
    }

    static func truth(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("\(name).truth.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func t0(_ truth: [String: Any]) -> Int64 {
        let base = truth["time_base"] as! [String: Any]
        return Int64(((base["t0_epoch"] as! NSNumber).doubleValue * 1000).rounded())
    }

    /// `recv_ms<TAB>conn<TAB>block` rows, `block` unescaped.
    static func rows(_ name: String) throws -> [Row] {
        let text = String(decoding: try Data(contentsOf: folder.appendingPathComponent("\(name).tsv")), as: UTF8.self)
        var rows: [Row] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            var block: [UInt8] = []
            var escaped = false
            for byte in fields[2].utf8 {
                if escaped {
                    switch byte {
                    case UInt8(ascii: "r"): block.append(0x0D)
                    case UInt8(ascii: "n"): block.append(0x0A)
                    case UInt8(ascii: "t"): block.append(0x09)
                    default: block.append(byte)
                    }
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else {
                    block.append(byte)
                }
            }
            rows.append(Row(recvMs: Int64(fields[0])!, conn: Int(fields[1])!, block: block))
        }
        return rows
    }
}

/// A loopback Asterisk manager for tests: listens on 127.0.0.1 port 0, sends the banner, checks
/// Login, then replays one capture connection per accepted connection (see ``Plan``), answering the
/// client's own actions. Runs on one background thread with blocking POSIX sockets.
///
/// Replay: the capture's broadcast messages are sent in order, in chunks of varied sizes; the capture
/// session's own answers (ActionIDs of `capture_actions_sent`) are sent only as answers to the same
/// action from the client (QueueStatus, CoreShowChannels: the first of each per connection), with the
/// client's ActionID. Ping, Logoff and anything the capture does not answer get canned replies at once.
/// Before each group of messages the server moves `clock` to its receive time; with `delivered` it then
/// waits until the client has consumed every byte sent, so the client sees each message at its capture time.
final class FakeAMIServer: @unchecked Sendable {
    // @unchecked: configuration is immutable after init; `stopFlag`, `sentTotal`, `log` are Mutex-protected;
    // everything else is touched only by the server thread.

    /// One capture connection to replay.
    struct Plan {
        enum Item {
            case broadcast(recvMs: Int64, blocks: [[UInt8]])
            case answer(recvMs: Int64, captureID: String, action: String, blocks: [[UInt8]])
        }
        var items: [Item] = []
        /// Receive time of the banner.
        var startMs: Int64 = 0
        /// After the last item, send half of one more message and close (no Logoff), like a crash.
        var dropMidMessage = false

        /// Plans for each capture connection of `rows`; the capture session's ActionIDs come from `truth`.
        static func fromCapture(_ rows: [AMICapture.Row], truth: [String: Any], garbageEvery: Int? = nil) -> [Plan] {
            var actions: [String: String] = [:]
            for action in truth["capture_actions_sent"] as! [[String: Any]] {
                actions[action["action_id"] as! String] = action["action"] as? String
            }
            var plans: [Int: Plan] = [:]
            var count = 0
            for row in rows {
                var plan = plans[row.conn] ?? Plan()
                defer { plans[row.conn] = plan }
                if row.block.starts(with: Array("Asterisk Call Manager".utf8)) {
                    plan.startMs = row.recvMs
                    continue
                }
                let id = Self.actionID(of: row.block)
                if let id, let action = actions[id] {
                    if case .answer(let ms, id, action, let blocks)? = plan.items.last {
                        plan.items[plan.items.count - 1] = .answer(recvMs: ms, captureID: id, action: action, blocks: blocks + [row.block])
                    } else {
                        plan.items.append(.answer(recvMs: row.recvMs, captureID: id, action: action, blocks: [row.block]))
                    }
                    continue
                }
                count += 1
                var blocks = [row.block]
                if let garbageEvery, count % garbageEvery == 0 {
                    blocks.insert(Array("\u{1}\u{2} this line is no AMI header\r\nnor this one\r\n\r\n".utf8), at: 0)
                }
                if case .broadcast(row.recvMs, let previous)? = plan.items.last {
                    plan.items[plan.items.count - 1] = .broadcast(recvMs: row.recvMs, blocks: previous + blocks)
                } else {
                    plan.items.append(.broadcast(recvMs: row.recvMs, blocks: blocks))
                }
            }
            return plans.keys.sorted().map { plans[$0]! }
        }

        static func actionID(of block: [UInt8]) -> String? {
            let text = String(decoding: block, as: UTF8.self)
            guard let range = text.range(of: "\r\nActionID: ") ?? (text.hasPrefix("ActionID: ") ? text.range(of: "ActionID: ") : nil)
            else { return nil }
            return String(text[range.upperBound...].prefix { $0 != "\r" && $0 != "\n" })
        }
    }

    let username: String
    let secret: String
    /// Whether `Action: Challenge` is answered with a nonce (as Asterisk does) or refused (an AMI proxy
    /// or a server without MD5), which must make the client fall back to a plain-text `Secret`.
    let offersChallenge: Bool
    /// How each Login proved the secret: `md5` (a `Key` for the challenge this connection was given) or
    /// `plain` (a `Secret`).
    let logins = Mutex<[String]>([])
    let port: Int
    private let plans: [Plan]
    private let t0: Int64
    private let clock: AMITestClock?
    private let delivered: (@Sendable () -> Int)?
    /// Actions answered by the capture when it has an answer, else canned.
    private let scriptedActions: Set<String> = ["QueueStatus", "CoreShowChannels"]
    private let listener: Int32
    private let stopFlag = Mutex(false)
    private let sentTotal = Mutex(0)
    private let accepted = Mutex(0)
    private let actionLog = Mutex<[String]>([])
    /// The `Data:` of every Originate received (the ChanSpy arguments).
    let originated = Mutex<[String]>([])
    /// What follows an Originate's "Originate successfully queued", as Asterisk does for `Async: true`:
    /// `before` (e.g. the agent's call ending while the supervisor's phone rings), then an
    /// `OriginateResponse` with this `Response` and `Reason` (4 answered, 5 busy, 3 no answer ...).
    let originateScript = Mutex<(before: [[UInt8]], response: String, reason: Int)>(([], "Success", 4))
    private let replayedCount = Mutex(0)
    private let finished = DispatchSemaphore(value: 0)
    private var chunkIndex = 0
    private static let chunkSizes = [1, 7, 64, 300, 1460, 4096, 65536, 13, 900]

    /// Starts listening and serving at once.
    init(username: String = "wallboard", secret: String = "wallboard-capture", offersChallenge: Bool = true, plans: [Plan],
         t0: Int64 = 0, clock: AMITestClock? = nil, delivered: (@Sendable () -> Int)? = nil) throws
    {
        self.username = username
        self.secret = secret
        self.offersChallenge = offersChallenge
        self.plans = plans
        self.t0 = t0
        self.clock = clock
        self.delivered = delivered
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var on: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.start()
    }

    /// Connections accepted so far.
    var connections: Int { accepted.withLock { $0 } }
    /// Connections whose plan was sent completely (or dropped as planned).
    var replayed: Int { replayedCount.withLock { $0 } }
    /// `Action` names received, in order.
    var actions: [String] { actionLog.withLock { $0 } }

    /// Stops serving and waits (up to 2 s) for the thread.
    func stop() {
        stopFlag.withLock { $0 = true }
        _ = finished.wait(timeout: .now() + 2)
        close(listener)
    }

    private var stopping: Bool { stopFlag.withLock { $0 } }

    private func serve() {
        while !stopping {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            let index = accepted.withLock {
                $0 += 1
                return $0
            }
            var connection = Connection(fd: fd)
            run(&connection, plan: index <= plans.count ? plans[index - 1] : Plan())
            close(fd)
        }
    }

    // MARK: - One connection (server thread)

    private struct Connection {
        let fd: Int32
        var decoder = AMIFrameDecoder()
        var inbox: [AMIMessage] = []
        var closed = false
        /// Capture ActionID → the client's ActionID (nil: not answered to this client).
        var mapping: [String: String?] = [:]
        var usedActions: Set<String> = []
        var scripted: Set<String> = []
        init(fd: Int32) { self.fd = fd }
    }

    private func run(_ connection: inout Connection, plan: Plan) {
        setClock(plan.startMs)
        write(&connection, Array("Asterisk Call Manager/11.0.0\r\n".utf8))
        guard let first = waitForAction(&connection, named: ["Challenge", "Login"], timeout: 5) else { return }
        var challenge: String?
        var login = first
        if first["Action"] == "Challenge" {
            // Asterisk: a numeric nonce for `AuthType: MD5`, "Must specify AuthType" otherwise.
            if offersChallenge, first["AuthType"]?.lowercased() == "md5" {
                let nonce = String(UInt32.random(in: 100_000_000...999_999_999))
                challenge = nonce
                write(&connection, reply(first, "Response: Success", "Challenge: \(nonce)"))
            } else {
                write(&connection, reply(first, "Response: Error", "Message: Must specify AuthType"))
            }
            guard let next = waitForAction(&connection, named: ["Login"], timeout: 5) else { return }
            login = next
        }
        let proof: Bool
        if login["AuthType"]?.lowercased() == "md5" {
            logins.withLock { $0.append("md5") }
            proof = challenge.map { login["Key"] == MD5.hex(Array(($0 + secret).utf8)) } ?? false
        } else {
            logins.withLock { $0.append("plain") }
            proof = login["Secret"] == secret
        }
        guard login["Username"] == username, proof else {
            write(&connection, reply(login, "Response: Error", "Message: Authentication failed"))
            waitDelivered()
            return
        }
        write(&connection, reply(login, "Response: Success", "Message: Authentication accepted"))
        for item in plan.items {
            if case .answer(_, _, let action, _) = item { connection.scripted.insert(action) }
        }
        connection.scripted.formIntersection(scriptedActions)
        for (index, item) in plan.items.enumerated() {
            guard !stopping, !connection.closed else { return }
            pump(&connection, wait: 0)
            switch item {
            case .broadcast(let ms, var blocks):
                setClock(ms)
                if plan.dropMidMessage, index == plan.items.count - 1 {
                    let last = blocks.removeLast()
                    write(&connection, blocks.flatMap { $0 } + last.prefix(last.count / 2))
                    waitDelivered()
                    replayedCount.withLock { $0 += 1 }
                    return
                }
                write(&connection, blocks.flatMap { $0 })
            case .answer(let ms, let captureID, let action, let blocks):
                setClock(ms)
                answerFromCapture(&connection, captureID: captureID, action: action, blocks: blocks)
            }
            waitDelivered()
        }
        replayedCount.withLock { $0 += 1 }
        // Idle like a live Asterisk with nothing happening: answer actions until the client leaves.
        connection.scripted = []
        while !stopping, !connection.closed { pump(&connection, wait: 50) }
    }

    private func answerFromCapture(_ connection: inout Connection, captureID: String, action: String, blocks: [[UInt8]]) {
        if connection.mapping[captureID] == nil {
            var clientID: String?
            if connection.scripted.contains(action), !connection.usedActions.contains(action) {
                connection.usedActions.insert(action)
                let deadline = Date().addingTimeInterval(3)
                while clientID == nil, Date() < deadline, !connection.closed {
                    if let index = connection.inbox.firstIndex(where: { $0["Action"] == action }) {
                        clientID = connection.inbox.remove(at: index).actionID
                    } else {
                        pump(&connection, wait: 10)
                    }
                }
                if connection.usedActions.isSuperset(of: connection.scripted) { connection.scripted = [] }
            }
            connection.mapping[captureID] = .some(clientID)
        }
        guard let clientID = connection.mapping[captureID] ?? nil else { return }
        for block in blocks {
            let text = String(decoding: block, as: UTF8.self)
                .replacingOccurrences(of: "ActionID: \(captureID)\r\n", with: "ActionID: \(clientID)\r\n")
            write(&connection, Array(text.utf8))
        }
    }

    /// Reads what the client sent (waiting up to `wait` ms) and answers what the capture will not.
    private func pump(_ connection: inout Connection, wait: Int32) {
        var poller = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
        guard !connection.closed, poll(&poller, 1, wait) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            connection.closed = true
            return
        }
        for case .success(let message) in connection.decoder.feed(buffer[0..<count]) {
            let name = message["Action"] ?? ""
            actionLog.withLock { $0.append(name) }
            if name == "Login" || name == "Challenge" || connection.scripted.contains(name) {
                connection.inbox.append(message)
            } else {
                answerCanned(&connection, message)
            }
        }
    }

    private func answerCanned(_ connection: inout Connection, _ action: AMIMessage) {
        let id = action.actionID ?? ""
        switch (action["Action"] ?? "").lowercased() {
        case "ping":
            write(&connection, reply(action, "Response: Success", "Ping: Pong", "Timestamp: \(Double(clock?.now().milliseconds ?? 0) / 1000)"))
        case "logoff":
            write(&connection, reply(action, "Response: Goodbye", "Message: Thanks for all the fish."))
            connection.closed = true
        case "queuestatus", "coreshowchannels":
            let complete = action["Action"]!.lowercased() == "queuestatus" ? "QueueStatusComplete" : "CoreShowChannelsComplete"
            write(&connection, reply(action, "Response: Success", "EventList: start", "Message: List will follow"))
            write(&connection, Array("Event: \(complete)\r\nActionID: \(id)\r\nEventList: Complete\r\nListItems: 0\r\n\r\n".utf8))
        case "queuepause":
            write(&connection, reply(action, "Response: Success", "Message: Interface paused successfully"))
        case "originate":
            originated.withLock { $0.append(action["Data"] ?? "") }
            write(&connection, reply(action, "Response: Success", "Message: Originate successfully queued"))
            let script = originateScript.withLock { $0 }
            for block in script.before { write(&connection, block) }
            write(
                &connection,
                Array(
                    ("Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: \(id)\r\nResponse: \(script.response)\r\n"
                        + "Channel: \(action["Channel"] ?? "")\r\nApplication: \(action["Application"] ?? "")\r\n"
                        + "Data: \(action["Data"] ?? "")\r\nReason: \(script.reason)\r\nUniqueid: <null>\r\n"
                        + "CallerIDNum: <unknown>\r\nCallerIDName: <unknown>\r\n\r\n").utf8))
        case "hold-me":
            break  // never answered: for action timeouts
        default:
            write(&connection, reply(action, "Response: Error", "Message: Invalid/unknown command"))
        }
    }

    private func waitForAction(_ connection: inout Connection, named names: Set<String>, timeout: TimeInterval) -> AMIMessage? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, !stopping, !connection.closed {
            if let index = connection.inbox.firstIndex(where: { names.contains($0["Action"] ?? "") }) {
                return connection.inbox.remove(at: index)
            }
            pump(&connection, wait: 20)
        }
        return nil
    }

    private func reply(_ action: AMIMessage, _ lines: String...) -> [UInt8] {
        var text = lines[0] + "\r\n"
        if let id = action.actionID { text += "ActionID: \(id)\r\n" }
        for line in lines.dropFirst() { text += line + "\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// Writes `bytes` in chunks of varied sizes, so the client's reads split messages anywhere.
    private func write(_ connection: inout Connection, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count, !connection.closed {
            let size = min(Self.chunkSizes[chunkIndex % Self.chunkSizes.count], bytes.count - offset)
            chunkIndex += 1
            let sent = bytes[offset..<(offset + size)].withUnsafeBytes {
                send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else {
                connection.closed = true
                return
            }
            offset += sent
            sentTotal.withLock { $0 += sent }
        }
    }

    private func setClock(_ ms: Int64) { clock?.set(Instant(milliseconds: t0 + ms)) }

    /// Waits (up to 2 s) until the client has consumed every byte sent so far.
    private func waitDelivered() {
        guard let delivered else { return }
        let target = sentTotal.withLock { $0 }
        let deadline = Date().addingTimeInterval(2)
        while delivered() < target, Date() < deadline, !stopping { usleep(200) }
    }
}
