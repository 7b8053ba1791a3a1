import JSONC
import JSONModel
import LWS

/// REST mirrors of the WebSocket topics, each answered from the topic's latest payload with an
/// ETag (`"<topic>-<seq>"`) so a poller can ask `If-None-Match` and get 304 while nothing changed.
extension WallboardAPI {
    /// Answers `request` if it is a topic route; returns `false` otherwise.
    func handleTopicRoute(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        guard request.method == .get else { return false }
        let path = request.path
        if path == "/api/v1/snapshot" {
            if let list = request.queryValue("topics") {
                let topics = list.split(separator: ",").map(String.init)
                guard !topics.isEmpty else {
                    respond(Self.error(400, "topics= names no topic; e.g. ?topics=center,queue:sales"))
                    return true
                }
                respondWithTopics(topics, request: request, respond: respond)
            } else {
                respondWithTopic("snapshot", request: request, respond: respond)
            }
            return true
        }
        if path == "/api/v1/queues" {
            respondWithTopic("snapshot", request: request, select: { $0["queues"] ?? .array([]) }, respond: respond)
            return true
        }
        if path == "/api/v1/agents" {
            respondWithTopic("snapshot", request: request, select: { $0["agents"] ?? .array([]) }, respond: respond)
            return true
        }
        if path.hasPrefix("/api/v1/queues/") {
            let id = String(path.dropFirst("/api/v1/queues/".count))
            guard !id.isEmpty, !id.contains("/") else { return false }
            respondWithTopic("queue:\(id)", request: request, respond: respond)
            return true
        }
        return false
    }

    private func respondWithTopic(
        _ topic: String, request: HTTPRequest, select: ((JSONValue) -> JSONValue)? = nil,
        respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        guard let latest = hub.latest(topic) else {
            respond(
                topic == "snapshot"
                    ? Self.error(503, "no snapshot yet: the engine is starting")
                    : Self.error(404, "no such topic: \(topic)"))
            return
        }
        let etag = "\"\(topic)-\(latest.sequence)\""
        if request.headers["if-none-match"] == etag {
            respond(HTTPResponse(status: 304, headers: [("etag", etag)]))
            return
        }
        var body = latest.dataJSON
        if let select, let parsed = try? JSONC.parse(latest.dataJSON) { body = JSONC.encode(select(parsed)) }
        respond(HTTPResponse(status: 200, headers: [("etag", etag), ("cache-control", "no-cache")], text: body))
    }

    /// Several topics in one object `{topic: payload}`; the ETag joins their sequence numbers.
    private func respondWithTopics(
        _ topics: [String], request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        var parts: [String] = []
        var tags: [String] = []
        for topic in topics {
            guard let latest = hub.latest(topic) else {
                respond(Self.error(404, "no such topic: \(topic) (available: \(hub.topics.joined(separator: ", ")))"))
                return
            }
            parts.append(JSONC.encode(.string(topic)) + ":" + latest.dataJSON)
            tags.append("\(topic)-\(latest.sequence)")
        }
        let etag = "\"" + tags.joined(separator: ",") + "\""
        if request.headers["if-none-match"] == etag {
            respond(HTTPResponse(status: 304, headers: [("etag", etag)]))
            return
        }
        respond(HTTPResponse(status: 200, headers: [("etag", etag), ("cache-control", "no-cache")],
                             text: "{" + parts.joined(separator: ",") + "}"))
    }
}
