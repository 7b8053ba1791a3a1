import Foundation
import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// `wallboardctl` as an operator runs it, against a real daemon.
@Suite(.serialized) struct WallboardctlTests {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wallboardctl")
    }
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func replayOfTheDocumentedSamplePrintsTheFixedJSONShape() throws {
        let sample = Self.repository.appendingPathComponent("docs/samples/day-sample.ndjson").path
        let result = try Self.run(["replay", sample, "--instant", "--json"])
        #expect(result.status == 0)
        let json = try JSONC.parse(result.output)
        let today = try #require(json["windows"]?["today"])
        #expect(today["center"]?["offered"]?.integerValue != nil)
        #expect(today["queues"]?.objectValue?.keys.sorted() == ["sales", "support"])
        for key in ["offered", "answered", "abandoned", "short_abandoned", "answered_within_threshold", "service_level",
                    "abandon_rate", "asa_seconds", "aht_seconds", "max_wait_seconds"]
        {
            #expect(today["center"]?[key] != nil, "missing \(key)")
        }
    }

    /// `--timings` prints each stage's CPU seconds on standard error and the same report on standard output.
    @Test func replayTimingsPrintStagesAndTheSameReport() throws {
        let sample = Self.repository.appendingPathComponent("docs/samples/day-sample.ndjson").path
        let plain = try Self.run(["replay", sample, "--instant", "--json"])
        let timed = try Self.run(["replay", sample, "--instant", "--json", "--timings"])
        #expect(timed.status == 0)
        #expect(timed.output == plain.output)
        for stage in ["parse ", "decode ", "engine ", "windows "] { #expect(timed.errors.contains("  \(stage)"), "no \(stage)") }
        let paced = try Self.run(["replay", sample, "--speed", "1000", "--timings"])
        #expect(paced.status != 0)
        #expect(paced.errors.contains("--timings times an --instant replay of an ndjson file only"))
    }

    @Test func replayOfARawAsteriskCaptureMatchesItsTruth() throws {
        let capture = Self.repository.appendingPathComponent("Tests/AMIAdapterTests/Fixtures/C_presence.ami").path
        let result = try Self.run(["replay", "--format", "ami", capture, "--instant", "--json"])
        #expect(result.status == 0)
        let sales = try JSONC.parse(result.output)["windows"]?["today"]?["queues"]?["sales"]
        #expect(sales?["offered"] == 7)
        #expect(sales?["answered"] == 7)
        #expect(sales?["max_wait_seconds"] == .number(13.005))
    }

    /// A capture without Timestamp: headers, or a file that is not what --format says, is an error,
    /// not a table of zeros.
    @Test func replayRefusesInputItCannotTime() throws {
        let untimed = Self.repository.appendingPathComponent("Tests/AMIAdapterTests/Fixtures/E_resync.ami").path
        let result = try Self.run(["replay", "--format", "ami", untimed, "--json"])
        #expect(result.status == 1)
        #expect(result.errors.contains("no Timestamp: headers"))
        let wrongFormat = try Self.run(
            ["replay", "--format", "ami", Self.repository.appendingPathComponent("docs/samples/day-sample.ndjson").path])
        #expect(wrongFormat.status == 1)
        #expect(wrongFormat.errors.contains("no Asterisk manager events"))
        let notCanonical = try Self.run(
            ["replay", Self.repository.appendingPathComponent("docs/bridges/amazon-connect-sample.jsonl").path])
        #expect(notCanonical.status == 1)
        #expect(notCanonical.errors.contains("no line was a usable canonical event"))
    }

    @Test func snapshotIngestAndAlertsTalkToARunningDaemon() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let events = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString).ndjson")
        let now = RFC3339.format(SystemClock().now())
        try #"{"id":"x1","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"q9"}"#.write(
            to: events, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: events) }
        let ingest = try Self.run(["ingest", "--url", daemon.base, events.path])
        #expect(ingest.status == 0)
        #expect(try JSONC.parse(ingest.output)["accepted"] == 1)
        var snapshot = try Self.run(["snapshot", "--url", daemon.base])
        for _ in 0..<30 where !snapshot.output.contains("q9") {
            usleep(100_000)
            snapshot = try Self.run(["snapshot", "--url", daemon.base])
        }
        #expect(snapshot.status == 0)
        #expect(try JSONC.parse(snapshot.output)["queues"]?.arrayValue?.first?["id"] == "q9")
        let alerts = try Self.run(["alerts", "--url", daemon.base])
        #expect(alerts.status == 0)
        #expect(alerts.output.contains("no active alerts"))
        // Acknowledging needs a supervisor token (anonymous callers are viewers).
        let anonymous = try Self.run(["ack", "--url", daemon.base, "no-such-alert"])
        #expect(anonymous.status != 0 && anonymous.errors.contains("403"))
        daemon.daemon.configureAccess(.supervisorSam, stateDirectory: nil)
        let ack = try Self.run(["ack", "--url", daemon.base, "--token", "wbt_sam-test-token", "no-such-alert"])
        #expect(ack.status != 0)
        #expect(ack.errors.contains("404"))
        #expect(ack.errors.contains("no alert no-such-alert today"))
    }

    @Test func configCheckNamesTheLineAndKey() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
        try "queues:\n  - id: a\n    target: 2\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try Self.run(["config", "check", file.path])
        #expect(result.status == 2)
        #expect(result.errors.contains("\(file.path):3: queues[0].target: must be between 0.0 and 1.0, got 2"))
    }
}

/// Asterisk agent ids contain slashes (`PJSIP/1001`, `Local/1001@agents/n`): lookups still find them.
@Suite(.serialized) struct AgentIdWithSlashTests {
    @Test func monitorFindsAnAgentWhoseIdHasSlashes() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let now = RFC3339.format(SystemClock().now())
        #expect(try daemon.post("/api/v1/events", body: #"""
            {"id":"1","ts":"\#(now)","type":"agent.login","agent":"Local/1001@agents/n","name":"Alice","queues":["sales"]}
            {"id":"2","ts":"\#(now)","type":"contact.queued","contact":"c1","queue":"sales"}
            {"id":"3","ts":"\#(now)","type":"contact.answered","contact":"c1","agent":"Local/1001@agents/n","monitor":{"kind":"asterisk.channel","target":"PJSIP/1001-00000012"}}
            """#).status == 200)
        // Lookups need a supervisor token (anonymous callers are viewers).
        daemon.daemon.configureAccess(.supervisorSam, stateDirectory: nil)
        let direct = try daemon.get("/api/v1/agents/Local%2F1001@agents%2Fn/interaction", headers: AccessPolicy.samHeaders)
        #expect(direct.status == 200, "\(direct.text)")
        let result = try WallboardctlTests.run(
            ["monitor", "--url", daemon.base, "--token", "wbt_sam-test-token", "Local/1001@agents/n"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("PJSIP/1001-00000012"))
    }
}
