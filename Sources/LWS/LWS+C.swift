import CLibWebSockets
import Foundation
import Dispatch
import Glibc

// Every libwebsockets call of the project lives in this file.

/// Owns an `lws_context` and the C memory it points into (protocol table, mounts, strings).
/// `deinit` calls `lws_context_destroy` first, then frees that memory: destroy it on the service thread.
final class LWSContext {
    let pointer: OpaquePointer
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let mounts: UnsafeMutablePointer<lws_http_mount>
    private let mountCount: Int
    private let strings: [UnsafeMutablePointer<CChar>]

    /// The port the default vhost listens on.
    let listenPort: Int

    private init(
        pointer: OpaquePointer, protocols: UnsafeMutablePointer<lws_protocols>,
        mounts: UnsafeMutablePointer<lws_http_mount>, mountCount: Int, strings: [UnsafeMutablePointer<CChar>]
    ) {
        self.pointer = pointer
        self.protocols = protocols
        self.mounts = mounts
        self.mountCount = mountCount
        self.strings = strings
        self.listenPort = lws_get_vhost_by_name(pointer, "default").map { Int(lws_get_vhost_listen_port($0)) } ?? 0
    }

    deinit {
        lws_context_destroy(pointer)
        protocols.deallocate()
        mounts.deinitialize(count: mountCount)
        mounts.deallocate()
        strings.forEach { free($0) }
    }

