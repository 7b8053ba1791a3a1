import CLibWebSockets

/// What the request says (headers, query, peer), copied out of libwebsockets on the service thread.
extension LWSServer {
    func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token) >= 0 else { return nil }
        return cStringToString(buffer)
    }

    func requestLine(_ wsi: OpaquePointer) -> (HTTPMethod, String)? {
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

    func queryArguments(_ wsi: OpaquePointer) -> [(name: String, value: String)] {
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

    func requestHeaders(_ wsi: OpaquePointer) -> [String: String] {
        let tokens: [(HTTPRequestHeader, lws_token_indexes)] = [
            (.authorization, WSI_TOKEN_HTTP_AUTHORIZATION), (.contentType, WSI_TOKEN_HTTP_CONTENT_TYPE),
            (.ifNoneMatch, WSI_TOKEN_HTTP_IF_NONE_MATCH), (.origin, WSI_TOKEN_ORIGIN), (.cookie, WSI_TOKEN_HTTP_COOKIE),
            (.userAgent, WSI_TOKEN_HTTP_USER_AGENT), (.xForwardedFor, WSI_TOKEN_X_FORWARDED_FOR), (.host, WSI_TOKEN_HOST),
            (.accept, WSI_TOKEN_HTTP_ACCEPT),
        ]
        var headers: [String: String] = [:]
        for (name, token) in tokens {
            if let value = header(wsi, token) { headers[name.rawValue] = value }
        }
        return headers
    }

    func peerAddress(_ wsi: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        guard lws_get_peer_simple(wsi, &buffer, buffer.count) != nil else { return "" }
        return cStringToString(buffer)
    }
}

/// The text of a NUL-terminated C buffer.
private func cStringToString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
