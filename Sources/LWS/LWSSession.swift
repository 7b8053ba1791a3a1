import Dispatch

/// One connection's state. Service thread only.
final class LWSSession {
    enum Kind { case http, webSocket }

    let id: ConnectionID
    let wsi: OpaquePointer
    let kind: Kind

    // WebSocket: latest-wins outbox, in arrival order of slots.
    var outboxOrder: [String] = []
    var outbox: [String: OutboundFrame] = [:]
    var pendingClose: WebSocketCloseReason?
    /// The write round (``WriteRounds``) in which this connection last wrote a frame.
    var lastWriteRound: UInt64 = 0
    /// When the client last took a frame, or when frames started waiting (monotonic nanoseconds).
    var lastProgress: UInt64 = 0
    var receiveBuffer: [UInt8] = []
    var discardingOversizedMessage = false

    // HTTP: the transaction in progress.
    var request: HTTPRequest?
    /// The body was refused (too large, chunked, bad length): answer, then close without reading it.
    var bodyRefused = false
    var awaitingResponse = false
    var response: HTTPResponse?
    var headersSent = false
    var bodyOffset = 0
    /// The request was HEAD: send the GET response's headers only.
    var isHead = false

    init(id: ConnectionID, wsi: OpaquePointer, kind: Kind) {
        self.id = id
        self.wsi = wsi
        self.kind = kind
    }

    /// Puts a frame in its slot unless a newer one is already waiting there. Two frames that meet in
    /// a slot leave the newer one, as its self-contained fallback when it has one (a delta must
    /// not replace the frame it builds on). Returns `false` when the outbox is over `limit` slots.
    ///
    /// Two bundles merge (``OutboundFrame/merged(after:)``); `merges` holds the merges of this frame
    /// already made for other connections, by the waiting bundle they merged with: boards that fell
    /// behind in step share one merged bundle instead of each encoding its own.
    /// (The cache keeps each waiting bundle alive with its merge, so no identifier is reused meanwhile.)
    func enqueue(_ frame: OutboundFrame, limit: Int, merges: inout [ObjectIdentifier: BundleMerge]) -> Bool {
        if let waiting = outbox[frame.slot] {
            if frame.parts != nil, waiting.parts != nil {
                let key = ObjectIdentifier(waiting.payload)
                let merged = merges[key]?.merged ?? frame.merged(after: waiting)
                merges[key] = BundleMerge(waiting: waiting, merged: merged)
                outbox[frame.slot] = merged
                return true
            }
            outbox[frame.slot] = waiting.sequence <= frame.sequence ? frame.selfContained : waiting.selfContained
            return true
        }
        if outboxOrder.isEmpty { lastProgress = DispatchTime.now().uptimeNanoseconds }
        outbox[frame.slot] = frame
        if frame.goesFirst { outboxOrder.insert(frame.slot, at: 0) } else { outboxOrder.append(frame.slot) }
        return outboxOrder.count <= limit
    }

    /// ``enqueue(_:limit:merges:)`` for one connection.
    func enqueue(_ frame: OutboundFrame, limit: Int) -> Bool {
        var merges: [ObjectIdentifier: BundleMerge] = [:]
        return enqueue(frame, limit: limit, merges: &merges)
    }

    /// Takes the oldest waiting frame.
    func dequeue() -> OutboundFrame? {
        guard !outboxOrder.isEmpty else { return nil }
        let slot = outboxOrder.removeFirst()
        return outbox.removeValue(forKey: slot)
    }

    /// Ends the HTTP transaction so the connection can carry the next one (keep-alive).
    func resetHTTP() {
        request = nil
        bodyRefused = false
        awaitingResponse = false
        response = nil
        headersSent = false
        bodyOffset = 0
        isHead = false
    }
}

/// A waiting bundle and what a new bundle merged with it became (``LWSSession/enqueue(_:limit:merges:)``).
struct BundleMerge {
    let waiting: OutboundFrame
    let merged: OutboundFrame
}
