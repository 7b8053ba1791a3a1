import CLibWebSockets
import Glibc
import Synchronization

// Every libwebsockets call of the HTTP client lives in this file.

/// Owns a client-only `lws_context` (no listening vhost) and the C memory it points into.
/// `deinit` calls `lws_context_destroy` first, then frees that memory: destroy it on the service thread.
final class LWSClientContext {
    fileprivate let pointer: OpaquePointer
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private let strings: [UnsafeMutablePointer<CChar>]

    private init(
        pointer: OpaquePointer, protocols: UnsafeMutablePointer<lws_protocols>, strings: [UnsafeMutablePointer<CChar>]
    ) {
        self.pointer = pointer
        self.protocols = protocols
        self.strings = strings
    }

    deinit {
        lws_context_destroy(pointer)
        protocols.deallocate()
        strings.forEach { free($0) }
    }

    /// Creates the context for `client`, with OpenSSL initialised for client verification: the system bundle
    /// as `client_ssl_ca_filepath` and the additional CA file loaded into the same `SSL_CTX` from the
    /// callback. On failure everything allocated here is freed before throwing.
    /// The corresponding C function is `lws_create_context`.
    static func make(client: LWSHTTPClient) throws(LWSError) -> LWSClientContext {
        lws_set_log_level(LLL_ERR | LLL_WARN, nil)
        let configuration = client.configuration
        var caFiles: [String] = []
        if let system = configuration.systemCABundlePath, access(system, R_OK) == 0 { caFiles.append(system) }
        if let extra = configuration.additionalCAFilePath {
            guard access(extra, R_OK) == 0 else {
                throw LWSError(function: "LWSHTTPClient.start", reason: "cannot read CA file \(extra)")
            }
            caFiles.append(extra)
        }
        if caFiles.isEmpty {
            client.logger.warning("http client has no CA file: https requests will fail verification")
        }

        var strings: [UnsafeMutablePointer<CChar>] = []
        func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
            let copy = strdup(text)!
            strings.append(copy)
            return copy
        }
        let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)
        protocols[0].name = UnsafePointer(cString(clientProtocolName))
        protocols[0].callback = lwsClientCallback
        protocols[0].per_session_data_size = 0

        var info = lws_context_creation_info()
        info.port = CLWS_context_port_no_listen()
        info.protocols = UnsafePointer(protocols)
        info.user = Unmanaged.passUnretained(client).toOpaque()
        info.options = CLWS_option_do_ssl_global_init()
        info.gid = -1
        info.uid = -1
        // lws sizes its fd tables from `ulimit -n` by default; a webhook client needs far fewer sockets.
        info.fd_limit_per_thread = 1024
        // The status line and headers of one response must fit here (lws' default is 4 KiB, less than some
        // receivers' security headers); a longer head fails as `responseHeadTooLarge`.
        info.max_http_header_data = UInt16(LWSHTTPClient.maximumResponseHeadBytes)
        info.client_ssl_ca_filepath = caFiles.first.map { UnsafePointer(cString($0)) }
        client.extraCAFileToLoad = caFiles.count > 1 ? caFiles[1] : nil
        client.extraCAFileLoaded = false

        guard let pointer = lws_create_context(&info) else {
            protocols.deallocate()
            strings.forEach { free($0) }
            throw LWSError(function: "lws_create_context", reason: "cannot create the HTTP client context")
        }
        let context = LWSClientContext(pointer: pointer, protocols: protocols, strings: strings)
        if let extra = client.extraCAFileToLoad, !client.extraCAFileLoaded {
            throw LWSError(
                function: "SSL_CTX_load_verify_locations", reason: "cannot load CA certificates from \(extra)")
        }
        return context
    }

    /// Runs one round of the event loop. The corresponding C function is `lws_service`.
    func service() { _ = lws_service(pointer, 0) }
}

private let clientProtocolName = "wallboardd-http-client"

/// The one door from other threads into the client's lws loop: wakes it so it drains its mailbox.
/// Safe from any thread; after ``disarm()`` (before the context is destroyed) it does nothing.
final class LWSWaker: Sendable {
    /// The armed `lws_context` as an address (0 = disarmed): `OpaquePointer` is not `Sendable`.
    private let target = Mutex<UInt>(0)

    func arm(_ context: LWSClientContext) { arm(pointer: context.pointer) }

    /// Arms with any `lws_context` (the server's too).
    func arm(pointer: OpaquePointer) {
        let address = UInt(bitPattern: pointer)
        target.withLock { $0 = address }
    }

    func disarm() { target.withLock { $0 = 0 } }