    /// Creates the context for `server`. On failure everything allocated here is freed before throwing.
    /// The corresponding C function is `lws_create_context`.
    static func make(server: LWSServer) throws(LWSError) -> LWSContext {
        lws_set_log_level(LLL_ERR | LLL_WARN, nil)
        let configuration = server.configuration
        let host = try ListenHost.checked(configuration.host, port: configuration.port)
        let tls = try tlsFiles(configuration)
        var strings: [UnsafeMutablePointer<CChar>] = []
        func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
            let copy = strdup(text)!
            strings.append(copy)
            return copy
        }

        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 3)
        protocols.initialize(repeating: lws_protocols(), count: 3)
        protocols[0].name = UnsafePointer(cString("http"))
        protocols[0].callback = lwsHTTPCallback
        protocols[0].per_session_data_size = MemoryLayout<UInt64>.size
        protocols[1].name = UnsafePointer(cString(configuration.webSocketProtocol))
        protocols[1].callback = lwsWebSocketCallback
        protocols[1].per_session_data_size = MemoryLayout<UInt64>.size
        protocols[1].rx_buffer_size = 16 * 1024

        var mountList: [lws_http_mount] = []
        for prefix in configuration.dynamicPrefixes {
            var mount = lws_http_mount()
            mount.mountpoint = UnsafePointer(cString(prefix))
            mount.mountpoint_len = UInt8(prefix.utf8.count)
            mount.protocol = UnsafePointer(cString("http"))
            mount.origin_protocol = UInt8(LWSMPRO_CALLBACK.rawValue)
            mountList.append(mount)
        }
        if let root = configuration.staticRoot {
            var mount = lws_http_mount()
            mount.mountpoint = UnsafePointer(cString("/"))
            mount.mountpoint_len = 1
            mount.origin = UnsafePointer(cString(root))
            mount.def = UnsafePointer(cString("index.html"))
            mount.origin_protocol = UInt8(LWSMPRO_FILE.rawValue)
            mount.cache_max_age = 0
            mountList.append(mount)
        }
        let mounts = UnsafeMutablePointer<lws_http_mount>.allocate(capacity: max(mountList.count, 1))
        mounts.initialize(repeating: lws_http_mount(), count: max(mountList.count, 1))
        for index in mountList.indices {
            mounts[index] = mountList[index]
            if index + 1 < mountList.count { mounts[index].mount_next = UnsafePointer(mounts + index + 1) }
        }

        var info = lws_context_creation_info()
        info.port = Int32(configuration.port)
        info.iface = UnsafePointer(cString(host))
        info.protocols = UnsafePointer(protocols)
        info.mounts = mountList.isEmpty ? nil : UnsafePointer(mounts)
        info.user = Unmanaged.passUnretained(server).toOpaque()
        info.options = CLWS_option_validate_utf8()
        if ListenHost.isIPv4(host) { info.options |= CLWS_option_disable_ipv6() }
        info.gid = -1
        info.uid = -1
        info.vhost_name = UnsafePointer(cString("default"))
        info.max_http_header_data = 8192
        info.server_string = UnsafePointer(cString("wallboardd"))
        if let tls {
            // TLS only: without LWS_SERVER_OPTION_ALLOW_NON_SSL_ON_SSL_PORT, plain HTTP on this port is refused.
            info.options |= CLWS_option_do_ssl_global_init()
            info.ssl_cert_filepath = UnsafePointer(cString(tls.certificate))
            info.ssl_private_key_filepath = UnsafePointer(cString(tls.privateKey))
        }

        guard let pointer = lws_create_context(&info) else {
            protocols.deallocate()
            mounts.deinitialize(count: max(mountList.count, 1))
            mounts.deallocate()
            strings.forEach { free($0) }
            if let tls {
                throw LWSError(
                    function: "lws_create_context",
                    reason: "cannot listen with TLS on \(configuration.host):\(configuration.port): certificate "
                        + "\(tls.certificate) and key \(tls.privateKey) are not a matching PEM pair, "
                        + "or the address is in use or not local")
            }
            throw LWSError(
                function: "lws_create_context",
                reason: "cannot listen on \(configuration.host):\(configuration.port) (address in use or not local?)")
        }
        return LWSContext(
            pointer: pointer, protocols: protocols, mounts: mounts, mountCount: max(mountList.count, 1),
            strings: strings)
    }

    /// The certificate and key paths when TLS is configured; a clear error when only one is given or a file
    /// cannot be read or is not PEM (lws itself only says that context creation failed).
    private static func tlsFiles(_ configuration: LWSServer.Configuration) throws(LWSError)
        -> (certificate: String, privateKey: String)?
    {
        guard configuration.usesTLS else { return nil }
        guard let certificate = configuration.tlsCertificatePath, let privateKey = configuration.tlsPrivateKeyPath else {
            throw LWSError(function: "LWSServer.start", reason: "TLS needs both a certificate and a private key path")
        }
        for (role, path) in [("certificate", certificate), ("private key", privateKey)] {
            guard access(path, R_OK) == 0, let handle = fopen(path, "r") else {
                throw LWSError(function: "LWSServer.start", reason: "cannot read TLS \(role) file \(path)")
            }
            var head = [CChar](repeating: 0, count: 4096)
            let count = fread(&head, 1, head.count - 1, handle)
            fclose(handle)
            let text = String(decoding: head.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.contains("-----BEGIN ") else {
                throw LWSError(function: "LWSServer.start", reason: "TLS \(role) file \(path) is not PEM")
            }
        }
        return (certificate, privateKey)
    }

    /// Runs one round of the event loop. The corresponding C function is `lws_service`.
    func service() { _ = lws_service(pointer, 0) }

    /// Re-reads the certificate and key files into every vhost that uses them.
    /// The corresponding C function is `lws_tls_cert_updated`.
    func reloadCertificates(_ configuration: LWSServer.Configuration) -> LWSError? {
        guard let certificate = configuration.tlsCertificatePath, let key = configuration.tlsPrivateKeyPath else { return nil }
        guard lws_tls_cert_updated(pointer, certificate, key, nil, 0, nil, 0) == 0 else {
            return LWSError(
                function: "lws_tls_cert_updated", reason: "cannot load \(certificate) with \(key) (unreadable or not a pair)")
        }
        return nil
    }

}

// MARK: - Trampolines

private func server(of wsi: OpaquePointer?) -> LWSServer? {
    guard let wsi, let context = lws_get_context(wsi), let user = lws_context_user(context) else { return nil }
    return Unmanaged<LWSServer>.fromOpaque(user).takeUnretainedValue()
}

