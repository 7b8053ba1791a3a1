import JSONC
import JSONModel
import Testing
import WallboardCore
@testable import WallboardServer

/// Figures in topic payloads at a fixed precision (docs/protocol.md, "Precision"), compared at it, and
/// the changes of objects that `center` and `queue:<id>` deltas carry (revision 3).
@Suite struct TopicPrecisionTests {
    @Test func secondsGoToTenthsCutTowardZeroFromTheValuePrintedWithFourDecimals() {
        #expect(TopicPrecision.seconds(12.96) == 12.9)
        #expect(TopicPrecision.seconds(12.99996) == 13, "prints as 13 with 4 decimals, so the board shows 13 either way")
        #expect(TopicPrecision.seconds(12.99994) == 12.9)
        #expect(TopicPrecision.seconds(59.97) == 59.9)
        #expect(TopicPrecision.seconds(0.14) == 0.1)
        #expect(TopicPrecision.seconds(0) == 0)
        #expect(TopicPrecision.seconds(-1.25) == -1.2)
        #expect(JSONValue.formatNumber(TopicPrecision.seconds(1234.5678)) == "1234.5")
        #expect(TopicPrecision.seconds(.infinity) == .infinity)
        // A board shows whole seconds cut toward zero: the same second as from the full value printed.
        var random = SplitMix64(seed: 42)
        for _ in 0..<2_000 {
            let value = Double(Int.random(in: 0..<100_000_000, using: &random)) / 1_000_000 + Double.random(in: 0..<1e-6, using: &random)
            let printed = Double(JSONValue.formatNumber(value))!
            let tenths = TopicPrecision.seconds(value)
            #expect(tenths.rounded(.down) == printed.rounded(.down), "\(value)")
            #expect(printed - tenths >= 0 && printed - tenths < 0.1 + 1e-9, "\(value)")
        }
    }

    @Test func otherNumbersCompareEqualExactlyWhenTheyPrintTheSame() {
        #expect(TopicPrecision.rounded(0.83333333, decimals: 4) == 0.8333)
        #expect(TopicPrecision.rounded(0.99995, decimals: 4) == 1)
        #expect(TopicPrecision.rounded(-0.00004, decimals: 4) == 0)
        var random = SplitMix64(seed: 7)
        var previous = 0.5
        for _ in 0..<2_000 {
            let value = Double.random(in: 0...1, using: &random)
            let rounded = TopicPrecision.rounded(value, decimals: 4)
            #expect(JSONValue.formatNumber(rounded) == JSONValue.formatNumber(value), "\(value)")
            let same = JSONValue.formatNumber(value) == JSONValue.formatNumber(previous)
            #expect((rounded == TopicPrecision.rounded(previous, decimals: 4)) == same, "\(value) vs \(previous)")
            // Every other one close to the last, so values that print the same come up too.
            previous = Bool.random(using: &random) ? value : value + Double.random(in: -0.0001...0.0001, using: &random)
        }
    }

    @Test func aScopeRoundsItsWindowFiguresByKindAndLeavesCountsExact() {
        let scope: JSONObject = [
            "id": "sales", "target": .number(0.8), "warning_level": .number(0.700000001), "waiting_now": 3,
            "agents": ["available": 2],
            "metrics": [
                "15m": [
                    "offered": 12, "service_level": .number(0.833333333), "asa_seconds": .number(12.96),
                    "max_wait_seconds": .number(40.123), "erlang_traffic": .number(3.14159), "csat_average": .number(4.34999),
                    "erlang_expected_wait_seconds": .null, "channel_mix": ["voice": 12],
                    "self_service_entry_points": [["entry_point": "ivr", "containment_rate": .number(0.123456)]],
                ],
            ],
        ]
        let rounded = TopicPrecision.scope(scope)
        let window = rounded["metrics"]?["15m"]
        #expect(window?["offered"] == 12)
        #expect(window?["service_level"] == .number(0.8333))
        #expect(window?["asa_seconds"] == .number(12.9))
        #expect(window?["max_wait_seconds"] == .number(40.1))
        #expect(window?["erlang_traffic"] == .number(3.14))
        #expect(window?["csat_average"] == .number(4.35))
        #expect(window?["erlang_expected_wait_seconds"] == .null)
        #expect(window?["channel_mix"] == ["voice": 12])
        #expect(window?["self_service_entry_points"]?.arrayValue?.first?["containment_rate"] == .number(0.1235))
        #expect(rounded["warning_level"] == .number(0.7))
        #expect(rounded["agents"] == ["available": 2])
        #expect(Array(rounded.keys) == Array(scope.keys), "same members in the same order")
    }

