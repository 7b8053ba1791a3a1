import CLibWebSockets

/// HTTP transactions on the service thread: request line and body in, the response out in chunks.
extension LWSServer {
    func didReceiveHTTPRequest(_ wsi: OpaquePointer, slot: UnsafeMutablePointer<UInt64>?) -> Int32 {
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

    func didReceiveHTTPBody(slot: UnsafeMutablePointer<UInt64>?, _ chunk: UnsafeRawBufferPointer) {
        guard let session = session(slot), session.request != nil, !session.bodyRefused else { return }
        // Both counts are bounded (the buffer by the limit, a chunk by lws's read size): no overflow.
        if session.request!.body.count + chunk.count > configuration.maximumBodyBytes {
            refuseBody(session, status: 413, message: "request body larger than \(configuration.maximumBodyBytes) bytes")
        } else {
            session.request!.body.append(contentsOf: chunk)
        }
    }

    func didCompleteHTTPBody(slot: UnsafeMutablePointer<UInt64>?) -> Int32 {
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
    func canWriteHTTP(slot: UnsafeMutablePointer<UInt64>?) -> Int32? {
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

    func didCloseHTTP(slot: UnsafeMutablePointer<UInt64>?) {
        guard let slot, slot.pointee != 0 else { return }
        sessions[slot.pointee] = nil
        slot.pointee = 0
    }
}
