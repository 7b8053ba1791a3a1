import JSONC
import JSONModel
import Logging
import WallboardCore
import WallboardServer

/// Fixed surroundings for the targets: a clock, queues, real topic payloads, access tokens. Built once
/// per process, so every input runs against the same state and a reproducer replays the same way.
enum FuzzFixtures {
    /// 2026-11-23T10:00:00Z: the day of `docs/samples/day-sample.ndjson`.
    static let now = Instant(milliseconds: 1_795_428_000_000)
    /// A day later: the fuzzed engine clock follows event times up to here.
    static let latest = now.advanced(by: 86_400_000)

    static let engineConfiguration = EngineConfiguration(
        queues: [QueueSettings(id: "sales"), QueueSettings(id: "support", threshold: .seconds(20), target: 0.9)])

    /// A logger that drops everything (the targets must not spend their time formatting log lines).
    static let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The day-sample events, as the engine would publish them: the topics boards subscribe to.
    static let topics: [(topic: String, update: TopicHub.Update)] = {
        var body = Array(daySample.utf8)
        var engine = WallboardEngine(configuration: engineConfiguration)
        for item in EventBatchDecoder.decode(body).events { _ = engine.apply(item.event, now: now) }
        body.removeAll()
        return TopicPayloads.everyTopic(of: engine, now: now)
    }()

    /// Tokens the HTTP and WebSocket targets may present (`Authorization: Bearer …`, `?token=`, cookie).
    static let tokens: [(name: String, role: AccessRole, token: String, scope: AccessScope)] = [
        ("viewer", .viewer, "wbt_viewer", .all),
        ("supervisor", .supervisor, "wbt_supervisor", .all),
        ("ingest", .ingest, "wbt_ingest", .all),
        ("admin", .admin, "wbt_admin", .all),
        ("site", .viewer, "wbt_site", AccessScope(queues: ["sales"])),
        ("team", .supervisor, "wbt_team", AccessScope(teams: ["north"])),
    ]

    static let policy = AccessPolicy(
        tokens: tokens.map { .init(name: $0.name, role: $0.role, hash: SHA256.hash($0.token.utf8), scope: $0.scope) },
        allowedOrigins: ["https://wall.example.com"])

    /// A fresh API (engine not started, no server, no AMI sources) whose hub holds the sample topics;
    /// with `policy`, access control as a production config with tokens has it.
    /// The sample topics in a hub, shared by every input: encoding them is most of the cost of a fresh
    /// API, and the targets leave the hub as they found it (WebSocket connections they open they close;
    /// the engine is never started, so nothing publishes).
    static let hub: TopicHub = {
        let hub = TopicHub(sink: { _, _ in })
        for (topic, update) in topics { hub.publish(topic, update: update) }
        return hub
    }()

    static func makeAPI(withPolicy: Bool) -> (api: WallboardAPI, engine: EngineService) {
        let clock = FixedClock()
        let engine = EngineService(
            configuration: engineConfiguration, simulator: nil, clock: clock, hub: hub, logger: logger)
        let api = WallboardAPI(engine: engine, hub: hub, clock: clock, logger: logger)
        // As the daemon wires it: a subscriber sees the topics shaped for its token.
        hub.setViewerResolver { [weak api] connection in
            guard let principal = api?.access.principal(of: connection) else { return .everything }
            return TopicHub.Viewer(key: principal.viewKey, view: principal.view, maySubscribe: principal.maySubscribe)
        }
        if withPolicy {
            api.access.configure(policy: policy, listenHost: "0.0.0.0", auditDirectory: nil, clock: clock, logger: logger)
        }
        return (api, engine)
    }

    struct FixedClock: WallClock {
        func now() -> Instant { FuzzFixtures.now }
    }

    /// The first lines of `docs/samples/day-sample.ndjson` (logins, calls queued, answered, held, abandoned).
    static let daySample = """
        {"id":"s01","ts":"2026-11-23T09:00:00.000Z","type":"agent.login","agent":"a1","name":"Alice","team":"north","queues":["sales","support"],"languages":["en"]}
        {"id":"s02","ts":"2026-11-23T09:00:00.000Z","type":"agent.login","agent":"a2","name":"Bob","team":"south","queues":["support"]}
        {"id":"s03","ts":"2026-11-23T09:00:10.000Z","type":"contact.queued","contact":"c1","queue":"sales","channel":"voice","customer":{"id":"cust-1","segment":"vip"},"language":"en","reason":"billing"}
        {"id":"s04","ts":"2026-11-23T09:00:20.000Z","type":"contact.queued","contact":"c2","queue":"support","channel":"chat","customer":{"id":"cust-2"},"language":"fr","reason":"outage"}
        {"id":"s05","ts":"2026-11-23T09:00:25.000Z","type":"contact.answered","contact":"c1","agent":"a1","monitor":{"kind":"asterisk.channel","target":"PJSIP/1001-00000001"}}
        {"id":"s06","ts":"2026-11-23T09:01:00.000Z","type":"contact.held","contact":"c1"}
        {"id":"s07","ts":"2026-11-23T09:01:00.000Z","type":"contact.answered","contact":"c2","agent":"a2"}
        {"id":"s08","ts":"2026-11-23T09:01:30.000Z","type":"contact.resumed","contact":"c1"}
        {"id":"s09","ts":"2026-11-23T09:02:00.000Z","type":"contact.queued","contact":"c3","queue":"sales","channel":"voice","customer":{"id":"cust-3"}}
        {"id":"s10","ts":"2026-11-23T09:02:00.000Z","type":"contact.ended","contact":"c2"}
        {"id":"s11","ts":"2026-11-23T09:02:03.000Z","type":"contact.abandoned","contact":"c3"}
        {"id":"s12","ts":"2026-11-23T09:02:10.000Z","type":"contact.queued","contact":"c4","queue":"sales","channel":"voice","customer":{"id":"cust-4"},"reason":"billing"}
        """
}
