import AMIAdapter
import Foundation
import WallboardCore

/// Where an AMI source connects, as whom, and how patiently. Timings are real time (Dispatch), except
/// ``idleTimeout`` and ``loginTimeout``, which are measured on the source's `WallClock`.
public struct AMISourceConfiguration: Sendable {
    /// The source's name in the board's `sources` and `/healthz`, and in logs. Unique per daemon.
    public var name: String
    public var host: String
    /// Asterisk's manager port (manager.conf `port`, default 5038).
    public var port: Int
    /// The manager.conf user (`[wallboard]`).
    public var username: String
    public var secret: String
    /// Where ``secret`` came from, if a file: re-read before each login retry after a refused login, so a
    /// corrected file takes effect without a restart.
    public var secretFile: String?
    /// Wrap-up times per queue and the event id prefix (give each source its own when there are several).
    public var mapper: AMIEventMapper.Configuration
    /// Resolving plus TCP connect, per attempt.
    public var connectTimeout: Millis = .seconds(10)
    /// First reconnect delay; doubles per failed attempt up to ``maximumBackoff`` (minus up to 20 % jitter).
    public var initialBackoff: Millis = .seconds(1)
    public var maximumBackoff: Millis = .seconds(30)
    /// Delay before logging in again after Asterisk refused the login (never a tight loop).
    public var authenticationRetryDelay: Millis = .seconds(60)
    /// How often the session is ticked (keep-alive Ping, idle check) besides its own deadlines.
    public var tickInterval: Millis = .seconds(2)
    /// Ping after this much silence.
    public var keepAliveInterval: Millis = .seconds(20)
    /// Reconnect when nothing at all arrived for this long while logged in (a half-open TCP connection).
    public var idleTimeout: Millis = .seconds(60)
    /// Reconnect when the banner and login answer did not arrive within this long after TCP connect.
    public var loginTimeout: Millis = .seconds(15)
    /// Default timeout of supervisor actions (``AMISource/send(_:timeout:completion:)``).
    public var actionTimeout: Millis = .seconds(10)
    /// Asterisk's `queue_log`, read at each (re)connect to fill the gap (``QueueLogFile``); `nil`: not read.
    public var queueLog: String?

    public init(
        name: String = "asterisk", host: String, port: Int = 5038, username: String, secret: String,
        mapper: AMIEventMapper.Configuration = .init()
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.username = username
        self.secret = secret
        self.mapper = mapper
    }

    /// The quick-start form: `--ami HOST:PORT --ami-user NAME --ami-secret-file FILE`. A bare `HOST`
    /// uses port 5038. Throws with a message naming the file or address when either is unusable.
    public init(
        name: String = "asterisk", address: String, username: String, secretFile: String,
        mapper: AMIEventMapper.Configuration = .init()
    ) throws(AMISourceError) {
        guard let parsed = Self.parseAddress(address), parsed.port > 0 else { throw .invalidAddress(address) }
        self.init(
            name: name, host: parsed.host, port: parsed.port, username: username,
            secret: try Self.readSecret(fromFile: secretFile), mapper: mapper)
        self.secretFile = secretFile
    }

    /// `HOST:PORT`, `[IPv6]:PORT`, or a bare `HOST` / `[IPv6]` / IPv6 address with port 5038.
    static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        if text.hasPrefix("["), text.hasSuffix("]") { return text.count > 2 ? (String(text.dropFirst().dropLast()), 5038) : nil }
        if text.hasPrefix("[") { return ListenAddress.parse(text) }
        switch text.filter({ $0 == ":" }).count {
        case 0: return text.isEmpty ? nil : (text, 5038)
        case 1: return ListenAddress.parse(text)
        default: return (text, 5038)
        }
    }

    /// Reads a secret file: its whole content less trailing CR/LF (so `echo secret > file` works);
    /// other whitespace is kept, as Asterisk compares secrets exactly.
    public static func readSecret(fromFile path: String) throws(AMISourceError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).userInfo[NSUnderlyingErrorKey].map { "\($0)" } ?? error.localizedDescription
            throw .secretFileUnreadable(path: path, reason: Self.shortReason(reason, path: path))
        }
        guard var secret = String(data: data, encoding: .utf8) else {
            throw .secretFileUnreadable(path: path, reason: "not UTF-8 text")
        }
        while let last = secret.unicodeScalars.last, last == "\n" || last == "\r" {
            secret.unicodeScalars.removeLast()
        }
        guard !secret.isEmpty else { throw .secretFileEmpty(path: path) }
        return secret
    }

    private static func shortReason(_ reason: String, path: String) -> String {
        if !FileManager.default.fileExists(atPath: path) { return "no such file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return reason
    }
}
