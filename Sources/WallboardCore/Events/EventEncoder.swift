import JSONModel

/// Turns an ``Event`` into its canonical JSON object: the exact inverse of ``EventDecoder``
/// (`EventDecoder.decode(EventEncoder.encode(e)) == e`). Optional fields that are `nil` or empty are left out.
/// The journal and the simulator's export write events with it.
public enum EventEncoder {
    /// The canonical JSON object of `event`, keys in documentation order.
    public static func encode(_ event: Event) -> JSONValue {
        var object: JSONObject = [
            "id": .string(event.id), "ts": .string(RFC3339.format(event.timestamp)), "type": .string(event.type),
        ]
        for (key, value) in fields(event.body) { object[key] = value }
        return .object(object)
    }

    private static func fields(_ body: EventBody) -> [(String, JSONValue)] {
        switch body {
        case .agentLogin(let login):
            var result: [(String, JSONValue)] = [("agent", .string(login.agent))]
            if !login.name.isEmpty { result.append(("name", .string(login.name))) }
            if let team = login.team { result.append(("team", .string(team))) }
            result.append(("queues", .array(login.queues.map { .string($0) })))
            if !login.skills.isEmpty {
                var skills = JSONObject()
                for (queue, level) in login.skills.sorted(by: { $0.key < $1.key }) { skills[queue] = .int(level) }
                result.append(("skills", .object(skills)))
            }
            if !login.languages.isEmpty { result.append(("languages", .array(login.languages.map { .string($0) }))) }
            return result
        case .agentState(let agent, let state, let reason):
            var result: [(String, JSONValue)] = [("agent", .string(agent)), ("state", .string(state.rawValue))]
            if let reason { result.append(("reason", .string(reason))) }
            return result
        case .agentLogout(let agent):
            return [("agent", .string(agent))]
        case .contactQueued(let queued):
            var result: [(String, JSONValue)] = [
                ("contact", .string(queued.contact)), ("queue", .string(queued.queue)),
                ("channel", .string(queued.channel.rawValue)),
            ]
            if let priority = queued.priority { result.append(("priority", .int(priority))) }
            if let customer = queued.customer {
                var object = JSONObject()
                if let id = customer.id { object["id"] = .string(id) }
                if let segment = customer.segment { object["segment"] = .string(segment) }
                result.append(("customer", .object(object)))
            }
            if let language = queued.language { result.append(("language", .string(language))) }
            if let reason = queued.reason { result.append(("reason", .string(reason))) }
            return result
        case .contactAnswered(let contact, let agent, let monitor):
            var result: [(String, JSONValue)] = [("contact", .string(contact)), ("agent", .string(agent))]
            if let monitor { result.append(("monitor", ["kind": .string(monitor.kind), "target": .string(monitor.target)])) }
            return result
        case .contactTransferred(let contact, let toQueue, let toAgent):
            var result: [(String, JSONValue)] = [("contact", .string(contact))]
            if let toQueue { result.append(("to_queue", .string(toQueue))) }
            if let toAgent { result.append(("to_agent", .string(toAgent))) }
            return result
        case .contactAbandoned(let contact), .contactHeld(let contact), .contactResumed(let contact),
            .contactEnded(let contact):
            return [("contact", .string(contact))]
        case .contactWrapupDone(let contact, let agent), .contactCallbackConnected(let contact, let agent):
            return [("contact", .string(contact)), ("agent", .string(agent))]
        case .contactCallbackRequested(let contact), .contactCallbackAttempted(let contact):
            return [("contact", .string(contact))]
        case .contactCallbackFailed(let contact, let reason), .contactSelfServed(let contact, let reason):
            var result: [(String, JSONValue)] = [("contact", .string(contact))]
            if let reason { result.append(("reason", .string(reason))) }
            return result
        case .contactEnteredSelfService(let contact, let entryPoint):
            return [("contact", .string(contact)), ("entry_point", .string(entryPoint))]
        case .surveyCompleted(let survey):
            var result: [(String, JSONValue)] = [("contact", .string(survey.contact))]
            if let csat = survey.csat { result.append(("csat", .int(csat))) }
            if let ces = survey.ces { result.append(("ces", .int(ces))) }
            if let resolved = survey.resolved { result.append(("resolved", .bool(resolved))) }
            return result
        case .sourceSnapshot(let snapshot):
            let contacts: [JSONValue] = snapshot.contacts.map { entry in
                var object: JSONObject = [
                    "contact": .string(entry.contact), "queue": .string(entry.queue), "phase": .string(entry.phase.rawValue),
                ]
                if let agent = entry.agent { object["agent"] = .string(agent) }
                object["since"] = .string(RFC3339.format(entry.since))
                object["channel"] = .string(entry.channel.rawValue)
                if let customer = entry.customer {
                    var nested = JSONObject()
                    if let id = customer.id { nested["id"] = .string(id) }
                    if let segment = customer.segment { nested["segment"] = .string(segment) }
                    object["customer"] = .object(nested)
                }
                return .object(object)
            }
            let agents: [JSONValue] = snapshot.agents.map { entry in
                var object: JSONObject = ["agent": .string(entry.agent), "state": .string(entry.state.rawValue)]
                if let reason = entry.reason { object["reason"] = .string(reason) }
                return .object(object)
            }
            return [
                ("source", .string(snapshot.source)), ("queues", .array(snapshot.queues.map { .string($0) })),
                ("contacts", .array(contacts)), ("agents", .array(agents)),
            ]
        }
    }
}

