import JSONModel

/// Decoding `source.snapshot` (docs/events.md, "source.snapshot").
extension EventDecoder {
    @inlinable
    static func sourceSnapshot<Value>(_ fields: EventFields<Value>) throws(EventRejection) -> SourceSnapshot {
        var snapshot = SourceSnapshot(source: try fields.identifier("source"), queues: try fields.identifierList("queues"))
        for entry in try fields.objectList("contacts") {
            let phaseText = try entry.keyword("phase")
            guard let phase = SourceSnapshot.Contact.Phase(rawValue: phaseText) else {
                throw EventRejection(.invalidValue, "\(entry.name("phase")): \"\(phaseText)\" is not one of waiting, connected")
            }
            let agent = try entry.optionalIdentifier("agent")
            guard (agent != nil) == (phase == .connected) else {
                throw EventRejection(
                    phase == .connected ? .missingField : .invalidValue,
                    "\(entry.name("agent")) is required with phase connected and only allowed with it")
            }
            var customer: Customer?
            if let nested = try entry.nested("customer") {
                customer = Customer(id: try nested.optionalIdentifier("id"), segment: try nested.optionalLabel("segment"))
            }
            snapshot.contacts.append(
                SourceSnapshot.Contact(
                    contact: try entry.identifier("contact"), queue: try entry.identifier("queue"), phase: phase,
                    agent: agent, since: try entry.timestamp("since"), channel: try entry.channel("channel") ?? .voice,
                    customer: customer))
        }
        for entry in try fields.objectList("agents") {
            let stateText = try entry.keyword("state")
            guard let state = AgentState(rawValue: stateText) else {
                let known = AgentState.allCases.map(\.rawValue).joined(separator: ", ")
                throw EventRejection(.invalidValue, "\(entry.name("state")): \"\(stateText)\" is not one of \(known)")
            }
            let reason = try entry.optionalLabel("reason")
            guard reason == nil || state == .notReady else {
                throw EventRejection(.invalidValue, "\(entry.name("reason")) is only allowed with state not_ready")
            }
            snapshot.agents.append(SourceSnapshot.Agent(agent: try entry.identifier("agent"), state: state, reason: reason))
        }
        return snapshot
    }
}

extension EventFields {
    /// The objects of the array at `key` (empty when absent), each as fields named `key[i].field`, at most
    /// ``EventLimits/maximumSnapshotEntries``.
    @inlinable
    func objectList(_ key: String) throws(EventRejection) -> [EventFields] {
        guard let value = present(key) else { return [] }
        guard let count = value.arrayCount else {
            throw EventRejection(.wrongType, "\(name(key)) must be an array of objects, got \(value.typeName)")
        }
        guard count <= EventLimits.maximumSnapshotEntries else {
            throw EventRejection(
                .tooLong, "\(name(key)) has \(count) entries, over the limit of \(EventLimits.maximumSnapshotEntries) (fixed)")
        }
        var result: [EventFields] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let element = value.element(at: index)
            guard element.isObject else {
                throw EventRejection(.wrongType, "\(name(key))[\(index)] must be an object, got \(element.typeName)")
            }
            result.append(EventFields(object: element, type: type, limits: limits, prefix: "\(prefix)\(key)[\(index)]."))
        }
        return result
    }

    /// An RFC 3339 date-time.
    @inlinable
    func timestamp(_ key: String) throws(EventRejection) -> Instant {
        let text = try keyword(key)
        guard let instant = RFC3339.parse(text) else {
            throw EventRejection(.badTimestamp, "\(name(key)): \"\(text)\" is not an RFC 3339 date-time")
        }
        return instant
    }

    /// A channel name, or `nil` when absent.
    @inlinable
    func channel(_ key: String) throws(EventRejection) -> Channel? {
        guard let text = try optionalKeyword(key) else { return nil }
        guard let channel = Channel(rawValue: text) else {
            let known = Channel.allCases.map(\.rawValue).joined(separator: ", ")
            throw EventRejection(.invalidValue, "\(name(key)): \"\(text)\" is not one of \(known)")
        }
        return channel
    }
}
