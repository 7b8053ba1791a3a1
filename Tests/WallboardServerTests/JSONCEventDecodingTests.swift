import Foundation
import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// Ingest decodes events from json-c's own tree (`JSONCNode`), the rest of the project from a
/// `JSONValue`: both must accept the same events and reject the same input with the same message.
@Suite struct JSONCEventDecodingTests {
    static let ts = #""ts":"2026-11-23T09:00:00.000Z""#

    /// Valid events of every type, and one instance of every way a field can be wrong.
    static let lines: [String] = [
        #"{"id":"1",\#(ts),"type":"agent.login","agent":"a","name":"Ann","team":"t","queues":["q","r"],"skills":{"q":5,"r":100},"languages":["en"]}"#,
        #"{"id":"2",\#(ts),"type":"agent.state","agent":"a","state":"not_ready","reason":"lunch"}"#,
        #"{"id":"3",\#(ts),"type":"contact.queued","contact":"c","queue":"q","channel":"chat","priority":7,"customer":{"id":"x","segment":"vip"},"language":"fr","reason":"billing","extra":[1,{"a":null}]}"#,
        #"{"id":"4",\#(ts),"type":"contact.answered","contact":"c","agent":"a","monitor":{"kind":"k","target":"t"}}"#,
        #"{"id":"5",\#(ts),"type":"contact.transferred","contact":"c","to_agent":"b","to_queue":null}"#,
        #"{"id":"6",\#(ts),"type":"survey.completed","contact":"c","csat":5.0,"ces":null,"resolved":true}"#,
        #"{"id":"7",\#(ts),"type":"contact.wrapup_done","contact":"c","agent":"a"}"#,
        #"[1]"#, #""text""#, #"null"#, #"3.5"#,
        #"{"id":"e","ts":"2026-11-23T09:00:00Z","type":"contact.flown"}"#,
        #"{"id":"e","ts":"yesterday","type":"contact.ended","contact":"c"}"#,
        #"{"id":"e",\#(ts),"type":"contact.ended"}"#,
        #"{"id":"",\#(ts),"type":"contact.ended","contact":"c"}"#,
        #"{"id":7,\#(ts),"type":"contact.ended","contact":"c"}"#,
        #"{"id":"e",\#(ts),"type":["contact.ended"],"contact":"c"}"#,
        #"{"id":"e",\#(ts),"type":"contact.ended","contact":{"x":1}}"#,
        #"{"id":"e",\#(ts),"type":"agent.state","agent":"a","state":"available","reason":"x"}"#,
        #"{"id":"e",\#(ts),"type":"agent.state","agent":"a","state":"lunch"}"#,
        #"{"id":"e",\#(ts),"type":"agent.login","agent":"a","queues":"q"}"#,
        #"{"id":"e",\#(ts),"type":"agent.login","agent":"a","queues":["q",""]}"#,
        #"{"id":"e",\#(ts),"type":"agent.login","agent":"a","queues":["q"],"skills":[1]}"#,
        #"{"id":"e",\#(ts),"type":"agent.login","agent":"a","queues":["q"],"skills":{"q":101}}"#,
        #"{"id":"e",\#(ts),"type":"agent.login","agent":"a","queues":["q"],"skills":{"q":"high"}}"#,
        #"{"id":"e",\#(ts),"type":"agent.login","agent":"a","queues":["q"],"skills":{"q":99999999999999999999}}"#,
        #"{"id":"e",\#(ts),"type":"agent.login","agent":"a","name":"\#(String(repeating: "n", count: 257))"}"#,
        #"{"id":"e",\#(ts),"type":"agent.login","agent":"a","languages":[\#(Array(repeating: #""en""#, count: 257).joined(separator: ","))]}"#,
        #"{"id":"\#(String(repeating: "i", count: 201))",\#(ts),"type":"agent.logout","agent":"a"}"#,
        #"{"id":"e",\#(ts),"type":"contact.queued","contact":"c","queue":"q","channel":"fax"}"#,
        #"{"id":"e",\#(ts),"type":"contact.queued","contact":"c","queue":"q","priority":2.5}"#,
        #"{"id":"e",\#(ts),"type":"contact.queued","contact":"c","queue":"q","priority":1e400}"#,
        #"{"id":"e",\#(ts),"type":"contact.queued","contact":"c","queue":"q","priority":-1}"#,
        #"{"id":"e",\#(ts),"type":"contact.queued","contact":"c","queue":"q","customer":"x"}"#,
        #"{"id":"e",\#(ts),"type":"contact.queued","contact":"c","queue":"q","customer":{"id":""}}"#,
        #"{"id":"e",\#(ts),"type":"contact.answered","contact":"c","agent":"a","monitor":{"kind":"k"}}"#,
        #"{"id":"e",\#(ts),"type":"contact.transferred","contact":"c"}"#,
        #"{"id":"e",\#(ts),"type":"survey.completed","contact":"c"}"#,
        #"{"id":"e",\#(ts),"type":"survey.completed","contact":"c","resolved":"yes"}"#,
        #"{"id":"e",\#(ts),"type":"survey.completed","contact":"c","csat":[5]}"#,
    ]

    @Test(arguments: lines)
    func jsonCTreeAndJSONValueDecodeAlike(line: String) throws {
        let parser = try JSONCParser()
        let viaNode: Result<Event, EventRejection> = try Array(line.utf8).withUnsafeBytes { bytes in
            try parser.parse(bytes) { node in
                do throws(EventRejection) { return .success(try EventDecoder.decode(readable: node)) } catch { return .failure(error) }
            }
        }
        let value = try JSONC.parse(line)
        let viaValue: Result<Event, EventRejection>
        do throws(EventRejection) { viaValue = .success(try EventDecoder.decode(value)) } catch { viaValue = .failure(error) }
        #expect(viaNode == viaValue)
        let quotable = try Array(line.utf8).withUnsafeBytes { bytes in
            try parser.parse(bytes) { EventDecoder.quotableID(readable: $0) }
        }
        #expect(quotable == EventDecoder.quotableID(of: value))
    }

    /// One parser reads many texts: a failed parse leaves nothing behind for the next one.
    @Test func aParserIsReusableAfterAnError() throws {
        let parser = try JSONCParser()
        for text in [#"{"a":1}"#, #"{"a": nope"#, #"{"a":'x'}"#, "42", #"[1,2"#, #"{"b":[true]}"#] {
            let viaParser: Result<JSONValue, JSONCError> = Array(text.utf8).withUnsafeBytes { bytes in
                do throws(JSONCError) { return .success(try parser.parse(bytes) { JSONValue(readable: $0) }) } catch {
                    return .failure(error)
                }
            }
            let alone: Result<JSONValue, JSONCError>
            do throws(JSONCError) { alone = .success(try JSONC.parse(text)) } catch { alone = .failure(error) }
            #expect(viaParser == alone, "\(text)")
        }
    }
}

extension JSONValue {
    /// Converts any readable tree, to compare trees in tests.
    init<Value: JSONReadable>(readable value: Value) {
        if let scalar = value.scalar {
            self = scalar
        } else if let count = value.arrayCount {
            self = .array((0..<count).map { JSONValue(readable: value.element(at: $0)) })
        } else {
            self = .object(JSONObject(distinctKeys: value.members.map { ($0.key, JSONValue(readable: $0.value)) }))
        }
    }
}