private func lwsHTTPCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let server = server(of: wsi) else { return lws_callback_http_dummy(wsi, reason, user, input, length) }
    let connectionSlot = user?.assumingMemoryBound(to: UInt64.self)
    switch reason {
    case LWS_CALLBACK_HTTP:
        return server.didReceiveHTTPRequest(wsi, slot: connectionSlot)
    case LWS_CALLBACK_HTTP_BODY:
        server.didReceiveHTTPBody(slot: connectionSlot, UnsafeRawBufferPointer(start: input, count: length))
        return 0
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return server.didCompleteHTTPBody(slot: connectionSlot)
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if let result = server.canWriteHTTP(slot: connectionSlot) { return result }
    case LWS_CALLBACK_CLOSED_HTTP:
        server.didCloseHTTP(slot: connectionSlot)
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        server.drainMailbox()
        return 0
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        // Just accepted; `input` carries the new descriptor (ops-listen.c). Nonzero: lws closes it.
        return server.shouldKeepConnection(descriptor: Int(bitPattern: input)) ? 0 : 1
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        // A WebSocket upgrade without our subprotocol lands on this (the first) protocol: refuse it
        // rather than keep a socket that would never hear anything.
        _ = lws_return_http_status(wsi, 400, "WebSocket upgrades need the subprotocol \(server.configuration.webSocketProtocol)")
        return 1
    default:
        break
    }
    return lws_callback_http_dummy(wsi, reason, user, input, length)
}

private func lwsWebSocketCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let server = server(of: wsi) else { return 0 }
    let connectionSlot = user?.assumingMemoryBound(to: UInt64.self)
    switch reason {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return server.shouldAcceptWebSocket(wsi) ? 0 : 1
    case LWS_CALLBACK_ESTABLISHED:
        server.didOpenWebSocket(wsi, slot: connectionSlot)
    case LWS_CALLBACK_RECEIVE:
        return server.didReceiveWebSocketData(wsi, slot: connectionSlot, UnsafeRawBufferPointer(start: input, count: length))
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return server.canWriteWebSocket(wsi, slot: connectionSlot)
    case LWS_CALLBACK_CLOSED:
        server.didCloseWebSocket(slot: connectionSlot)
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        server.drainMailbox()
    default:
        break
    }
    return 0
}

// MARK: - Handlers (service thread)

extension LWSServer {
    private func session(_ slot: UnsafeMutablePointer<UInt64>?) -> LWSSession? {
        guard let slot, slot.pointee != 0 else { return nil }
        return sessions[slot.pointee]
    }

    private func newSession(_ wsi: OpaquePointer, slot: UnsafeMutablePointer<UInt64>?, kind: LWSSession.Kind) -> LWSSession? {
        guard let slot else { return nil }
        nextConnectionID += 1
        slot.pointee = nextConnectionID
        let session = LWSSession(id: ConnectionID(rawValue: nextConnectionID), wsi: wsi, kind: kind)
        sessions[nextConnectionID] = session
        return session
    }

    fileprivate func didReceiveHTTPRequest(_ wsi: OpaquePointer, slot: UnsafeMutablePointer<UInt64>?) -> Int32 {
        guard let session = session(slot) ?? newSession(wsi, slot: slot, kind: .http) else { return -1 }
        session.resetHTTP()
        guard let (method, uri) = requestLine(wsi) else {
            session.response = HTTPResponse(status: 405, text: #"{"error":"method not allowed"}"#)
            session.awaitingResponse = true
            lws_callback_on_writable(wsi)
            return 0
        }
        // HEAD is answered as GET without the body (same status, headers and content-length).
        session.isHead = method == .head
        session.request = HTTPRequest(
            method: method == .head ? .get : method, path: uri, query: queryArguments(wsi), headers: requestHeaders(wsi),
            peer: peerAddress(wsi))
        if method == .post || method == .put || method == .patch {
            switch bodyLength(session) {
            case .some(let length) where length > 0: return 0  // wait for the body
            case .some: break  // Content-Length: 0
            case .none: return 0  // answered by bodyLength
            }
        }
        dispatch(session)
        return 0
    }

    /// The declared body length of a request with a body, `0` when none is declared (lws then delivers no
    /// body events, so the request is dispatched at once); `nil` after answering a request whose length
    /// is unusable: chunked (411), not a number (400) or over the limit (413).
    private func bodyLength(_ session: LWSSession) -> Int? {
        let wsi = session.wsi
        func refuse(_ status: Int, _ message: String) -> Int? {
            refuseBody(session, status: status, message: message)
            return nil
        }
        if header(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) != nil {
            return refuse(411, "send the body with a Content-Length; chunked request bodies are not accepted")
        }
        guard let text = header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) else { return 0 }
        guard let length = Int(text.trimmingCharacters(in: .whitespaces)), length >= 0 else {
            return refuse(400, "Content-Length is not a number of bytes")
        }
        guard length <= configuration.maximumBodyBytes else {
            return refuse(413, "request body larger than \(configuration.maximumBodyBytes) bytes")
        }
        return length
    }

