import JSONModel
import Testing
import WallboardCore

/// Every string of an event has a length limit and every list a count limit: at the limit the event
/// is accepted, one past it the event is rejected with `too_long` and a reason naming the field, its
/// length and the limit.
@Suite struct EventLimitsTests {
    /// One limited field: how to build an event whose field has a given text.
    struct Field: Sendable, CustomTestStringConvertible {
        let name: String
        let limit: KeyPath<EventLimits, Int> & Sendable
        let setting: String
        let make: @Sendable (String) -> JSONValue

        var testDescription: String { name }
    }

    static let ts = "2026-11-23T09:00:00Z"

    static func event(_ type: String, _ members: JSONObject) -> JSONValue {
        var object: JSONObject = ["id": "e1", "ts": .string(ts), "type": .string(type)]
        for member in members.members { object[member.key] = member.value }
        return .object(object)
    }

    static let login: JSONObject = ["agent": "a1", "name": "Ann", "team": "t", "queues": ["q"], "skills": ["q": 5], "languages": ["en"]]
    static let queued: JSONObject = [
        "contact": "c1", "queue": "q", "customer": ["id": "x", "segment": "vip"], "language": "en", "reason": "billing",
    ]
    static let answered: JSONObject = ["contact": "c1", "agent": "a1", "monitor": ["kind": "asterisk.channel", "target": "PJSIP/1"]]

    static func with(_ base: JSONObject, _ key: String, _ value: JSONValue) -> JSONObject {
        var copy = base
        copy[key] = value
        return copy
    }

    static let fields: [Field] = [
        Field(name: "id", limit: \.maxIDBytes, setting: "max_id_bytes") { text in
            var object = event("agent.logout", ["agent": "a1"]).objectValue!
            object["id"] = .string(text)
            return .object(object)
        },
        Field(name: "agent", limit: \.maxIDBytes, setting: "max_id_bytes") { event("agent.login", with(login, "agent", .string($0))) },
        Field(name: "name", limit: \.maxNameBytes, setting: "max_name_bytes") { event("agent.login", with(login, "name", .string($0))) },
        Field(name: "team", limit: \.maxIDBytes, setting: "max_id_bytes") { event("agent.login", with(login, "team", .string($0))) },
        Field(name: "queues[1]", limit: \.maxIDBytes, setting: "max_id_bytes") {
            event("agent.login", with(login, "queues", ["q", .string($0)]))
        },
        Field(name: "skills key #2", limit: \.maxIDBytes, setting: "max_id_bytes") {
            var skills: JSONObject = ["q": 1]
            skills[$0] = 2
            return event("agent.login", with(login, "skills", .object(skills)))
        },
        Field(name: "languages[0]", limit: \.maxLabelBytes, setting: "max_label_bytes") {
            event("agent.login", with(login, "languages", [.string($0)]))
        },
        Field(name: "reason", limit: \.maxLabelBytes, setting: "max_label_bytes") {
            event("agent.state", ["agent": "a1", "state": "not_ready", "reason": .string($0)])
        },
        Field(name: "contact", limit: \.maxIDBytes, setting: "max_id_bytes") { event("contact.queued", with(queued, "contact", .string($0))) },
        Field(name: "queue", limit: \.maxIDBytes, setting: "max_id_bytes") { event("contact.queued", with(queued, "queue", .string($0))) },
        Field(name: "customer.id", limit: \.maxIDBytes, setting: "max_id_bytes") {
            event("contact.queued", with(queued, "customer", ["id": .string($0), "segment": "vip"]))
        },
        Field(name: "customer.segment", limit: \.maxLabelBytes, setting: "max_label_bytes") {
            event("contact.queued", with(queued, "customer", ["id": "x", "segment": .string($0)]))
        },
        Field(name: "language", limit: \.maxLabelBytes, setting: "max_label_bytes") {
            event("contact.queued", with(queued, "language", .string($0)))
        },
        Field(name: "reason", limit: \.maxLabelBytes, setting: "max_label_bytes") {
            event("contact.queued", with(queued, "reason", .string($0)))
        },
        Field(name: "agent", limit: \.maxIDBytes, setting: "max_id_bytes") { event("contact.answered", with(answered, "agent", .string($0))) },
        Field(name: "monitor.kind", limit: \.maxLabelBytes, setting: "max_label_bytes") {
            event("contact.answered", with(answered, "monitor", ["kind": .string($0), "target": "PJSIP/1"]))
        },
        Field(name: "monitor.target", limit: \.maxMonitorTargetBytes, setting: "max_monitor_target_bytes") {
            event("contact.answered", with(answered, "monitor", ["kind": "k", "target": .string($0)]))
        },
        Field(name: "to_queue", limit: \.maxIDBytes, setting: "max_id_bytes") {
            event("contact.transferred", ["contact": "c1", "to_queue": .string($0)])
        },
        Field(name: "to_agent", limit: \.maxIDBytes, setting: "max_id_bytes") {
            event("contact.transferred", ["contact": "c1", "to_agent": .string($0)])
        },
        Field(name: "agent", limit: \.maxIDBytes, setting: "max_id_bytes") {
            event("contact.wrapup_done", ["contact": "c1", "agent": .string($0)])
        },
        Field(name: "contact", limit: \.maxIDBytes, setting: "max_id_bytes") {
            event("survey.completed", ["contact": .string($0), "csat": 5])
        },
    ]

