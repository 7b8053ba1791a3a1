import JSONModel

extension WindowMetrics {
    /// The metrics object with the keys fixed in the design brief (and more); see docs/metrics.md.
    public func json() -> JSONValue { .object(jsonObject()) }

    /// ``json()`` as an object, to add keys to.
    public func jsonObject() -> JSONObject {
        var object = coreJSONObject()
        for member in callbackJSONObject().members { object[member.key] = member.value }
        return object
    }

    /// The callback and self-service keys of a window (docs/metrics.md, "Callbacks", "Self-service containment").
    func callbackJSONObject() -> JSONObject {
        let total = selfService.total
        return [
            "callbacks_requested": .int(callbacks.requested), "callbacks_attempted": .int(callbacks.attempted),
            "callbacks_connected": .int(callbacks.connected), "callbacks_failed": .int(callbacks.failed),
            "callbacks_expired": .int(callbacks.expired),
            "callbacks_connected_within_threshold": .int(callbacks.connectedWithinThreshold),
            "callback_service_level": .number(callbacks.serviceLevel),
            "callback_wait_seconds": .number(callbacks.averageWait),
            "callback_max_wait_seconds": .number(callbacks.maxWait.map(\.asSeconds)),
            "callback_failed_reasons": .object(Self.counts(callbacks.failedReasons)),
            "self_service_entered": .int(total.entered), "self_served": .int(total.selfServed),
            "self_service_reached_queue": .int(total.reachedQueue), "self_service_expired": .int(total.expired),
            "containment_rate": .number(total.containmentRate),
            "self_service_entry_points": selfService.entryPointsJSON(),
        ]
    }

    private func coreJSONObject() -> JSONObject {
        [
            "offered": .int(offered), "answered": .int(answered), "abandoned": .int(abandoned),
            "short_abandoned": .int(shortAbandoned), "transferred_out": .int(transferredOut),
            "expired": .int(expired),
            "answered_within_threshold": .int(answeredWithinThreshold),
            "abandoned_within_threshold": .int(abandonedWithinThreshold),
            "service_level": .number(serviceLevel), "abandon_rate": .number(abandonRate),
            "asa_seconds": .number(averageSpeedOfAnswer), "aht_seconds": .number(averageHandleTime),
            "max_wait_seconds": .number(maxWait.map(\.asSeconds)), "handled": .int(handledCount),
            "talk_seconds": .number(averageTalk), "hold_seconds": .number(averageHold),
            "wrap_up_seconds": .number(averageWrapUp), "transfers": .int(transfers),
            "occupancy": .number(occupancy), "utilization": .number(utilization),
            "repeat_contacts": .int(repeatContacts), "repeat_rate": .number(repeatRate),
            "surveys_csat": .int(csatCount), "csat_average": .number(csatAverage),
            "csat_satisfied_rate": .number(csatSatisfiedRate), "surveys_ces": .int(cesCount),
            "ces_average": .number(cesAverage), "surveys_resolved": .int(resolvedAnswers),
            "fcr_rate": .number(firstContactResolution),
            "channel_mix": .object(Self.counts(channelMix)), "reason_mix": .object(Self.counts(reasonMix)),
        ]
    }

    /// Erlang C projections from this window's arrivals (offered per second over `period` seconds) and
    /// AHT with `staffed` agents, judged by the queue's threshold and target.
    func erlangJSON(settings: QueueSettings, period: Double, staffed: Int) -> JSONObject {
        guard let aht = averageHandleTime, aht > 0, period > 0 else { return Self.nullErlangJSON }
        let model = ErlangC(arrivals: offered, period: period, handleTime: aht)
        let threshold = settings.threshold.asSeconds
        return [
            "erlang_traffic": .number(model.traffic),
            "erlang_service_level": .number(staffed > 0 ? model.serviceLevel(agents: staffed, threshold: threshold) : nil),
            "erlang_agents_required": .optional(model.agentsRequired(target: settings.target, threshold: threshold)) {
                .int($0)
            },
            "erlang_expected_wait_seconds": .number(model.expectedWait(agents: staffed)),
        ]
    }

    static let nullErlangJSON: JSONObject = [
        "erlang_traffic": .null, "erlang_service_level": .null, "erlang_agents_required": .null,
        "erlang_expected_wait_seconds": .null,
    ]

    private static func counts(_ mix: [String: Int]) -> JSONObject {
        JSONObject(mix.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
    }
}
