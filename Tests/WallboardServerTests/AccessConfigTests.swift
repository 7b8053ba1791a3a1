import Testing
@testable import WallboardServer

@Suite struct AccessConfigTests {
    static let hash = String(repeating: "ab", count: 32)

    @Test func accessSectionIsParsed() throws {
        let yaml = """
            access:
              allowed_origins: [https://Wall.example.com]
              loopback_without_token: true
              tokens:
                - {name: lobby, role: viewer, hash: "\(Self.hash)", queues: [sales]}
                - name: sup
                  role: supervisor
                  hash: "sha256:\(String(repeating: "cd", count: 32))"
                  teams: [t1, t2]
            """
        let policy = try #require(try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml").access)
        #expect(policy.allowedOrigins == ["https://wall.example.com"])
        #expect(policy.loopbackWithoutToken)
        #expect(policy.tokens.map(\.name) == ["lobby", "sup"])
        #expect(policy.tokens[0].scope == AccessScope(queues: ["sales"]))
        #expect(policy.tokens[1].role == .supervisor)
        #expect(policy.tokens[1].scope == AccessScope(teams: ["t1", "t2"]))
        #expect(policy.tokens[1].hash == [UInt8](repeating: 0xcd, count: 32))
    }

    @Test func twoEntriesWithTheSameTokenAreAnError() {
        let yaml = """
            access:
              tokens:
                - {name: lobby, role: viewer, hash: "\(Self.hash)"}
                - {name: boss, role: admin, hash: "\(Self.hash)"}
            """
        #expect {
            _ = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml")
        } throws: { "\($0)".contains("the same token as \"lobby\"") }
    }

    @Test func noAccessSectionMeansNoPolicy() throws {
        #expect(try DaemonConfiguration.parse(yaml: "listen: 127.0.0.1:9000\n", fileName: "w.yaml").access == nil)
    }

    /// Each mistake names the file, the line and the key.
    @Test(arguments: [
        ("access:\n  tokens:\n    - {name: a, role: boss, hash: \"\(hash)\"}\n", "w.yaml:3: access.tokens[0].role"),
        ("access:\n  tokens:\n    - {name: a, role: viewer, hash: \"abc\"}\n", "w.yaml:3: access.tokens[0].hash"),
        ("access:\n  tokens:\n    - {name: a, role: viewer, hash: wbt_secret}\n", "is a token, not its hash"),
        ("access:\n  tokens:\n    - {name: a, role: viewer}\n", "missing required key \"hash\""),
        ("access:\n  tokens:\n    - {name: a, role: viewer, hash: \"\(hash)\", queues: []}\n", "access.tokens[0].queues"),
        ("access:\n  tokens:\n    - {name: a, role: viewer, hash: \"\(hash)\"}\n    - {name: a, role: admin, hash: \"\(hash)\"}\n",
         "listed twice"),
        ("access:\n  token: []\n", "w.yaml:2: access.token: unknown key"),
    ])
    func mistakesNameTheLineAndKey(yaml: String, expected: String) {
        do {
            _ = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
