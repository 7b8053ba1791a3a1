import JSONC
import JSONModel
import LWS
import Synchronization
import Testing
import WallboardCore
@testable import WallboardServer

/// Field deltas (docs/protocol.md, "Deltas") against the whole payloads: for seeded random sequences of
/// engine changes (agents logging in and out and back in, states and reasons coming and going, contacts
/// queued, answered, held, abandoned, ended), the deltas applied in order to the first whole payload
/// give each latest whole payload, as built and as a masked view gets them through the hub.
@Suite struct TopicDeltaPropertyTests {
    static let topics: Set<String> = ["agents", "agents:q1", "agents:t1", "queue:q1", "queue:q2", "interactions", "center"]
    let start = Instant(milliseconds: 1_795_428_000_000)

    /// What the random sequences went through, so a test knows its sequences covered each kind of change.
    struct Coverage {
        var partialAgents = 0, wholeAgentsInDeltas = 0, removedAgents = 0, nullFields = 0
        var keptByIndex = 0, newListEntries = 0, metricsDeltas = 0, readdedAgents = 0
        /// Center deltas, and count-map names that went (`null`) in any delta.
        var centerDeltas = 0, countNamesGone = 0, groupDeltas = 0
    }

    /// A client's copy of each topic, following whole payloads and deltas as the board does.
    struct Client {
        var payloads: [String: JSONValue] = [:]
        var sequences: [String: Int64] = [:]
        var coverage = Coverage()

        /// Applies one `topic` message; a delta must follow the sequence the client has.
        mutating func apply(_ message: JSONValue) throws {
            let topic = try #require(message["topic"]?.stringValue)
            let sequence = try #require(message["seq"]?.integerValue)
            defer { sequences[topic] = sequence }
            if let data = message["data"] {
                payloads[topic] = data
                return
            }
            try #require(message["base"]?.integerValue == sequences[topic], "a delta on another base (\(topic))")
            let delta = try #require(message["delta"])
            let have = try #require(payloads[topic])
            payloads[topic] = topic.hasPrefix("agents") ? try agents(have, delta) : try payload(have, delta)
        }

