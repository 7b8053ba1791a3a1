import LWS

/// Who subscribes to which topics, and how each connection takes its updates (``TopicHub``'s book).
///
/// A connection either takes one `topic` message per update (the classic way) or, once it asked for
/// bundles, one `bundle` per publish cycle with every topic of its own that changed. Bundle connections
/// are kept in groups of the same view and the same topics, so a cycle's bundle is built once per group
/// (and shared between groups that see the same changes), never once per connection. Not thread-safe:
/// ``TopicHub`` keeps it behind its lock.
struct TopicSubscriptions {
    /// What a connection may see, held by reference (a closure kept by value in the hub's `Mutex`
    /// state is re-wrapped in thunks on each access: issue 13).
    final class ViewerBox: Sendable {
        let viewer: TopicHub.Viewer
        init(_ viewer: TopicHub.Viewer) { self.viewer = viewer }
    }

    struct Client {
        var viewer: ViewerBox
        var topics: Set<String> = []
        var bundles = false
        /// The group of a bundle connection (``groupKey(_:_:)``).
        var group: String?
    }

    /// Bundle connections of one view that subscribe to the same topics.
    struct Group {
        let viewer: ViewerBox
        let topics: Set<String>
        var members: Set<ConnectionID> = []
    }

    private(set) var clients: [ConnectionID: Client] = [:]
    /// Classic connections by topic.
    private(set) var perTopic: [String: Set<ConnectionID>] = [:]
    private(set) var groups: [String: Group] = [:]
    /// Bundle connections by topic (how many).
    private var bundled: [String: Int] = [:]

    /// Adds `topics` to `connection`, which sees what `viewer` shows; `bundles` switches it to bundles
    /// for good (a later subscribe without it does not switch back).
    mutating func add(_ connection: ConnectionID, _ topics: [String], viewer: TopicHub.Viewer, bundles: Bool) {
        var client = clients[connection] ?? Client(viewer: ViewerBox(viewer))
        client.viewer = ViewerBox(viewer)
        leave(connection, client)
        client.topics.formUnion(topics)
        client.bundles = client.bundles || bundles
        join(connection, &client)
        clients[connection] = client
    }

    /// Removes `topics` (every topic when `nil`) from `connection`; forgets it once it has none.
    mutating func remove(_ connection: ConnectionID, _ topics: [String]?) {
        guard var client = clients[connection] else { return }
        leave(connection, client)
        if let topics { client.topics.subtract(topics) } else { client.topics = [] }
        guard !client.topics.isEmpty else {
            clients[connection] = nil
            return
        }
        join(connection, &client)
        clients[connection] = client
    }

    /// How many connections subscribe to `topic`, either way.
    func count(_ topic: String) -> Int { (perTopic[topic]?.count ?? 0) + (bundled[topic] ?? 0) }

    /// Every topic with at least one subscriber.
    var subscribedTopics: Set<String> { Set(perTopic.keys).union(bundled.keys) }

    /// The group of bundle connections of view `key` subscribing to `topics`.
    static func groupKey(_ key: String?, _ topics: Set<String>) -> String {
        ([key.map { "v:" + $0 } ?? "all"] + topics.sorted()).joined(separator: "\u{1}")
    }

    private mutating func leave(_ connection: ConnectionID, _ client: Client) {
        if let key = client.group {
            groups[key]?.members.remove(connection)
            if groups[key]?.members.isEmpty == true { groups[key] = nil }
            for topic in client.topics {
                let left = (bundled[topic] ?? 1) - 1
                bundled[topic] = left > 0 ? left : nil
            }
        } else {
            for topic in client.topics {
                perTopic[topic]?.remove(connection)
                if perTopic[topic]?.isEmpty == true { perTopic[topic] = nil }
            }
        }
    }

    private mutating func join(_ connection: ConnectionID, _ client: inout Client) {
        guard client.bundles else {
            client.group = nil
            for topic in client.topics { perTopic[topic, default: []].insert(connection) }
            return
        }
        let key = Self.groupKey(client.viewer.viewer.key, client.topics)
        groups[key, default: Group(viewer: client.viewer, topics: client.topics)].members.insert(connection)
        client.group = key
        for topic in client.topics { bundled[topic, default: 0] += 1 }
    }
}