    /// Answers `status` with `Connection: close` and closes once it is written, without reading the
    /// rest of the body: after a refused body the connection's framing cannot be trusted, and reading
    /// a 10 GB body only to discard it would keep the connection busy for minutes.
    private func refuseBody(_ session: LWSSession, status: Int, message: String) {
        session.bodyRefused = true
        session.request?.body = []
        session.response = HTTPResponse(status: status, text: #"{"error":"\#(message)"}"#)
        session.awaitingResponse = true
        lws_callback_on_writable(session.wsi)
    }

    fileprivate func didReceiveHTTPBody(slot: UnsafeMutablePointer<UInt64>?, _ chunk: UnsafeRawBufferPointer) {
        guard let session = session(slot), session.request != nil, !session.bodyRefused else { return }
        // Both counts are bounded (the buffer by the limit, a chunk by lws's read size): no overflow.
        if session.request!.body.count + chunk.count > configuration.maximumBodyBytes {
            refuseBody(session, status: 413, message: "request body larger than \(configuration.maximumBodyBytes) bytes")
        } else {
            session.request!.body.append(contentsOf: chunk)
        }
    }

    fileprivate func didCompleteHTTPBody(slot: UnsafeMutablePointer<UInt64>?) -> Int32 {
        guard let session = session(slot) else { return -1 }
        if session.bodyRefused { return 0 }  // answered already; the connection closes after it
        dispatch(session)
        return 0
    }

    private func dispatch(_ session: LWSSession) {
        guard let request = session.request else { return }
        session.awaitingResponse = true
        let id = session.id
        delegate.handle(request) { [weak self] response in self?.post(.response(id, response)) }
    }

    /// Writes the response headers, then the body in chunks, one write per callback. `nil` = not ours.
    fileprivate func canWriteHTTP(slot: UnsafeMutablePointer<UInt64>?) -> Int32? {
        guard let session = session(slot) else { return nil }
        guard let response = session.response else { return 0 }
        let wsi = session.wsi
        let pre = Int(CLWS_pre())
        if !session.headersSent {
            var buffer = [UInt8](repeating: 0, count: pre + 4096)
            let failed = buffer.withUnsafeMutableBufferPointer { raw -> Bool in
                let start = raw.baseAddress! + pre
                var cursor: UnsafeMutablePointer<UInt8>? = start
                let end = raw.baseAddress! + raw.count - 1
                if lws_add_http_common_headers(
                    wsi, UInt32(response.status), response.contentType, lws_filepos_t(response.body.count), &cursor, end)
                    != 0
                {
                    return true
                }
                if session.bodyRefused {
                    let close: [UInt8] = Array("close".utf8)
                    if lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, close, Int32(close.count), &cursor, end) != 0 {
                        return true
                    }
                }
                for header in response.headers {
                    let name = header.name + ":"
                    let value = Array(header.value.utf8)
                    if lws_add_http_header_by_name(wsi, name, value, Int32(value.count), &cursor, end) != 0 {
                        return true
                    }
                }
                return lws_finalize_write_http_header(wsi, start, &cursor, end) != 0
            }
            if failed { return -1 }
            session.headersSent = true
            if response.body.isEmpty || session.isHead { return finishHTTP(session) }
            lws_callback_on_writable(wsi)
            return 0
        }
        let chunk = min(16 * 1024, response.body.count - session.bodyOffset)
        let last = session.bodyOffset + chunk >= response.body.count
        var buffer = [UInt8](repeating: 0, count: pre + chunk)
        buffer.replaceSubrange(pre..<(pre + chunk), with: response.body[session.bodyOffset..<(session.bodyOffset + chunk)])
        let written = buffer.withUnsafeMutableBufferPointer {
            lws_write(wsi, $0.baseAddress! + pre, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP)
        }
        if written < 0 { return -1 }
        session.bodyOffset += chunk
        if last { return finishHTTP(session) }
        lws_callback_on_writable(wsi)
        return 0
    }

