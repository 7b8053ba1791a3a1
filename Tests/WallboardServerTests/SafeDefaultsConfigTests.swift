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
}
