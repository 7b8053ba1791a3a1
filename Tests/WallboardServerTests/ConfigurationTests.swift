import Foundation
import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

@Suite struct ConfigurationTests {
    static let full = """
        # a full config
        listen: 127.0.0.1:9000
        log_level: debug
        center:
          name: Acme Support
        simulator:
          enabled: true
          seed: 9
        queues:
          - id: sales
            name: Sales (EN)
            threshold_seconds: 20
            target: 0.9
            short_abandon_seconds: 0
            abandon_treatment: positive
          - id: support
        ami:
          - name: pbx1
            host: 10.1.2.3
            username: wallboard
            secret_file: /etc/wallboardd/ami.secret
            wrapup_seconds:
              sales: 5
        """

    @Test func readsEveryKey() throws {
        let configuration = try DaemonConfiguration.parse(yaml: Self.full, fileName: "w.yaml")
        #expect(configuration.listenHost == "127.0.0.1")
        #expect(configuration.listenPort == 9000)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.centerName == "Acme Support")
        #expect(configuration.simulator && configuration.simulatorSeed == 9)
        let sales = configuration.engine.queues[0]
        #expect(sales == QueueSettings(id: "sales", name: "Sales (EN)", threshold: .seconds(20), target: 0.9,
                                        shortAbandon: 0, abandonTreatment: .positive))
        #expect(configuration.engine.queues[1] == QueueSettings(id: "support"))
        #expect(configuration.amiSources == [
            .init(name: "pbx1", host: "10.1.2.3", port: 5038, username: "wallboard",
                  secretFile: "/etc/wallboardd/ami.secret", wrapUp: ["sales": 5000]),
        ])
    }

    @Test func warningLevelIsPerQueueAndNotAboveTheTarget() throws {
        let configuration = try DaemonConfiguration.parse(
            yaml: "queues:\n  - id: a\n    target: 0.9\n    warning_level: 0.75\n", fileName: "w.yaml")
        #expect(configuration.warningLevels == ["a": 0.75])
        do {
            _ = try DaemonConfiguration.parse(yaml: "queues:\n  - id: a\n    warning_level: 0.95\n", fileName: "w.yaml")
            Issue.record("accepted a warning level above the target")
        } catch {
            #expect("\(error)".contains("w.yaml:3: queues[0].warning_level: must not be above the target"))
        }
    }

    @Test func aKeyGivenTwiceIsAnError() {
        do {
            _ = try DaemonConfiguration.parse(yaml: "log_level: info\nlog_level: debug\n", fileName: "d.yaml")
            Issue.record("accepted a duplicate key")
        } catch {
            #expect("\(error)".hasPrefix("d.yaml:2: log_level: the key is given twice"))
        }
    }

    @Test func tlsFilesMustBeReadable() {
        do {
            _ = try DaemonConfiguration.parse(
                yaml: "tls:\n  certificate_file: /nope.pem\n  private_key_file: /nope.key\n", fileName: "t.yaml")
            Issue.record("accepted missing TLS files")
        } catch {
            #expect("\(error)".contains("t.yaml:2: tls.certificate_file: /nope.pem does not exist or cannot be read"))
        }
    }

    @Test func websocketRatesAreConfigurable() throws {
        let configuration = try DaemonConfiguration.parse(
            yaml: "websocket:\n  max_updates_per_second: 2\n  heartbeat_seconds: 10\n", fileName: "w.yaml")
        #expect(configuration.maxUpdatesPerSecond == 2)
        #expect(configuration.heartbeatSeconds == 10)
        #expect(throws: ConfigError.self) {
            try DaemonConfiguration.parse(yaml: "websocket:\n  max_updates_per_second: 100\n", fileName: "w.yaml")
        }
    }

    @Test func anEmptyFileGivesTheDefaults() throws {
        let configuration = try DaemonConfiguration.parse(yaml: "", fileName: "empty.yaml")
        #expect(configuration.listenPort == 8080)
        #expect(!configuration.simulator)
        #expect(configuration.engine.queues.isEmpty)
    }

    /// Each error names the file, the line and the key path, and says what was expected.
    @Test(arguments: [
        ("queues:\n  - id: a\n    target: high\n", "f.yaml:3: queues[0].target: must be a number, got string"),
        ("queues:\n  - id: a\n    target: 1.5\n", "f.yaml:3: queues[0].target: must be between 0.0 and 1.0, got 1.5"),
        ("queues:\n  - id: a\n    treshold_seconds: 3\n", "f.yaml:3: queues[0].treshold_seconds: unknown key"),
        ("queues:\n  - name: x\n", "f.yaml:2: queues[0]: missing required key \"id\""),
        ("queues:\n  - id: a\n  - id: a\n", "f.yaml:3: queues[1].id: queue \"a\" is listed twice"),
        ("listen: everywhere\n", "f.yaml:1: listen: \"everywhere\" is not HOST:PORT"),
        ("log_level: loud\n", "f.yaml:1: log_level: \"loud\" is not one of trace"),
        ("colour: red\n", "f.yaml:1: colour: unknown key \"colour\""),
        ("queues: [\n", "f.yaml:2: not valid YAML"),
        ("- just\n- a list\n", "f.yaml:1: must be a mapping of keys to values, got array"),
        ("queues:\n  - id: a\n    abandon_treatment: sometimes\n", "f.yaml:3: queues[0].abandon_treatment: \"sometimes\" is not one of ignore, negative, positive"),
        ("ingest:\n  stream:\n    tcp: 127.0.0.1:7071\n    max_bytes_in_flight: 100\n",
         "f.yaml:4: ingest.stream.max_bytes_in_flight: must be between 65536 and 1073741824, got 100"),
    ])
    func errorsNameTheLineAndKey(yaml: String, expected: String) {
        do {
            _ = try DaemonConfiguration.parse(yaml: yaml, fileName: "f.yaml")
            Issue.record("no error for \(yaml)")
        } catch {
            #expect(error.description.hasPrefix(expected), "got: \(error.description)")
        }
    }

    /// YAML 1.2 core schema: addresses and words like `no` stay strings; quoted numbers stay strings.
    @Test func plainScalarsResolveLikeYAML12() throws {
        let document = try ConfigDocument(
            yaml: "a: 127.0.0.1:8080\nb: no\nc: '42'\nd: 42\ne: 0.5\nf: ~\ng: true\nh: 1:30\n", fileName: "s.yaml")
        #expect(document.root["a"] == "127.0.0.1:8080")
        #expect(document.root["b"] == "no")
        #expect(document.root["c"] == "42")
        #expect(document.root["d"] == 42)
        #expect(document.root["e"] == .number(0.5))
        #expect(document.root["f"] == .null)
        #expect(document.root["g"] == true)
        #expect(document.root["h"] == "1:30")
        #expect(document.line("h") == 8)
    }

    /// The stream's bound on bytes in flight is read from `ingest.stream`, and has a default.
    @Test func streamBytesInFlight() throws {
        let set = try DaemonConfiguration.parse(
            yaml: "ingest:\n  stream:\n    tcp: 127.0.0.1:7071\n    max_bytes_in_flight: 1048576\n", fileName: "f.yaml")
        #expect(set.streamIngest.maxBytesInFlight == 1_048_576)
        let unset = try DaemonConfiguration.parse(yaml: "ingest:\n  stream:\n    tcp: 127.0.0.1:7071\n", fileName: "f.yaml")
        #expect(unset.streamIngest.maxBytesInFlight == 8 * 1024 * 1024)
    }

    @Test func theSampleConfigShippedWithTheUnitIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("systemd/wallboardd.yaml").path
        let configuration = try DaemonConfiguration.load(path: path)
        #expect(!configuration.engine.queues.isEmpty)
    }
}