    /// The corresponding C function is `lws_cancel_service`, the only lws call that is safe off the service
    /// thread. Called under the lock so the context cannot be destroyed meanwhile.
    func wake() {
        target.withLock { address in
            if let pointer = OpaquePointer(bitPattern: address) { lws_cancel_service(pointer) }
        }
    }
}

// MARK: - Trampoline

private func client(of wsi: OpaquePointer) -> LWSHTTPClient? {
    guard let context = lws_get_context(wsi), let user = lws_context_user(context) else { return nil }
    return Unmanaged<LWSHTTPClient>.fromOpaque(user).takeUnretainedValue()
}

private func lwsClientCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let client = client(of: wsi) else { return 0 }
    switch reason {
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS:
        client.loadExtraCertificates(sslContext: user)
        return 0
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        client.drainMailbox()
        return 0
    default:
        break
    }
    // The request id travels as the wsi's opaque user data: a number, never dereferenced.
    let id = UInt64(UInt(bitPattern: lws_get_opaque_user_data(wsi)))
    guard id != 0, let transfer = client.transfers[id] else { return abandoned(reason) }
    switch reason {
    case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
        // Only note why; returning 0 keeps OpenSSL's verdict (lws fails the handshake when it failed).
        if length == 0, let user, let text = CLWS_x509_verify_error(user) {
            transfer.certificateError = String(cString: text)
        }
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        return client.appendHeaders(transfer, wsi, cursor: input, remaining: length)
    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
        return client.writeBody(transfer, wsi)
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        client.didReceiveHeaders(transfer, wsi)
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
        return client.pumpBody(wsi)
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        return client.didReceiveBody(transfer, UnsafeRawBufferPointer(start: input, count: length))
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        client.didComplete(transfer, wsi)
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        client.didFailToConnect(transfer, input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) })
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        client.didClose(transfer)
    default:
        break
    }
    return 0
}

/// A connection whose request already ended (timed out, too large, shut down): refuse to go on with it.
private func abandoned(_ reason: lws_callback_reasons) -> Int32 {
    switch reason {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER, LWS_CALLBACK_CLIENT_HTTP_WRITEABLE,
        LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP, LWS_CALLBACK_RECEIVE_CLIENT_HTTP, LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        return -1
    default:
        return 0
    }
}

// MARK: - Handlers (service thread)

extension LWSHTTPClient {
    fileprivate func loadExtraCertificates(sslContext: UnsafeMutableRawPointer?) {
        guard let path = extraCAFileToLoad, let sslContext else { return }
        extraCAFileLoaded = CLWS_ssl_ctx_add_ca_file(sslContext, path) == 1
    }

    /// Applies what other threads posted: new requests, expired timeouts, the stop request.
    fileprivate func drainMailbox() {
        let (items, stop) = mailbox.withLock { box -> ([MailItem], Bool) in
            defer { box.items.removeAll(keepingCapacity: true) }
            return (box.items, box.stopRequested)
        }
        for item in items {
            switch item {
            case .submit(let submission):
                let transfer = LWSClientTransfer(submission)
                transfers[transfer.id] = transfer
                if stop { finish(transfer, .failure(.shutDown)) } else { connect(transfer) }
            case .timeout(let id):
                guard let transfer = transfers[id] else { continue }
                let timeout = transfer.request.timeout
                // After the status line a body that never ends is the response's problem, not a missing response.
                finish(
                    transfer,
                    transfer.status != 0
                        ? .success(transfer.response(.interrupted("body not finished within \(timeout)")))
                        : .failure(.timedOut(timeout)))
                if let wsi = transfer.wsi { kill(wsi) }
            }
        }
        if stop && !finished {
            for transfer in Array(transfers.values) { finish(transfer, .failure(.shutDown)) }
            finished = true  // lws_context_destroy closes the connections
        }
    }

