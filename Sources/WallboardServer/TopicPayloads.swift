import JSONModel

/// Splits a snapshot's JSON into the WebSocket topics boards subscribe to (see `docs/protocol.md`):
/// `snapshot`, `center`, `queue:<id>`, `team:<id>`, `agents:<queue or team id>`.
///
/// Every payload carries `generated_at` and the window names so a board can tick and label it alone.
public enum TopicPayloads {
    /// Topic name → payload, for one snapshot.
    public static func split(_ snapshot: JSONValue) -> [(topic: String, data: JSONValue)] {
        guard let root = snapshot.objectValue else { return [("snapshot", snapshot)] }
        var common = JSONObject()
        for key in ["generated_at", "primary_window", "windows", "window_starts"] { common[key] = root[key] }
        func payload(_ members: [(String, JSONValue?)]) -> JSONValue {
            var object = common
            for (key, value) in members { object[key] = value ?? .null }
            return .object(object)
        }
        var topics: [(String, JSONValue)] = [("snapshot", snapshot)]
        topics.append(("center", payload([("sources", root["sources"]), ("center", root["center"])])))
        let agents = root["agents"]?.arrayValue ?? []
        let waiting = root["waiting"]?.arrayValue ?? []
        var queueIDs: Set<String> = []
        for queue in root["queues"]?.arrayValue ?? [] {
            guard let id = queue["id"]?.stringValue else { continue }
            queueIDs.insert(id)
            topics.append(("queue:\(id)", payload([
                ("queue", queue), ("waiting", .array(waiting.filter { $0["queue"]?.stringValue == id })),
            ])))
            let members = agents.filter { agent in agent["queues"]?.arrayValue?.contains(.string(id)) == true }
            topics.append(("agents:\(id)", payload([("agents", .array(members))])))
        }
        for team in root["teams"]?.arrayValue ?? [] {
            guard let id = team["id"]?.stringValue else { continue }
            topics.append(("team:\(id)", payload([("team", team)])))
            // A team whose id is also a queue's keeps `agents:<id>` for the queue (documented).
            if !queueIDs.contains(id) {
                topics.append(("agents:\(id)", payload([("agents", .array(agents.filter { $0["team"]?.stringValue == id }))])))
            }
        }
        return topics
    }

    /// The payload without its `generated_at`, to tell whether anything but the clock changed.
    static func withoutClock(_ data: JSONValue) -> JSONValue {
        guard case .object(var object) = data else { return data }
        object["generated_at"] = nil
        return .object(object)
    }
}
