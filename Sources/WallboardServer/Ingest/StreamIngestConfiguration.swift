import Glibc
import LWS

/// Where the NDJSON stream ingest listens and how much it buffers (see `docs/ingest.md`).
public struct StreamIngestConfiguration: Sendable, Equatable {
    /// TCP address to listen on; loopback by default (a bridge on another host should go through a
    /// tunnel or the HTTP API with a token).
    public var tcpHost: String = "127.0.0.1"
    /// TCP port; `nil` turns the TCP listener off, `0` takes an ephemeral port (tests).
    public var tcpPort: Int?
    /// Unix socket path for a local bridge; `nil` turns it off. A stale socket file is replaced; a
    /// live one (another daemon answers) or a file that is not a socket is an error.
    public var unixPath: String?
    /// Permissions of the Unix socket file (owner and group may connect).
    public var unixMode: UInt32 = 0o660
    /// Longest line accepted, in bytes without the newline. A longer line is answered with
    /// `line_too_long` and skipped up to its newline.
    public var maxLineBytes = 64 * 1024
    /// Lines one connection may have read but not yet answered. At the limit the server stops reading
    /// that socket, so TCP flow control pushes back on the sender. Lines are answered after the group
    /// commit (an `fdatasync`, ~8 ms on the bench's disk whatever it covers, up to tens of ms on a
    /// busy one) and wait behind the engine's backlog: this bounds a connection's rate to about this
    /// many lines per such wait, so it is sized for a fast bridge (16,384 decoded events: the bench's
    /// peak RSS 7-18 MB above 4,096's; 4,096 held a journaled stream to ~¾ of the rate without the journal, issue 14), not for
    /// the number of lines one read brings.
    public var maxLinesInFlight = 16384
    /// Bytes of the lines in flight whose events wait for the engine's answer (their decoded events are
    /// held that long). At the limit the server stops reading, as at ``maxLinesInFlight``: 16,384 lines
    /// of up to ``maxLineBytes`` each would let one connection hold a gigabyte of events, while the
    /// bench's lines (~150 bytes) reach the line limit at 2.5 MB. At most one line more is taken.
    public var maxBytesInFlight = 8 * 1024 * 1024
    /// Reply bytes one connection may have waiting to be written. Past it the server stops reading
    /// that connection's input until the client reads its replies.
    public var maxReplyBufferBytes = 256 * 1024
    /// Connections open at once; more are closed at once (and counted).
    public var maxConnections = 256
    /// Bytes read from a socket per read event.
    public var readChunkBytes = 64 * 1024
    /// How long ``StreamIngestServer/stop(completion:)`` waits for in-flight lines to be answered
    /// before it closes connections anyway, in milliseconds.
    public var drainTimeoutMilliseconds = 2000
    /// Descriptors below the soft `RLIMIT_NOFILE` that stream connections never take (see
    /// `DescriptorBudget`): a connection accepted on one of them is closed at once and counted.
    public var descriptorReserve = DescriptorBudget.defaultReserve
    /// How long the listener stops polling after `accept` fails for want of descriptors
    /// (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`), in milliseconds.
    public var acceptBackoffMilliseconds = 250

    public init(tcpHost: String = "127.0.0.1", tcpPort: Int? = nil, unixPath: String? = nil) {
        self.tcpHost = tcpHost
        self.tcpPort = tcpPort
        self.unixPath = unixPath
    }

    /// Whether at least one listener is configured.
    public var isEnabled: Bool { tcpPort != nil || unixPath != nil }
}

/// Why the stream ingest could not start listening.
public enum StreamIngestError: Error, Equatable, CustomStringConvertible {
    case resolve(host: String, message: String)
    case bind(address: String, errno: Int32)
    case listen(address: String, errno: Int32)
    case unixPathTooLong(path: String)
    /// Another process answers on the socket path.
    case unixPathInUse(path: String)
    /// The path exists and is not a socket: never deleted.
    case unixPathNotSocket(path: String)
    case chmod(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .resolve(let host, let message): return "stream ingest: cannot resolve \(host): \(message)"
        case .bind(let address, let code): return "stream ingest: cannot bind \(address): \(Self.text(code))"
        case .listen(let address, let code): return "stream ingest: cannot listen on \(address): \(Self.text(code))"
        case .unixPathTooLong(let path): return "stream ingest: unix socket path is longer than 107 bytes: \(path)"
        case .unixPathInUse(let path): return "stream ingest: another process is listening on \(path)"
        case .unixPathNotSocket(let path): return "stream ingest: \(path) exists and is not a socket; not replacing it"
        case .chmod(let path, let code): return "stream ingest: cannot set permissions of \(path): \(Self.text(code))"
        }
    }

    private static func text(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
}