    static func decode(_ value: JSONValue, _ limits: EventLimits = .standard) -> Result<Event, EventRejection> {
        do { return .success(try EventDecoder.decode(value, limits: limits)) } catch { return .failure(error) }
    }

    @Test(arguments: fields)
    func aFieldAtItsLimitIsAcceptedAndOnePastItIsRejected(field: Field) throws {
        let limit = EventLimits.standard[keyPath: field.limit]
        if case .failure(let rejection) = Self.decode(field.make(String(repeating: "x", count: limit))) {
            Issue.record("\(field.name) at its limit of \(limit) bytes rejected: \(rejection)")
        }
        guard case .failure(let rejection) = Self.decode(field.make(String(repeating: "x", count: limit + 1))) else {
            Issue.record("\(field.name) of \(limit + 1) bytes accepted")
            return
        }
        #expect(rejection.code == .tooLong)
        let quotedName = field.name.hasPrefix("skills") ? "\"skills\" key #2" : field.name.contains("[")
            ? "\"\(field.name.prefix(while: { $0 != "[" }))\"[" : "\"\(field.name)\""
        #expect(rejection.message.contains(quotedName), "\(rejection.message)")
        #expect(rejection.message.contains("is \(limit + 1) bytes long, over the limit of \(limit) bytes (limits.\(field.setting))"),
                "\(rejection.message)")
        #expect(!rejection.message.contains(String(repeating: "x", count: 20)), "the long value is not echoed")
    }

    /// Limits count bytes of UTF-8, not characters: 128 "é" are 256 bytes.
    @Test func limitsCountUTF8Bytes() {
        let name: (Int) -> JSONValue = { Self.event("agent.login", Self.with(Self.login, "name", .string(String(repeating: "é", count: $0)))) }
        #expect((try? Self.decode(name(128)).get()) != nil)
        guard case .failure(let rejection) = Self.decode(name(129)) else { Issue.record("258 bytes accepted"); return }
        #expect(rejection.message.contains("is 258 bytes long"))
    }

    @Test(arguments: ["queues", "languages", "skills"])
    func aListAtItsCountLimitIsAcceptedAndOnePastItIsRejected(key: String) {
        let limits = EventLimits(maxListItems: 3)
        func login(_ count: Int) -> JSONValue {
            let items = (0..<count).map { "i\($0)" }
            var skills = JSONObject()
            for item in items { skills[item] = 1 }
            let value: JSONValue = key == "skills" ? .object(skills) : .array(items.map { .string($0) })
            return Self.event("agent.login", Self.with(Self.login, key, value))
        }
        #expect((try? Self.decode(login(3), limits).get()) != nil)
        guard case .failure(let rejection) = Self.decode(login(4), limits) else { Issue.record("4 \(key) accepted"); return }
        #expect(rejection.code == .tooLong)
        #expect(rejection.message == "agent.login \"\(key)\" has 4 entries, over the limit of 3 (limits.max_list_items)")
    }

