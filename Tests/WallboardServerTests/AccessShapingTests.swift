import JSONC
import JSONModel
import Testing
@testable import WallboardServer

/// The pure per-principal shaping of snapshot JSON: scope filter and customer masking.
@Suite struct AccessShapingTests {
    static let snapshot: JSONValue = [
        "center": ["name": "Acme", "waiting_now": 2],
        "queues": [["id": "q1"], ["id": "q2"]],
        "teams": [["id": "t1"], ["id": "t2"]],
        "channels": [["id": "voice"]], "segments": [["id": "vip"]], "languages": [["id": "en"]],
        "agents": [
            ["id": "a1", "team": "t1", "queues": ["q1"], "contact": ["id": "c0", "queue": "q1"]],
            ["id": "a2", "team": "t2", "queues": ["q2"], "contact": .null],
        ],
        "waiting": [
            ["contact": "c1", "queue": "q1", "customer": "+15550100", "segment": "vip"],
            ["contact": "c2", "queue": "q2", "customer": "cust-42", "segment": .null],
        ],
        "abandoned_today": [["contact": "c3", "queue": "q2", "customer": "+15550199", "segment": .null]],
        "abandoned_today_counts": ["q1": 4, "q2": 9],
    ]

    @Test func unlimitedScopeReturnsTheSnapshotUnchanged() {
        #expect(AccessScope.all.filter(snapshot: Self.snapshot) == Self.snapshot)
        #expect(AccessPrincipal(name: "s", role: .supervisor).view(Self.snapshot) == Self.snapshot)
        #expect(AccessPrincipal(name: "s", role: .supervisor).viewKey == nil)
    }

    @Test func queueScopeKeepsOnlyItsQueuesAgentsAndContacts() {
        let view = AccessScope(queues: ["q1"]).filter(snapshot: Self.snapshot)
        #expect(view["queues"] == [["id": "q1"]])
        #expect(view["agents"]?.arrayValue?.map { $0["id"] } == ["a1"])
        #expect(view["waiting"]?.arrayValue?.map { $0["contact"] } == ["c1"])
        #expect(view["abandoned_today"] == [])
        #expect(view["abandoned_today_counts"] == ["q1": 4])
        #expect(view["teams"] == [])
        #expect(view["channels"] == [] && view["segments"] == [] && view["languages"] == [])
        #expect(view["center"] == ["name": "Acme", "scoped": true])
        #expect(view["scope"] == ["queues": ["q1"], "teams": []])
    }

    /// A team scope sees its team, its agents and the queues they serve.
    @Test func teamScopeSeesItsAgentsAndTheirQueues() {
        let view = AccessScope(teams: ["t2"]).filter(snapshot: Self.snapshot)
        #expect(view["teams"] == [["id": "t2"]])
        #expect(view["agents"]?.arrayValue?.map { $0["id"] } == ["a2"])
        #expect(view["queues"] == [["id": "q2"]])
        #expect(view["abandoned_today"]?.arrayValue?.count == 1)
        #expect(view["abandoned_today_counts"] == ["q2": 9])
    }

    /// No customer identifier survives masking, at any depth; segments stay for the board's counts.
    @Test func maskingRemovesEveryCustomerIdentifier() {
        let nested: JSONValue = ["x": [["customer": ["id": "p", "segment": "vip"], "monitor": ["target": "PJSIP/1"]]]]
        let masked = Redaction.maskCustomerData(Self.snapshot)
        let text = JSONC.encode(masked)
        for secret in ["+15550100", "cust-42", "+15550199"] { #expect(!text.contains(secret)) }
        #expect(masked["waiting"]?.arrayValue?.first?["segment"] == "vip")
        #expect(masked["masked"] == true)
        let deep = Redaction.maskCustomerData(nested)
        #expect(deep["x"]?.arrayValue?.first?["customer"] == ["segment": "vip"])
        #expect(deep["x"]?.arrayValue?.first?["monitor"] == .null)
    }

    @Test func viewerViewIsScopedThenMasked() {
        let viewer = AccessPrincipal(name: "lobby", role: .viewer, scope: AccessScope(queues: ["q2"]))
        let view = viewer.view(Self.snapshot)
        #expect(view["waiting"] == [["contact": "c2", "queue": "q2", "customer": .null, "segment": .null]])
        #expect(viewer.viewKey == "masked|q=q2|t=*")
        #expect(AccessPrincipal(name: "v", role: .viewer).viewKey == "masked|q=*|t=*")
    }

    @Test(arguments: [
        ("queue:q1", true), ("queue:q2", false), ("agents:q1", true), ("agents:t9", false), ("team:t1", false),
        ("center", true), ("snapshot", true), ("alerts", true),
    ])
    func scopedTokenMaySubscribeOnlyToItsTopics(topic: String, allowed: Bool) {
        #expect(AccessPrincipal(name: "s", role: .viewer, scope: AccessScope(queues: ["q1"])).maySubscribe(topic) == allowed)
    }

    @Test func ingestTokenMaySubscribeToNothing() {
        #expect(!AccessPrincipal(name: "i", role: .ingest).maySubscribe("snapshot"))
    }
}