extension EventEncoder {
    /// The canonical JSON text of `event`, written straight to bytes: the same bytes as encoding
    /// ``encode(_:)``'s value with the JSON wrapper (`JSONC.encode`), without building the value first.
    /// The journal stores each accepted event this way.
    public static func canonicalText(_ event: Event) -> [UInt8] {
        var writer = JSONTextWriter(capacity: 160)
        writer.beginObject()
        writer.member("id", event.id)
        writer.key("ts")
        writeTimestamp(event.timestamp, to: &writer)
        writer.member("type", event.type)
        writeFields(event.body, to: &writer)
        writer.endObject()
        return writer.bytes
    }

    /// `RFC3339.format(instant)` as a string value, written without building a `String` for years
    /// 0...9999 (every real event; other years go through `RFC3339.format`).
    static func writeTimestamp(_ instant: Instant, to writer: inout JSONTextWriter) {
        var days = instant.milliseconds / 86_400_000
        var rest = instant.milliseconds % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        let (year, month, day) = RFC3339.civilFromDays(days)
        guard (0...9999).contains(year) else {
            writer.string(RFC3339.format(instant))
            return
        }
        // yyyy-mm-ddThh:mm:ss.mmmZ
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &text) { buffer in
            func put(_ value: Int64, at offset: Int, digits: Int) {
                var value = value
                for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, at: 0, digits: 4)
            buffer[4] = UInt8(ascii: "-")
            put(month, at: 5, digits: 2)
            buffer[7] = UInt8(ascii: "-")
            put(day, at: 8, digits: 2)
            buffer[10] = UInt8(ascii: "T")
            put(rest / 3_600_000, at: 11, digits: 2)
            buffer[13] = UInt8(ascii: ":")
            put(rest / 60_000 % 60, at: 14, digits: 2)
            buffer[16] = UInt8(ascii: ":")
            put(rest / 1000 % 60, at: 17, digits: 2)
            buffer[19] = UInt8(ascii: ".")
            put(rest % 1000, at: 20, digits: 3)
            buffer[23] = UInt8(ascii: "Z")
            writer.unescapedString(UnsafeRawBufferPointer(buffer))
        }
    }

    private static func writeFields(_ body: EventBody, to writer: inout JSONTextWriter) {
        switch body {
        case .agentLogin(let login):
            writer.member("agent", login.agent)
            if !login.name.isEmpty { writer.member("name", login.name) }
            if let team = login.team { writer.member("team", team) }
            writeStrings("queues", login.queues, to: &writer)
            if !login.skills.isEmpty {
                writer.key("skills")
                writer.beginObject()
                for (queue, level) in login.skills.sorted(by: { $0.key < $1.key }) { writer.member(queue, integer: level) }
                writer.endObject()
            }
            if !login.languages.isEmpty { writeStrings("languages", login.languages, to: &writer) }
        case .agentState(let agent, let state, let reason):
            writer.member("agent", agent)
            writer.member("state", state.rawValue)
            if let reason { writer.member("reason", reason) }
        case .agentLogout(let agent):
            writer.member("agent", agent)
        case .contactQueued(let queued):
            writer.member("contact", queued.contact)
            writer.member("queue", queued.queue)
            writer.member("channel", queued.channel.rawValue)
            if let priority = queued.priority { writer.member("priority", integer: priority) }
            if let customer = queued.customer {
                writer.key("customer")
                writer.beginObject()
                if let id = customer.id { writer.member("id", id) }
                if let segment = customer.segment { writer.member("segment", segment) }
                writer.endObject()
            }
            if let language = queued.language { writer.member("language", language) }
            if let reason = queued.reason { writer.member("reason", reason) }
        case .contactAnswered(let contact, let agent, let monitor):
            writer.member("contact", contact)
            writer.member("agent", agent)
            if let monitor {
                writer.key("monitor")
                writer.beginObject()
                writer.member("kind", monitor.kind)
                writer.member("target", monitor.target)
                writer.endObject()
            }
        case .contactTransferred(let contact, let toQueue, let toAgent):
            writer.member("contact", contact)
            if let toQueue { writer.member("to_queue", toQueue) }
            if let toAgent { writer.member("to_agent", toAgent) }
        case .contactAbandoned(let contact), .contactHeld(let contact), .contactResumed(let contact),
            .contactEnded(let contact):
            writer.member("contact", contact)
        case .contactWrapupDone(let contact, let agent), .contactCallbackConnected(let contact, let agent):
            writer.member("contact", contact)
            writer.member("agent", agent)
        case .contactCallbackRequested(let contact), .contactCallbackAttempted(let contact):
            writer.member("contact", contact)
        case .contactCallbackFailed(let contact, let reason), .contactSelfServed(let contact, let reason):
            writer.member("contact", contact)
            if let reason { writer.member("reason", reason) }
        case .contactEnteredSelfService(let contact, let entryPoint):
            writer.member("contact", contact)
            writer.member("entry_point", entryPoint)
        case .surveyCompleted(let survey):
            writer.member("contact", survey.contact)
            if let csat = survey.csat { writer.member("csat", integer: csat) }
            if let ces = survey.ces { writer.member("ces", integer: ces) }
            if let resolved = survey.resolved {
                writer.key("resolved")
                writer.bool(resolved)
            }
        case .sourceSnapshot(let snapshot):
            writer.member("source", snapshot.source)
            writeStrings("queues", snapshot.queues, to: &writer)
            writer.key("contacts")
            writer.beginArray()
            for entry in snapshot.contacts {
                writer.beginObject()
                writer.member("contact", entry.contact)
                writer.member("queue", entry.queue)
                writer.member("phase", entry.phase.rawValue)
                if let agent = entry.agent { writer.member("agent", agent) }
                writer.key("since")
                writeTimestamp(entry.since, to: &writer)
                writer.member("channel", entry.channel.rawValue)
                if let customer = entry.customer {
                    writer.key("customer")
                    writer.beginObject()
                    if let id = customer.id { writer.member("id", id) }
                    if let segment = customer.segment { writer.member("segment", segment) }
                    writer.endObject()
                }
                writer.endObject()
            }
            writer.endArray()
            writer.key("agents")
            writer.beginArray()
            for entry in snapshot.agents {
                writer.beginObject()
                writer.member("agent", entry.agent)
                writer.member("state", entry.state.rawValue)
                if let reason = entry.reason { writer.member("reason", reason) }
                writer.endObject()
            }
            writer.endArray()
        }
    }

    private static func writeStrings(_ key: String, _ values: [String], to writer: inout JSONTextWriter) {
        writer.key(key)
        writer.beginArray()
        for value in values { writer.string(value) }
        writer.endArray()
    }
}