    private func finishHTTP(_ session: LWSSession) -> Int32 {
        if session.bodyRefused { return -1 }  // the unread body stays unread: close now (lws flushes first)
        session.resetHTTP()
        return lws_http_transaction_completed(session.wsi) != 0 ? -1 : 0
    }

    fileprivate func didCloseHTTP(slot: UnsafeMutablePointer<UInt64>?) {
        guard let slot, slot.pointee != 0 else { return }
        sessions[slot.pointee] = nil
        slot.pointee = 0
    }

    fileprivate func shouldAcceptWebSocket(_ wsi: OpaquePointer) -> Bool {
        if draining { return false }
        let path = header(wsi, WSI_TOKEN_GET_URI) ?? ""
        guard path == configuration.webSocketPath else {
            logger.debug("websocket refused: wrong path", metadata: ["http.path": "\(path)"])
            return false
        }
        return delegate.shouldAcceptWebSocket(
            path: path, query: queryArguments(wsi), headers: requestHeaders(wsi), peer: peerAddress(wsi)) == nil
    }

    fileprivate func didOpenWebSocket(_ wsi: OpaquePointer, slot: UnsafeMutablePointer<UInt64>?) {
        guard let session = newSession(wsi, slot: slot, kind: .webSocket) else { return }
        openWebSockets.withLock { $0 += 1 }
        armProtocolErrorClose(wsi)
        delegate.webSocketOpened(
            session.id, path: header(wsi, WSI_TOKEN_GET_URI) ?? "", query: queryArguments(wsi),
            headers: requestHeaders(wsi), peer: peerAddress(wsi))
    }

