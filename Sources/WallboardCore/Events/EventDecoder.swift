import JSONModel

/// Turns a JSON object into an ``Event``, validating every field, or says precisely what is wrong.
///
/// Every string is checked against its limit (``EventLimits``) before it is kept or quoted in a
/// message, so a rejection never echoes more than a limit's worth of the input.
public enum EventDecoder {
    /// Longest accepted id, agent, contact or queue identifier by default (``EventLimits/maxIDBytes``).
    public static let maximumIdentifierLength = EventLimits.standard.maxIDBytes

    /// Decodes one event object under `limits`.
    public static func decode(_ json: JSONValue, limits: EventLimits = .standard) throws(EventRejection) -> Event {
        try decode(readable: json, limits: limits)
    }

    /// Decodes one event object from any parsed tree (e.g. json-c's, read in place without building a
    /// ``JSONValue``): the same checks and messages as ``decode(_:limits:)``.
    @inlinable
    public static func decode<Value: JSONReadable>(readable json: Value, limits: EventLimits = .standard)
        throws(EventRejection) -> Event
    {
        guard json.isObject else {
            throw EventRejection(.notAnObject, "an event must be a JSON object, got \(json.typeName)")
        }
        let object = json
        let type = try EventFields(object: object, type: "event", limits: limits).keyword("type")
        guard EventBody.allTypeNames.contains(type) else {
            throw EventRejection(
                .unknownType, "unknown event type \"\(type)\"; known: \(EventBody.allTypeNames.joined(separator: ", "))")
        }
        let fields = EventFields(object: object, type: type, limits: limits)
        let id = try fields.identifier("id")
        let tsText = try fields.keyword("ts")
        guard let timestamp = RFC3339.parse(tsText) else {
            throw EventRejection(.badTimestamp, "\(type) \"ts\": \"\(tsText)\" is not an RFC 3339 date-time")
        }
        return Event(id: id, timestamp: timestamp, body: try body(type: type, fields))
    }

    /// The event's `id` when `json` has one that may be quoted back to its sender (a non-empty string
    /// within the id limit), whether or not the rest of the event is valid.
    public static func quotableID(of json: JSONValue, limits: EventLimits = .standard) -> String? {
        quotableID(readable: json, limits: limits)
    }

    /// ``quotableID(of:limits:)`` of any parsed tree.
    @inlinable
    public static func quotableID<Value: JSONReadable>(readable json: Value, limits: EventLimits = .standard) -> String? {
        guard let id = json.member("id")?.stringValue, !id.isEmpty, id.utf8.count <= limits.maxIDBytes else {
            return nil
        }
        return id
    }

    @inlinable
    static func body<Value>(type: String, _ fields: EventFields<Value>) throws(EventRejection) -> EventBody {
        switch type {
        case "agent.login":
            return .agentLogin(
                AgentLogin(
                    agent: try fields.identifier("agent"), name: try fields.optionalName("name") ?? "",
                    team: try fields.optionalIdentifier("team"), queues: try fields.identifierList("queues"),
                    skills: try fields.skillLevels("skills"), languages: try fields.labelList("languages")))
        case "agent.state":
            let stateText = try fields.keyword("state")
            guard let state = AgentState(rawValue: stateText) else {
                let known = AgentState.allCases.map(\.rawValue).joined(separator: ", ")
                throw EventRejection(.invalidValue, "agent.state \"state\": \"\(stateText)\" is not one of \(known)")
            }
            let reason = try fields.optionalLabel("reason")
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
        case "source.snapshot":
            return .sourceSnapshot(try sourceSnapshot(fields))
        case "contact.callback_requested":
            return .contactCallbackRequested(contact: try fields.identifier("contact"))
        case "contact.callback_attempted":
            return .contactCallbackAttempted(contact: try fields.identifier("contact"))
        case "contact.callback_connected":
            return .contactCallbackConnected(contact: try fields.identifier("contact"), agent: try fields.identifier("agent"))
        case "contact.callback_failed":
            return .contactCallbackFailed(contact: try fields.identifier("contact"), reason: try fields.optionalLabel("reason"))
        case "contact.entered_self_service":
            return .contactEnteredSelfService(
                contact: try fields.identifier("contact"), entryPoint: try fields.identifier("entry_point"))
        case "contact.self_served":
            return .contactSelfServed(contact: try fields.identifier("contact"), reason: try fields.optionalLabel("reason"))
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

    @inlinable
    static func contactQueued<Value>(_ fields: EventFields<Value>) throws(EventRejection) -> ContactQueued {
        let channelText = try fields.optionalKeyword("channel") ?? "voice"
        guard let channel = Channel(rawValue: channelText) else {
            let known = Channel.allCases.map(\.rawValue).joined(separator: ", ")
            throw EventRejection(.invalidValue, "contact.queued \"channel\": \"\(channelText)\" is not one of \(known)")
        }
        var customer: Customer?
        if let nested = try fields.nested("customer") {
            customer = Customer(id: try nested.optionalIdentifier("id"), segment: try nested.optionalLabel("segment"))
        }
        return ContactQueued(
            contact: try fields.identifier("contact"), queue: try fields.identifier("queue"), channel: channel,
            priority: try fields.optionalInt("priority", range: 0...1000), customer: customer,
            language: try fields.optionalLabel("language"), reason: try fields.optionalLabel("reason"))
    }
}
