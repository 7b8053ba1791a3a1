/// The money figures of one scope in one window, in minor units of ``CostConfiguration/currency``
/// (cents for two decimals), each rounded once, half up, from its exact value; `nil` where undefined
/// (no handled or offered contacts to divide by, no handle time to apportion by, or beyond 64 bits).
public struct CostFigures: Sendable, Equatable {
    /// What the scope's share of running the center cost over the window.
    public var total: Int64?
    /// ``total`` / handled contacts (visits whose wrap-up ended in the window, as AHT counts them).
    public var perHandled: Int64?
    /// ``total`` / offered contacts (short abandons excluded).
    public var perOffered: Int64?

    public init(total: Int64?, perHandled: Int64?, perOffered: Int64?) {
        self.total = total
        self.perHandled = perHandled
        self.perOffered = perOffered
    }
}

/// Logged-in time of an agent with a rate of its own (config `costs.agents`) under one team in a window,
/// which the window's team figures priced at the team's rate.
public struct OwnRateTime: Sendable, Equatable {
    /// The team the agent was logged in under (nil: none).
    public var team: String?
    /// Milliseconds logged in under `team` inside the window.
    public var time: Millis
    /// The agent's own hourly rate, in minor units.
    public var hourly: Int64

    public init(team: String?, time: Millis, hourly: Int64) {
        self.team = team
        self.time = time
        self.hourly = hourly
    }
}

/// One window's costs, kept exact (128-bit sums of minor units × milliseconds per hour) until each
/// figure is rounded. See docs/metrics.md, "Cost per contact":
/// - agent cost: every team's logged-in agent time × its hourly rate, plus the logged-in time of
///   agents without a team × the default rate; the time of agents with a rate of their own is then
///   repriced at that rate (``OwnRateTime``), in the center and in the team it was under;
/// - fixed cost: the center-wide hourly amount × the window's length;
/// - the center carries both; a team its own agents' cost plus a share of the fixed cost by its
///   handled time; a queue or a channel a share of the center's whole cost by its handled time
///   (talk + hold + wrap-up of the contacts handled in the window) over the center's.
public struct CostSheet: Sendable {
    /// Milliseconds in an hour: the hourly amounts times milliseconds are divided by it once.
    static let millisPerHour: Int128 = 3_600_000

    /// Σ hourly rate × logged-in milliseconds over every agent (minor-unit milliseconds per hour).
    let agentCost: Int128
    /// The fixed hourly amount × the window's length, in the same unit.
    let fixedCost: Int128
    /// The center's handle time in the window, in milliseconds.
    let handleTime: Int128
    /// Team id → its agents' cost, in the same unit as ``agentCost``.
    let teamCost: [String: Int128]

    /// The costs of the window whose figures are `table` (every scope) and whose length is `length`;
    /// `ownRates` is the window's time of the agents with a rate of their own, by team.
    public init(table: ScopeTable, length: Millis, costs: CostConfiguration, ownRates: [OwnRateTime] = []) {
        var teamCost: [String: Int128] = [:]
        var teamTime: Int128 = 0
        var agentCost: Int128 = 0
        for (key, metrics) in table {
            guard case .team(let team) = key, metrics.loggedInTime > 0 else { continue }
            let cost = Int128(metrics.loggedInTime) * Int128(costs.hourly(team: team))
            teamCost[team] = cost
            teamTime += Int128(metrics.loggedInTime)
            agentCost += cost
        }
        // Every team's agents count in the center too: the rest of the center's time had no team.
        let center = Int128(table[.center]?.loggedInTime ?? 0)
        agentCost += max(0, center - teamTime) * Int128(costs.agentHourly)
        // That time was in the sums above at the team's (or the default) rate: it costs the agent's instead.
        for own in ownRates where own.time > 0 {
            let delta = Int128(own.time) * (Int128(own.hourly) - Int128(costs.hourly(team: own.team)))
            agentCost += delta
            if let team = own.team { teamCost[team, default: 0] += delta }
        }
        self.agentCost = agentCost
        self.fixedCost = Int128(max(0, length)) * Int128(costs.fixedHourly)
        self.handleTime = Int128(table[.center]?.totalHandleTime ?? 0)
        self.teamCost = teamCost
    }

    /// The figures of `key` (center, queue, team or channel), whose window figures are `metrics`;
    /// `nil` for the other scopes (segments, languages), which carry no cost.
    public func figures(for key: ScopeKey, metrics: WindowMetrics) -> CostFigures? {
        let amount: ExactAmount?
        switch key {
        case .center:
            amount = ExactAmount(agentCost + fixedCost, over: Self.millisPerHour)
        case .queue, .channel:
            amount = share(of: agentCost + fixedCost, handleTime: metrics.totalHandleTime)
        case .team(let team):
            let own = teamCost[team] ?? 0
            if handleTime == 0 {
                amount = ExactAmount(own, over: Self.millisPerHour)
            } else {
                amount = share(of: fixedCost, handleTime: metrics.totalHandleTime).flatMap {
                    $0.adding(own, over: Self.millisPerHour)
                }
            }
        case .segment, .language:
            return nil
        }
        return CostFigures(
            total: amount?.rounded(),
            perHandled: amount?.divided(by: metrics.handledCount)?.rounded(),
            perOffered: amount?.divided(by: metrics.offered)?.rounded())
    }

    /// `pool` × `handleTime` / the center's handle time (nil when the center handled nothing).
    private func share(of pool: Int128, handleTime part: Millis) -> ExactAmount? {
        guard handleTime > 0 else { return nil }
        guard let denominator = Self.millisPerHour.checkedTimes(handleTime) else { return nil }
        return pool.checkedTimes(Int128(max(0, part))).map { ExactAmount($0, over: denominator) }
    }
}

/// A non-negative amount of minor units as an exact fraction.
struct ExactAmount: Sendable, Equatable {
    var numerator: Int128
    var denominator: Int128

    init(_ numerator: Int128, over denominator: Int128) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The amount divided among `count` contacts; nil for none (or past 128 bits).
    func divided(by count: Int) -> ExactAmount? {
        guard count > 0, let denominator = denominator.checkedTimes(Int128(count)) else { return nil }
        return ExactAmount(numerator, over: denominator)
    }

    /// This amount plus `numerator / denominator`.
    func adding(_ other: Int128, over otherDenominator: Int128) -> ExactAmount? {
        guard let left = numerator.checkedTimes(otherDenominator), let right = other.checkedTimes(denominator),
            let sum = left.checkedPlus(right), let denominator = denominator.checkedTimes(otherDenominator)
        else { return nil }
        return ExactAmount(sum, over: denominator)
    }

    /// Rounded to a whole minor unit, half up (0.5 cent → 1 cent); nil beyond 64 bits.
    func rounded() -> Int64? {
        guard denominator > 0, numerator >= 0, let twice = numerator.checkedTimes(2),
            let shifted = twice.checkedPlus(denominator), let twiceDenominator = denominator.checkedTimes(2)
        else { return nil }
        return Int64(exactly: shifted / twiceDenominator)
    }
}

extension Int128 {
    /// `self × other`, nil on overflow.
    func checkedTimes(_ other: Int128) -> Int128? {
        let result = multipliedReportingOverflow(by: other)
        return result.overflow ? nil : result.partialValue
    }

    /// `self + other`, nil on overflow.
    func checkedPlus(_ other: Int128) -> Int128? {
        let result = addingReportingOverflow(other)
        return result.overflow ? nil : result.partialValue
    }
}
