import CLibWebSockets

// The C callbacks libwebsockets calls on the service thread: they find the server and hand each
// reason to its handler (LWSServer+HTTP.swift, LWSServer+WebSocket.swift, LWSServer+Connections.swift).

private func server(of wsi: OpaquePointer?) -> LWSServer? {
    guard let wsi, let context = lws_get_context(wsi), let user = lws_context_user(context) else { return nil }
    return Unmanaged<LWSServer>.fromOpaque(user).takeUnretainedValue()
}

func lwsHTTPCallback(
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

func lwsWebSocketCallback(
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
