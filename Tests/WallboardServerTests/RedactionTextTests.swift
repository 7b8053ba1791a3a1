import JSONC
import JSONModel
import LWS
import Synchronization
import Testing
import WallboardCore
@testable import WallboardServer

/// `Redaction.maskedText` (masking on the text, what the hub does for the anonymous board each publish)
/// against what it replaces, `JSONC.encode(Redaction.maskCustomerData(JSONC.parse(text)))`: byte for byte
/// over the payloads and deltas of real topics, over random values, and through the hub.
@Suite struct RedactionTextTests: TopicTestSupport {
    let start = Instant(milliseconds: 1_795_428_000_000)

    /// The old way: parse, mask, encode.
    private func reference(_ text: String) throws -> String {
        JSONC.encode(Redaction.maskCustomerData(try JSONC.parse(text)))
    }

    private func engine() -> WallboardEngine {
        var configuration = EngineConfiguration(queues: [QueueSettings(id: "q1"), QueueSettings(id: "q2")])
        configuration.queueGroups = [QueueGroup(id: "g1", queues: ["q1", "q2"])]
        return WallboardEngine(configuration: configuration)
    }

    static let topics: Set<String> = [
        "snapshot", "center", "center@primary", "groups", "agents", "agents:q1", "agents:t1", "queue:q1", "queue:q2",
        "queue:q1@primary", "queue:q2@primary,today", "team:t1", "team:t1@primary", "interactions",
    ]

    @Test(arguments: [UInt64(21), 22, 23, 24])
    func maskingTheTextOfRealPayloadsAndDeltasIsMaskingTheirValues(seed: UInt64) throws {
        var engine = engine()
        var changes = TopicDeltaPropertyTests.Changes(random: SplitMix64(seed: seed))
        var payloads = TopicPayloads()
        var now = start
        var texts = 0, withCustomers = 0
        for _ in 0..<80 {
            now = now.advanced(by: Millis(Int.random(in: 100...1_500, using: &changes.random)))
            apply(changes.next(at: now), to: &engine, at: now)
            for (topic, update) in build(&payloads, Self.topics, engine, at: now) {
                for text in [update.dataJSON] + (update.deltaJSON.map { [$0] } ?? []) {
                    let masked = try #require(Redaction.maskedText(text), "\(topic): not masked on the text: \(text.prefix(200))")
                    #expect(masked == (try reference(text)), "seed \(seed), \(topic)")
                    #expect(!masked.contains("cust-"))
                    texts += 1
                    if text.contains("cust-") { withCustomers += 1 }
                }
            }
        }
        #expect(texts > 200 && withCustomers > 20, "the payloads carried customers to mask (\(withCustomers) of \(texts))")
    }

