import JSONModel

/// Turns a JSON object into an ``Event``, validating every field, or says precisely what is wrong.
public enum EventDecoder {
    /// Longest accepted id, agent, contact or queue identifier.
    public static let maximumIdentifierLength = 200

    /// Decodes one event object.
    public static func decode(_ json: JSONValue) throws(EventRejection) -> Event {
        guard let object = json.objectValue else {
            throw EventRejection(.notAnObject, "an event must be a JSON object, got \(json.typeName)")
        }
        let fields = Fields(object: object, type: object["type"]?.stringValue ?? "event")
        let type = try fields.identifier("type")
        guard EventBody.allTypeNames.contains(type) else {
            throw EventRejection(
                .unknownType, "unknown event type \"\(type)\"; known: \(EventBody.allTypeNames.joined(separator: ", "))")
        }
        let id = try fields.identifier("id")
        let tsText = try fields.string("ts")
        guard let timestamp = RFC3339.parse(tsText) else {
            throw EventRejection(.badTimestamp, "\(type) \"ts\": \"\(tsText)\" is not an RFC 3339 date-time")
        }
        return Event(id: id, timestamp: timestamp, body: try body(type: type, fields))
    }

    private static func body(type: String, _ fields: Fields) throws(EventRejection) -> EventBody {
        switch type {
        case "agent.login":
            return .agentLogin(
                AgentLogin(
                    agent: try fields.identifier("agent"), name: try fields.optionalString("name") ?? "",
                    team: try fields.optionalIdentifier("team"), queues: try fields.identifierList("queues"),
                    skills: try fields.skillLevels("skills"), languages: try fields.optionalStringList("languages")))
        case "agent.state":
            let stateText = try fields.string("state")
            guard let state = AgentState(rawValue: stateText) else {
                let known = AgentState.allCases.map(\.rawValue).joined(separator: ", ")
                throw EventRejection(.invalidValue, "agent.state \"state\": \"\(stateText)\" is not one of \(known)")
            }
            let reason = try fields.optionalString("reason")
            guard reason == nil || state == .notReady else {
                throw EventRejection(
                    .invalidValue, "agent.state \"reason\" is only allowed with state not_ready, got state \(stateText)")
            }
            return .agentState(agent: try fields.identifier("agent"), state: state, reason: reason)
        case "agent.logout":
            return .agentLogout(agent: try fields.identifier("agent"))
        case "contact.queued":
            return .contactQueued(try contactQueued(fields))
        case "contact.answered":
            return .contactAnswered(
                contact: try fields.identifier("contact"), agent: try fields.identifier("agent"),
                monitor: try fields.monitor("monitor"))
        case "contact.abandoned":
            return .contactAbandoned(contact: try fields.identifier("contact"))
        case "contact.transferred":
            let toQueue = try fields.optionalIdentifier("to_queue")
            let toAgent = try fields.optionalIdentifier("to_agent")
            guard (toQueue == nil) != (toAgent == nil) else {
                throw EventRejection(.missingField, "contact.transferred needs exactly one of \"to_queue\" or \"to_agent\"")
            }
            return .contactTransferred(contact: try fields.identifier("contact"), toQueue: toQueue, toAgent: toAgent)
        case "contact.held":
            return .contactHeld(contact: try fields.identifier("contact"))
        case "contact.resumed":
            return .contactResumed(contact: try fields.identifier("contact"))
        case "contact.ended":
            return .contactEnded(contact: try fields.identifier("contact"))
        case "contact.wrapup_done":
            return .contactWrapupDone(contact: try fields.identifier("contact"), agent: try fields.identifier("agent"))
        default:  // survey.completed
            let survey = SurveyResult(
                contact: try fields.identifier("contact"), csat: try fields.optionalInt("csat", range: 1...5),
                ces: try fields.optionalInt("ces", range: 1...7), resolved: try fields.optionalBool("resolved"))
            guard survey.csat != nil || survey.ces != nil || survey.resolved != nil else {
                throw EventRejection(.missingField, "survey.completed needs at least one of \"csat\", \"ces\", \"resolved\"")
            }
            return .surveyCompleted(survey)
        }
    }

