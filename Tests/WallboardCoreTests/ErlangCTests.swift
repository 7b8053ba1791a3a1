import Testing
import WallboardCore

@Suite struct ErlangCTests {
    /// Textbook Erlang C with factorials, computed independently of the recursion the engine uses.
    static func referenceWaitProbability(traffic a: Double, agents n: Int) -> Double {
        var sum = 0.0
        var term = 1.0  // a^k / k!
        for k in 0..<n {
            if k > 0 { term *= a / Double(k) }
            sum += term
        }
        let top = term * a / Double(n) * Double(n) / (Double(n) - a)
        return top / (sum + top)
    }

    /// The classic example: 100 calls per 30 minutes, AHT 180 s: 10 Erlangs; 20-second threshold.
    @Test func classicHundredCallsExampleMatchesTheFactorialFormula() {
        let model = ErlangC(arrivals: 100, period: 1800, handleTime: 180)
        #expect(abs(model.traffic - 10) < 1e-12)
        let c = Self.referenceWaitProbability(traffic: 10, agents: 13)
        #expect(abs(model.probabilityOfWaiting(agents: 13) - c) < 1e-9)
        #expect(abs(c - 0.2853) < 0.0001)
        // SL = 1 - C e^{-(N-A) T / AHT} = 1 - 0.2853 e^{-1/3} ≈ 0.7956; ASA = C·180/3 ≈ 17.1 s.
        #expect(abs(model.serviceLevel(agents: 13, threshold: 20) - 0.7956) < 0.0001)
        #expect(abs(model.expectedWait(agents: 13)! - 17.12) < 0.01)
        // 13 agents miss 80/20 by a hair; 14 meet it.
        #expect(model.agentsRequired(target: 0.8, threshold: 20) == 14)
    }

    @Test func tooFewAgentsMeansEveryoneWaits() {
        let model = ErlangC(traffic: 10, handleTime: 180)
        #expect(model.probabilityOfWaiting(agents: 10) == 1)
        #expect(model.serviceLevel(agents: 9, threshold: 20) == 0)
        #expect(model.expectedWait(agents: 10) == nil)
    }
}
