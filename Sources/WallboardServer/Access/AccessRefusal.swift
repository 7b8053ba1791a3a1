import JSONC
import JSONModel
import LWS
import WallboardCore

/// Why a request was refused, and the HTTP answer for it. Bodies never carry internals.
public enum AccessRefusal: Error, Sendable, Equatable {
    /// 401: no token where one is needed.
    case missingToken
    /// 401: a token that is not configured (counted toward the per-address limit).
    case invalidToken
    /// 403: a valid token whose role or scope does not allow this.
    case forbidden(String)
    /// 403: the page's Origin is not in `access.allowed_origins`.
    case originNotAllowed(String)
    /// 429: too many failed attempts from this address; retry after this many seconds.
    case throttled(retryAfterSeconds: Int64)
    /// 421: a `Host` this daemon is not known by (the DNS-rebinding shape); see ``RequestScreen``.
    case hostNotAllowed(String)
    /// 415: a state-changing request whose body is not JSON or NDJSON (an HTML form, `text/plain`).
    case unsupportedBodyType(method: String, path: String, sent: String)

    /// The label used on the failure counter.
    public var reason: String {
        switch self {
        case .missingToken: return "missing_token"
        case .invalidToken: return "invalid_token"
        case .forbidden: return "forbidden"
        case .originNotAllowed: return "origin_not_allowed"
        case .throttled: return "throttled"
        case .hostNotAllowed: return "host_not_allowed"
        case .unsupportedBodyType: return "content_type"
        }
    }

    public var status: Int {
        switch self {
        case .missingToken, .invalidToken: return 401
        case .forbidden, .originNotAllowed: return 403
        case .throttled: return 429
        case .hostNotAllowed: return 421
        case .unsupportedBodyType: return 415
        }
    }

    /// The JSON response: `{"error": ..., "code": ...}` with `WWW-Authenticate` on 401 and `Retry-After` on 429.
    public var response: HTTPResponse {
        var headers: [(name: String, value: String)] = []
        let message: String
        switch self {
        case .missingToken:
            message = "authentication required: send Authorization: Bearer <token>"
            headers.append(("www-authenticate", #"Bearer realm="wallboardd""#))
        case .invalidToken:
            message = "invalid token"
            headers.append(("www-authenticate", #"Bearer realm="wallboardd", error="invalid_token""#))
        case .forbidden(let detail):
            message = detail
        case .originNotAllowed(let origin):
            message = "origin \(Self.quoted(origin)) may not call this daemon: only pages it serves itself may, "
                + "or origins listed in access.allowed_origins"
        case .hostNotAllowed(let host):
            message = "host \(Self.quoted(host)) is not served here: use the listen address, localhost or an IP address, "
                + "or add the name to allowed_hosts in the config"
        case .unsupportedBodyType(let method, let path, let sent):
            message = "\(method) \(path) needs Content-Type application/json or application/x-ndjson"
                + (sent.isEmpty ? " (none was sent)" : " (not \(Self.quoted(sent)))")
                + ": other types could be sent by a page on another site"
        case .throttled(let seconds):
            message = "too many failed authentication attempts from this address; retry in \(seconds) s"
            headers.append(("retry-after", String(seconds)))
        }
        let body: JSONValue = ["error": .string(message), "code": .string(reason)]
        if case .originNotAllowed = self { headers.append(("vary", "origin")) }
        return HTTPResponse(status: status, headers: headers, text: JSONC.encode(body))
    }

    /// A caller-supplied text in an error message: quoted, at most 100 characters.
    static func quoted(_ text: String) -> String {
        "\"" + (text.count > 100 ? String(text.prefix(100)) + "…" : text) + "\""
    }
}