    /// The corresponding C function is `lws_client_connect_via_info`.
    private func connect(_ transfer: LWSClientTransfer) {
        guard let context else { return finish(transfer, .failure(.shutDown)) }
        let url = transfer.url
        var flags = LCCSCF_HTTP_NO_FOLLOW_REDIRECT.rawValue
        if url.secure { flags |= LCCSCF_USE_SSL.rawValue }
        var info = lws_client_connect_info()
        info.context = context.pointer
        info.port = Int32(url.port)
        info.ssl_connection = Int32(bitPattern: flags)
        info.opaque_user_data = UnsafeMutableRawPointer(bitPattern: UInt(transfer.id))
        let texts: [String] = [
            url.host, url.pathAndQuery, url.hostHeader, transfer.request.method.rawValue, "http/1.1",
            clientProtocolName,
        ]
        let strings: [UnsafeMutablePointer<CChar>] = texts.map { (text: String) in strdup(text)! }
        defer { strings.forEach { free($0) } }  // lws copies them into the connection's stash
        info.address = UnsafePointer(strings[0])
        info.path = UnsafePointer(strings[1])
        info.host = UnsafePointer(strings[2])
        info.method = UnsafePointer(strings[3])
        info.alpn = UnsafePointer(strings[4])
        // Binding our protocol by name is what makes lws deliver RECEIVE_CLIENT_HTTP_READ to it (without the
        // bind, lws 4.1 "swallows" the body).
        info.local_protocol_name = UnsafePointer(strings[5])
        let wsi = lws_client_connect_via_info(&info)
        // A synchronous failure has already reported CLIENT_CONNECTION_ERROR and finished the transfer.
        guard transfers[transfer.id] != nil else { return }
        guard let wsi else {
            // lws 4.1 returns NULL without a callback when getaddrinfo fails; ask the resolver ourselves to say why.
            let error: LWSClientError =
                hostResolves(url.host)
                ? .connectionFailed("cannot start a connection to \(url.hostHeader)") : .dnsFailure(host: url.host)
            return finish(transfer, .failure(error))
        }
        transfer.wsi = wsi
    }

    /// Closes a connection from our side; lws then runs its close callbacks.
    /// The corresponding C function is `lws_set_timeout` with `LWS_TO_KILL_ASYNC`.
    private func kill(_ wsi: OpaquePointer) {
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, CLWS_to_kill_async())
    }

    /// Adds the caller's headers, `user-agent` and `content-length`, and announces the body.
    fileprivate func appendHeaders(
        _ transfer: LWSClientTransfer, _ wsi: OpaquePointer, cursor: UnsafeMutableRawPointer?, remaining: Int
    ) -> Int32 {
        guard let cursor = cursor?.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
            let start = cursor.pointee
        else { return -1 }
        let end = start + remaining
        var headers = transfer.request.headers
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            headers.append(("user-agent", configuration.userAgent))
        }
        let body = transfer.request.body
        let method = transfer.request.method
        if !body.isEmpty || method == .post || method == .put || method == .patch {
            headers.append(("content-length", String(body.count)))
        }
        for (name, value) in headers {
            let bytes = Array(value.utf8)
            if lws_add_http_header_by_name(wsi, name.lowercased() + ":", bytes, Int32(bytes.count), cursor, end) != 0 {
                return -1
            }
        }
        if !body.isEmpty {
            lws_client_http_body_pending(wsi, 1)
            lws_callback_on_writable(wsi)
        }
        return 0
    }

    /// Writes the next body chunk, one write per writable callback.
    fileprivate func writeBody(_ transfer: LWSClientTransfer, _ wsi: OpaquePointer) -> Int32 {
        let body = transfer.request.body
        guard transfer.sentBytes < body.count else { return 0 }  // lws may call again after the last chunk
        let pre = Int(CLWS_pre())
        let chunk = min(16 * 1024, body.count - transfer.sentBytes)
        let last = transfer.sentBytes + chunk == body.count
        var buffer = [UInt8](repeating: 0, count: pre + chunk)
        buffer.replaceSubrange(pre..<(pre + chunk), with: body[transfer.sentBytes..<(transfer.sentBytes + chunk)])
        let written = buffer.withUnsafeMutableBufferPointer {
            lws_write(wsi, $0.baseAddress! + pre, chunk, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP)
        }
        if written < 0 { return -1 }
        transfer.sentBytes += chunk
        if last {
            lws_client_http_body_pending(wsi, 0)
        } else {
            lws_callback_on_writable(wsi)
        }
        return 0
    }

    /// The status line and headers arrived.
    fileprivate func didReceiveHeaders(_ transfer: LWSClientTransfer, _ wsi: OpaquePointer) {
        transfer.status = Int(lws_http_client_http_response(wsi))
        for (name, token) in responseHeaderTokens {
            if let value = header(wsi, token) { transfer.headers[name] = value }
        }
    }

    /// Asks lws to read what arrived; it hands the bytes to `RECEIVE_CLIENT_HTTP_READ`.
    /// The corresponding C function is `lws_http_client_read`.
    fileprivate func pumpBody(_ wsi: OpaquePointer) -> Int32 {
        let pre = Int(CLWS_pre())
        var buffer = [UInt8](repeating: 0, count: pre + 16 * 1024)
        return buffer.withUnsafeMutableBufferPointer { raw -> Int32 in
            var cursor: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(raw.baseAddress! + pre)
                .assumingMemoryBound(to: CChar.self)
            var space = Int32(raw.count - pre)
            return lws_http_client_read(wsi, &cursor, &space) < 0 ? -1 : 0
        }
    }

    /// Keeps body bytes up to ``LWSHTTPClient/Configuration/retainedBodyBytes``; past that, answers with
    /// what it has and closes the connection (-1) rather than read a body nobody needs.
    fileprivate func didReceiveBody(_ transfer: LWSClientTransfer, _ chunk: UnsafeRawBufferPointer) -> Int32 {
        let limit = configuration.retainedBodyBytes
        let room = limit - transfer.body.count  // body.count never exceeds limit
        guard chunk.count > room else {
            transfer.body.append(contentsOf: chunk)
            return 0
        }
        transfer.body.append(contentsOf: chunk.prefix(room))
        finish(transfer, .success(transfer.response(.truncated(limit: limit))))
        return -1
    }

    fileprivate func didComplete(_ transfer: LWSClientTransfer, _ wsi: OpaquePointer) {
        finish(transfer, .success(transfer.response(.complete)))
        kill(wsi)  // one request per connection: webhooks are rare, an idle keep-alive would only linger
    }

    /// The connection closed before lws reported the response complete.
    fileprivate func didClose(_ transfer: LWSClientTransfer) {
        let detail = "connection closed after \(transfer.body.count) body bytes"
        finish(
            transfer,
            transfer.status != 0
                ? .success(transfer.response(.interrupted(detail))) : .failure(.connectionClosedEarly(detail)))
    }

    /// Turns lws' connection error text into a typed error.
    fileprivate func didFailToConnect(_ transfer: LWSClientTransfer, _ text: String?) {
        let detail = text ?? "unknown error"
        let lower = detail.lowercased()
        let url = transfer.url
        let error: LWSClientError
        if lower.contains("getaddrinfo") || lower.contains("dns") || lower.contains("lookup") {
            error = .dnsFailure(host: url.host)
        } else if lower.contains("refused") || lower.contains("unable to connect") {
            // lws 4.1 says "Unable to connect" when every address refused (or was unreachable).
            error = .connectionRefused(host: url.host, port: url.port)
        } else if let certificateError = transfer.certificateError {
            error = .tlsFailure("certificate rejected: \(certificateError)")
        } else if lower.contains("tls") || lower.contains("ssl") || lower.contains("cert") || lower.contains("verif") {
            error = .tlsFailure(detail)
        } else if lower.contains("timed out") || lower.contains("timeout") {
            error = .timedOut(transfer.request.timeout)
        } else if transfer.status == 0, lower.contains("problems parsing header") {
            // lws 4.1's one text for a head that does not fit its buffer or does not parse.
            error = .responseHeadTooLarge(limit: LWSHTTPClient.maximumResponseHeadBytes)
        } else if transfer.status != 0 || lower.contains("closed") || lower.contains("read failed")
            || lower.contains("hung up")
        {
            // "read failed" / "Peer hung up": the server closed before its response, e.g. plain HTTP to a TLS port.
            error = .connectionClosedEarly(detail)
        } else {
            error = .connectionFailed(detail)
        }
        // Once the status line is in, the response stands; only its body was cut short.
        finish(transfer, transfer.status != 0 ? .success(transfer.response(.interrupted(detail))) : .failure(error))
    }
}

