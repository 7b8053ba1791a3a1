import Foundation
import Glibc
import JSONC
import JSONModel
import Logging
import Testing
import WallboardCore
@testable import WallboardServer

/// Who may post events on the NDJSON stream (docs/ingest.md, "Authentication"), over real sockets.
@Suite struct StreamIngestAuthTests {
    static let login = StreamIngestTests.login
    static let queued = StreamIngestTests.queued

    /// A gate with an `access` section: one token per role that matters here.
    static func gate(loopbackWithoutToken: Bool = false) -> AccessGate {
        let gate = AccessGate()
        gate.configure(
            policy: AccessPolicy(
                tokens: [
                    .init(name: "feed", role: .ingest, hash: SHA256.hash("wbt_feed".utf8)),
                    .init(name: "ops", role: .admin, hash: SHA256.hash("wbt_ops".utf8)),
                    .init(name: "tv", role: .viewer, hash: SHA256.hash("wbt_tv".utf8)),
                ],
                loopbackWithoutToken: loopbackWithoutToken),
            listenHost: "127.0.0.1", auditDirectory: nil, clock: AMITestClock(Instant(milliseconds: 0)),
            logger: Logger(label: "test"))
        return gate
    }

    func agents(_ harness: StreamHarness) -> [String] { harness.read { engine, _ in engine.agents.keys.sorted() } }

