import JSONModel

/// A client's copy of each topic, following whole payloads and deltas (docs/protocol.md, "Deltas",
/// revision 3) as the board's web/js/deltas.js does: what live tests read a later payload from.
struct TopicFollower {
    var payloads: [String: JSONValue] = [:]
    var sequences: [String: Int64] = [:]

    /// Applies one `topic` message and returns the topic's payload after it; `nil` when it is a delta
    /// that does not follow what this copy has (another base, or no whole payload yet).
    mutating func follow(_ message: JSONValue) -> JSONValue? {
        guard let topic = message["topic"]?.stringValue, let sequence = message["seq"]?.integerValue else { return nil }
        if let data = message["data"] {
            payloads[topic] = data
            sequences[topic] = sequence
            return data
        }
        guard let delta = message["delta"], let have = payloads[topic], message["base"]?.integerValue == sequences[topic],
              let next = topic == "agents" || topic.hasPrefix("agents:") ? Self.agents(have, delta) : Self.payload(have, delta)
        else {
            payloads[topic] = nil
            sequences[topic] = nil
            return nil
        }
        payloads[topic] = next
        sequences[topic] = sequence
        return next
    }

    /// An agent list's delta: `removed` leave, a known id's fields replace its own, a new id comes whole
    /// (the list stays sorted by id, as whole payloads are).
    static func agents(_ have: JSONValue, _ delta: JSONValue) -> JSONValue? {
        guard var list = have["agents"]?.arrayValue, var next = have.objectValue else { return nil }
        let removed = Set(delta["removed"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        list.removeAll { removed.contains($0["id"]?.stringValue ?? "") }
        for entry in delta["agents"]?.arrayValue ?? [] {
            guard let fields = entry.objectValue else { return nil }
            if let index = list.firstIndex(where: { $0["id"] == entry["id"] }), var agent = list[index].objectValue {
                for member in fields.members { agent[member.key] = member.value }
                list[index] = .object(agent)
            } else {
                list.append(entry)
            }
        }
        list.sort { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
        next["agents"] = .array(list)
        return .object(next)
    }

    /// Any other topic's delta: list edits for `waiting`, `abandoned_today` and `interactions`, `queue_groups`
    /// group by group, objects merged (``merge(_:_:)``), anything else replaced.
    static func payload(_ have: JSONValue, _ delta: JSONValue) -> JSONValue? {
        guard var next = have.objectValue, let changes = delta.objectValue else { return nil }
        for member in changes.members {
            switch (member.key, next[member.key], member.value) {
            case ("waiting", _, .array(let edits)), ("abandoned_today", _, .array(let edits)), ("interactions", _, .array(let edits)):
                guard let list = listEdits(next[member.key]?.arrayValue ?? [], edits) else { return nil }
                next[member.key] = .array(list)
            case ("queue_groups", .array(let groups)?, .array(let groupChanges)):
                guard groups.count == groupChanges.count else { return nil }
                var merged: [JSONValue] = []
                for (group, change) in zip(groups, groupChanges) {
                    guard let object = group.objectValue, let change = change.objectValue, let result = merge(object, change) else { return nil }
                    merged.append(.object(result))
                }
                next[member.key] = .array(merged)
            case (_, .object(let object)?, .object(let change)):
                guard let result = merge(object, change) else { return nil }
                next[member.key] = .object(result)
            default:
                next[member.key] = member.value
            }
        }
        return .object(next)
    }

    /// `change` applied to `object`: each member replaces the object's, except where both are objects: a
    /// count map (`channel_mix`, `reason_mix`, `callback_failed_reasons`, `not_ready_reasons`) takes each
    /// name's count and drops a name whose change is `null` (its names stay sorted, as whole payloads
    /// have them), any other object merges the same way.
    static func merge(_ object: JSONObject, _ change: JSONObject) -> JSONObject? {
        var next = object
        for member in change.members {
            guard case .object(let inner) = member.value, case .object(let have)? = object[member.key] else {
                next[member.key] = member.value
                continue
            }
            if ["channel_mix", "reason_mix", "callback_failed_reasons", "not_ready_reasons"].contains(member.key) {
                var counts = have.members.map { ($0.key, $0.value) }
                for name in inner.members {
                    counts.removeAll { $0.0 == name.key }
                    if name.value != .null { counts.append((name.key, name.value)) }
                }
                next[member.key] = .object(JSONObject(distinctKeys: counts.sorted { $0.0 < $1.0 }))
            } else {
                guard let merged = merge(have, inner) else { return nil }
                next[member.key] = .object(merged)
            }
        }
        return next
    }

    /// A list given as edits of `old`: an integer is `old`'s element at that index (each used once), any
    /// other element is itself. `nil` when an index is not in `old` or is used twice.
    static func listEdits(_ old: [JSONValue], _ edits: [JSONValue]) -> [JSONValue]? {
        var used = Set<Int>()
        var list: [JSONValue] = []
        for edit in edits {
            guard let index = edit.integerValue else {
                list.append(edit)
                continue
            }
            guard old.indices.contains(Int(index)), used.insert(Int(index)).inserted else { return nil }
            list.append(old[Int(index)])
        }
        return list
    }
}
