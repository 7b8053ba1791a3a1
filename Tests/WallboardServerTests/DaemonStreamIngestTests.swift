import Foundation
import JSONC
import JSONModel
import Testing
import WallboardClient
import WallboardCore
@testable import WallboardServer

/// The stream listener as the daemon runs it: configured, started with the daemon, on /metrics.
@Suite(.serialized) struct DaemonStreamIngestTests {
    @Test func daemonAcceptsAnNDJSONStreamAndReportsEachLine() throws {
        let configuration = try DaemonConfiguration.parse(
            yaml: "ingest:\n  stream:\n    tcp: 127.0.0.1:0\n", fileName: "stream.yaml")
        var options = DaemonOptions(configuration: configuration, configPath: nil, webRootFallback: nil)
        options.port = 0
        let daemon = try TestDaemon(options: options)
        defer { daemon.stop() }
        let port = try #require(daemon.daemon.streamIngest?.tcpPort)
        let connection = try TCPConnection(host: "127.0.0.1", port: port)
        let now = RFC3339.format(SystemClock().now())
        let lines = [
            #"{"id":"s1","ts":"\#(now)","type":"agent.login","agent":"a1","name":"Ann","queues":["q1"]}"#,
            #"{"id":"s2","ts":"\#(now)","type":"agent.dance","agent":"a1"}"#,
            #"{"id":"s3","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q1"}"#,
        ]
        try connection.write(Array((lines.joined(separator: "\n") + "\n").utf8))
        var replies: [JSONValueLine] = []
        for _ in lines {
            let line = try connection.read(until: Array("\n".utf8))
            replies.append(JSONValueLine(try JSONC.parse(String(decoding: line.dropLast(), as: UTF8.self))))
        }
        #expect(replies.map(\.status) == ["accepted", "rejected", "accepted"])
        #expect(replies[1].value["code"] == "unknown_type")
        let metrics = try daemon.get("/metrics").text
        #expect(metrics.contains("wallboardd_stream_ingest_connections 1"))
        #expect(metrics.contains(#"wallboardd_events_applied_total{source="stream",type="contact.queued"} 1"#))
    }
}

/// One reply line of the stream protocol.
struct JSONValueLine {
    let value: JSONModel.JSONValue
    init(_ value: JSONModel.JSONValue) { self.value = value }
    var status: String { value["status"]?.stringValue ?? "" }
}
