import JSONModel

extension Snapshot {
    /// Fills every window's ``ScopeFigures/costs`` of the center, the queues, the teams and the
    /// channels from `tables` (the same tables the figures came from), priced by `costs`; `ownRates`
    /// holds each window's time of the agents with a rate of their own
    /// (``WallboardEngine/ownRateTimes(_:tables:now:)``).
    mutating func addCosts(_ costs: CostConfiguration, tables: WindowTables, ownRates: [String: [OwnRateTime]] = [:]) {
        self.costs = costs
        for name in tables.names {
            guard let table = tables.byWindow[name] else { continue }
            let sheet = CostSheet(
                table: table, length: tables.lengths[name] ?? 0, costs: costs, ownRates: ownRates[name] ?? [])
            func fill(_ figures: inout ScopeFigures, _ key: ScopeKey) {
                figures.costs[name] = sheet.figures(for: key, metrics: figures.windows[name] ?? WindowMetrics())
            }
            fill(&center, .center)
            for index in queues.indices { fill(&queues[index].figures, .queue(queues[index].settings.id)) }
            for index in teams.indices { fill(&teams[index].figures, .team(teams[index].id)) }
            for index in channels.indices { fill(&channels[index].figures, .channel(channels[index].id)) }
        }
    }

    /// `{"code": "EUR", "decimals": 2}`: how to read the `cost_*_minor` figures (nil without `costs:`).
    var currencyJSON: JSONValue? {
        costs.map { ["code": .string($0.currency), "decimals": .int($0.decimals)] }
    }

    /// Adds `cost_minor`, `cost_per_handled_minor` and `cost_per_offered_minor` (integers of minor
    /// units, `null` where undefined) of window `name` to a metrics object, when costs are configured.
    func addCostFields(_ figures: ScopeFigures, window name: String, to json: inout JSONObject) {
        guard costs != nil, let cost = figures.costs[name] else { return }
        json["cost_minor"] = .optional(cost.total) { .int($0) }
        json["cost_per_handled_minor"] = .optional(cost.perHandled) { .int($0) }
        json["cost_per_offered_minor"] = .optional(cost.perOffered) { .int($0) }
    }
}
