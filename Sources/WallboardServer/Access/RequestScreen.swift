import Glibc
import LWS

/// The checks every request and WebSocket upgrade passes before any token is looked at, with or
/// without an `access` section (`docs/security.md`, "Host and Origin"):
///
/// - **Host**: a browser tricked by DNS rebinding sends the attacker's name in `Host`, so only names
///   this daemon is known by are served: `localhost` (and `*.localhost`), the listen address, this
///   machine's host name (``systemHostNames()``), names in `allowed_hosts`, and any IP literal (an
///   address cannot be rebound). Others get 421.
/// - **Origin**: a page may call the daemon only from the daemon's own origin (the `Origin`'s
///   host and port equal the request's `Host`) or from an origin listed in `access.allowed_origins`.
///   Requests without `Origin` (curl, scripts, same-origin GETs) pass.
/// - **Body type**: a state-changing request (POST, PUT, PATCH, DELETE) must send a JSON or NDJSON
///   `Content-Type`. Those are not CORS-safelisted, so a page on another site cannot send one without
///   a preflight (which grants nothing), and an HTML form or a `text/plain` fetch is refused with 415.
public struct RequestScreen: Sendable, Equatable {
    /// The listen host (`127.0.0.1`, `0.0.0.0`, a name).
    public var listenHost: String
    /// Extra host names served (lower case, without port or trailing dot).
    public var allowedHosts: [String]
    /// Origins (`https://wall.example.com`, lower case) allowed besides the daemon's own.
    public var allowedOrigins: [String]

    /// Content types a state-changing request may send (matched case-insensitively up to `;`).
    public static let bodyTypes = [
        "application/json", "application/x-ndjson", "application/ndjson", "application/jsonl",
    ]

    public init(listenHost: String = "127.0.0.1", allowedHosts: [String] = [], allowedOrigins: [String] = []) {
        self.listenHost = listenHost
        self.allowedHosts = allowedHosts.map(Self.normalizedName)
        self.allowedOrigins = allowedOrigins.map { $0.lowercased() }
    }

    /// `nil` when a request with this `Host` header may be served, else the 421 refusal.
    /// A request without `Host` (HTTP/1.0 tools; never a browser) passes.
    public func checkHost(_ header: String?) -> AccessRefusal? {
        guard let header, !header.isEmpty else { return nil }
        guard let name = Self.hostName(header) else { return .hostNotAllowed(header) }
        if Self.isIPLiteral(name) || name == "localhost" || name.hasSuffix(".localhost") { return nil }
        if name == Self.normalizedName(listenHost) || allowedHosts.contains(name) { return nil }
        return .hostNotAllowed(header)
    }

    /// `nil` when a request with this `Origin` (and `Host`) may proceed, else the 403 refusal.
    public func checkOrigin(_ origin: String?, host: String?) -> AccessRefusal? {
        guard let origin else { return nil }
        if isListed(origin) { return nil }
        if let host, let authority = Self.authority(ofOrigin: origin), Self.sameAuthority(authority, host, origin: origin) {
            return nil
        }
        return .originNotAllowed(origin)
    }

    /// Whether `origin` is in `access.allowed_origins` (then CORS answers name it).
    public func isListed(_ origin: String) -> Bool { allowedOrigins.contains(origin.lowercased()) }

    /// `nil` when a state-changing request's `Content-Type` is JSON or NDJSON, else the 415 refusal.
    public static func checkBodyType(_ contentType: String?, method: HTTPMethod, path: String) -> AccessRefusal? {
        guard method == .post || method == .put || method == .patch || method == .delete else { return nil }
        let type = (contentType ?? "").split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        if bodyTypes.contains(type) { return nil }
        return .unsupportedBodyType(method: method.rawValue, path: path, sent: type)
    }

    /// This machine's host name and its first label (`wallbox.example.lan`, `wallbox`), served by
    /// default: a page can only send them as `Host` when it was really loaded from this machine by that
    /// name, so they cannot be rebound.
    public static func systemHostNames() -> [String] {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return [] }
        let name = normalizedName(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        guard !name.isEmpty else { return [] }
        let short = String(name.prefix { $0 != "." })
        return short == name ? [name] : [name, short]
    }

    // MARK: Parsing

    /// The host name of a `Host` header (`name`, `name:port`, `[v6]:port`), lower case, without the
    /// trailing dot; `nil` when it is not one.
    static func hostName(_ header: String) -> String? {
        let text = header.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isASCIIDigit) && rest.count > 1) else {
                return nil
            }
            return String(text[text.index(after: text.startIndex)..<close]).lowercased()
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let first = parts.first, !first.isEmpty else { return nil }
        if parts.count == 2 { guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit) else { return nil } }
        return normalizedName(String(first))
    }

    /// Lower case, without a trailing dot, brackets removed from an IPv6 literal.
    static func normalizedName(_ name: String) -> String {
        var text = name.lowercased()
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Whether `name` is an IPv4 or IPv6 address (no DNS name can rebind to it).
    static func isIPLiteral(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }

    /// `host[:port]` of an origin (`scheme://host[:port]`), lower case; `nil` for `null` or a malformed one.
    static func authority(ofOrigin origin: String) -> String? {
        guard let range = origin.range(of: "://") else { return nil }
        let authority = origin[range.upperBound...]
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@") else { return nil }
        return authority.lowercased()
    }

    /// Whether an origin's authority names the same host and port as a `Host` header (default ports
    /// of the origin's scheme may be left out of either).
    static func sameAuthority(_ authority: String, _ host: String, origin: String) -> Bool {
        let host = host.trimmingCharacters(in: .whitespaces).lowercased()
        if authority == host { return true }
        let defaultPort = origin.lowercased().hasPrefix("https://") ? ":443" : ":80"
        func bare(_ text: String) -> String { text.hasSuffix(defaultPort) ? String(text.dropLast(defaultPort.count)) : text }
        return bare(authority) == bare(host)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
