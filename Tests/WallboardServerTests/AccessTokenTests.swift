import Testing
@testable import WallboardServer

@Suite struct AccessTokenTests {
    /// A token is `wbt_` + 43 base64url characters (32 bytes), and two are never alike.
    @Test func generatedTokensAreRandomBase64URLWithPrefix() {
        let tokens = (0..<50).map { _ in AccessToken.generate() }
        #expect(Set(tokens).count == 50)
        for token in tokens {
            #expect(token.hasPrefix("wbt_"))
            #expect(token.count == 4 + 43)
            let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            #expect(token.dropFirst(4).allSatisfy { allowed.contains($0) })
        }
    }

    @Test(arguments: [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("\u{FB}\u{FF}", "w7vDvw")])
    func base64URLMatchesRFC4648(input: String, expected: String) {
        #expect(AccessToken.base64URL(Array(input.utf8)) == expected)
    }

    /// The stored hash is the SHA-256 of the whole token, and verifying uses it.
    @Test func createdTokenVerifiesAgainstItsHash() throws {
        let token = AccessToken.generate()
        let hash = AccessToken.hash(token)
        #expect(hash.count == 64)
        let stored = try #require(SHA256.bytes(hex: hash))
        #expect(AccessToken.constantTimeEqual(stored, SHA256.hash(token.utf8)))
        #expect(!AccessToken.constantTimeEqual(stored, SHA256.hash((token + "x").utf8)))
        #expect(!AccessToken.constantTimeEqual(stored, Array(stored.dropLast())))
    }

    /// A gate with the hash in its policy lets the token in with its role and scope, and nothing else.
    @Test func gateAuthenticatesConfiguredTokensOnly() throws {
        let token = AccessToken.generate()
        let hash = try #require(SHA256.bytes(hex: AccessToken.hash(token)))
        let gate = AccessGate()
        gate.configure(
            policy: AccessPolicy(tokens: [.init(name: "wall-1", role: .viewer, hash: hash, scope: AccessScope(queues: ["q1"]))]),
            listenHost: "0.0.0.0", auditDirectory: nil, clock: SystemClock(), logger: .init(label: "test"))
        let principal = try gate.authenticate(
            headers: ["authorization": "Bearer \(token)"], query: [], peer: "10.0.0.5", allowURLCredentials: false
        ).get()
        #expect(principal == AccessPrincipal(name: "wall-1", role: .viewer, scope: AccessScope(queues: ["q1"])))
        let wrong = gate.authenticate(
            headers: ["authorization": "Bearer wbt_nope"], query: [], peer: "10.0.0.5", allowURLCredentials: false)
        #expect(throws: AccessRefusal.invalidToken) { try wrong.get() }
        let none = gate.authenticate(headers: [:], query: [], peer: "10.0.0.5", allowURLCredentials: false)
        #expect(throws: AccessRefusal.missingToken) { try none.get() }
        #expect(gate.failureCounts == ["invalid_token": 1, "missing_token": 1])
    }

    /// The token may come from the query or the cookie only where the caller allows it (board GETs, upgrades).
    @Test func urlAndCookieCredentialsOnlyWhenAllowed() {
        let query = [(name: "token", value: "wbt_q")]
        #expect(AccessGate.credential(headers: [:], query: query, allowURLCredentials: true) == "wbt_q")
        #expect(AccessGate.credential(headers: [:], query: query, allowURLCredentials: false) == nil)
        let cookie = ["cookie": "theme=dark; wallboard_token=wbt_c; x=1"]
        #expect(AccessGate.credential(headers: cookie, query: [], allowURLCredentials: true) == "wbt_c")
        #expect(AccessGate.credential(headers: ["authorization": "bearer  wbt_h "], query: query, allowURLCredentials: true) == "wbt_h")
        #expect(AccessGate.credential(headers: ["authorization": "Basic abc"], query: [], allowURLCredentials: false) == nil)
    }

    @Test(arguments: [("127.0.0.1", true), ("::1", true), ("::ffff:127.0.0.1", true), ("[::1]", true), ("localhost", true),
                      ("0.0.0.0", false), ("10.1.2.3", false), ("::", false)])
    func loopbackAddressesAreRecognised(address: String, loopback: Bool) {
        #expect(AccessGate.isLoopback(address) == loopback)
    }
}
