/// Identifies one connection (HTTP or WebSocket) for as long as it is open. Never reused.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    package let rawValue: UInt64
    package init(rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// A text frame queued for WebSocket connections.
///
/// Frames go into a per-connection outbox keyed by `slot`: a newer frame for the same slot replaces
/// one not yet written (latest wins), so a slow client never builds a backlog of stale payloads.
/// A frame with a lower `sequence` than the one already waiting in its slot is dropped.
///
/// A frame that only makes sense after the one before it (a delta) carries `fallback`: the whole
/// state it leads to. When such a frame meets an unsent frame in its slot, the outbox keeps the
/// fallback instead, so replacing never loses a change the client has not seen.
public struct OutboundFrame: Sendable {
    package var slot: String
    package var sequence: UInt64
    /// The frame's bytes, shared by every connection it is sent to.
    package var payload: SharedBytes
    /// The self-contained frame to send instead when this one replaces an unsent frame of its slot,
    /// made only when it does (most deltas meet no unsent frame: their whole payload is never encoded).
    package var lazyFallback: Lazy<SharedBytes>?
    /// ``lazyFallback``'s bytes (made now if they were not).
    package var fallback: SharedBytes? { lazyFallback?.value }
    /// Written before anything already waiting for the connection (a protocol's greeting, which a
    /// broadcast queued in the same instant must not overtake).
    package var goesFirst: Bool

    /// A bundle's frames (``bundle(_:)``): `payload` is them joined in one message. Two bundles that
    /// meet in the outbox merge frame by frame (``merged(after:)``) instead of the newer replacing the older.
    package private(set) var parts: [OutboundFrame]?
    /// A merged bundle whose bytes are joined only when it is written (``joined()``); its `payload` is
    /// then an empty placeholder that only identifies it.
    package private(set) var needsJoin = false

    package init(
        slot: String, sequence: UInt64, payload: SharedBytes, fallback: SharedBytes? = nil, lazyFallback: Lazy<SharedBytes>? = nil,
        goesFirst: Bool = false
    ) {
        self.slot = slot
        self.sequence = sequence
        self.payload = payload
        self.lazyFallback = lazyFallback ?? fallback.map { Lazy(value: $0) }
        self.goesFirst = goesFirst
    }

    /// The slot of bundles: a connection has at most one bundle waiting.
    package static let bundleSlot = "bundle"

    /// One `bundle` message carrying `parts` (each a whole message of its own slot, e.g. a `topic`
    /// message): `{"type":"bundle","messages":[part, part, ...]}`, joined from the parts' bytes
    /// without re-encoding them (docs/protocol.md, "Bundles").
    package static func bundle(_ parts: [OutboundFrame]) -> OutboundFrame {
        var frame = OutboundFrame(
            slot: bundleSlot, sequence: 0,
            payload: SharedBytes(prefix: #"{"type":"bundle","messages":["#, joining: parts.map(\.payload), separator: ",", suffix: "]}"))
        frame.parts = parts
        return frame
    }

    /// This bundle queued after `waiting`, an unsent bundle of the same connection, as one bundle:
    /// per slot the newer frame wins, as its self-contained fallback when it meets an unsent frame
    /// (a delta must not replace the frame it builds on); slots only one of them has are kept. So a
    /// client that falls behind gets one bundle of the latest state, never a backlog.
    ///
    /// The merge only picks frames; the bytes are joined when the bundle is written (a board behind
    /// by many cycles costs one join per write it takes, not one per cycle it missed).
    package func merged(after waiting: OutboundFrame) -> OutboundFrame {
        var order: [String] = []
        var bySlot: [String: OutboundFrame] = [:]
        for part in (waiting.parts ?? []) + (parts ?? []) {
            if let earlier = bySlot[part.slot] {
                bySlot[part.slot] = earlier.sequence <= part.sequence ? part.selfContained : earlier.selfContained
            } else {
                order.append(part.slot)
                bySlot[part.slot] = part
            }
        }
        var frame = OutboundFrame(slot: Self.bundleSlot, sequence: 0, payload: SharedBytes([]))
        frame.parts = order.map { bySlot[$0]! }
        frame.needsJoin = true
        return frame
    }

    /// This frame ready to write: a merged bundle with its bytes joined, anything else as it is.
    package func joined() -> OutboundFrame {
        guard needsJoin, let parts else { return self }
        return .bundle(parts)
    }

    /// The frame that stands for this one and an older unsent frame of its slot: itself, or its fallback.
    var selfContained: OutboundFrame {
        guard let fallback else { return self }
        return OutboundFrame(slot: slot, sequence: sequence, payload: fallback, goesFirst: goesFirst)
    }
}

/// Why the server closes a WebSocket, with the close code sent to the client.
package enum WebSocketCloseReason: Sendable, Equatable {
    /// 1001: the server is shutting down.
    case goingAway
    /// 1003: a binary frame where text was expected.
    case unacceptableData(String)
    /// 1007: the text is not valid JSON or UTF-8.
    case invalidPayload(String)
    /// 1008: a message that breaks the protocol (unknown op, bad fields).
    case policyViolation(String)
    /// 1009: a message over the size limit.
    case messageTooLarge(String)
    /// 1008: the client fell too far behind.
    case tooSlow

    /// The WebSocket close status code.
    package var code: Int {
        switch self {
        case .goingAway: return 1001
        case .unacceptableData: return 1003
        case .invalidPayload: return 1007
        case .policyViolation, .tooSlow: return 1008
        case .messageTooLarge: return 1009
        }
    }

    /// The reason text sent in the close frame (at most 123 bytes).
    package var text: String {
        let full: String
        switch self {
        case .goingAway: full = "server shutting down"
        case .unacceptableData(let detail), .invalidPayload(let detail), .policyViolation(let detail),
            .messageTooLarge(let detail):
            full = detail
        case .tooSlow: full = "client too slow: outbox limit exceeded"
        }
        var utf8 = Array(full.utf8.prefix(123))
        while !utf8.isEmpty, String(validating: utf8, as: UTF8.self) == nil { utf8.removeLast() }
        return String(decoding: utf8, as: UTF8.self)
    }
}

/// What the server tells its delegate. Every method is called on the lws service thread and must
/// return quickly: hand work to another queue and answer through the server's thread-safe methods.
package protocol LWSServerDelegate: AnyObject, Sendable {
    /// An HTTP request for a dynamic route arrived, body complete. Call `respond` once, from any thread.
    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void)
    /// A WebSocket handshake at `path` with `headers`: return `nil` to accept or a status code (401, 403) to refuse.
    func shouldAcceptWebSocket(path: String, query: [(name: String, value: String)], headers: [String: String], peer: String) -> Int?
    /// A WebSocket connection is open.
    func webSocketOpened(_ connection: ConnectionID, path: String, query: [(name: String, value: String)],
                         headers: [String: String], peer: String)
    /// A complete text message arrived.
    func webSocketReceived(_ connection: ConnectionID, text: [UInt8])
    /// The connection is gone.
    func webSocketClosed(_ connection: ConnectionID)
}