    /// An ingest (or admin) token's line opens the stream: it is answered `authenticated` and the
    /// events after it are applied.
    @Test(arguments: [(StreamTarget.tcp, "wbt_feed"), (.unix, "wbt_feed"), (.tcp, "wbt_ops")])
    func ingestTokenLineOpensTheStream(target: StreamTarget, token: String) throws {
        let harness = try StreamHarness(access: Self.gate())
        defer { harness.stop() }
        let replies = try harness.exchange(target, #"{"token":"\#(token)"}"# + "\n" + Self.login + "\n" + Self.queued + "\n")
        #expect(replies.map { $0["status"]?.stringValue ?? "" } == ["authenticated", "accepted", "accepted"])
        #expect(replies.map { $0["line"]?.integerValue ?? 0 } == [1, 2, 3])
        #expect(agents(harness) == ["a1"])
    }

    /// With an `access` section, no token (on loopback and on the Unix socket alike), a wrong one, a
    /// viewer's, or a malformed token line: one `rejected` line naming why, the connection closed,
    /// nothing applied, and the refusal counted on `/metrics`.
    @Test(arguments: [
        (StreamTarget.tcp, nil, "missing_token"), (.unix, nil, "missing_token"),
        (.tcp, #"{"token":"wbt_guess"}"#, "invalid_token"), (.unix, #"{"token":"wbt_tv"}"#, "forbidden"),
        (.tcp, #"{"token":"wbt_feed","extra":1}"#, "invalid_token"), (.tcp, #"{"token":42}"#, "invalid_token"),
    ])
    func refusedConnectionGetsOneErrorLineAndIsClosed(target: StreamTarget, first: String?, code: String) throws {
        let gate = Self.gate()
        let harness = try StreamHarness(access: gate)
        defer { harness.stop() }
        // Events follow at once (a bridge that does not wait): they are dropped, and the error line
        // still arrives before the close.
        let events = (0..<200).map { _ in Self.login }.joined(separator: "\n")
        let replies = try harness.exchange(target, (first.map { $0 + "\n" } ?? "") + events + "\n")
        #expect(replies.count == 1)
        #expect(replies.first?["status"] == "rejected")
        #expect(replies.first?["code"]?.stringValue == code)
        #expect(replies.first?["line"]?.integerValue == 1)
        let reason = replies.first?["reason"]?.stringValue ?? ""
        #expect(!reason.isEmpty)
        if code == "missing_token" { #expect(reason.contains(#"{"token": "<token>"}"#), "\(reason)") }
        if code == "forbidden" { #expect(reason.contains("\"tv\"") && reason.contains("ingest or admin"), "\(reason)") }
        #expect(!reason.contains("wbt_"), "the token is never echoed: \(reason)")
        try harness.poll("connection closed") { harness.server.counters.connectionsOpen == 0 }
        #expect(agents(harness).isEmpty)
        #expect(harness.server.counters.lines == 0)
        #expect(gate.failureCounts[code] == 1)
    }

    /// Without an `access` section (the quick start) a local process needs no token, and a token line
    /// it sends anyway is accepted and does not count as an event.
    @Test(arguments: [StreamTarget.tcp, .unix])
    func quickStartLocalProcessNeedsNoToken(target: StreamTarget) throws {
        let harness = try StreamHarness()
        defer { harness.stop() }
        #expect(try harness.exchange(target, Self.login + "\n").map { $0["status"]?.stringValue ?? "" } == ["accepted"])
        let withToken = try harness.exchange(target, "\n" + #"{"token":"wbt_any"}"# + "\n" + Self.queued + "\n")
        #expect(withToken.map { $0["status"]?.stringValue ?? "" } == ["authenticated", "accepted"])
        #expect(withToken.map { $0["line"]?.integerValue ?? 0 } == [2, 3])
    }

    /// `loopback_without_token: true` lets local processes stream without a token line.
    @Test func loopbackWithoutTokenNeedsNoTokenLine() throws {
        let harness = try StreamHarness(access: Self.gate(loopbackWithoutToken: true))
        defer { harness.stop() }
        #expect(try harness.exchange(.tcp, Self.login + "\n").map { $0["status"]?.stringValue ?? "" } == ["accepted"])
    }

    /// The rule for anonymous peers: only a local process (loopback, Unix socket) may stream without a
    /// token, and only without an `access` section (or with `loopback_without_token`).
    @Test func tokenlessStreamRights() {
        let quickStart = AccessGate()
        #expect(quickStart.tokenlessStreamPrincipal(peer: "127.0.0.1", local: false)?.name == "anonymous")
        #expect(quickStart.tokenlessStreamPrincipal(peer: "::ffff:127.0.0.1", local: false) != nil)
        #expect(quickStart.tokenlessStreamPrincipal(peer: "unix socket", local: true) != nil)
        #expect(quickStart.tokenlessStreamPrincipal(peer: "10.0.0.7", local: false) == nil)
        #expect(quickStart.tokenlessStreamPrincipal(peer: "::ffff:10.0.0.7", local: false) == nil)
        #expect(Self.gate().tokenlessStreamPrincipal(peer: "127.0.0.1", local: false) == nil)
        #expect(Self.gate().tokenlessStreamPrincipal(peer: "unix socket", local: true) == nil)
        #expect(Self.gate(loopbackWithoutToken: true).tokenlessStreamPrincipal(peer: "unix socket", local: true)?.role == .admin)
        #expect(Self.gate(loopbackWithoutToken: true).tokenlessStreamPrincipal(peer: "10.0.0.7", local: false) == nil)
        // A LAN peer in the quick start: any token is unknown there, and an anonymous viewer may not ingest.
        #expect(throws: AccessRefusal.forbidden("token \"anonymous\" (role viewer) may not post events: ingest or admin needed")) {
            try quickStart.authenticateStream(token: "wbt_x", peer: "10.0.0.7", local: false).get()
        }
    }

    /// The first line is a token line only when it is an object with a `token` member.
    @Test func firstLineClassification() {
        func classify(_ text: String) -> AccessGate.StreamFirstLine { AccessGate.streamFirstLine(ArraySlice(text.utf8)) }
        #expect(classify(#"{"token":"wbt_a"}"#) == .token("wbt_a"))
        #expect(classify(#" { "token" : "wbt_a" } "#) == .token("wbt_a"))
        #expect(classify(#"{"token":""}"#) == .malformedToken)
        #expect(classify(#"{"token":"wbt_a","id":"e1"}"#) == .malformedToken)
        #expect(classify(Self.login) == .other)
        #expect(classify("not json") == .other)
        #expect(classify(#"["token"]"#) == .other)
    }
}
