import JSONC
import JSONModel
import LWS
import Logging
import Dispatch
import Synchronization
import WallboardCore

/// Answers HTTP routes and speaks the `wallboard.v1` WebSocket protocol (see `docs/protocol.md`).
///
/// Called on the lws service thread; hands engine work to ``EngineService`` and answers through
/// the `respond` closures and the topic hub, never blocking the service thread.
public final class WallboardAPI: LWSServerDelegate, @unchecked Sendable {
    // @unchecked: `server` is set once before the server starts; other state is in Mutexes or immutable.

    public static let version = "0.1.0"

    let engine: EngineService
    let hub: TopicHub
    let logger: Logger
    let clock: WallClock
    weak var server: LWSServer?
    /// The Asterisk sources, for supervisor actions (set by the daemon before the server starts).
    private let amiSourceList = Mutex<[AMISource]>([])
    var amiSources: [AMISource] {
        get { amiSourceList.withLock { $0 } }
        set { amiSourceList.withLock { $0 = newValue } }
    }
    /// The stream ingest listener, for its counters on /metrics.
    weak var streamIngest: StreamIngestServer?
    /// The Redis stream source's and sink's counters, for /metrics (set before the server starts).
    var redisCounters: [RedisStreamCounters] = []
    let errorSequence = Mutex<UInt64>(0)
    /// Since when today counts, if not since the day's start, and the center's calendar that ends it
    /// (``DayCoverage``): read here so `/healthz` never waits for the engine's queue.
    let dayCoverage = Mutex<(DayCoverage, CenterCalendar)?>(nil)
    /// Where WebSocket messages are parsed and answered, in arrival order, off the lws service thread.
    package let webSocketQueue = DispatchQueue(label: "wallboardd.websocket")
    /// Where `POST /api/v1/events` bodies are decoded, in arrival order, off the lws service thread and
    /// the engine queue (Ingest/HTTPIngest.swift).
    let ingestQueue = DispatchQueue(label: "wallboardd.ingest.http")
    /// Tokens, roles, scopes, failure throttling and the audit log (Access/, docs/security.md).
    public let access = AccessGate()
    /// Per-connection WebSocket limits (clients, subscriptions, message rate).
    let webSocketGuard = WebSocketGuard()

    public init(engine: EngineService, hub: TopicHub, clock: WallClock, logger: Logger) {
        self.engine = engine
        self.hub = hub
        self.clock = clock
        self.logger = logger
    }

    // MARK: HTTP

