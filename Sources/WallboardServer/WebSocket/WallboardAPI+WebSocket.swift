import JSONC
import JSONModel
import LWS
import WallboardCore

/// What a board's WebSocket says, handled on ``WallboardAPI/webSocketQueue`` in arrival order (the lws
/// delegate methods in WallboardAPI.swift only check the rate and hand over). `package` so the fuzzer
/// drives them directly.
extension WallboardAPI {
    package func handleWebSocketOpened(
        _ connection: ConnectionID, query: [(name: String, value: String)], headers: [String: String], peer: String
    ) {
        admitWebSocket(connection, query: query, headers: headers, peer: peer)  // Access/WallboardAPI+Access.swift
        logger.debug("websocket opened", metadata: ["ws.connection.id": "\(connection)", "ws.peer": "\(peer)"])
    }

    /// The `hello` message, queued from the lws service thread while the connection opens: a heartbeat
    /// broadcast drained after that is queued behind it (`goesFirst`), and none drained before reached
    /// this connection. (Queued from ``webSocketQueue`` instead, a heartbeat could be written first.)
    func sendHello(to connection: ConnectionID) {
        let hello: JSONValue = [
            "type": "hello", "protocol": "wallboard.v1", "revision": 3, "version": .string(Self.version),
            "server_time": .string(RFC3339.format(clock.now())), "topics": .array(hub.topics.map { .string($0) }),
            // What a window-limited name may list besides `primary` (docs/protocol.md, "Window-limited topics").
            "windows": .array(hub.windows.map { .string($0) }),
            "heartbeat_seconds": .int(engine.heartbeatSeconds),
        ]
        // First on the wire even when a heartbeat broadcast was queued in the same instant.
        server?.send(
            OutboundFrame(slot: "hello", sequence: 0, payload: SharedBytes(JSONC.encode(hello)), goesFirst: true),
            to: [connection])
    }

    package func handleWebSocketMessage(_ connection: ConnectionID, text: [UInt8]) {
        var bytes = text
        let message: JSONValue
        do {
            message = try JSONC.parse(bytes: &bytes)
        } catch {
            server?.close(connection, reason: .invalidPayload("not JSON: \(error)"))
            return
        }
        guard let op = message["op"]?.stringValue else {
            server?.close(connection, reason: .policyViolation("message must be an object with a string \"op\""))
            return
        }
        switch op {
        case "subscribe", "unsubscribe":
            guard let topics = message["topics"]?.arrayValue?.compactMap(\.stringValue),
                topics.count == message["topics"]?.arrayValue?.count, !topics.isEmpty
            else {
                server?.close(connection, reason: .policyViolation("\(op) needs \"topics\": a non-empty array of strings"))
                return
            }
            if op == "unsubscribe" {
                hub.unsubscribe(connection, from: topics)
                webSocketGuard.release(topics, for: connection)
                return
            }
            if let limit = webSocketGuard.reserve(topics, for: connection) {
                sendError(
                    connection, code: "too_many_subscriptions",
                    message: "a connection may hold at most \(limit) topics; unsubscribe from some first (nothing was subscribed)")
                return
            }
            let bundles: Bool
            switch message["bundle"] {
            case nil: bundles = false
            case .bool(let value)?: bundles = value
            default:
                server?.close(connection, reason: .policyViolation("\"bundle\" must be true or false"))
                return
            }
            let (unknown, forbidden, refused) = hub.subscribe(connection, to: topics, bundles: bundles)
            webSocketGuard.release(unknown + forbidden + refused.map(\.topic), for: connection)
            if !unknown.isEmpty {
                sendError(connection, code: "unknown_topic", message: "unknown topics: \(unknown.joined(separator: ", "))",
                          topics: unknown)
            }
            if !forbidden.isEmpty {
                sendError(connection, code: "forbidden_topic",
                          message: "this token may not subscribe to: \(forbidden.joined(separator: ", "))", topics: forbidden)
            }
            // Window-limited names refused (TopicWindows): one error per code, every name's reason in it.
            for code in ["bad_windows", "too_many_window_lists"] {
                let reasons = refused.filter { $0.code == code }.map(\.message)
                if !reasons.isEmpty { sendError(connection, code: code, message: reasons.joined(separator: "; ")) }
            }
        default:
            server?.close(connection, reason: .policyViolation("unknown op \"\(op)\"; expected subscribe or unsubscribe"))
        }
    }

    package func handleWebSocketClosed(_ connection: ConnectionID) {
        hub.unsubscribe(connection, from: webSocketGuard.closed(connection))
        forgetWebSocket(connection)  // Access/WallboardAPI+Access.swift
        logger.debug("websocket closed", metadata: ["ws.connection.id": "\(connection)"])
    }

    /// Sends an `error` message; `topics` lists the topic names it refers to, so a client matches them
    /// exactly instead of searching the human-readable `message`.
    func sendError(_ connection: ConnectionID, code: String, message: String, topics: [String]? = nil) {
        let sequence = errorSequence.withLock { value -> UInt64 in
            value += 1
            return value
        }
        var error: JSONObject = ["type": "error", "code": .string(code), "message": .string(message)]
        if let topics { error["topics"] = .array(topics.map { .string($0) }) }
        let text = JSONC.encode(.object(error))
        server?.send(OutboundFrame(slot: "error-\(sequence)", sequence: sequence, payload: SharedBytes(text)), to: [connection])
    }
}