    /// `type`, `ts`, `state` and `channel` have a fixed limit: nothing longer can be valid, and the
    /// value is not quoted back.
    @Test(arguments: ["type", "ts", "state", "channel"])
    func keywordFieldsHaveAFixedLimit(key: String) {
        let long = String(repeating: "y", count: EventLimits.maximumKeywordBytes + 1)
        var object = Self.event(key == "channel" ? "contact.queued" : "agent.state",
                                key == "channel" ? Self.queued : ["agent": "a1", "state": "available"]).objectValue!
        object[key] = .string(long)
        guard case .failure(let rejection) = Self.decode(.object(object)) else { Issue.record("accepted"); return }
        #expect(rejection.code == .tooLong)
        #expect(rejection.message.contains("\"\(key)\" is 65 bytes long, over the limit of 64 bytes (fixed)"), "\(rejection.message)")
        #expect(!rejection.message.contains(long))
    }

    @Test func configuredLimitsReplaceTheDefaults() {
        let limits = EventLimits(maxIDBytes: 16, maxNameBytes: 20)
        let name = Self.event("agent.login", Self.with(Self.login, "name", .string(String(repeating: "n", count: 21))))
        guard case .failure(let rejection) = Self.decode(name, limits) else { Issue.record("accepted"); return }
        #expect(rejection.message == "agent.login \"name\" is 21 bytes long, over the limit of 20 bytes (limits.max_name_bytes)")
        #expect((try? Self.decode(name).get()) != nil, "the default allows it")
        #expect((try? Self.decode(name, .unlimited).get()) != nil)
    }

    /// The id quoted back with a rejection: only a non-empty string within the id limit.
    @Test func quotableIDIsBounded() {
        #expect(EventDecoder.quotableID(of: ["id": "e7", "type": 5]) == "e7")
        #expect(EventDecoder.quotableID(of: ["id": .string(String(repeating: "i", count: 201))]) == nil)
        #expect(EventDecoder.quotableID(of: ["id": 7]) == nil)
        #expect(EventDecoder.quotableID(of: ["id": ""]) == nil)
        #expect(EventDecoder.quotableID(of: [1]) == nil)
    }
}

/// Numbers out of range are quoted as sent, or said to be out of range when they cannot be represented.
@Suite struct EventNumberTests {
    static func survey(_ csat: JSONValue) -> EventRejection? {
        let value = EventLimitsTests.event("survey.completed", ["contact": "c1", "csat": csat])
        do {
            _ = try EventDecoder.decode(value)
            return nil
        } catch { return error }
    }

    @Test(arguments: [
        (JSONValue.integer(6), EventRejection.Code.invalidValue, "survey.completed \"csat\": 6 is outside 1...5"),
        (.integer(-40), .invalidValue, "survey.completed \"csat\": -40 is outside 1...5"),
        // json-c saturates 99999999999999999999 to Int64.max: never quote the saturated value.
        (.integer(.max), .invalidValue, "survey.completed \"csat\": a number out of range (beyond 64-bit integers) is outside 1...5"),
        (.integer(.min), .invalidValue, "survey.completed \"csat\": a number out of range (beyond 64-bit integers) is outside 1...5"),
        (.number(1e20), .invalidValue, "survey.completed \"csat\": 1e+20 is outside 1...5"),
        (.number(.infinity), .invalidValue, "survey.completed \"csat\": a number out of range (beyond 64-bit floating point) is outside 1...5"),
        (.number(9_000_000_000_000_001), .invalidValue, "survey.completed \"csat\": 9000000000000001 is outside 1...5"),
        (.number(2.5), .wrongType, "survey.completed \"csat\" must be an integer, got 2.5"),
        ("5", .wrongType, "survey.completed \"csat\" must be an integer, got string"),
    ])
    func outOfRangeNumbersAreQuotedAsSent(value: JSONValue, code: EventRejection.Code, message: String) {
        let rejection = Self.survey(value)
        #expect(rejection?.code == code)
        #expect(rejection?.message == message)
    }

    @Test func skillLevelsQuoteTheLevel() {
        let value = EventLimitsTests.event("agent.login", ["agent": "a1", "skills": ["q": 101]])
        #expect(throws: EventRejection(.invalidValue, "agent.login \"skills\".\"q\" must be an integer 0...100, got 101")) {
            try EventDecoder.decode(value)
        }
    }
}
