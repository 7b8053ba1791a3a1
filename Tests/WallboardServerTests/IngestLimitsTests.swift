import Foundation
import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// Limits on ingested events, end to end: HTTP answers, `/metrics`, the config file and reload.
@Suite(.serialized) struct IngestLimitsTests {
    /// One oversized field, one over-long line and one number beyond 64 bits in a batch: each of those
    /// lines is rejected with its id (when it can be read) and a reason that says what was too big;
    /// the lines around them are applied, and `/metrics` counts the refusals by code.
    @Test func oversizedLinesAreRejectedWithTheirIDAndTheOthersApplied() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let now = RFC3339.format(SystemClock().now())
        let bigName = String(repeating: "N", count: 300)
        let longLine = #"{"id":"huge","ts":"\#(now)","type":"agent.logout","agent":"a1","pad":""#
            + String(repeating: "p", count: 70_000) + #""}"#
        let body = [
            #"{"id":"l1","ts":"\#(now)","type":"agent.login","agent":"a1","name":"Ann","queues":["q1"]}"#,
            #"{"id":"l2","ts":"\#(now)","type":"agent.login","agent":"a2","name":"\#(bigName)","queues":["q1"]}"#,
            longLine,
            #"{"id":"l4","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q1","priority":99999999999999999999}"#,
            #"{"id":"l5","ts":"\#(now)","type":"contact.queued","contact":"c2","queue":"q1"}"#,
        ].joined(separator: "\n")
        let response = try daemon.post("/api/v1/events", body: body)
        #expect(response.status == 200)
        let verdict = try JSONC.parse(response.text)
        #expect(verdict["accepted"] == 2)
        let rejected = try #require(verdict["rejected"]?.arrayValue)
        #expect(rejected.map { $0["line"]?.integerValue } == [2, 3, 4])
        #expect(rejected.map { $0["id"]?.stringValue } == ["l2", nil, "l4"])
        #expect(rejected.map { $0["code"]?.stringValue } == ["too_long", "line_too_long", "invalid_value"])
        #expect(rejected[0]["reason"] == "agent.login \"name\" is 300 bytes long, over the limit of 256 bytes (limits.max_name_bytes)")
        #expect(rejected[1]["reason"]?.stringValue?.hasPrefix("line is \(longLine.utf8.count) bytes long, over the line limit of 65536 bytes") == true)
        // json-c saturates the literal to Int64.max; the reason must not name that value.
        #expect(rejected[2]["reason"] == "contact.queued \"priority\": a number out of range (beyond 64-bit integers) is outside 0...1000")

        #expect(!(try daemon.get("/api/v1/snapshot").text.contains(bigName)))
        let metrics = try daemon.get("/metrics").text
        #expect(metrics.contains("wallboardd_events_rejected_total{reason=\"too_long\"} 1"), "\(metrics)")
        #expect(metrics.contains("wallboardd_events_rejected_total{reason=\"line_too_long\"} 1"))
        #expect(metrics.contains("wallboardd_events_rejected_total{reason=\"invalid_value\"} 1"))
    }

    /// The `limits:` section reaches the running daemon, and a SIGHUP reload changes it.
    @Test func configuredLimitsApplyAndReloadChangesThem() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "limits:\n  max_name_bytes: 20\n".write(to: file, atomically: true, encoding: .utf8)
        var options = DaemonOptions(
            configuration: try DaemonConfiguration.load(path: file.path), configPath: file.path, webRootFallback: nil)
        options.host = "127.0.0.1"
        options.port = 0
        let daemon = try TestDaemon(options: options)
        defer { daemon.stop() }
        let now = RFC3339.format(SystemClock().now())
        func login(_ id: String, nameBytes: Int) throws -> JSONValue {
            let name = String(repeating: "n", count: nameBytes)
            let line = #"{"id":"\#(id)","ts":"\#(now)","type":"agent.login","agent":"\#(id)","name":"\#(name)"}"#
            return try JSONC.parse(try daemon.post("/api/v1/events", body: line).text)
        }
        #expect(try login("r1", nameBytes: 20)["accepted"] == 1)
        let refused = try login("r2", nameBytes: 21)
        #expect(refused["rejected"]?[0]?["reason"]?.stringValue?.contains("over the limit of 20 bytes (limits.max_name_bytes)") == true)

        try "limits:\n  max_name_bytes: 40\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(daemon.daemon.reload() == nil)
        #expect(try login("r3", nameBytes: 21)["accepted"] == 1)
        #expect(daemon.daemon.restartOnlyChanges(try DaemonConfiguration.load(path: file.path)).isEmpty)
    }
}

@Suite struct LimitsConfigurationTests {
    @Test func everyEventLimitIsRead() throws {
        let yaml = """
            limits:
              max_id_bytes: 64
              max_name_bytes: 100
              max_label_bytes: 50
              max_monitor_target_bytes: 300
              max_list_items: 20
              max_line_bytes: 4096
            """
        let limits = try DaemonConfiguration.parse(yaml: yaml, fileName: "l.yaml").eventLimits
        #expect(limits == EventLimits(maxIDBytes: 64, maxNameBytes: 100, maxLabelBytes: 50, maxMonitorTargetBytes: 300,
                                      maxListItems: 20, maxLineBytes: 4096))
        #expect(try DaemonConfiguration.parse(yaml: "", fileName: "e.yaml").eventLimits == .standard)
        #expect(try DaemonConfiguration.parse(yaml: "limits:\n  max_id_bytes: 100\n", fileName: "p.yaml").eventLimits
            == EventLimits(maxIDBytes: 100))
    }

    @Test(arguments: [
        ("limits:\n  max_name_bytes: 0\n", "f.yaml:2: limits.max_name_bytes: must be between 16 and 65536, got 0"),
        ("limits:\n  max_id_bytes: -5\n", "f.yaml:2: limits.max_id_bytes: must be between 16 and 65536, got -5"),
        ("limits:\n  max_label_bytes: 70000\n", "f.yaml:2: limits.max_label_bytes: must be between 16 and 65536, got 70000"),
        ("limits:\n  max_list_items: many\n", "f.yaml:2: limits.max_list_items: must be a whole number, got string"),
        ("limits:\n  max_monitor_target_bytes: 12.5\n", "f.yaml:2: limits.max_monitor_target_bytes: must be a whole number, got 12.5"),
        ("limits:\n  max_line_bytes: 99999999999999999999\n",
         "f.yaml:2: limits.max_line_bytes: must be between 1024 and 16777216, got 1e+20"),
        ("limits:\n  max_id_bytes: 64\n  max_names: 3\n", "f.yaml:3: limits.max_names: unknown key \"max_names\""),
        ("limits: 5\n", "f.yaml:1: limits: must be a mapping of keys to values, got number"),
    ])
    func badLimitsNameTheKeyAndLine(yaml: String, expected: String) {
        do {
            _ = try DaemonConfiguration.parse(yaml: yaml, fileName: "f.yaml")
            Issue.record("no error for \(yaml)")
        } catch {
            #expect(error.description.hasPrefix(expected), "got: \(error.description)")
        }
    }
}
