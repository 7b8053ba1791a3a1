import CLibWebSockets
import Dispatch

/// WebSocket connections on the service thread: the handshake, messages in, the outbox written out.
extension LWSServer {
    func shouldAcceptWebSocket(_ wsi: OpaquePointer) -> Bool {
        if draining { return false }
        let path = header(wsi, WSI_TOKEN_GET_URI) ?? ""
        guard path == configuration.webSocketPath else {
            logger.debug("websocket refused: wrong path", metadata: ["http.path": "\(path)"])
            return false
        }
        return delegate.shouldAcceptWebSocket(
            path: path, query: queryArguments(wsi), headers: requestHeaders(wsi), peer: peerAddress(wsi)) == nil
    }

    func didOpenWebSocket(_ wsi: OpaquePointer, slot: UnsafeMutablePointer<UInt64>?) {
        guard let session = newSession(wsi, slot: slot, kind: .webSocket) else { return }
        openWebSockets.withLock { $0 += 1 }
        armProtocolErrorClose(wsi)
        delegate.webSocketOpened(
            session.id, path: header(wsi, WSI_TOKEN_GET_URI) ?? "", query: queryArguments(wsi),
            headers: requestHeaders(wsi), peer: peerAddress(wsi))
    }

    func didReceiveWebSocketData(
        _ wsi: OpaquePointer, slot: UnsafeMutablePointer<UInt64>?, _ data: UnsafeRawBufferPointer
    ) -> Int32 {
        guard let session = session(slot) else { return -1 }
        if lws_frame_is_binary(wsi) != 0 {
            return closeNow(session, .unacceptableData("binary frames are not accepted; send JSON text"))
        }
        // What the message will be at least: what came, plus what this frame's header still announces
        // (up to 2^63-1). Closed as soon as that passes the limit, before waiting for the bytes.
        let limit = configuration.maximumMessageBytes
        let received = session.receiveBuffer.count + data.count  // both bounded: no overflow
        let announced = lws_remaining_packet_payload(wsi)
        if received > limit || announced > limit - received {
            return closeNow(session, .messageTooLarge("message larger than \(limit) bytes"))
        }
        session.receiveBuffer.append(contentsOf: data)
        if lws_is_final_fragment(wsi) != 0 && lws_remaining_packet_payload(wsi) == 0 {
            let message = session.receiveBuffer
            session.receiveBuffer.removeAll(keepingCapacity: true)
            delegate.webSocketReceived(session.id, text: message)
        }
        return 0
    }

    /// lws 4.1.6 drops a connection whose control frame announces more than 125 bytes (or whose 64-bit
    /// length has its top bit set) without a close frame: it sends one only when a reason was set
    /// before it gives up (close.c -> rops_close_via_role_protocol_ws). Setting 1002 beforehand makes
    /// those closes say "protocol error"; every close of ours sets its own reason. lws keeps the reason
    /// in the buffer a ping's payload is copied to for the pong, so it is set again before each frame
    /// we write: lws writes a pending pong before it asks us to write, so none is overwritten.
    private func armProtocolErrorClose(_ wsi: OpaquePointer) {
        var protocolError = Array("protocol error".utf8)
        lws_close_reason(wsi, LWS_CLOSE_STATUS_PROTOCOL_ERR, &protocolError, protocolError.count)
    }

    private func closeNow(_ session: LWSSession, _ reason: WebSocketCloseReason) -> Int32 {
        var text = Array(reason.text.utf8)
        lws_close_reason(session.wsi, lws_close_status(UInt32(reason.code)), &text, text.count)
        return -1
    }

    /// Writes the oldest waiting frame (one write per callback) or the pending close frame; a
    /// connection whose turn has not come (``WriteRounds``) asks to be called again instead.
    func canWriteWebSocket(_ wsi: OpaquePointer, slot: UnsafeMutablePointer<UInt64>?) -> Int32 {
        guard let session = session(slot) else { return -1 }
        if let reason = session.pendingClose { return closeNow(session, reason) }
        guard !session.outboxOrder.isEmpty else { return 0 }
        guard writeRounds.mayWrite(lastRound: session.lastWriteRound, budget: configuration.webSocketBytesPerPass) else {
            lws_callback_on_writable(wsi)
            return 0
        }
        guard let waiting = session.dequeue() else { return 0 }
        let frame = joinedBundle(waiting)
        armProtocolErrorClose(wsi)
        // The frame's own padded bytes, shared with every other connection it goes to: no copy.
        let written = lws_write(wsi, frame.payload.payloadPointer(), frame.payload.count, LWS_WRITE_TEXT)
        withExtendedLifetime(frame) {}
        if written < 0 { return -1 }
        session.lastWriteRound = writeRounds.wrote(frame.payload.count)
        session.lastProgress = DispatchTime.now().uptimeNanoseconds
        writeCounters.withLock { $0.frames += 1 }
        if !session.outboxOrder.isEmpty { lws_callback_on_writable(wsi) }
        return 0
    }

    /// `frame`, a merged bundle joined once for every connection that holds the same merge (boards
    /// that fell behind together), or as it is. Service thread.
    private func joinedBundle(_ frame: OutboundFrame) -> OutboundFrame {
        guard frame.needsJoin else { return frame }
        let key = ObjectIdentifier(frame.payload)
        if let done = joinedBundles[key] { return done.joined }
        let joined = frame.joined()
        // The entry keeps the placeholder alive, so its identifier is not reused while it is cached.
        if joinedBundles.count >= 64 { joinedBundles.removeAll(keepingCapacity: true) }
        joinedBundles[key] = (frame, joined)
        return joined
    }

    func didCloseWebSocket(slot: UnsafeMutablePointer<UInt64>?) {
        guard let slot, slot.pointee != 0, let session = sessions.removeValue(forKey: slot.pointee) else { return }
        slot.pointee = 0
        let remaining = openWebSockets.withLock { count -> Int in
            count -= 1
            return count
        }
        delegate.webSocketClosed(session.id)
        if draining && remaining == 0 { finished = true }
    }
}