    @Test func objectChangesGoDownToTheFiguresAndCountMapsNameByName() throws {
        let old: JSONObject = [
            "waiting_now": 1, "agents": ["available": 2, "on_contact": 1], "not_ready_reasons": ["break": 1, "lunch": 2],
            "metrics": ["15m": ["offered": 4, "asa_seconds": .number(3.2), "reason_mix": ["billing": 4]],
                        "today": ["offered": 40, "asa_seconds": .number(3.1), "reason_mix": ["billing": 40]]],
        ]
        var new = old
        new["agents"] = ["available": 1, "on_contact": 2]
        new["not_ready_reasons"] = ["lunch": 2, "training": 1]
        new["metrics"] = ["15m": ["offered": 5, "asa_seconds": .number(3.2), "reason_mix": ["billing": 4, "sales": 1]],
                          "today": ["offered": 40, "asa_seconds": .number(3.1), "reason_mix": ["billing": 40]]]
        let changes = try #require(TopicDeltas.objectChanges(new, since: old))
        #expect(changes == [
            "agents": ["available": 1, "on_contact": 2], "not_ready_reasons": ["training": 1, "break": .null],
            "metrics": ["15m": ["offered": 5, "reason_mix": ["sales": 1]]],
        ])
        #expect(TopicDeltas.objectChanges(old, since: old) == JSONObject(), "nothing changed: empty")
        #expect(TopicFollower.merge(old, changes) == new, "applied, the change gives the new object")

        var reshaped = new
        reshaped["metrics"] = ["15m": new["metrics"]!["15m"]!]
        #expect(TopicDeltas.objectChanges(reshaped, since: old) == nil, "a window less: whole")
        var renamed = new
        renamed["agents"] = ["available": 1]
        #expect(TopicDeltas.objectChanges(renamed, since: old) == nil, "an object of fixed keys that lost one: whole")
        var nulled = old
        nulled["agents"] = .null
        #expect(TopicDeltas.objectChanges(nulled, since: old) == ["agents": .null])
        #expect(TopicDeltas.objectChanges(old, since: nulled) == ["agents": old["agents"]!], "an object where there was none: whole")
    }

    @Test func queueGroupsChangeGroupByGroupWhileTheirIdsStay() throws {
        let old: JSONObject = ["queue_groups": [["id": "g1", "waiting_now": 1], ["id": "g2", "waiting_now": 0]]]
        let new: JSONObject = ["queue_groups": [["id": "g1", "waiting_now": 2], ["id": "g2", "waiting_now": 0]]]
        #expect(TopicDeltas.objectChanges(new, since: old) == ["queue_groups": [["waiting_now": 2], [:]]])
        #expect(TopicDeltas.objectChanges(["queue_groups": [["id": "g2", "waiting_now": 0], ["id": "g1", "waiting_now": 2]]], since: old) == nil)
        #expect(TopicDeltas.objectChanges(["queue_groups": [["id": "g1", "waiting_now": 2]]], since: old) == nil)
        #expect(TopicDeltas.objectChanges(["teams": ["t2"]], since: ["teams": ["t1"]]) == ["teams": ["t2"]], "other lists replace whole")
    }
}
