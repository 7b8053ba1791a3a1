import JSONC
import JSONModel
import LWS

/// REST mirrors of the WebSocket topics, each brought up to date by the engine (topics are built on
/// demand) and answered from the topic's latest payload with an
/// ETag (`"<topic>-<seq>"`) so a poller can ask `If-None-Match` and get 304 while nothing changed.
///
/// Each answer is shaped for the caller's token exactly as its WebSocket frames are: customer
/// identifiers masked for viewers, only its queues and teams for a scoped token (other queues' topics
/// are refused with 403). Window-limited names (`center@primary`, TopicWindows) are answered as a board
/// gets them; a malformed one is refused with 400 and its reason.
extension WallboardAPI {
    /// Answers `request` if it is a topic route; returns `false` otherwise.
    func handleTopicRoute(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        guard request.method == .get else { return false }
        let path = request.path
        let viewer = topicViewer(for: request)
        if path == "/api/v1/snapshot" {
            if let list = request.queryValue("topics") {
                let topics = topicList(list)
                guard !topics.isEmpty else {
                    respond(Self.error(400, "topics= names no topic; e.g. ?topics=center,queue:sales"))
                    return true
                }
                if let refusal = topics.lazy.compactMap(hub.windowRefusal).first {
                    respond(Self.error(400, refusal))
                    return true
                }
                engine.refresh(topics) { [self] in
                    respondWithTopics(topics, viewer: viewer, request: request, respond: respond)
                }
            } else {
                respondWithFreshTopic("snapshot", viewer: viewer, request: request, respond: respond)
            }
            return true
        }
        if path == "/api/v1/queues" {
            respondWithFreshTopic("snapshot", viewer: viewer, request: request, select: { $0["queues"] ?? .array([]) }, respond: respond)
            return true
        }
        if path == "/api/v1/agents" {
            respondWithFreshTopic("snapshot", viewer: viewer, request: request, select: { $0["agents"] ?? .array([]) }, respond: respond)
            return true
        }
        if path.hasPrefix("/api/v1/queues/") {
            let id = String(path.dropFirst("/api/v1/queues/".count))
            guard !id.isEmpty, !id.contains("/") else { return false }
            respondWithFreshTopic("queue:\(id)", viewer: viewer, request: request, respond: respond)
            return true
        }
        return false
    }

    /// Has the engine bring `topic` up to date (it is built on demand), then answers with it.
    private func respondWithFreshTopic(
        _ topic: String, viewer: TopicHub.Viewer, request: HTTPRequest, select: (@Sendable (JSONValue) -> JSONValue)? = nil,
        respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        if let refusal = hub.windowRefusal(topic) {
            respond(Self.error(400, refusal))
            return
        }
        guard viewer.maySubscribe(hub.base(of: topic)) else {
            respond(Self.error(403, "this token may not see \(topic)"))
            return
        }
        engine.refresh([topic]) { [self] in
            respondWithTopic(topic, viewer: viewer, request: request, select: select, respond: respond)
        }
    }

    /// `?topics=` split at its commas, keeping a window-limited name's list whole (`center@primary,today`):
    /// a piece that is no topic name (no `:` or `@`, not a topic the hub lists) after a window-limited
    /// name is one of its windows. Window names (`15m`, `interval`, `today`, `primary`) are never topic names.
    private func topicList(_ list: String) -> [String] {
        let known = Set(hub.topics)
        var topics: [String] = []
        for piece in list.split(separator: ",").map(String.init) {
            if let last = topics.last, hub.isWindowLimited(last), !piece.contains(":"), !piece.contains("@"), !known.contains(piece) {
                topics[topics.count - 1] += "," + piece
            } else {
                topics.append(piece)
            }
        }
        return topics
    }

    /// What the caller may see, as for a WebSocket subscriber with the same token.
    private func topicViewer(for request: HTTPRequest) -> TopicHub.Viewer {
        guard let principal = principal(for: request), principal.viewKey != nil else { return .everything }
        return TopicHub.Viewer(key: principal.viewKey, view: principal.view, maySubscribe: principal.maySubscribe)
    }

    private func respondWithTopic(
        _ topic: String, viewer: TopicHub.Viewer, request: HTTPRequest, select: (@Sendable (JSONValue) -> JSONValue)? = nil,
        respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        guard viewer.maySubscribe(hub.base(of: topic)) else {
            respond(Self.error(403, "this token may not see \(topic)"))
            return
        }
        guard let latest = hub.latest(topic) else {
            respond(
                topic == "snapshot"
                    ? Self.error(503, "no snapshot yet: the engine is starting")
                    : Self.error(404, "no such topic: \(topic)"))
            return
        }
        let etag = "\"\(topic)-\(latest.sequence)\(Self.viewSuffix(viewer))\""
        if request.headers["if-none-match"] == etag {
            respond(HTTPResponse(status: 304, headers: [("etag", etag)]))
            return
        }
        var body = latest.dataJSON
        if viewer.key != nil || select != nil {
            let shaped = viewer.view(latest.data)
            body = JSONC.encode(select.map { $0(shaped) } ?? shaped)
        }
        respond(HTTPResponse(status: 200, headers: [("etag", etag), ("cache-control", "no-cache")], text: body))
    }

    /// Several topics in one object `{topic: payload}`; the ETag joins their sequence numbers.
    private func respondWithTopics(
        _ topics: [String], viewer: TopicHub.Viewer, request: HTTPRequest,
        respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        // A window-limited name (TopicWindows) as its base.
        let forbidden = topics.filter { !viewer.maySubscribe(hub.base(of: $0)) }
        guard forbidden.isEmpty else {
            respond(Self.error(403, "this token may not see: \(forbidden.joined(separator: ", "))"))
            return
        }
        var parts: [String] = []
        var tags: [String] = []
        for topic in topics {
            guard let latest = hub.latest(topic) else {
                respond(Self.error(404, "no such topic: \(topic) (available: \(hub.topics.joined(separator: ", ")))"))
                return
            }
            let payload = viewer.key == nil ? latest.dataJSON : JSONC.encode(viewer.view(latest.data))
            parts.append(JSONC.encode(.string(topic)) + ":" + payload)
            tags.append("\(topic)-\(latest.sequence)")
        }
        let etag = "\"" + tags.joined(separator: ",") + Self.viewSuffix(viewer) + "\""
        if request.headers["if-none-match"] == etag {
            respond(HTTPResponse(status: 304, headers: [("etag", etag)]))
            return
        }
        respond(HTTPResponse(status: 200, headers: [("etag", etag), ("cache-control", "no-cache")],
                             text: "{" + parts.joined(separator: ",") + "}"))
    }

    /// Distinguishes the ETags of differently shaped views of the same payload.
    private static func viewSuffix(_ viewer: TopicHub.Viewer) -> String {
        guard let key = viewer.key else { return "" }
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return "-v" + String(hash, radix: 16)
    }
}
