import CLibWebSockets
import Dispatch

/// Sessions, the mailbox other threads post to, and the connection limits, on the service thread.
extension LWSServer {
    func session(_ slot: UnsafeMutablePointer<UInt64>?) -> LWSSession? {
        guard let slot, slot.pointee != 0 else { return nil }
        return sessions[slot.pointee]
    }

    func newSession(_ wsi: OpaquePointer, slot: UnsafeMutablePointer<UInt64>?, kind: LWSSession.Kind) -> LWSSession? {
        guard let slot else { return nil }
        nextConnectionID += 1
        slot.pointee = nextConnectionID
        let session = LWSSession(id: ConnectionID(rawValue: nextConnectionID), wsi: wsi, kind: kind)
        sessions[nextConnectionID] = session
        return session
    }

    /// Whether a just-accepted connection may keep its descriptor: not when it is one of the last
    /// ``LWSServer/Configuration/descriptorReserve`` below the limit. Logs once per episode.
    func shouldKeepConnection(descriptor: Int) -> Bool {
        guard descriptor >= acceptCeiling else {
            if let refused = descriptorPressure.end() {
                logger.notice(
                    "accepting connections again",
                    metadata: ["http.refused": "\(refused)", "fd.ceiling": "\(acceptCeiling)"])
            }
            return true
        }
        descriptorRefusalCount.withLock { $0 += 1 }
        if descriptorPressure.record() {
            logger.warning(
                "refusing connections: near the descriptor limit (raise LimitNOFILE)",
                metadata: ["fd.ceiling": "\(acceptCeiling)", "fd.reserve": "\(configuration.descriptorReserve)"])
        }
        return false
    }

    /// Applies what other threads posted: frames, closes, HTTP responses, the stop request.
    func drainMailbox() {
        let (items, stop) = mailbox.withLock { box -> ([MailItem], Bool) in
            defer { box.items.removeAll(keepingCapacity: true) }
            return (box.items, box.stopRequested)
        }
        for item in items {
            switch item {
            case .frame(let frame, let targets):
                let chosen = targets.map { $0.compactMap { sessions[$0.rawValue] } }
                    ?? sessions.values.filter { $0.kind == .webSocket }
                var merges: [ObjectIdentifier: BundleMerge] = [:]
                for session in chosen where session.kind == .webSocket && session.pendingClose == nil {
                    if !session.enqueue(frame, limit: configuration.maximumOutboxFrames, merges: &merges) {
                        session.pendingClose = .tooSlow
                    }
                    lws_callback_on_writable(session.wsi)
                }
            case .close(let id, let reason):
                guard let session = sessions[id.rawValue], session.kind == .webSocket else { continue }
                session.pendingClose = reason
                lws_callback_on_writable(session.wsi)
            case .response(let id, let response):
                guard let session = sessions[id.rawValue], session.awaitingResponse else { continue }
                session.response = response
                lws_callback_on_writable(session.wsi)
            case .reloadCertificates(let completion):
                completion(context?.reloadCertificates(configuration))
            }
        }
        disconnectStalledClients()
        if stop && !draining {
            draining = true
            let webSockets = sessions.values.filter { $0.kind == .webSocket }
            for session in webSockets {
                session.pendingClose = .goingAway
                lws_callback_on_writable(session.wsi)
            }
            if webSockets.isEmpty { finished = true }
        }
    }

    /// Kills (asynchronously, no close frame: it could not be written) WebSocket clients that have had
    /// frames waiting without taking one for ``LWSServer/Configuration/stallTimeout``. Looks at every
    /// session, so it runs at most as often as ``StallScanSchedule`` allows, not at every wake-up.
    private func disconnectStalledClients() {
        let now = DispatchTime.now().uptimeNanoseconds
        let limit = UInt64(configuration.stallTimeout.timeInterval * 1e9)
        guard stallScans.isDue(now: now, timeout: limit) else { return }
        for session in sessions.values where session.kind == .webSocket && !session.outboxOrder.isEmpty {
            guard now > session.lastProgress, now - session.lastProgress > limit, session.pendingClose == nil else { continue }
            session.pendingClose = .tooSlow
            writeCounters.withLock { $0.stalled += 1 }
            logger.notice("websocket client stalled: disconnecting", metadata: ["ws.connection.id": "\(session.id)"])
            lws_set_timeout(session.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC)
        }
    }
}