    private static func contactQueued(_ fields: Fields) throws(EventRejection) -> ContactQueued {
        let channelText = try fields.optionalString("channel") ?? "voice"
        guard let channel = Channel(rawValue: channelText) else {
            let known = Channel.allCases.map(\.rawValue).joined(separator: ", ")
            throw EventRejection(.invalidValue, "contact.queued \"channel\": \"\(channelText)\" is not one of \(known)")
        }
        var customer: Customer?
        if let value = fields.object["customer"], !value.isNull {
            guard let object = value.objectValue else {
                throw EventRejection(.wrongType, "contact.queued \"customer\" must be an object, got \(value.typeName)")
            }
            let nested = Fields(object: object, type: "contact.queued customer")
            customer = Customer(id: try nested.optionalIdentifier("id"), segment: try nested.optionalString("segment"))
        }
        return ContactQueued(
            contact: try fields.identifier("contact"), queue: try fields.identifier("queue"), channel: channel,
            priority: try fields.optionalInt("priority", range: 0...1000), customer: customer,
            language: try fields.optionalString("language"), reason: try fields.optionalString("reason"))
    }
}

/// Typed field access with error messages that name the event type and the field.
private struct Fields {
    let object: JSONObject
    let type: String

    func string(_ key: String) throws(EventRejection) -> String {
        guard let value = object[key], !value.isNull else {
            throw EventRejection(.missingField, "\(type) is missing \"\(key)\"")
        }
        guard let text = value.stringValue else {
            throw EventRejection(.wrongType, "\(type) \"\(key)\" must be a string, got \(value.typeName)")
        }
        return text
    }

    func optionalString(_ key: String) throws(EventRejection) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw EventRejection(.wrongType, "\(type) \"\(key)\" must be a string, got \(value.typeName)")
        }
        return text
    }

    func identifier(_ key: String) throws(EventRejection) -> String {
        try checkedIdentifier(key, try string(key))
    }

    func optionalIdentifier(_ key: String) throws(EventRejection) -> String? {
        guard let text = try optionalString(key) else { return nil }
        return try checkedIdentifier(key, text)
    }

    private func checkedIdentifier(_ key: String, _ text: String) throws(EventRejection) -> String {
        guard !text.isEmpty else { throw EventRejection(.invalidValue, "\(type) \"\(key)\" must not be empty") }
        guard text.utf8.count <= EventDecoder.maximumIdentifierLength else {
            throw EventRejection(
                .invalidValue, "\(type) \"\(key)\" is longer than \(EventDecoder.maximumIdentifierLength) bytes")
        }
        return text
    }

    func identifierList(_ key: String) throws(EventRejection) -> [String] {
        guard let value = object[key], !value.isNull else { return [] }
        guard let array = value.arrayValue else {
            throw EventRejection(.wrongType, "\(type) \"\(key)\" must be an array of strings, got \(value.typeName)")
        }
        var result: [String] = []
        for element in array {
            guard let text = element.stringValue, !text.isEmpty else {
                throw EventRejection(.wrongType, "\(type) \"\(key)\" must contain only non-empty strings")
            }
            result.append(text)
        }
        return result
    }

    func optionalStringList(_ key: String) throws(EventRejection) -> [String] { try identifierList(key) }

    func optionalInt(_ key: String, range: ClosedRange<Int>) throws(EventRejection) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.integerValue else {
            throw EventRejection(.wrongType, "\(type) \"\(key)\" must be an integer, got \(value.typeName)")
        }
        guard number >= Int64(range.lowerBound), number <= Int64(range.upperBound) else {
            throw EventRejection(
                .invalidValue, "\(type) \"\(key)\": \(number) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return Int(number)
    }

    func optionalBool(_ key: String) throws(EventRejection) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else {
            throw EventRejection(.wrongType, "\(type) \"\(key)\" must be true or false, got \(value.typeName)")
        }
        return flag
    }

    func skillLevels(_ key: String) throws(EventRejection) -> [String: Int] {
        guard let value = object[key], !value.isNull else { return [:] }
        guard let skills = value.objectValue else {
            throw EventRejection(.wrongType, "\(type) \"\(key)\" must be an object of queue: level, got \(value.typeName)")
        }
        var result: [String: Int] = [:]
        for member in skills.members {
            guard let level = member.value.integerValue, level >= 0, level <= 100 else {
                throw EventRejection(.invalidValue, "\(type) \"\(key)\".\"\(member.key)\" must be an integer 0...100")
            }
            result[member.key] = Int(level)
        }
        return result
    }

    func monitor(_ key: String) throws(EventRejection) -> MonitorHandle? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let nested = value.objectValue else {
            throw EventRejection(.wrongType, "\(type) \"\(key)\" must be an object, got \(value.typeName)")
        }
        let fields = Fields(object: nested, type: "\(type) \(key)")
        return MonitorHandle(kind: try fields.string("kind"), target: try fields.string("target"))
    }
}
