import Foundation

/// One HTTP/1.1 request for ``LWSHTTPClient``: an alert webhook POST, typically.
package struct OutgoingHTTPRequest: Sendable {
    package var method: HTTPMethod
    /// `http://` or `https://` URL: host, optional port, path and query. No user info, no fragment.
    package var url: String
    /// Extra request headers, e.g. `("authorization", "Bearer …")`. `host` and `content-length` are set by the
    /// client; a `content-type` here is sent as given.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// Longest time from ``LWSHTTPClient/send(_:completion:)`` to the complete response, DNS and connect included.
    package var timeout: Duration

    package init(
        method: HTTPMethod = .post, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// A request whose body is `json` (UTF-8) with `content-type: application/json`.
    package static func json(
        _ json: String, to url: String, headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(10)
    ) -> OutgoingHTTPRequest {
        OutgoingHTTPRequest(
            method: .post, url: url, headers: [("content-type", "application/json")] + headers, body: Array(json.utf8),
            timeout: timeout)
    }
}

/// An HTTP response, whatever its status: a 4xx/5xx is a response, not an ``LWSClientError``.
///
/// Once the status line and headers have arrived there is a response, even when its body then goes wrong:
/// ``bodyEnd`` says whether ``body`` is all of it. A caller that acts on the status (a webhook sender) does
/// not have to wait for, or fail on, a body it does not need.
package struct OutgoingHTTPResponse: Sendable {
    /// How the body ended.
    package enum BodyEnd: Sendable, Equatable, CustomStringConvertible {
        /// ``body`` is the whole body.
        case complete
        /// The body is longer than the client keeps: ``body`` holds its first `limit` bytes and the rest was
        /// not read (the connection was closed instead).
        case truncated(limit: Int)
        /// The body stopped before its end: the connection closed, failed, or the request's timeout passed
        /// (the reason says which). ``body`` holds what arrived.
        case interrupted(String)

        package var description: String {
            switch self {
            case .complete: return "complete"
            case .truncated(let limit): return "truncated to its first \(limit) bytes"
            case .interrupted(let reason): return "interrupted: \(reason)"
            }
        }
    }

    package var status: Int
    /// The response headers the client copies out of libwebsockets (``OutgoingHTTPResponse/copiedHeaders``),
    /// names in lower case.
    package var headers: [String: String]
    /// At most ``LWSHTTPClient/Configuration/retainedBodyBytes``.
    package var body: [UInt8]
    package var bodyEnd: BodyEnd

    package init(status: Int, headers: [String: String] = [:], body: [UInt8] = [], bodyEnd: BodyEnd = .complete) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyEnd = bodyEnd
    }

    /// The headers copied from a response. libwebsockets 4.1 parses only headers it knows by token.
    /// (`retry-after` is passed on as text: read it with a bounded parser, it comes from the peer.)
    static let copiedHeaders = [
        "content-type", "content-length", "retry-after", "location", "date", "server", "www-authenticate",
        "cache-control", "etag",
    ]

    package var contentType: String? { headers["content-type"] }
}

/// Why an outgoing request got no HTTP response. Every pending request ends with exactly one response or error.
package enum LWSClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not `http(s)://host[:port][/path][?query]`.
    case invalidURL(String)
    /// A request header name is empty or has `:`/whitespace, or a value has a line break (header injection).
    case invalidHeader(String)
    /// The host name does not resolve.
    case dnsFailure(host: String)
    /// Nothing accepts connections at the address (TCP RST).
    case connectionRefused(host: String, port: Int)
    /// The TLS handshake failed: untrusted or mismatched certificate, or the peer does not speak TLS.
    case tlsFailure(String)
    /// No status line and headers within the request's timeout.
    case timedOut(Duration)
    /// The connection closed before the status line and headers were complete.
    case connectionClosedEarly(String)
    /// The response's status line and headers are longer than `limit` bytes, or do not parse as HTTP/1.1
    /// (libwebsockets reports both the same way).
    case responseHeadTooLarge(limit: Int)
    /// Any other connection failure libwebsockets reports, with its text.
    case connectionFailed(String)
    /// The client was shut down (or is shutting down) before the request finished.
    case shutDown

    package var description: String {
        switch self {
        case .invalidURL(let detail): return "invalid URL: \(detail)"
        case .invalidHeader(let name): return "invalid request header \(name)"
        case .dnsFailure(let host): return "cannot resolve host \(host)"
        case .connectionRefused(let host, let port): return "connection refused by \(host):\(port)"
        case .tlsFailure(let detail): return "TLS failure: \(detail)"
        case .timedOut(let timeout): return "no response within \(timeout)"
        case .connectionClosedEarly(let detail): return "connection closed before the response was complete: \(detail)"
        case .responseHeadTooLarge(let limit):
            return "response status line and headers malformed or longer than \(limit) bytes"
        case .connectionFailed(let detail): return "connection failed: \(detail)"
        case .shutDown: return "HTTP client shut down before the request finished"
        }
    }
}

/// The parts of an outgoing URL that libwebsockets' client connect takes.
struct ParsedHTTPURL: Equatable {
    var secure: Bool
    var host: String
    var port: Int
    /// Path plus `?query`, never empty.
    var pathAndQuery: String

    /// The `Host` header value: the port only when it is not the scheme's default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
    }

    init(_ text: String) throws(LWSClientError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw .invalidURL("\(text) is not a URL")
        }
        guard scheme == "http" || scheme == "https" else { throw .invalidURL("\(text): scheme must be http or https") }
        guard let host = components.host, !host.isEmpty else { throw .invalidURL("\(text) has no host") }
        guard components.user == nil, components.password == nil else {
            throw .invalidURL("\(text): credentials in URLs are not supported; use an authorization header")
        }
        if let port = components.port, !(1...65535).contains(port) { throw .invalidURL("\(text): bad port") }
        let path = components.percentEncodedPath
        guard !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
            throw .invalidURL("\(text): path has spaces or line breaks")
        }
        secure = scheme == "https"
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (secure ? 443 : 80)
        pathAndQuery = (path.isEmpty ? "/" : path) + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }
}
