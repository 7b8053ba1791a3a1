/// What a figure is about: the whole center, a queue, a team, a channel, a customer segment or a language.
public enum ScopeKey: Sendable, Hashable, Comparable {
    case center
    case queue(String)
    case team(String)
    case channel(String)
    case segment(String)
    case language(String)

    /// The `kind:id` form, e.g. `queue:sales`, as topic names use.
    public var name: String {
        switch self {
        case .center: return "center"
        case .queue(let id): return "queue:\(id)"
        case .team(let id): return "team:\(id)"
        case .channel(let id): return "channel:\(id)"
        case .segment(let id): return "segment:\(id)"
        case .language(let id): return "language:\(id)"
        }
    }

    public static func < (lhs: ScopeKey, rhs: ScopeKey) -> Bool { lhs.name < rhs.name }
}

/// One entry of the engine's history, placed in time at the moment windows count it.
public enum TimelineEntry: Sendable, Equatable {
    case departure(QueueDeparture)
    case handled(HandledContact)
    case transfer(TransferRecord)
    case survey(SurveyRecord)
    /// Counted by overlap; placed at its end.
    case agentSpan(AgentStateSpan)
    /// A callback requested, attempted, connected, failed or expired (Metrics/CallbackFigures.swift).
    case callback(CallbackRecord)
    /// A contact entering self-service, self-served, going on to a queue or expiring there.
    case selfService(SelfServiceRecord)

    /// When the entry counts: the departure, wrap-up end, transfer, survey, or the end of a span.
    public var time: Instant {
        switch self {
        case .departure(let record): return record.leftAt
        case .handled(let record): return record.finishedAt
        case .transfer(let record): return record.at
        case .survey(let record): return record.at
        case .agentSpan(let span): return span.to
        case .callback(let record): return record.at
        case .selfService(let record): return record.at
        }
    }

    /// Every scope the entry counts in. Departures count for the answering agent's team (answered only),
    /// callbacks for the connected agent's team (connected only); self-service counts in the center only.
    public var scopes: [ScopeKey] {
        var keys: [ScopeKey] = [.center]
        func add(queue: String?, channel: Channel?, team: String?, segment: String?, language: String?) {
            if let queue { keys.append(.queue(queue)) }
            if let channel { keys.append(.channel(channel.rawValue)) }
            if let team { keys.append(.team(team)) }
            if let segment { keys.append(.segment(segment)) }
            if let language { keys.append(.language(language)) }
        }
        switch self {
        case .departure(let r):
            add(queue: r.queue, channel: r.channel, team: r.team, segment: r.customer?.segment, language: r.language)
        case .handled(let r):
            add(queue: r.queue, channel: r.channel, team: r.team, segment: r.segment, language: r.language)
        case .transfer(let r):
            add(queue: r.fromQueue, channel: r.channel, team: r.team, segment: nil, language: nil)
        case .survey(let r):
            add(queue: r.queue, channel: r.channel, team: r.team, segment: r.segment, language: r.language)
        case .agentSpan(let span):
            keys += span.queues.map { .queue($0) }
            if let team = span.team { keys.append(.team(team)) }
        case .callback(let r):
            add(queue: r.queue, channel: r.channel, team: r.team, segment: r.segment, language: r.language)
        case .selfService:
            break  // before any queue: the center only
        }
        return keys
    }
}

/// What decides the scopes of a point entry (``TimelineEntry/scopes``): two entries with the same
/// signature count in the same scopes, so their scope ids can be looked up once (``ScopeRegistry``).
struct ScopeSignature: Hashable, Sendable {
    var queue: String?
    var channel: Channel?
    var team: String?
    var segment: String?
    var language: String?
}

extension TimelineEntry {
    /// The fields ``scopes`` is made of; nil for an agent span (its queues are a list).
    var scopeSignature: ScopeSignature? {
        switch self {
        case .departure(let r):
            return ScopeSignature(queue: r.queue, channel: r.channel, team: r.team, segment: r.customer?.segment, language: r.language)
        case .handled(let r):
            return ScopeSignature(queue: r.queue, channel: r.channel, team: r.team, segment: r.segment, language: r.language)
        case .transfer(let r):
            return ScopeSignature(queue: r.fromQueue, channel: r.channel, team: r.team, segment: nil, language: nil)
        case .survey(let r):
            return ScopeSignature(queue: r.queue, channel: r.channel, team: r.team, segment: r.segment, language: r.language)
        case .callback(let r):
            return ScopeSignature(queue: r.queue, channel: r.channel, team: r.team, segment: r.segment, language: r.language)
        case .selfService:
            return ScopeSignature()
        case .agentSpan:
            return nil
        }
    }
}
