import LWS
import WallboardServer

/// Client text frames on a `wallboard.v1` connection: each input line is one frame given to
/// ``WallboardAPI/webSocketReceived(_:text:)`` (no server: closes and sends are dropped by the API's
/// nil server), over a hub holding the sample topics, for an admin and for scoped tokens.
enum WebSocketMessageFuzz {
    static func run(_ bytes: [UInt8]) {
        let api = FuzzFixtures.makeAPI(withPolicy: true).api
        let connections: [(ConnectionID, query: [(name: String, value: String)])] = [
            (ConnectionID(rawValue: 1), [("token", "wbt_admin")]), (ConnectionID(rawValue: 2), [("token", "wbt_site")]),
            (ConnectionID(rawValue: 3), [("token", "wbt_team")]),
        ]
        for (connection, query) in connections {
            if api.shouldAcceptWebSocket(path: "/ws", query: query, headers: [:], peer: "192.0.2.1") == nil {
                api.webSocketOpened(connection, path: "/ws", query: query, headers: [:], peer: "192.0.2.1")
            }
        }
        var index = 0
        for frame in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            api.webSocketReceived(connections[index % connections.count].0, text: Array(frame))
            index += 1
        }
        for (connection, _) in connections { api.webSocketClosed(connection) }
        api.webSocketQueue.sync {}  // the messages are handled there, in order: wait for all of them
    }
}
