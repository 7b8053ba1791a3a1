/// Erlang C (M/M/N queue) projections: given the traffic offered and the agents staffed, the chance a
/// contact waits, the service level to expect, the mean wait, and the agents needed for a target.
///
/// Computed with the Erlang B recursion B(0)=1, B(n)=A·B(n−1)/(n+A·B(n−1)), then
/// C = N·B / (N − A·(1 − B)), which is exact and does not overflow for thousands of agents.
public struct ErlangC: Sendable, Equatable {
    /// Offered traffic in Erlangs: arrival rate × mean handle time.
    public var traffic: Double
    /// Mean handle time in seconds.
    public var handleTime: Double

    public init(traffic: Double, handleTime: Double) {
        self.traffic = traffic
        self.handleTime = handleTime
    }

    /// From `arrivals` contacts in `period` seconds with mean handle time `handleTime` seconds.
    public init(arrivals: Int, period: Double, handleTime: Double) {
        self.init(traffic: period > 0 ? Double(arrivals) / period * handleTime : 0, handleTime: handleTime)
    }

    /// Probability that a new contact has to wait, with `agents` agents (1 when they cannot keep up).
    public func probabilityOfWaiting(agents: Int) -> Double {
        guard agents > 0, Double(agents) > traffic else { return 1 }
        guard traffic > 0 else { return 0 }
        var erlangB = 1.0
        for n in 1...agents { erlangB = traffic * erlangB / (Double(n) + traffic * erlangB) }
        let n = Double(agents)
        return n * erlangB / (n - traffic * (1 - erlangB))
    }

    /// Expected fraction answered within `threshold` seconds: 1 − C·e^(−(N−A)·T/AHT).
    public func serviceLevel(agents: Int, threshold: Double) -> Double {
        guard agents > 0, Double(agents) > traffic else { return 0 }
        guard handleTime > 0 else { return 1 }
        let waiting = probabilityOfWaiting(agents: agents)
        return max(0, 1 - waiting * exp(-(Double(agents) - traffic) * threshold / handleTime))
    }

    /// Mean wait of a new contact in seconds: C·AHT/(N−A); `nil` when the agents cannot keep up.
    public func expectedWait(agents: Int) -> Double? {
        guard agents > 0, Double(agents) > traffic else { return nil }
        return probabilityOfWaiting(agents: agents) * handleTime / (Double(agents) - traffic)
    }

    /// The fewest agents whose expected service level meets `target`, searching up to `limit` agents.
    public func agentsRequired(target: Double, threshold: Double, limit: Int = 100_000) -> Int? {
        var agents = max(1, Int(traffic.rounded(.down)) + 1)
        while agents <= limit {
            if serviceLevel(agents: agents, threshold: threshold) >= target { return agents }
            agents += 1
        }
        return nil
    }

    /// e^x without Foundation.
    private func exp(_ x: Double) -> Double { ErlangC.exponential(x) }

    static func exponential(_ x: Double) -> Double {
        // Range reduction: e^x = (e^(x/2^k))^(2^k) with |x/2^k| < 0.5, then a Taylor series.
        var k = 0
        var reduced = x
        while abs(reduced) > 0.5 {
            reduced /= 2
            k += 1
        }
        var term = 1.0
        var sum = 1.0
        for n in 1...20 {
            term *= reduced / Double(n)
            sum += term
        }
        for _ in 0..<k { sum *= sum }
        return sum
    }
}
