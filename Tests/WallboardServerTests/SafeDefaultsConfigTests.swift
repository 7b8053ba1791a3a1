import Foundation
import Testing
@testable import WallboardServer

/// The config keys and pure rules behind issue 15: `allowed_hosts`, `allowed_origins`, monitor
/// endpoints, and the Host/Origin/body-type screen.
@Suite struct SafeDefaultsConfigTests {
    static let hash = String(repeating: "ab", count: 32)

    @Test func allowedHostsAndMonitorEndpointsAreParsed() throws {
        let yaml = """
            allowed_hosts: [Wall.Example.com., board.local]
            access:
              monitor_technologies: [PJSIP, DAHDI]
              tokens:
                - {name: jane, role: supervisor, hash: "\(Self.hash)", monitor_endpoint: "PJSIP/2001"}
            """
        let configuration = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml")
        #expect(configuration.allowedHosts == ["wall.example.com", "board.local"])
        #expect(configuration.access?.tokens.first?.monitorEndpoint == "PJSIP/2001")
        #expect(configuration.access?.tokens.first?.principal.monitorEndpoint == "PJSIP/2001")
        #expect(DaemonOptions(configuration: configuration, configPath: nil, webRootFallback: nil).allowedHosts.count == 2)
    }

    /// Each mistake names the file, the line and the key, and says what is wrong.
    @Test(arguments: [
        ("allowed_hosts: [\"http://wall.example.com\"]\n", "allowed_hosts[0]"),
        ("allowed_hosts: [\"wall.example.com:8080\"]\n", "no scheme, port or path"),
        ("access:\n  allowed_origins: [wall.example.com]\n", "access.allowed_origins[0]"),
        ("access:\n  allowed_origins: [\"https://wall.example.com/board\"]\n", "without a path"),
        ("access:\n  tokens:\n    - {name: a, role: supervisor, hash: \"\(hash)\", monitor_endpoint: \"Local/900@default\"}\n",
         "w.yaml:3: access.tokens[0].monitor_endpoint: Local/"),
        ("access:\n  tokens:\n    - {name: a, role: supervisor, hash: \"\(hash)\", monitor_endpoint: \"DAHDI/1/900123456\"}\n",
         "technology DAHDI is not allowed"),
        ("access:\n  tokens:\n    - {name: a, role: supervisor, hash: \"\(hash)\", monitor_endpoint: \"PJSIP/2001,1&PJSIP/9\"}\n",
         "only letters, digits"),
        ("access:\n  tokens:\n    - {name: a, role: viewer, hash: \"\(hash)\", monitor_endpoint: \"PJSIP/2001\"}\n",
         "only supervisor and admin tokens"),
        ("access:\n  monitor_technologies: [PJSIP, Local]\n", "Local runs dialplan"),
    ])
    func mistakesAreNamed(yaml: String, expected: String) {
        do {
            _ = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test(arguments: [
        ("PJSIP/2001", true), ("SIP/supervisor-jane", true), ("IAX2/box@example", true), ("PJSIP/", false),
        ("2001", false), ("Local/2001@from-internal", false), ("local/2001", false), ("DAHDI/1/900123456", false),
        ("PJSIP/2001\u{0}", false), ("PJSIP/2001 ", false), ("PJSIP/a,b", false), ("PJSIP/a&PJSIP/b", false),
        ("PJSIP/" + String(repeating: "9", count: 81), false),
    ])
    func monitorEndpointSyntax(endpoint: String, valid: Bool) {
        #expect((MonitorEndpoint.problem(endpoint) == nil) == valid, "\(endpoint)")
    }

    @Test func hostScreen() {
        let screen = RequestScreen(listenHost: "0.0.0.0", allowedHosts: ["Wall.Example.com"])
        for host in [
            "127.0.0.1", "127.0.0.1:8080", "localhost", "LocalHost:8080", "tv.localhost", "[::1]:8080", "[fe80::1]",
            "192.168.1.20:8080", "wall.example.com", "WALL.example.com.:443", "0.0.0.0:8080",
        ] {
            #expect(screen.checkHost(host) == nil, "\(host)")
        }
        #expect(screen.checkHost(nil) == nil)
        for host in ["attacker.example", "attacker.example:8080", "127.0.0.1.nip.io", "localhost.attacker.example", "wall.example.com.evil",
                     "a:b:c", "[::1", "host:port"] {
            #expect(screen.checkHost(host)?.status == 421, "\(host)")
        }
        #expect(RequestScreen(listenHost: "wall.lan").checkHost("wall.lan:8080") == nil)
    }

    @Test func originScreen() {
        let screen = RequestScreen(allowedOrigins: ["https://Wall.example.com"])
        #expect(screen.checkOrigin(nil, host: "127.0.0.1:8080") == nil)
        #expect(screen.checkOrigin("http://127.0.0.1:8080", host: "127.0.0.1:8080") == nil)
        #expect(screen.checkOrigin("http://LOCALHOST:8080", host: "localhost:8080") == nil)
        #expect(screen.checkOrigin("http://wall", host: "wall:80") == nil)
        #expect(screen.checkOrigin("https://wall", host: "wall:443") == nil)
        #expect(screen.checkOrigin("https://wall.example.com", host: "127.0.0.1:8080") == nil)
        for origin in ["http://127.0.0.1:8081", "http://evil.example", "null", "http://127.0.0.1:8080.evil.example",
                       "http://user@127.0.0.1:8080", "https://wall:80"] {
            #expect(screen.checkOrigin(origin, host: "127.0.0.1:8080") != nil || origin == "https://wall:80", "\(origin)")
        }
        #expect(screen.checkOrigin("https://wall:80", host: "wall") != nil)
    }

    @Test func bodyTypeScreen() {
        for type in ["application/json", "Application/JSON; charset=utf-8", "application/x-ndjson"] {
            #expect(RequestScreen.checkBodyType(type, method: .post, path: "/x") == nil)
        }
        for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=a", "", nil] {
            #expect(RequestScreen.checkBodyType(type, method: .post, path: "/x")?.status == 415)
        }
        #expect(RequestScreen.checkBodyType("text/plain", method: .get, path: "/x") == nil)
    }

    // MARK: Secret files

    /// Writes `files` (name → content) into a fresh directory; returns it.
    static func directory(_ files: [String: String]) throws -> String {
        let directory = NSTemporaryDirectory() + "wallboard-creds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        return directory
    }

    static let notifiers = """
        alerts:
          notifiers:
            - {name: floor, kind: slack, url_file: slack.url}
            - {name: pager, kind: pagerduty, routing_key_file: ROUTING}
            - {name: hook, kind: webhook, url: "https://example.com/hook", headers_file: HEADERS}
        ami:
          - {host: 127.0.0.1, username: wallboard, secret_file: ami.secret}
        """

    /// Secrets come from files, relative paths from systemd's credentials directory; the config text
    /// holds none of them and nothing is reported inline.
    @Test func notifierSecretsAndTheAMISecretComeFromCredentialFiles() throws {
        let credentials = try Self.directory([
            "slack.url": "https://hooks.slack.com/services/T0/B0/SECRET\n", "ROUTING": "R0UT1NG",
            "HEADERS": "Authorization: Bearer abc\nX-Team: floor\n", "ami.secret": "s3cret",
        ])
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        let configuration = try DaemonConfiguration.parse(yaml: Self.notifiers, fileName: "w.yaml", credentialsDirectory: credentials)
        let notifiers = configuration.alerts.notifiers
        #expect(notifiers[0].url == "https://hooks.slack.com/services/T0/B0/SECRET")
        #expect(notifiers[1].routingKey == "R0UT1NG")
        #expect(notifiers[2].headers == ["Authorization": "Bearer abc", "X-Team": "floor"])
        #expect(configuration.amiSources.first?.secretFile == credentials + "/ami.secret")
        #expect(configuration.inlineSecrets.isEmpty)
    }

    /// A missing file names the file and, for a relative path, where it was looked up; never a secret.
    @Test func secretFileMistakesAreNamed() throws {
        #expect {
            _ = try DaemonConfiguration.parse(yaml: Self.notifiers, fileName: "w.yaml", credentialsDirectory: nil)
        } throws: { "\($0)".contains("w.yaml:3: alerts.notifiers[0].url_file: cannot read slack.url") && "\($0)".contains("CREDENTIALS_DIRECTORY") }
        let both = "alerts:\n  notifiers:\n    - {name: a, kind: slack, url: \"https://x\", url_file: /x}\n"
        #expect {
            _ = try DaemonConfiguration.parse(yaml: both, fileName: "w.yaml", credentialsDirectory: nil)
        } throws: { "\($0)".contains("give either url or url_file") }
    }

    /// `wallboardctl config check` warns when a file every user can read holds secrets inline.
    @Test func configCheckWarnsAboutInlineSecretsInAWorldReadableFile() throws {
        let yaml = """
            alerts:
              notifiers:
                - {name: floor, kind: slack, url: "https://hooks.slack.com/services/T0/B0/SECRET"}
                - {name: pager, kind: pagerduty, routing_key: R0UT1NG}
            """
        let directory = try Self.directory(["open.yaml": yaml, "closed.yaml": yaml])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory + "/open.yaml")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: directory + "/closed.yaml")
        let open = try WallboardctlTests.run(["config", "check", directory + "/open.yaml"])
        #expect(open.status == 0)
        #expect(open.errors.contains("readable by every user (mode 644)"), "\(open.errors)")
        #expect(open.errors.contains("alerts.notifiers[0].url, alerts.notifiers[1].routing_key"))
        #expect(!open.errors.contains("SECRET") && !open.errors.contains("R0UT1NG"))
        let closed = try WallboardctlTests.run(["config", "check", directory + "/closed.yaml"])
        #expect(closed.status == 0 && !closed.errors.contains("warning"))
    }
}

extension SafeDefaultsConfigTests {
    /// This machine's own name is served (it cannot be rebound); the daemon's screen holds it.
    @Test func theMachinesOwnNameIsServed() throws {
        let names = RequestScreen.systemHostNames()
        let name = try #require(names.first)
        #expect(!name.isEmpty && name == name.lowercased() && !name.hasSuffix("."))
        let daemon = try AccessTestDaemon(policy: nil)
        defer { daemon.stop() }
        for name in names {
            #expect(daemon.daemon.api.access.screen.checkHost("\(name):\(daemon.daemon.port)") == nil, "\(name)")
        }
    }
}