private let responseHeaderTokens: [(String, lws_token_indexes)] = [
    ("content-type", WSI_TOKEN_HTTP_CONTENT_TYPE), ("content-length", WSI_TOKEN_HTTP_CONTENT_LENGTH),
    ("retry-after", WSI_TOKEN_HTTP_RETRY_AFTER), ("location", WSI_TOKEN_HTTP_LOCATION), ("date", WSI_TOKEN_HTTP_DATE),
    ("server", WSI_TOKEN_HTTP_SERVER), ("www-authenticate", WSI_TOKEN_HTTP_WWW_AUTHENTICATE),
    ("cache-control", WSI_TOKEN_HTTP_CACHE_CONTROL), ("etag", WSI_TOKEN_HTTP_ETAG),
]

/// Whether `host` resolves at all; used only to explain a failed connect.
/// The corresponding C function is `getaddrinfo` (blocking, like lws 4.1's own lookup).
private func hostResolves(_ host: String) -> Bool {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var result: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, nil, &hints, &result)
    if let result { freeaddrinfo(result) }
    return status == 0
}

/// The value of a parsed header. The corresponding C functions are `lws_hdr_total_length`, `lws_hdr_copy`.
private func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
    let length = Int(lws_hdr_total_length(wsi, token))
    guard length > 0 else { return nil }
    var buffer = [CChar](repeating: 0, count: length + 1)
    guard lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token) >= 0 else { return nil }
    return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
