import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// The real daemon on a loopback port with real sockets: HTTP, WebSocket, static files, shutdown.
@Suite(.serialized) struct DaemonLiveTests {
    @Test func healthzAnswersOK() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let response = try daemon.get("/healthz")
        #expect(response.status == 200)
        #expect(try JSONC.parse(response.text)["status"] == "ok")
    }

    @Test func boardPageIsServedAtRoot() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let response = try daemon.get("/")
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(response.text.contains("<script type=\"module\""))
        #expect(try daemon.get("/no-such-file.html").status == 404)
        let head = try HTTPClient.request("HEAD", daemon.base + "/healthz")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)
        #expect(try daemon.get("/api/v1/nothing-here").status == 404)
    }

    /// On the simulator the numbers move, and the WebSocket and REST show the same snapshot.
    @Test func simulatorSnapshotsChangeAndAgreeWithREST() throws {
        let daemon = try TestDaemon(simulator: true)
        defer { daemon.stop() }
        let client = try daemon.connect()
        defer { client.close() }
        let first = try client.next(type: "topic")
        #expect(first["topic"] == "snapshot")
        let firstData = try #require(first["data"])
        #expect(firstData["queues"]?.arrayValue?.count == 3)
        #expect(firstData["center"]?["agents"]?["logged_in"] == 15)
        // The 15 minutes of warm-up history give the 15m window real contacts.
        #expect((firstData["center"]?["metrics"]?["15m"]?["offered"]?.integerValue ?? 0) > 0)

        // Numbers change over time: some agent or queue figure differs in a later snapshot.
        func figures(_ data: JSONValue) -> JSONValue {
            [
                "agents": data["agents"] ?? .null, "waiting": data["center"]?["waiting_now"] ?? .null,
                "metrics": data["center"]?["metrics"] ?? .null,
            ]
        }
        let changed = try client.nextSnapshot(limit: 200) { figures($0) != figures(firstData) }
        #expect((changed["seq"]?.integerValue ?? 0) > (first["seq"]?.integerValue ?? 0))

        // REST returns the latest published snapshot: the same one the socket carries for that seq.
        // (Latest wins on the socket, so a seq can be skipped: try until REST and socket meet.)
        var compared = false
        var etag = ""
        for _ in 0..<40 where !compared {
            let message = try client.next(type: "topic")
            let rest = try daemon.get("/api/v1/snapshot")
            #expect(rest.status == 200)
            etag = try #require(rest.headers["etag"])
            // An anonymous caller is a masked viewer: its ETag carries the view (`-v…`) after the seq.
            let seq = "\"snapshot-\(message["seq"]?.integerValue ?? -1)"
            if etag == seq + "\"" || etag.hasPrefix(seq + "-v") {
                #expect(message["data"] == (try JSONC.parse(rest.text)))
                compared = true
            }
        }
        #expect(compared, "REST and WebSocket never showed the same seq")

        // A conditional GET with that ETag is answered 304 while nothing newer is published.
        let again = try daemon.get("/api/v1/snapshot", headers: ["If-None-Match": etag])
        #expect(again.status == 304 || again.headers["etag"] != etag)
    }

    /// Events posted to the ingest endpoint reach the board with exact numbers.
    @Test func ingestedEventsShowOnTheBoard() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let client = try daemon.connect()
        defer { client.close() }
        _ = try client.next(type: "topic")
        let now = SystemClock().now()
        func ts(_ secondsAgo: Int64) -> String { RFC3339.format(now.advanced(by: -.seconds(secondsAgo))) }
        let events = [
            #"{"id":"e1","ts":"\#(ts(60))","type":"agent.login","agent":"a1","name":"Ann","queues":["q1"]}"#,
            #"{"id":"e2","ts":"\#(ts(50))","type":"contact.queued","contact":"c1","queue":"q1","channel":"voice"}"#,
            #"{"id":"e3","ts":"\#(ts(40))","type":"contact.answered","contact":"c1","agent":"a1"}"#,
            #"{"id":"e4","ts":"\#(ts(30))","type":"contact.queued","contact":"c2","queue":"q1","channel":"voice"}"#,
        ].joined(separator: "\n")
        let response = try daemon.post("/api/v1/events", body: events)
        #expect(response.status == 200)
        let verdict = try JSONC.parse(response.text)
        #expect(verdict["accepted"] == 4)
        #expect(verdict["rejected"] == .array([]))

        let snapshot = try client.nextSnapshot { $0["center"]?["waiting_now"] == 1 }
        let queue = try #require(snapshot["data"]?["queues"]?.arrayValue?.first)
        #expect(queue["id"] == "q1")
        #expect(queue["agents"]?["on_contact"] == 1)
        #expect(queue["metrics"]?["15m"]?["answered"] == 1)
        #expect(queue["metrics"]?["15m"]?["asa_seconds"] == .number(10))
        #expect(queue["metrics"]?["15m"]?["service_level"] == .number(1))
        // c2 has waited about 30 s: the longest wait counts from its queue time.
        let longest = try #require(queue["longest_wait_seconds"]?.doubleValue)
        #expect(longest >= 30 && longest < 60)
    }

    /// A batch with bad lines: each bad line is reported with its number and reason; good ones apply.
    @Test func badIngestLinesAreReportedAndGoodOnesApplied() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let now = RFC3339.format(SystemClock().now())
        let body = [
            #"{"id":"b1","ts":"\#(now)","type":"agent.login","agent":"a1","name":"Ann","queues":["q1"]}"#,
            #"{"id":"b2","ts":"\#(now)","type":"contact.answered","contact":"ghost","agent":"a1"}"#,
            #"{not json"#,
            #"{"id":"b3","ts":"yesterday","type":"agent.logout","agent":"a1"}"#,
            #"{"id":"b4","ts":"\#(now)","type":"agent.dance","agent":"a1"}"#,
            #"{"id":"b1","ts":"\#(now)","type":"agent.login","agent":"a1","name":"Ann","queues":["q1"]}"#,
            #"{"id":"b5","ts":"\#(now)","type":"contact.queued","contact":"c9","queue":"q1","channel":"pigeon"}"#,
            #"{"id":"b6","ts":"\#(now)","type":"contact.queued","contact":"c9","queue":"q1"}"#,
        ].joined(separator: "\n")
        let response = try daemon.post("/api/v1/events", body: body)
        #expect(response.status == 200)
        let verdict = try JSONC.parse(response.text)
        #expect(verdict["accepted"] == 2)
        #expect(verdict["duplicates"] == 1)
        // The answer for an unknown contact may be early (out of order): held back, with the reason.
        let held = try #require(verdict["held"]?.arrayValue)
        #expect(held.map { $0["line"]?.integerValue } == [2])
        #expect(held.first?["reason"]?.stringValue?.contains("never queued") == true)
        let rejected = try #require(verdict["rejected"]?.arrayValue)
        #expect(rejected.map { $0["line"]?.integerValue } == [3, 4, 5, 7])
        #expect(rejected.map { $0["code"]?.stringValue } == ["not_an_object", "bad_timestamp", "unknown_type", "invalid_value"])
        #expect(rejected[3]["reason"]?.stringValue?.contains("pigeon") == true)

        // One pretty-printed JSON event is read whole; a BOM in front is ignored.
        let pretty = try daemon.post(
            "/api/v1/events",
            body: "\u{FEFF}{\n  \"id\": \"p1\",\n  \"ts\": \"\(now)\",\n  \"type\": \"contact.queued\",\n  \"contact\": \"p1\",\n  \"queue\": \"q1\"\n}\n",
            contentType: "application/json")
        #expect(try JSONC.parse(pretty.text)["accepted"] == 1, "\(pretty.text)")
        let array = try daemon.post(
            "/api/v1/events", body: "[\n {\"id\":\"p2\",\"ts\":\"\(now)\",\"type\":\"contact.queued\",\"contact\":\"p2\",\"queue\":\"q1\"},\n {\"id\":\"p3\"}\n]",
            contentType: "application/json")
        let arrayVerdict = try JSONC.parse(array.text)
        #expect(arrayVerdict["accepted"] == 1)
        #expect(arrayVerdict["rejected"]?.arrayValue?.first?["line"] == 2)  // the second element
        let empty = try daemon.post("/api/v1/events", body: "\n  \n")
        #expect(empty.status == 400)
        #expect(empty.text.contains("the body is empty"))
        #expect(try daemon.get("/api/v1/snapshot?topics=").status == 400)
        let unsupported = try daemon.post("/api/v1/events", body: "<xml/>", contentType: "application/xml")
        #expect(unsupported.status == 415)
        let wrongMethod = try daemon.get("/api/v1/events")
        #expect(wrongMethod.status == 405)
    }

    /// A malformed frame, named for the test log; its bytes are built in the test (a 70 KB payload
    /// would otherwise be printed as the test's argument).
    enum BadFrame: String, CaseIterable, Sendable {
        case binary, notJSON, unknownOp, topicsNotAList, notAnObject, tooLarge

        var opcode: UInt8 { self == .binary ? 0x2 : 0x1 }
        var payload: [UInt8] {
            switch self {
            case .binary: return [1, 2, 3]
            case .notJSON: return Array("{not json".utf8)
            case .unknownOp: return Array(#"{"op":"dance"}"#.utf8)
            case .topicsNotAList: return Array(#"{"op":"subscribe","topics":"snapshot"}"#.utf8)
            case .notAnObject: return Array("[1,2]".utf8)
            case .tooLarge: return [UInt8](repeating: 0x20, count: 70_000)
            }
        }
        var expectedCode: Int {
            switch self {
            case .binary: return 1003
            case .notJSON: return 1007
            case .unknownOp, .topicsNotAList, .notAnObject: return 1008
            case .tooLarge: return 1009
            }
        }
    }

    @Test(arguments: BadFrame.allCases)
    func malformedFramesCloseWithAReason(frame: BadFrame) throws {
        let opcode = frame.opcode
        let payload = frame.payload
        let expectedCode = frame.expectedCode
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let client = try daemon.connect(subscribe: [])
        try client.sendFrame(opcode: opcode, payload)
        var closed: (Int, String)?
        for _ in 0..<20 {
            if case .close(let code, let reason) = try client.receive() {
                closed = (code, reason)
                break
            }
        }
        #expect(closed?.0 == expectedCode)
        #expect(closed?.1.isEmpty == false)
        // Another client is not affected.
        let other = try daemon.connect()
        #expect(try other.next(type: "topic")["topic"] == "snapshot")
        other.close()
    }

    /// Requests with a body but an unusable length get an answer that says why (never a silent drop).
    @Test(arguments: [
        // No Content-Length: an empty body, dispatched at once (and refused: acknowledging needs a token).
        ("POST /api/v1/alerts/x/ack HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\r\n", "403"),
        ("POST /api/v1/events HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "411"),
        ("POST /api/v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n", "40"),
        ("POST /api/v1/events HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999\r\n\r\n", "4"),
    ])
    func bodiesWithoutAUsableLengthAreAnswered(request: String, statusPrefix: String) throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let connection = try TCPConnection(host: "127.0.0.1", port: daemon.daemon.port, timeoutSeconds: 5)
        try connection.write(Array(request.utf8))
        let head = String(decoding: try connection.read(until: Array("\r\n".utf8)), as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 \(statusPrefix)"), "\(head)")
    }

    /// An upgrade without the `wallboard.v1` subprotocol is refused, never kept as a silent socket.
    @Test func upgradeWithoutTheSubprotocolIsRefused() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        #expect {
            _ = try WebSocketClient(url: daemon.webSocketURL, subprotocol: nil)
        } throws: { error in
            if case ClientError.handshakeRefused(let status) = error { return status == 400 || status == 0 }
            return false
        }
        #expect(daemon.daemon.server.webSocketCount == 0)
        #expect(try daemon.get("/healthz").status == 200)
    }

    @Test func unknownTopicGetsAnErrorMessageNotAClose() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let client = try daemon.connect(subscribe: ["nope", "snapshot"])
        let error = try client.next(type: "error")
        #expect(error["code"] == "unknown_topic")
        #expect(try client.next(type: "topic")["topic"] == "snapshot")
        client.close()
    }

    /// Shutting down sends every board a close frame 1001 "server shutting down".
    @Test func shutdownSendsCloseFramesToBoards() throws {
        let daemon = try TestDaemon(simulator: true)
        let first = try daemon.connect()
        let second = try daemon.connect()
        _ = try first.next(type: "topic")
        _ = try second.next(type: "topic")
        daemon.stop()
        for client in [first, second] {
            var code: Int?
            for _ in 0..<50 {
                if case .close(let received, _) = try client.receive() {
                    code = received
                    break
                }
            }
            #expect(code == 1001)
        }
    }

    @Test func heartbeatArrivesOnAnIdleBoard() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let client = try daemon.connect(subscribe: [])
        let heartbeat = try client.next(type: "heartbeat")
        #expect(heartbeat["server_time"]?.stringValue.flatMap(RFC3339.parse) != nil)
        client.close()
    }
}
