/// What running the center costs, for the cost-per-contact figures (config `costs:`; docs/metrics.md,
/// "Cost per contact"). Every amount is an integer of minor units (cents for `decimals: 2`) per hour,
/// so nothing is approximated before the one rounding of each figure.
public struct CostConfiguration: Sendable, Equatable {
    /// ISO 4217 code, e.g. `EUR`: how boards format the amounts.
    public var currency: String
    /// Digits after the decimal point of the currency's minor unit (2 for EUR and USD, 0 for JPY).
    public var decimals: Int
    /// Cost of one logged-in agent hour, for agents with no rate of their own whose team has none either.
    public var agentHourly: Int64
    /// Team id → cost of one logged-in agent hour of that team (agents without a rate of their own).
    public var teamHourly: [String: Int64]
    /// Agent id → cost of one of that agent's logged-in hours, whatever the team (config `costs.agents`).
    /// Ids of agents never seen are kept: they may log in later.
    public var agentRates: [String: Int64]
    /// Center-wide costs per hour of the window (rent, licences, supervision), whoever is logged in.
    public var fixedHourly: Int64

    /// Largest hourly amount accepted, in minor units (10^12: ten billion at two decimals). Every
    /// product of an amount with a window's agent milliseconds then fits in 128 bits many times over.
    public static let maximumHourly: Int64 = 1_000_000_000_000
    /// Most digits after the decimal point (ISO 4217 uses 0 to 4).
    public static let maximumDecimals = 4
    /// Most agents with a rate of their own (each costs a pass over its marks per window and snapshot).
    public static let maximumAgentRates = 100_000

    public init(
        currency: String, decimals: Int = 2, agentHourly: Int64, teamHourly: [String: Int64] = [:],
        fixedHourly: Int64 = 0, agentRates: [String: Int64] = [:]
    ) {
        self.currency = currency
        self.decimals = decimals
        self.agentHourly = agentHourly
        self.teamHourly = teamHourly
        self.fixedHourly = fixedHourly
        self.agentRates = agentRates
    }

    /// `minor` minor units in the currency's units (2698 → 26.98 with two decimals), for gauges and alert
    /// thresholds; the exact figure stays the integer.
    public func majorUnits(_ minor: Int64) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return Double(minor) / scale
    }

    /// The hourly cost of an agent of `team` (nil: no team) without a rate of its own: the team's rate,
    /// else ``agentHourly``.
    public func hourly(team: String?) -> Int64 {
        team.flatMap { teamHourly[$0] } ?? agentHourly
    }

    /// The hourly cost of `agent` while logged in under `team`: its own rate (``agentRates``), else
    /// ``hourly(team:)``.
    public func hourly(agent: String, team: String?) -> Int64 {
        agentRates[agent] ?? hourly(team: team)
    }
}