    public func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        guard let respond = admit(request, respond: respond) else { return }  // Access/WallboardAPI+Access.swift
        logger.debug("http request", metadata: ["http.method": "\(request.method.rawValue)", "http.path": "\(request.path)"])
        if handleTopicRoute(request, respond: respond) { return }
        if handleIntervalsRoute(request, respond: respond) { return }  // IntervalsAPI.swift
        if handleAlertRoute(request, respond: respond) { return }
        if handleActionRoute(request, respond: respond) { return }
        if handleConsoleRoute(request, respond: respond) { return }  // Console/WallboardAPI+Console.swift
        switch (request.method, request.path) {
        case (.get, "/healthz"):
            // 200 while the process serves; the sources' states say whether the feed is healthy, and
            // `today_since`/`today_partial_reason` whether today's figures miss the day's beginning.
            var body: JSONObject = ["status": "ok", "version": .string(Self.version), "sources": hub.sources]
            if let (coverage, calendar) = dayCoverage.withLock({ $0 }), coverage.isPartial(now: clock.now(), calendar: calendar) {
                coverage.addFields(to: &body)
            }
            respond(Self.json(200, .object(body)))
        case (.get, "/readyz"):
            let hasSnapshot = hub.isReady
            engine.storageProblem { problem in
                var body: JSONObject = ["ready": .bool(hasSnapshot && problem == nil)]
                if !hasSnapshot { body["reason"] = "no snapshot yet: the engine is starting" }
                if let problem { body["reason"] = .string("journal not writable: \(problem)") }
                respond(Self.json(hasSnapshot && problem == nil ? 200 : 503, .object(body)))
            }
        case (.get, "/metrics"):
            metrics(respond: respond)
        case (.post, "/api/v1/events"):
            ingest(request, respond: respond)
        case (_, "/healthz"), (_, "/readyz"), (_, "/metrics"), (_, "/api/v1/snapshot"), (_, "/api/v1/events"):
            respond(Self.error(405, "method \(request.method.rawValue) not allowed on \(request.path)"))
        default:
            respond(Self.error(404, "no such endpoint: \(request.path)"))
        }
    }

    private func metrics(respond: @escaping @Sendable (HTTPResponse) -> Void) {
        var renderer = MetricsRenderer()
        renderer.add("wallboardd_build_info", "gauge", "Always 1; the version is a label.",
                     labels: [("version", Self.version)], value: 1)
        renderer.add("wallboardd_websocket_clients", "gauge", "WebSocket clients connected now.",
                     value: Double(server?.webSocketCount ?? 0))
        renderer.add("wallboardd_websocket_messages_sent_total", "counter", "WebSocket frames written to clients.",
                     value: Double(server?.framesWritten ?? 0))
        renderer.add("wallboardd_websocket_stalled_disconnects_total", "counter",
                     "WebSocket clients disconnected because they stopped taking frames.",
                     value: Double(server?.stalledDisconnects ?? 0))
        renderer.add("wallboardd_websocket_largest_pass_bytes", "gauge",
                     "Most WebSocket bytes written in one pass of the service loop (bounded so HTTP is served between).",
                     value: Double(server?.largestPassBytes ?? 0))
        renderer.add("wallboardd_http_descriptor_refusals_total", "counter",
                     "Connections closed at once because the process was near its descriptor limit.",
                     value: Double(server?.descriptorRefusals ?? 0))
        for topic in hub.topics {
            renderer.add("wallboardd_topic_subscribers", "gauge", "WebSocket subscribers per topic (its window-limited names included).",
                         labels: [("topic", topic)], value: Double(hub.subscriberCount(topic, windowLimited: true)))
            renderer.add("wallboardd_topic_updates_total", "counter", "Payloads published per topic.",
                         labels: [("topic", topic)], value: Double(hub.latest(topic)?.sequence ?? 0))
        }
        streamIngest?.counters.render(into: &renderer)
        redisCounters.forEach { $0.render(into: &renderer) }
        access.addMetrics(to: &renderer)
        webSocketGuard.addMetrics(to: &renderer)
        engine.renderMetrics(into: renderer) { rendered in
            respond(HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", text: rendered.text))
        }
    }

    static func json(_ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, text: JSONC.encode(value))
    }

    static func error(_ status: Int, _ message: String) -> HTTPResponse {
        json(status, ["error": .string(message)])
    }

    // MARK: WebSocket

    public func shouldAcceptWebSocket(path: String, query: [(name: String, value: String)], headers: [String: String],
                                      peer: String) -> Int?
    {
        guard webSocketGuard.admitClient(open: server?.webSocketCount ?? 0) else {
            logger.warning(
                "websocket refused: client limit reached",
                metadata: ["ws.peer": "\(peer)", "ws.max_clients": "\(webSocketGuard.limits.maxClients)"])
            return 503
        }
        return webSocketRefusal(query: query, headers: headers, peer: peer)  // Access/WallboardAPI+Access.swift
    }

    /// Records the connection for the rate limit and queues `hello` here (the lws service thread), and
    /// hands the rest to ``webSocketQueue``.
    public func webSocketOpened(_ connection: ConnectionID, path: String, query: [(name: String, value: String)],
                                headers: [String: String], peer: String)
    {
        webSocketGuard.opened(connection, at: clock.now())
        sendHello(to: connection)
        webSocketQueue.async { [self] in
            handleWebSocketOpened(connection, query: query, headers: headers, peer: peer)
        }
    }

    /// Checks the message rate here (so a flood is refused before it is queued) and hands the message to
    /// ``webSocketQueue``: parsing, subscribing and shaping happen off the lws service thread.
    public func webSocketReceived(_ connection: ConnectionID, text: [UInt8]) {
        switch webSocketGuard.admitMessage(from: connection, at: clock.now()) {
        case .admit:
            webSocketQueue.async { [self] in handleWebSocketMessage(connection, text: text) }
        case .drop:
            return
        case .refuse:
            let limits = webSocketGuard.limits
            server?.close(
                connection,
                reason: .policyViolation(
                    "more than \(limits.maxMessagesPerSecond) messages per second (burst \(limits.burstMessages))"))
        }
    }

    /// Queued behind the connection's pending messages, so none of them subscribes after it is gone.
    public func webSocketClosed(_ connection: ConnectionID) {
        webSocketQueue.async { [self] in handleWebSocketClosed(connection) }
    }
}