        private mutating func agents(_ have: JSONValue, _ delta: JSONValue) throws -> JSONValue {
            var list = try #require(have["agents"]?.arrayValue)
            let removed = Set(delta["removed"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            coverage.removedAgents += removed.count
            list.removeAll { removed.contains($0["id"]?.stringValue ?? "") }
            for entry in delta["agents"]?.arrayValue ?? [] {
                let fields = try #require(entry.objectValue)
                #expect(fields.keys.first == "id", "an entry starts with its id")
                if let index = list.firstIndex(where: { $0["id"] == entry["id"] }) {
                    coverage.partialAgents += 1
                    var agent = try #require(list[index].objectValue)
                    #expect(fields.count < agent.count, "a known agent comes as its changed fields, not whole")
                    for member in fields.members {
                        if member.value == .null { coverage.nullFields += 1 }
                        agent[member.key] = member.value
                    }
                    list[index] = .object(agent)
                } else {
                    coverage.wholeAgentsInDeltas += 1
                    list.append(entry)
                }
            }
            list.sort { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
            var next = try #require(have.objectValue)
            next["agents"] = .array(list)
            return .object(next)
        }

        private mutating func payload(_ have: JSONValue, _ delta: JSONValue) throws -> JSONValue {
            let changes = try #require(delta.objectValue)
            if changes["queue"]?["metrics"] != nil || changes["center"]?["metrics"] != nil { coverage.metricsDeltas += 1 }
            if changes["center"] != nil { coverage.centerDeltas += 1 }
            if changes["queue_groups"] != nil { coverage.groupDeltas += 1 }
            coverage.countNamesGone += Self.namesGone(delta)
            for key in ["waiting", "abandoned_today", "interactions"] {
                for edit in changes[key]?.arrayValue ?? [] {
                    if edit.integerValue != nil { coverage.keptByIndex += 1 } else { coverage.newListEntries += 1 }
                }
            }
            return try #require(TopicFollower.payload(have, delta), "a delta that does not fit its base")
        }

        /// How many count-map names a change drops (`null` in a count map), at any depth.
        private static func namesGone(_ value: JSONValue) -> Int {
            switch value {
            case .object(let object):
                object.members.reduce(0) { sum, member in
                    sum + (TopicDeltas.countMaps.contains(member.key)
                        ? (member.value.objectValue?.members.filter { $0.value == .null }.count ?? 0) : namesGone(member.value))
                }
            case .array(let elements): elements.reduce(0) { $0 + namesGone($1) }
            default: 0
            }
        }
    }

    /// Random engine changes over 8 agents, 2 queues, 2 teams.
    struct Changes {
        var random: SplitMix64
        var contacts: [String] = []
        var counter = 0

        mutating func next(at now: Instant) -> [String] {
            (0..<Int.random(in: 1...6, using: &random)).map { _ in event(at: now) }
        }

        private mutating func event(at now: Instant) -> String {
            counter += 1
            let agent = "a\(Int.random(in: 0..<8, using: &random))"
            let head = #"{"id":"e\#(counter)","ts":"\#(RFC3339.format(now))","#
            let contact = contacts.randomElement(using: &random) ?? "none"
            switch Int.random(in: 0..<12, using: &random) {
            case 0, 1:
                let team = ["t1", "t2"].randomElement(using: &random)!
                let queues = [["q1"], ["q2"], ["q1", "q2"], []].randomElement(using: &random)!
                let skills = Bool.random(using: &random) ? #","skills":{"q1":\#(Int.random(in: 1...100, using: &random))}"# : ""
                let teamField = Bool.random(using: &random) ? #","team":"\#(team)""# : ""
                return head + #""type":"agent.login","agent":"\#(agent)","name":"Agent \#(agent) ü\"x","queues":\#(queues)"# + teamField + skills + "}"
            case 2:
                return head + #""type":"agent.logout","agent":"\#(agent)"}"#
            case 3, 4:
                let state = ["available", "not_ready", "wrap_up", "ringing"].randomElement(using: &random)!
                let reason = state == "not_ready" ? #","reason":"\#(["break", "lunch"].randomElement(using: &random)!)""# : ""
                return head + #""type":"agent.state","agent":"\#(agent)","state":"\#(state)""# + reason + "}"
            case 5, 6:
                let id = "c\(counter)"
                contacts.append(id)
                let queue = ["q1", "q2"].randomElement(using: &random)!
                let segment = Bool.random(using: &random) ? #","segment":"vip""# : ""
                return head + #""type":"contact.queued","contact":"\#(id)","queue":"\#(queue)","customer":{"id":"cust-\#(counter)"\#(segment)}}"#
            case 7, 8:
                return head + #""type":"contact.answered","contact":"\#(contact)","agent":"\#(agent)"}"#
            case 9:
                return head + #""type":"contact.abandoned","contact":"\#(contact)"}"#
            case 10:
                return head + #""type":"contact.\#(Bool.random(using: &random) ? "held" : "resumed")","contact":"\#(contact)"}"#
            default:
                return head + #""type":"contact.ended","contact":"\#(contact)"}"#
            }
        }
    }

    private func apply(_ lines: [String], to engine: inout WallboardEngine, at now: Instant) {
        for item in EventBatchDecoder.decode(Array(lines.joined(separator: "\n").utf8)).events {
            _ = engine.apply(item.event, now: now)
        }
    }

    private func build(_ payloads: inout TopicPayloads, _ engine: WallboardEngine, at now: Instant) -> [(topic: String, update: TopicHub.Update)] {
        payloads.build(
            Self.topics, fresh: [], engine: engine, snapshot: engine.snapshot(now: now), now: now,
            context: .init(centerName: "test", sources: [], warningLevels: [:]))
    }

    private func engine() -> WallboardEngine {
        var configuration = EngineConfiguration(queues: [QueueSettings(id: "q1"), QueueSettings(id: "q2")])
        configuration.queueGroups = [QueueGroup(id: "g1", queues: ["q1", "q2"]), QueueGroup(id: "g2", queues: ["q2"])]
        return WallboardEngine(configuration: configuration)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func deltasAppliedInOrderGiveTheLatestWholePayload(seed: UInt64) throws {
        var engine = engine()
        var changes = Changes(random: SplitMix64(seed: seed))
        var payloads = TopicPayloads()
        var client = Client()
        var now = start
        var everLoggedOut = Set<String>()
        for _ in 0..<150 {
            now = now.advanced(by: Millis(Int.random(in: 100...1_500, using: &changes.random)))
            let before = Set(engine.agents.keys)
            apply(changes.next(at: now), to: &engine, at: now)
            everLoggedOut.formUnion(before.subtracting(engine.agents.keys))
            client.coverage.readdedAgents += Set(engine.agents.keys).subtracting(before).intersection(everLoggedOut).count
            for (topic, update) in build(&payloads, engine, at: now) {
                let whole = try JSONC.parse(update.dataJSON)
                let sequence = (client.sequences[topic] ?? 0) + 1
                if let deltaJSON = update.deltaJSON, client.payloads[topic] != nil {
                    try client.apply(["type": "topic", "topic": .string(topic), "seq": .int(Int(sequence)),
                                      "base": .int(Int(sequence - 1)), "delta": try JSONC.parse(deltaJSON)])
                } else {
                    try client.apply(["type": "topic", "topic": .string(topic), "seq": .int(Int(sequence)), "data": whole])
                }
                #expect(client.payloads[topic] == whole, "seed \(seed), \(topic): the deltas do not give the whole payload")
            }
        }
        let coverage = client.coverage
        #expect(coverage.partialAgents > 20 && coverage.wholeAgentsInDeltas > 0 && coverage.removedAgents > 0)
        #expect(coverage.nullFields > 0 && coverage.readdedAgents > 0, "fields and agents that went and came back")
        #expect(coverage.keptByIndex > 0 && coverage.newListEntries > 0 && coverage.metricsDeltas > 0)
        #expect(coverage.centerDeltas > 20 && coverage.groupDeltas > 0 && coverage.countNamesGone > 0, "center deltas, names that went")
    }

    final class Sent: Sendable {
        let frames = Mutex<[OutboundFrame]>([])
    }

    /// Through the hub to a masked view: the deltas it gets never carry a customer identifier, and applied
    /// in order they give the masked latest whole payload.
    @Test(arguments: [UInt64(11), 12, 13])
    func aMaskedViewGetsMaskedDeltasThatGiveTheMaskedWholePayload(seed: UInt64) throws {
        let sent = Sent()
        let hub = TopicHub { frame, targets in sent.frames.withLock { $0 += Array(repeating: frame, count: targets.count) } }
        hub.setViewerResolver { _ in
            TopicHub.Viewer(key: "masked", view: { Redaction.maskCustomerData($0) }, maySubscribe: { _ in true }, shapesDeltas: true)
        }
        var engine = engine()
        var changes = Changes(random: SplitMix64(seed: seed))
        var payloads = TopicPayloads()
        var client = Client()
        var now = start
        var subscribed: Set<String> = []
        var deltas = 0
        for _ in 0..<120 {
            now = now.advanced(by: Millis(Int.random(in: 100...1_500, using: &changes.random)))
            apply(changes.next(at: now), to: &engine, at: now)
            for (topic, update) in build(&payloads, engine, at: now) { hub.publish(topic, update: update) }
            // Each topic once it exists (a team's when its first agent logs in).
            let new = Self.topics.filter { hub.latest($0) != nil }.subtracting(subscribed)
            if !new.isEmpty {
                _ = hub.subscribe(ConnectionID(rawValue: 1), to: new.sorted())
                subscribed.formUnion(new)
            }
            for frame in sent.frames.withLock({ frames in defer { frames = [] }; return frames }) {
                let text = String(decoding: frame.payload.bytes, as: UTF8.self)
                #expect(!text.contains("cust-"), "a customer id reached a masked view: \(text.prefix(300))")
                let message = try JSONC.parse(text)
                if message["delta"] != nil { deltas += 1 }
                try client.apply(message)
            }
            for topic in client.payloads.keys {
                let whole = Redaction.maskCustomerData(try #require(hub.latest(topic)).data)
                #expect(client.payloads[topic] == whole, "seed \(seed), \(topic): masked deltas do not give the masked payload")
            }
        }
        #expect(deltas > 50)
        #expect(Set(client.payloads.keys) == Self.topics)
    }

    /// Agent fields are encoded one by one; the whole object joined from them is what json-c gives for it.
    @Test func anObjectJoinedFromItsMembersIsTheEncodingOfTheObject() throws {
        let object: JSONObject = [
            "id": "a\"1", "name": "Zoë \\ \u{1}\n/x", "team": .null, "queues": ["q1", "q2"], "skills": ["q1": 50],
            "ratio": .number(0.1 + 0.2), "contact": ["id": "c1", "phase": "held"], "on": true,
        ]
        let encoded = TopicDeltas.EncodedObject(object)
        #expect(encoded.json == JSONC.encode(.object(object)))
        var changed = object
        changed["name"] = "Zoë"
        changed["team"] = "t1"
        let next = TopicDeltas.EncodedObject(changed, reusing: encoded)
        #expect(next.json == JSONC.encode(.object(changed)))
        #expect(try JSONC.parse(try #require(next.changes(since: encoded, key: "id"))) == ["id": "a\"1", "name": "Zoë", "team": "t1"])
        #expect(next.changes(since: next, key: "id") == nil)
        var fewer = changed
        fewer["contact"] = nil
        let gone = TopicDeltas.EncodedObject(fewer, reusing: next)
        #expect(try JSONC.parse(try #require(gone.changes(since: next, key: "id"))) == ["id": "a\"1", "contact": .null])
    }

    /// A list as edits: unchanged elements as their index in the old list, each used once, others whole.
    @Test func listEditsKeepUnchangedElementsByIndex() {
        let old = ["k1", "k2", "k2", "k3"]
        let edits = TopicDeltas.listEdits(["k2", "k4", "k2", "k1", "k2"], from: old, id: { $0 }, json: { .string("new " + $0) })
        #expect(edits == [1, "new k4", 2, 0, "new k2"])
    }
}
