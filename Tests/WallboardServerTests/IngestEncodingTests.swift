import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// The ingest path writes journal records and stream replies without building a `JSONValue`: the bytes
/// must be exactly what encoding the value with json-c gives.
@Suite struct IngestEncodingTests {
    static let awkward = "tab\t quote\" back\\slash /slash é€ \u{1} \u{1F}"

    static let events: [Event] = [
        Event(id: "1", timestamp: Instant(milliseconds: 1_700_000_000_123), body: .agentLogin(
            AgentLogin(agent: "a", name: awkward, team: "t", queues: ["q", "r"], skills: ["r": 5, "q": 100, "a\"b": 0],
                       languages: ["en", "fr"]))),
        Event(id: "2", timestamp: Instant(milliseconds: 0), body: .agentLogin(AgentLogin(agent: "a", name: "", queues: []))),
        Event(id: "3", timestamp: Instant(milliseconds: -1), body: .agentState(agent: "a", state: .notReady, reason: awkward)),
        Event(id: "4", timestamp: Instant(milliseconds: 2), body: .agentState(agent: "a", state: .onContact, reason: nil)),
        Event(id: "5", timestamp: Instant(milliseconds: 3), body: .agentLogout(agent: "a")),
        Event(id: "6", timestamp: Instant(milliseconds: 4), body: .contactQueued(ContactQueued(
            contact: "c", queue: "q", channel: .sms, priority: 1000, customer: Customer(id: "x", segment: "vip"),
            language: "fr", reason: "billing"))),
        Event(id: "7", timestamp: Instant(milliseconds: 5), body: .contactQueued(ContactQueued(
            contact: "c", queue: "q", channel: .voice, customer: Customer()))),
        Event(id: "8", timestamp: Instant(milliseconds: 6), body: .contactQueued(ContactQueued(contact: "c", queue: "q", channel: .video))),
        Event(id: "9", timestamp: Instant(milliseconds: 7), body: .contactAnswered(
            contact: "c", agent: "a", monitor: MonitorHandle(kind: "asterisk.channel", target: "PJSIP/1001-00000012"))),
        Event(id: "10", timestamp: Instant(milliseconds: 8), body: .contactAnswered(contact: "c", agent: "a", monitor: nil)),
        Event(id: "11", timestamp: Instant(milliseconds: 9), body: .contactAbandoned(contact: "c")),
        Event(id: "12", timestamp: Instant(milliseconds: 10), body: .contactTransferred(contact: "c", toQueue: "q2", toAgent: nil)),
        Event(id: "13", timestamp: Instant(milliseconds: 11), body: .contactTransferred(contact: "c", toQueue: nil, toAgent: "b")),
        Event(id: "14", timestamp: Instant(milliseconds: 12), body: .contactHeld(contact: "c")),
        Event(id: "15", timestamp: Instant(milliseconds: 13), body: .contactResumed(contact: "c")),
        Event(id: "16", timestamp: Instant(milliseconds: 14), body: .contactEnded(contact: "c")),
        Event(id: "17", timestamp: Instant(milliseconds: 15), body: .contactWrapupDone(contact: "c", agent: "a")),
        Event(id: "18", timestamp: Instant(milliseconds: 16), body: .surveyCompleted(SurveyResult(contact: "c", csat: 5, ces: 1, resolved: false))),
        Event(id: "19", timestamp: Instant(milliseconds: 17), body: .surveyCompleted(SurveyResult(contact: "c", resolved: true))),
    ]

    /// Every event type and every optional field present and absent: the journal's record is the
    /// canonical object encoded by json-c, and decodes back to the same event.
    @Test(arguments: events)
    func canonicalTextIsTheEncodedCanonicalObject(event: Event) throws {
        let text = EventEncoder.canonicalText(event)
        #expect(String(decoding: text, as: UTF8.self) == JSONC.encode(EventEncoder.encode(event)))
        var bytes = text
        #expect(try EventDecoder.decode(JSONC.parse(bytes: &bytes), limits: .unlimited) == event)
    }

    /// Timestamps are written without `RFC3339.format` for years 0...9999: the same text at the edges
    /// of days, years and that range, and past it (where `RFC3339.format` writes them).
    @Test(arguments: [
        Int64.min / 2, -62_167_219_200_001, -62_167_219_200_000, -86_400_001, -1, 0, 999, 86_399_999, 951_782_400_000,
        1_700_000_000_123, 253_402_300_799_999, 253_402_300_800_000, Int64.max / 2,
    ])
    func timestampsAreWrittenAsRFC3339FormatsThem(milliseconds: Int64) {
        let event = Event(id: "t", timestamp: Instant(milliseconds: milliseconds), body: .agentLogout(agent: "a"))
        #expect(String(decoding: EventEncoder.canonicalText(event), as: UTF8.self) == JSONC.encode(EventEncoder.encode(event)))
    }

    /// Stream reply lines: the object `{"line","status","id","code","reason"}` as json-c encodes it, and
    /// a newline.
    @Test func streamRepliesAreTheEncodedObject() {
        let cases: [(Int, StreamReply.Status, String?, String?, String?)] = [
            (1, .accepted, "e1", nil, nil), (2, .duplicate, "e\"2", nil, nil), (9_999_999, .rejected, nil, "not_an_object", "invalid JSON at byte 3: \"x\""),
            (4, .held, "h", "unknown_contact", Self.awkward), (5, .notStored, "n", "not_stored", "disk\nfull"),
        ]
        for (line, status, id, code, reason) in cases {
            var object: JSONObject = ["line": .int(line), "status": .string(status.rawValue)]
            if let id { object["id"] = .string(id) }
            if let code { object["code"] = .string(code) }
            if let reason { object["reason"] = .string(reason) }
            let expected = JSONC.encode(.object(object)) + "\n"
            #expect(String(decoding: StreamReply.line(line, status, id: id, code: code, reason: reason), as: UTF8.self) == expected)
        }
    }
}
