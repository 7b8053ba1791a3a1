/// Held-back events (``WallboardEngine/deferred``) are retried only when an applied event names an id they
/// name: a contact or agent becomes known only through an event that names it (or a `source.snapshot`,
/// which names any number), so nothing else can let them apply. Before, every applied event retried every
/// held one, building its rejection again: a stream with thousands of events for unknown contacts (a
/// back-filled day whose contacts had gone idle, or hostile input) cost thousands of retries per event.
extension WallboardEngine {
    /// Counts of the ids the held events name ("c:" contact, "a:" agent), and of held events that name
    /// any (snapshots). Rebuilt from ``deferred`` after a restore; not checkpointed.
    struct HeldIndex: Sendable, Equatable {
        var names: [String: Int] = [:]
        var anything = 0

        init() {}

        init<S: Sequence>(_ events: S) where S.Element == Event {
            for event in events { add(event) }
        }

        mutating func add(_ event: Event) {
            guard let ids = event.body.namedIDs else {
                anything += 1
                return
            }
            for id in ids { names[id, default: 0] += 1 }
        }

        mutating func remove(_ event: Event) {
            guard let ids = event.body.namedIDs else {
                anything -= 1
                return
            }
            for id in ids {
                let left = (names[id] ?? 0) - 1
                names[id] = left > 0 ? left : nil
            }
        }

        /// Whether an event naming `ids` (nil: any) may let a held event apply.
        func mayRelease(_ ids: [String]?) -> Bool {
            guard anything == 0, let ids else { return !isEmpty }
            return ids.contains { names[$0] != nil }
        }

        var isEmpty: Bool { names.isEmpty && anything == 0 }
    }

    /// Retries, oldest event time first, the held events that `applied` (and, in turn, each retried event
    /// that applies) may have released.
    mutating func retryDeferred(after applied: Event) {
        guard !deferred.isEmpty, heldIndex.mayRelease(applied.body.namedIDs) else { return }
        var released = Set(applied.body.namedIDs ?? [])
        var releasedAnything = applied.body.namedIDs == nil
        var progress = true
        while progress, !deferred.isEmpty {
            progress = false
            // `deferred` is kept sorted by event time: no sort on every applied event.
            for index in deferred.indices {
                let item = deferred[index]
                guard releasedAnything || (item.event.body.namedIDs?.contains(where: released.contains) ?? true) else { continue }
                do {
                    try transition(item.event)
                } catch {
                    if error.code == .unknownContact || error.code == .unknownAgent { continue }
                    removeDeferred(at: index)
                    counters.rejected[error.code, default: 0] += 1
                    progress = true
                    break
                }
                removeDeferred(at: index)
                counters.applied[item.event.type, default: 0] += 1
                noteActivity(at: item.event.timestamp)
                released.formUnion(item.event.body.namedIDs ?? [])
                releasedAnything = releasedAnything || item.event.body.namedIDs == nil
                progress = true
                break
            }
        }
    }

    /// Holds `event` back, kept oldest event time first (arrival order among equal times).
    mutating func holdBack(_ event: Event, receivedAt: Instant, rejection: EventRejection) {
        let index = deferred.lastIndex { $0.event.timestamp <= event.timestamp }.map { $0 + 1 } ?? 0
        deferred.insert((event, receivedAt, rejection), at: index)
        heldIndex.add(event)
        counters.deferred += 1
    }

    private mutating func removeDeferred(at index: Int) {
        heldIndex.remove(deferred.remove(at: index).event)
        counters.deferred -= 1
    }
}

extension EventBody {
    /// The contact and agent ids this event names ("c:<id>", "a:<id>"); nil for a `source.snapshot`, which
    /// may name any.
    var namedIDs: [String]? {
        switch self {
        case .agentLogin(let login): return ["a:" + login.agent]
        case .agentState(let agent, _, _), .agentLogout(let agent): return ["a:" + agent]
        case .contactQueued(let queued): return ["c:" + queued.contact]
        case .contactAnswered(let contact, let agent, _), .contactWrapupDone(let contact, let agent),
            .contactCallbackConnected(let contact, let agent):
            return ["c:" + contact, "a:" + agent]
        case .contactTransferred(let contact, _, let toAgent):
            return toAgent.map { ["c:" + contact, "a:" + $0] } ?? ["c:" + contact]
        case .contactAbandoned(let contact), .contactHeld(let contact), .contactResumed(let contact),
            .contactEnded(let contact), .contactCallbackRequested(let contact), .contactCallbackAttempted(let contact),
            .contactCallbackFailed(let contact, _), .contactEnteredSelfService(let contact, _),
            .contactSelfServed(let contact, _):
            return ["c:" + contact]
        case .surveyCompleted(let survey): return ["c:" + survey.contact]
        case .sourceSnapshot: return nil
        }
    }
}
