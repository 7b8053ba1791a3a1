import JSONC
import Testing
import WallboardAlerts
import WallboardCore
@testable import WallboardServer

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `costs:` section (docs/configuration.md; docs/metrics.md, "Cost per contact").
@Suite struct CostsConfigTests {
    @Test func theSampleConfigReadsToExactMinorUnits() throws {
        let path = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "docs/samples/cost-sample.yaml").path
        let engine = try DaemonConfiguration.load(path: path).engine
        #expect(engine.costs == CostConfiguration(
            currency: "EUR", decimals: 2, agentHourly: 3000, teamHourly: ["sales": 3600], fixedHourly: 1198,
            agentRates: ["a2": 2400]))
    }

    /// The sample day replayed under the sample config as the daemon reads it gives docs/metrics.md's
    /// hand-computed figures (all of them: CostSampleDayTests).
    @Test func theSampleDayUnderTheSampleConfigGivesTheHandComputation() throws {
        let docs = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "docs/samples")
        let engine = try DaemonConfiguration.load(path: docs.appending(path: "cost-sample.yaml").path).engine
        let text = try String(decoding: Data(contentsOf: docs.appending(path: "cost-sample.ndjson")), as: UTF8.self)
        let inputs = text.split(separator: "\n").enumerated().map { index, line -> Replay.Input in
            do { return .json(line: index + 1, try JSONC.parse(String(line))) } catch {
                return .unparseable(line: index + 1, message: "not JSON")
            }
        }
        let result = Replay.run(inputs: inputs, configuration: engine)
        #expect(result.rejections.isEmpty)
        let windows = result.json()["windows"]
        func figures(_ window: String, _ path: [String]) -> [Int64?] {
            var node = windows?[window]
            for key in path { node = node?[key] }
            return ["cost_minor", "cost_per_handled_minor", "cost_per_offered_minor"].map { node?[$0]?.integerValue }
        }
        #expect(figures("60m", ["center"]) == [2578, 859, 645])
        #expect(figures("60m", ["teams", "sales"]) == [2110, 1055, 1055])
        #expect(figures("5m", ["center"]) == [480, 480, nil])
        #expect(figures("today", ["queues", "support"]) == [6527, 3264, 2176])
        #expect(figures("today", ["teams", "sales"]) == [10111, 5055, 5055])
    }

    @Test func amountsAreExactInEveryForm() throws {
        let yaml = """
            costs:
              currency: JPY
              decimals: 0
              agent_hourly: 2500
              teams: {night: "3100", day: 2800.0}
            """
        let costs = try #require(try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml").engine.costs)
        #expect(costs == CostConfiguration(currency: "JPY", decimals: 0, agentHourly: 2500, teamHourly: ["night": 3100, "day": 2800]))
        #expect(costs.hourly(team: "night") == 3100)
        #expect(costs.hourly(team: "elsewhere") == 2500)
        #expect(costs.hourly(team: nil) == 2500)
        let four = try DaemonConfiguration.parse(
            yaml: "costs: {currency: BHD, decimals: 3, agent_hourly: 0.105, fixed_hourly: 1.5}", fileName: "w.yaml").engine.costs
        #expect(four == CostConfiguration(currency: "BHD", decimals: 3, agentHourly: 105, fixedHourly: 1500))
    }

    @Test func agentsHaveRatesOfTheirOwn() throws {
        let yaml = """
            costs:
              currency: EUR
              agent_hourly: 30
              teams: {sales: 36}
              agents: {a1: 42.5, "a 2": "0", ghost: 19.99}
            """
        let costs = try #require(try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml").engine.costs)
        #expect(costs.agentRates == ["a1": 4250, "a 2": 0, "ghost": 1999])
        #expect(costs.hourly(agent: "a1", team: "sales") == 4250)
        #expect(costs.hourly(agent: "a 2", team: nil) == 0)
        #expect(costs.hourly(agent: "b", team: "sales") == 3600)
        #expect(costs.hourly(agent: "b", team: nil) == 3000)
    }

    @Test func tooManyAgentRatesIsAnError() throws {
        let count = CostConfiguration.maximumAgentRates + 1
        let agents = (0..<count).map { "\"a\($0)\": 1" }.joined(separator: ", ")
        #expect {
            _ = try DaemonConfiguration.parse(
                yaml: "costs: {currency: EUR, agent_hourly: 30, agents: {\(agents)}}", fileName: "w.yaml")
        } throws: { error in
            "\(error)".contains("costs.agents") && "\(error)".contains("at most 100000 agents")
        }
    }

    @Test func noSectionNoCosts() throws {
        #expect(try DaemonConfiguration.parse(yaml: "log_level: info", fileName: "w.yaml").engine.costs == nil)
    }

    @Test func badValuesSayWhatIsWrongAndWhere() {
        let base = "costs:\n  currency: EUR\n"
        for (yaml, key, words) in [
            (base + "  agent_hourly: -5", "costs.agent_hourly", "must not be negative"),
            (base + "  agent_hourly: .nan", "costs.agent_hourly", "finite"),
            (base + "  agent_hourly: .inf", "costs.agent_hourly", "finite"),
            (base + "  agent_hourly: 1e30", "costs.agent_hourly", "at most 10000000000.00"),
            (base + "  agent_hourly: 99999999999999999999", "costs.agent_hourly", "at most"),
            (base + "  agent_hourly: 32.505", "costs.agent_hourly", "more than 2 decimals"),
            (base + "  agent_hourly: \"3o\"", "costs.agent_hourly", "amount such as 32.50"),
            (base + "  agent_hourly: [1]", "costs.agent_hourly", "amount such as 32.50"),
            (base + "  fixed_hourly: 1", "costs", "missing required key \"agent_hourly\""),
            ("costs:\n  agent_hourly: 30", "costs", "missing required key \"currency\""),
            ("costs:\n  currency: euro\n  agent_hourly: 30", "costs.currency", "ISO 4217"),
            (base + "  decimals: 5\n  agent_hourly: 30", "costs.decimals", "between 0 and 4"),
            (base + "  agent_hourly: 30\n  teams: {sales: -1}", "costs.teams.sales", "must not be negative"),
            (base + "  agent_hourly: 30\n  teams: {sales: null}", "costs.teams.sales", "hourly amount"),
            (base + "  agent_hourly: 30\n  teams: {\"\": 3}", "costs.teams.", "team id"),
            (base + "  agent_hourly: 30\n  per_agent: {a1: 3}", "costs.per_agent", "unknown key"),
            (base + "  agent_hourly: 30\n  agents: {a1: -1}", "costs.agents.a1", "must not be negative"),
            (base + "  agent_hourly: 30\n  agents: {a1: 12.345}", "costs.agents.a1", "more than 2 decimals"),
            (base + "  agent_hourly: 30\n  agents: {a1: null}", "costs.agents.a1", "hourly amount"),
            (base + "  agent_hourly: 30\n  agents: {a1: 1e30}", "costs.agents.a1", "at most 10000000000.00"),
            (base + "  agent_hourly: 30\n  agents: {a1: [1]}", "costs.agents.a1", "amount such as 32.50"),
            (base + "  agent_hourly: 30\n  agents: {\"\": 3}", "costs.agents.", "an agent id must be 1 to"),
            (base + "  agent_hourly: 30\n  agents: [a1]", "costs.agents", "mapping"),
        ] {
            #expect {
                _ = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml")
            } throws: { error in
                "\(error)".contains(key) && "\(error)".contains(words)
            }
        }
    }

    @Test func aCostRuleNeedsTheCostsSection() throws {
        let rule = """
            alerts:
              notifiers:
                - {name: hook, kind: webhook, url: "https://example.com/hook"}
              rules:
                - {name: pricey, metric: cost_per_handled, scope: center, window: 15m, comparison: ">", threshold: 5, notifiers: [hook]}
            """
        #expect {
            _ = try DaemonConfiguration.parse(yaml: rule, fileName: "w.yaml")
        } throws: { error in
            "\(error)".contains("alerts.rules[0].metric") && "\(error)".contains("cost_per_handled needs a costs: section")
        }
        let priced = try DaemonConfiguration.parse(yaml: "costs: {currency: EUR, agent_hourly: 30}\n" + rule, fileName: "w.yaml")
        #expect(priced.alerts.rules.first?.metric == .costPerHandled)
    }

    @Test func amountTextIsParsedExactly() {
        #expect(CostAmountText.minorUnits("32.5", decimals: 2) == .success(3250))
        #expect(CostAmountText.minorUnits("32.500", decimals: 2) == .success(3250))
        #expect(CostAmountText.minorUnits(".5", decimals: 1) == .success(5))
        #expect(CostAmountText.minorUnits("0.1", decimals: 0) == .failure(.tooManyDecimals))
        #expect(CostAmountText.minorUnits("1e+20", decimals: 2) == .failure(.malformed))
        #expect(CostAmountText.minorUnits(".", decimals: 2) == .failure(.malformed))
        #expect(CostAmountText.minorUnits("10000000000.00", decimals: 2) == .success(CostConfiguration.maximumHourly))
        #expect(CostAmountText.minorUnits("10000000000.01", decimals: 2) == .failure(.tooLarge))
        #expect(CostAmountText.format(3250, decimals: 2) == "32.50")
        #expect(CostAmountText.format(105, decimals: 3) == "0.105")
        #expect(CostAmountText.format(7, decimals: 0) == "7")
    }
}
