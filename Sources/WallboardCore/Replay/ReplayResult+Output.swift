import JSONModel

extension ReplayResult {
    /// `{"windows": {"<window>": {"queues": {"<id>": {...}}, "center": {...}, "teams": ..., "channels": ...}},
    /// "end": ..., "events": {...}, "rejected": [...]}`, the shape fixed in the design brief.
    public func json() -> JSONValue {
        var windows = JSONObject()
        for name in snapshot.windowNames {
            var queues = JSONObject()
            for queue in snapshot.queues { queues[queue.settings.id] = metrics(queue.figures, name) }
            var window: JSONObject = ["queues": .object(queues), "center": metrics(snapshot.center, name)]
            window["teams"] = .object(JSONObject(snapshot.teams.map { ($0.id, metrics($0.figures, name)) }))
            window["channels"] = .object(JSONObject(snapshot.channels.map { ($0.id, metrics($0.figures, name)) }))
            window["start"] = .optional(snapshot.windowStarts[name]) { .string(RFC3339.format($0)) }
            windows[name] = .object(window)
        }
        let rejected: [JSONValue] = rejections.map {
            [
                "line": .optional($0.line) { .int($0) }, "id": .optional($0.eventID) { .string($0) },
                "code": .string($0.code), "message": .string($0.message),
            ]
        }
        var result: JSONObject = [
            "windows": .object(windows), "end": .string(RFC3339.format(end)),
            "events": [
                "read": .int(eventsRead), "rejected": .int(rejections.count), "duplicates": .int(duplicates),
            ],
            "rejected": .array(rejected),
        ]
        if let currency = snapshot.currencyJSON { result["currency"] = currency }  // Metrics/CostSnapshot.swift
        return .object(result)
    }

    /// A plain-text table per window: one row per queue and one for the center.
    public func table() -> String {
        let header = ["scope", "offered", "answered", "abandoned", "short", "SL", "abandon", "ASA s", "AHT s", "max wait s"]
        var text = "replay ending \(RFC3339.format(end)): \(eventsRead) events, \(rejections.count) rejected\n"
        for name in snapshot.windowNames {
            var rows = [header]
            for queue in snapshot.queues { rows.append(row(queue.settings.id, queue.figures.windows[name])) }
            rows.append(row("center", snapshot.center.windows[name]))
            text += "\n[\(name)]\n" + Self.render(rows)
        }
        for rejection in rejections {
            text += "rejected line \(rejection.line.map(String.init) ?? "?"): \(rejection.code): \(rejection.message)\n"
        }
        return text
    }

    private func metrics(_ figures: Snapshot.ScopeFigures, _ name: String) -> JSONValue {
        var object = (figures.windows[name] ?? WindowMetrics()).jsonObject()
        snapshot.addCostFields(figures, window: name, to: &object)  // Metrics/CostSnapshot.swift
        return .object(object)
    }

    private func row(_ scope: String, _ metrics: WindowMetrics?) -> [String] {
        let m = metrics ?? WindowMetrics()
        func percent(_ value: Double?) -> String { value.map { JSONValue.formatNumber($0 * 100) + "%" } ?? "-" }
        func number(_ value: Double?) -> String { value.map(JSONValue.formatNumber) ?? "-" }
        return [
            scope, String(m.offered), String(m.answered), String(m.abandoned), String(m.shortAbandoned),
            percent(m.serviceLevel), percent(m.abandonRate), number(m.averageSpeedOfAnswer),
            number(m.averageHandleTime), number(m.maxWait.map(\.asSeconds)),
        ]
    }

    private static func render(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