    fileprivate func didReceiveWebSocketData(
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

    /// Writes the oldest waiting frame (one write per callback) or the pending close frame.
    fileprivate func canWriteWebSocket(_ wsi: OpaquePointer, slot: UnsafeMutablePointer<UInt64>?) -> Int32 {
        guard let session = session(slot) else { return -1 }
        if let reason = session.pendingClose { return closeNow(session, reason) }
        guard let frame = session.dequeue() else { return 0 }
        armProtocolErrorClose(wsi)
        // The frame's own padded bytes, shared with every other connection it goes to: no copy.
        let written = lws_write(wsi, frame.payload.payloadPointer(), frame.payload.count, LWS_WRITE_TEXT)
        withExtendedLifetime(frame) {}
        if written < 0 { return -1 }
        session.lastProgress = DispatchTime.now().uptimeNanoseconds
        writeCounters.withLock { $0.frames += 1 }
        if !session.outboxOrder.isEmpty { lws_callback_on_writable(wsi) }
        return 0
    }

    /// Whether a just-accepted connection may keep its descriptor: not when it is one of the last
    /// ``LWSServer/Configuration/descriptorReserve`` below the limit. Logs once per episode.
    fileprivate func shouldKeepConnection(descriptor: Int) -> Bool {
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

    fileprivate func didCloseWebSocket(slot: UnsafeMutablePointer<UInt64>?) {
        guard let slot, slot.pointee != 0, let session = sessions.removeValue(forKey: slot.pointee) else { return }
        slot.pointee = 0
        let remaining = openWebSockets.withLock { count -> Int in
            count -= 1
            return count
        }
        delegate.webSocketClosed(session.id)
        if draining && remaining == 0 { finished = true }
    }

    /// Applies what other threads posted: frames, closes, HTTP responses, the stop request.
    fileprivate func drainMailbox() {
        let (items, stop) = mailbox.withLock { box -> ([MailItem], Bool) in
            defer { box.items.removeAll(keepingCapacity: true) }
            return (box.items, box.stopRequested)
        }
        for item in items {
            switch item {
            case .frame(let frame, let targets):
                let chosen = targets.map { $0.compactMap { sessions[$0.rawValue] } }
                    ?? sessions.values.filter { $0.kind == .webSocket }
                for session in chosen where session.kind == .webSocket && session.pendingClose == nil {
                    if !session.enqueue(frame, limit: configuration.maximumOutboxFrames) {
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
    /// frames waiting without taking one for ``LWSServer/Configuration/stallTimeout``.
    private func disconnectStalledClients() {
        let now = DispatchTime.now().uptimeNanoseconds
        let limit = UInt64(configuration.stallTimeout.timeInterval * 1e9)
        for session in sessions.values where session.kind == .webSocket && !session.outboxOrder.isEmpty {
            guard now > session.lastProgress, now - session.lastProgress > limit, session.pendingClose == nil else { continue }
            session.pendingClose = .tooSlow
            writeCounters.withLock { $0.stalled += 1 }
            logger.notice("websocket client stalled: disconnecting", metadata: ["ws.connection.id": "\(session.id)"])
            lws_set_timeout(session.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC)
        }
    }

    // MARK: - Request details

    private func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token) >= 0 else { return nil }
        return cStringToString(buffer)
    }

    private func requestLine(_ wsi: OpaquePointer) -> (HTTPMethod, String)? {
        let candidates: [(lws_token_indexes, HTTPMethod)] = [
            (WSI_TOKEN_GET_URI, .get), (WSI_TOKEN_POST_URI, .post), (WSI_TOKEN_PUT_URI, .put),
            (WSI_TOKEN_DELETE_URI, .delete), (WSI_TOKEN_PATCH_URI, .patch), (WSI_TOKEN_OPTIONS_URI, .options),
            (WSI_TOKEN_HEAD_URI, .head),
        ]
        for (token, method) in candidates {
            if let uri = header(wsi, token) { return (method, uri) }
        }
        return nil
    }

    private func queryArguments(_ wsi: OpaquePointer) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var buffer = [CChar](repeating: 0, count: 2048)
        var index: Int32 = 0
        while lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_URI_ARGS, index) > 0 {
            let fragment = cStringToString(buffer)
            if let equals = fragment.firstIndex(of: "=") {
                result.append((String(fragment[..<equals]), String(fragment[fragment.index(after: equals)...])))
            } else {
                result.append((fragment, ""))
            }
            index += 1
        }
        return result
    }

    private func requestHeaders(_ wsi: OpaquePointer) -> [String: String] {
        let tokens: [(HTTPRequestHeader, lws_token_indexes)] = [
            (.authorization, WSI_TOKEN_HTTP_AUTHORIZATION), (.contentType, WSI_TOKEN_HTTP_CONTENT_TYPE),
            (.ifNoneMatch, WSI_TOKEN_HTTP_IF_NONE_MATCH), (.origin, WSI_TOKEN_ORIGIN), (.cookie, WSI_TOKEN_HTTP_COOKIE),
            (.userAgent, WSI_TOKEN_HTTP_USER_AGENT), (.xForwardedFor, WSI_TOKEN_X_FORWARDED_FOR), (.host, WSI_TOKEN_HOST),
        ]
        var headers: [String: String] = [:]
        for (name, token) in tokens {
            if let value = header(wsi, token) { headers[name.rawValue] = value }
        }
        return headers
    }

    private func peerAddress(_ wsi: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        guard lws_get_peer_simple(wsi, &buffer, buffer.count) != nil else { return "" }
        return cStringToString(buffer)
    }
}

/// The text of a NUL-terminated C buffer.
private func cStringToString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
