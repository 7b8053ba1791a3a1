import JSONC
import JSONModel

/// Who may send events on the NDJSON stream listener (`docs/ingest.md`, "Authentication").
///
/// The same rules as `POST /api/v1/events`: the principal needs ``AccessPermission/ingest``. A stream
/// has no headers, so the token comes as the first line, `{"token": "wbt_…"}`. A Unix-socket peer
/// counts as a local process (the socket file's permissions decide who may connect at all).
extension AccessGate {
    /// The principal a connection from `peer` gets without a token line, when that principal may
    /// ingest; `nil` when the first line must carry a token. `local` is true for a Unix-socket peer.
    func tokenlessStreamPrincipal(peer: String, local: Bool) -> AccessPrincipal? {
        guard let principal = Self.resolve(digest: nil, peer: local ? "127.0.0.1" : peer, policy: policy),
            AccessPermission.ingest.allows(principal)
        else { return nil }
        return principal
    }

    /// Authenticates a stream's token line like a request's `Authorization: Bearer` (counted and
    /// throttled the same way): the principal, or why not (a role that may not ingest is `forbidden`).
    /// Without an `access` section a token changes nothing: the peer's anonymous rights apply.
    func authenticateStream(token: String, peer: String, local: Bool) -> Result<AccessPrincipal, AccessRefusal> {
        let result = authenticate(
            headers: ["authorization": "Bearer " + token], query: [], peer: local ? "127.0.0.1" : peer, allowURLCredentials: false)
        guard case .success(let principal) = result, !AccessPermission.ingest.allows(principal) else { return result }
        return fail(
            .forbidden("token \"\(principal.name)\" (role \(principal.role.rawValue)) may not post events: ingest or admin needed"),
            peer: peer, now: now)
    }

    /// What a stream's first line is, as far as authentication goes.
    enum StreamFirstLine: Equatable {
        /// `{"token": "…"}`.
        case token(String)
        /// An object with a `token` member that is not exactly `{"token": "<non-empty string>"}`.
        case malformedToken
        /// Anything else (an event, or not JSON): the line is decoded as an event if no token is needed.
        case other
    }

    /// Classifies a stream's first non-blank line.
    static func streamFirstLine(_ line: ArraySlice<UInt8>) -> StreamFirstLine {
        var bytes = Array(line)
        guard let value = try? JSONC.parse(bytes: &bytes), case .object(let object) = value,
            object.members.contains(where: { $0.key == "token" })
        else { return .other }
        guard object.members.count == 1, let token = object["token"]?.stringValue, !token.isEmpty else { return .malformedToken }
        return .token(token)
    }
}
