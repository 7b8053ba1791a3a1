/// Gives actions their `ActionID`s and matches answers to them: a plain response completes an action
/// at once; a list answer (`EventList: start`) completes when its `...Complete` event with
/// `EventList: Complete` arrives, carrying the list items in between; an action with a
/// ``AMIAction/finalEvent`` (an async `Originate`) that was accepted completes when that event arrives,
/// carried as its only item.
///
/// ActionIDs are `<prefix><connection>-<n>` (e.g. `wb2-5`): unique per connection, readable in a capture.
public struct AMIActionCorrelator: Sendable {
    /// An answered action.
    public struct Completion: Sendable, Equatable {
        public var action: AMIAction
        /// The `Response:` message.
        public var response: AMIMessage
        /// List items (events carrying this ActionID), for list answers; empty otherwise.
        public var items: [AMIMessage]
        /// `false` for `Response: Error` (`Response: Goodbye` for Logoff counts as success), and for a final
        /// event that says `Response: Failure` (an originated call that was not answered).
        public var succeeded: Bool {
            guard let status = response["Response"]?.lowercased(),
                status == "success" || status == "follows" || status == "goodbye"
            else { return false }
            if let final = finalEvent { return final["Response"]?.lowercased() == "success" }
            return true
        }

        /// The action's final event (e.g. `OriginateResponse`), when it has one.
        public var finalEvent: AMIMessage? {
            guard let name = action.finalEvent else { return nil }
            return items.first { $0.eventName?.lowercased() == name.lowercased() }
        }

        /// What became of an async `Originate`: `nil` for other actions and for a refused Originate.
        public var originateOutcome: OriginateOutcome? { finalEvent.map(OriginateOutcome.init) }
    }

    private struct Pending: Sendable {
        var action: AMIAction
        var response: AMIMessage?
        var items: [AMIMessage] = []
    }

    public var prefix: String
    /// Increments on ``connectionStarted()``, so ids of a new connection never repeat an old one's.
    public private(set) var connection = 0
    private var counter = 0
    private var pending: [String: Pending] = [:]

    public init(prefix: String = "wb") {
        self.prefix = prefix
    }

    /// Forgets every unanswered action (a new connection will never answer them) and returns them.
    @discardableResult
    public mutating func connectionStarted() -> [AMIAction] {
        connection += 1
        counter = 0
        let lost = pending.values.map(\.action)
        pending.removeAll()
        return lost
    }

    /// Gives `action` the next ActionID, remembers it, and returns it with its id set.
    public mutating func register(_ action: AMIAction) -> AMIAction {
        if connection == 0 { connection = 1 }
        counter += 1
        var action = action
        action.actionID = "\(prefix)\(connection)-\(counter)"
        pending[action.actionID!] = Pending(action: action)
        return action
    }

    /// Actions sent and not yet fully answered.
    public var outstanding: [AMIAction] { pending.values.map(\.action) }

    /// Notes `message`; returns the completion when it finishes an action of ours.
    public mutating func receive(_ message: AMIMessage) -> Completion? {
        guard let id = message.actionID, var entry = pending[id] else { return nil }
        switch message.kind {
        case .response:
            entry.response = message
            let isList = message["EventList"]?.lowercased() == "start"
            let accepted = message["Response"]?.lowercased() == "success"
            if !isList, !(accepted && entry.action.finalEvent != nil) {
                pending[id] = nil
                return Completion(action: entry.action, response: message, items: [])
            }
            pending[id] = entry
        case .event:
            if let final = entry.action.finalEvent, message.eventName?.lowercased() == final.lowercased() {
                pending[id] = nil
                let response = entry.response ?? AMIMessage(["Response": "Success", "ActionID": id])
                return Completion(action: entry.action, response: response, items: [message])
            }
            if message["EventList"]?.lowercased() == "complete" {
                pending[id] = nil
                let response = entry.response ?? AMIMessage(["Response": "Success", "ActionID": id])
                return Completion(action: entry.action, response: response, items: entry.items)
            }
            entry.items.append(message)
            pending[id] = entry
        case .banner, .unknown:
            break
        }
        return nil
    }
}