    @Test func customerValuesAtAnyDepthBecomeNullOrTheirSegment() throws {
        let cases: [(String, String)] = [
            (#"{}"#, #"{"masked":true}"#),
            (#"{"a":1}"#, #"{"a":1,"masked":true}"#),
            (#"{"customer":{"id":"x","segment":"vip"}}"#, #"{"customer":{"segment":"vip"},"masked":true}"#),
            (#"{"customer":{"segment":null,"id":"x"}}"#, #"{"customer":{"segment":null},"masked":true}"#),
            (#"{"customer":{"id":"x"}}"#, #"{"customer":null,"masked":true}"#),
            (#"{"customer":{}}"#, #"{"customer":null,"masked":true}"#),
            (#"{"customer":"x","phone":[1,{"email":"e"}]}"#, #"{"customer":null,"phone":null,"masked":true}"#),
            (#"{"w":[{"caller_id":"5","n":"\"phone\":1"},[{"monitor":{"a":{"b":1}}}]]}"#,
             #"{"w":[{"caller_id":null,"n":"\"phone\":1"},[{"monitor":null}]],"masked":true}"#),
            // The segment is kept as it is, even what it holds (like the value masking).
            (#"{"customer":{"segment":{"phone":"1"},"email":"e"}}"#, #"{"customer":{"segment":{"phone":"1"}},"masked":true}"#),
            (#"{"customerx":"k","n":"x\"phone\":","s":"customer"}"#, #"{"customerx":"k","n":"x\"phone\":","s":"customer","masked":true}"#),
            (#"{"a":{"masked":false},"b":-1.5,"c":true,"d":null}"#, #"{"a":{"masked":false},"b":-1.5,"c":true,"d":null,"masked":true}"#),
        ]
        for (text, expected) in cases {
            #expect(Redaction.maskedText(text) == expected, "\(text)")
            #expect(try reference(text) == expected, "the value masking agrees: \(text)")
        }
    }

    @Test func textItDoesNotHandleIsLeftToTheParser() {
        for text in [
            #"[{"customer":"x"}]"#, #""x""#, #"1"#, #"{"masked":false}"#, #"{ "a":1}"#, #"{"a": 1}"#, #"{"ph\u006fne":"1"}"#, #"{"x\"phone":"1"}"#,
            #"{"a":1}x"#, #"{"a":1"#, #"{"a":"1}"#, #"{"a":[1,]}"#, #"{"a":}"#, #"{"a",1}"#, "",
            String(repeating: #"{"a":"#, count: 70) + "1" + String(repeating: "}", count: 70),
        ] {
            #expect(Redaction.maskedText(text) == nil, "\(text)")
        }
    }

    /// Random objects with customer keys, `segment` and others at any depth: the text masking gives the
    /// value masking's encoding whenever the top level has no `masked` member.
    @Test(arguments: [UInt64(1), 2, 3])
    func randomValuesMaskAlike(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let keys = Array(Redaction.customerKeys) + ["segment", "id", "name", "queue", "a", "masked", "ü"]
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 4 ? 5 : 8), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .integer(Int64.random(in: -1_000_000...1_000_000, using: &random))
            case 3: return .number(Double.random(in: -1e6...1e6, using: &random))
            case 4: return .string(["x", "vip", #"q"u\o"#, "\u{1}", "é/", "customer"].randomElement(using: &random)!)
            case 5, 6: return object(depth + 1)
            default: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(depth + 1) })
            }
        }
        func object(_ depth: Int) -> JSONValue {
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...4, using: &random) { object[keys.randomElement(using: &random)!] = value(depth) }
            return .object(object)
        }
        var masked = 0
        for _ in 0..<400 {
            let text = JSONC.encode(object(0))
            let parsed = try JSONC.parse(text)
            guard parsed["masked"] == nil else {
                #expect(Redaction.maskedText(text) == nil)
                continue
            }
            let result = try #require(Redaction.maskedText(text), "\(text)")
            #expect(result == (try reference(text)), "\(text)")
            if result.count != text.count + #","masked":true"#.count { masked += 1 }
        }
        #expect(masked > 50, "customer values were there to mask")
    }

    final class Sent: Sendable {
        let frames = Mutex<[String]>([])
        func take() -> [String] { frames.withLock { frames in defer { frames = [] }; return frames } }
    }

    /// The anonymous viewer's frames through the hub, with the text shaper and without it (parse, view,
    /// encode), are the same bytes: whole payloads, deltas, bundles, subscribe replies, every topic kind.
    @Test(arguments: [UInt64(31), 32])
    func theHubSendsAnAnonymousBoardTheSameBytesAsBefore(seed: UInt64) throws {
        let principal = AccessPrincipal(name: "anonymous", role: .viewer)
        let textShaper = try #require(principal.textShaper)
        #expect(AccessPrincipal(name: "s", role: .supervisor).textShaper == nil)
        #expect(AccessPrincipal(name: "v", role: .viewer, scope: AccessScope(queues: ["q1"])).textShaper == nil)
        func hub(_ sent: Sent, text: Bool) -> TopicHub {
            let hub = TopicHub { frame, targets in
                sent.frames.withLock { $0 += targets.map { "\($0.rawValue) " + String(decoding: frame.payload.bytes, as: UTF8.self) } }
            }
            hub.setViewerResolver { _ in
                TopicHub.Viewer(
                    key: principal.viewKey, view: principal.view, maySubscribe: { _ in true }, shapesDeltas: true,
                    viewTopic: { topic, payload in principal.view(topic: topic, payload, snapshot: { nil }) },
                    shapeText: text ? textShaper : nil)
            }
            return hub
        }
        let (oldSent, newSent) = (Sent(), Sent())
        let (old, new) = (hub(oldSent, text: false), hub(newSent, text: true))
        var engine = engine()
        var changes = TopicDeltaPropertyTests.Changes(random: SplitMix64(seed: seed))
        var payloads = TopicPayloads()
        var now = start
        var frames = 0
        for round in 0..<60 {
            now = now.advanced(by: Millis(Int.random(in: 100...1_500, using: &changes.random)))
            apply(changes.next(at: now), to: &engine, at: now)
            let updates = build(&payloads, Self.topics, engine, at: now)
            for hub in [old, new] {
                hub.cycle {
                    for (topic, update) in updates.sorted(by: { $0.key < $1.key }) { hub.publish(topic, update: update) }
                    hub.publish("alerts", data: ["alerts": [["queue": "q1", "customer": ["id": .string("c\(round)"), "segment": "vip"]]]])
                    hub.publish("intervals:center", data: ["intervals": [["offered": .integer(Int64(round))]]])
                }
                if round == 2 { _ = hub.subscribe(ConnectionID(rawValue: 1), to: Self.topics.sorted() + ["alerts", "intervals:center"], bundles: true) }
                if round == 3 { _ = hub.subscribe(ConnectionID(rawValue: 2), to: Self.topics.sorted() + ["alerts"]) }
                if round == 10 { _ = hub.subscribe(ConnectionID(rawValue: 3), to: ["agents", "queue:q1", "alerts"], bundles: true) }
            }
            // Each connection's frames in the order it got them (the hub serves its view groups in a
            // dictionary's order, which differs between two hubs).
            func byConnection(_ frames: [String]) -> [String] {
                frames.enumerated().sorted { ($0.element.prefix { $0 != " " }, $0.offset) < ($1.element.prefix { $0 != " " }, $1.offset) }
                    .map(\.element)
            }
            let (was, got) = (byConnection(oldSent.take()), byConnection(newSent.take()))
            #expect(was.count == got.count, "seed \(seed), round \(round)")
            for (old, new) in zip(was, got) where old != new {
                let at = zip(old.utf8, new.utf8).prefix { $0 == $1 }.count
                Issue.record("seed \(seed), round \(round): differs at \(at): …\(old.utf8.dropFirst(max(0, at - 150)).prefix(300))… against …\(new.utf8.dropFirst(max(0, at - 150)).prefix(300))…")
                break
            }
            frames += got.count
        }
        #expect(frames > 100)
    }

    /// A window-limited queue or team topic, now cut to its windows for its own scope only, is what the
    /// base topic built from the snapshot cut by ``TopicWindows/limit(_:)`` gave: whole payloads and deltas.
    @Test(arguments: [UInt64(41), 42])
    func aLimitedTopicIsTheBaseCutToItsWindows(seed: UInt64) throws {
        var engine = engine()
        var changes = TopicDeltaPropertyTests.Changes(random: SplitMix64(seed: seed))
        var limited = TopicPayloads()
        var cutBases: [String: TopicPayloads] = [:]
        let names = ["queue:q1@primary", "queue:q2@primary,today", "team:t1@primary", "center@primary", "groups@today"]
        var now = start
        var compared = 0
        for _ in 0..<60 {
            now = now.advanced(by: Millis(Int.random(in: 100...1_500, using: &changes.random)))
            apply(changes.next(at: now), to: &engine, at: now)
            let snapshot = engine.snapshot(now: now)
            let context = TopicPayloads.Context(centerName: "test", sources: [], warningLevels: [:])
            let got = Dictionary(uniqueKeysWithValues: limited.build(
                Set(names), fresh: [], engine: engine, snapshot: snapshot, now: now, context: context).map { ($0.topic, $0.update) })
            for name in names {
                let cut = try #require(TopicWindows(name))
                var payloads = cutBases[name] ?? TopicPayloads()
                let expected = payloads.build(
                    [cut.base], fresh: [], engine: engine, snapshot: cut.limit(snapshot), now: now, context: context
                ).first?.update
                cutBases[name] = payloads
                #expect(got[name]?.dataJSON == expected?.dataJSON, "\(name)")
                #expect(got[name]?.deltaJSON == expected?.deltaJSON, "\(name)")
                if expected != nil { compared += 1 }
            }
        }
        #expect(compared > 60)
    }
}