@Suite(.serialized) struct ConfigReloadTests {
    /// SIGHUP's reload applies new queue names and thresholds without dropping a board; an invalid
    /// file keeps the running config and says why.
    @Test func reloadAppliesValidConfigAndKeepsTheOldOneOnError() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UInt32.random(in: 0...UInt32.max)).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "center:\n  name: Before\nqueues:\n  - id: q1\n    name: Queue One\n".write(to: file, atomically: true, encoding: .utf8)
        let configuration = try DaemonConfiguration.load(path: file.path)
        var options = DaemonOptions(configuration: configuration, configPath: file.path, webRootFallback: nil)
        options.host = "127.0.0.1"
        options.port = 0
        let daemon = try TestDaemon(options: options)
        defer { daemon.stop() }
        let board = try daemon.connect()
        let first = try board.nextSnapshot { _ in true }
        #expect(first["data"]?["center"]?["name"] == "Before")
        #expect(first["data"]?["queues"]?[0]?["name"] == "Queue One")

        try "center:\n  name: After\nqueues:\n  - id: q1\n    name: Sales\n    threshold_seconds: 15\n"
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(daemon.daemon.reload() == nil)
        let updated = try board.nextSnapshot { $0["center"]?["name"] == "After" }
        #expect(updated["data"]?["queues"]?[0]?["name"] == "Sales")
        #expect(updated["data"]?["queues"]?[0]?["threshold_seconds"] == 15)
        #expect(updated["data"]?["queues"]?[0]?["warning_level"] == .number(0.7))  // target 0.8 less 10 points

        // Keys that only a restart applies are named, not silently ignored.
        let moved = try DaemonConfiguration.parse(
            yaml: "listen: 127.0.0.1:9999\nsimulator:\n  enabled: true\ncenter:\n  name: After\n", fileName: "m.yaml")
        #expect(daemon.daemon.restartOnlyChanges(moved) == ["listen", "simulator"])

        try "queues:\n  - id: q1\n    target: lots\n".write(to: file, atomically: true, encoding: .utf8)
        let failure = daemon.daemon.reload()
        #expect(failure.map { "\($0)" }?.contains("queues[0].target: must be a number") == true)
        // Still the same board connection, still the valid config.
        let after = try board.nextSnapshot { _ in true }
        #expect(after["data"]?["center"]?["name"] == "After")
        #expect(after["data"]?["queues"]?[0]?["name"] == "Sales")
        board.close()
    }
}

extension JSONValue {
    /// The element at `index` when this is an array.
    subscript(index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
