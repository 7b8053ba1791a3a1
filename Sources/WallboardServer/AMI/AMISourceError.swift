import AMIAdapter
import WallboardCore

/// What went wrong setting up an AMI source or running one of its actions. A closed set; connection
/// failures are not errors here: the source reconnects and reports them in its status.
public enum AMISourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The secret file could not be read (missing, unreadable, not UTF-8).
    case secretFileUnreadable(path: String, reason: String)
    /// The secret file is empty (after trimming its trailing newline).
    case secretFileEmpty(path: String)
    /// `HOST:PORT` did not parse.
    case invalidAddress(String)
    /// The action was not sent: the source is not logged in.
    case notConnected(state: String)
    /// The source stopped before the action was answered.
    case stopped
    /// The connection dropped before the action was answered (it may or may not have run).
    case connectionLost(action: String)
    /// No answer with the action's ActionID within the timeout (it may still run).
    case actionTimedOut(action: String, after: Millis)
    /// Asterisk answered `Response: Error`; `message` is its `Message:` as received (escaped in ``description``).
    case actionFailed(action: String, message: String)
    /// The action could not be encoded (a field held CR or LF).
    case invalidAction(String)
    /// The contact has no known agent channel to monitor (not answered, or already ended).
    case noMonitorTarget(contact: String)
    /// Asterisk placed an originated call that did not connect (busy, not answered, failed ...).
    case originateFailed(action: String, outcome: OriginateOutcome)

    public var description: String {
        switch self {
        case .secretFileUnreadable(let path, let reason): return "cannot read the AMI secret file \(path): \(reason)"
        case .secretFileEmpty(let path): return "the AMI secret file \(path) is empty"
        case .invalidAddress(let text): return "AMI address \"\(text)\" is not HOST:PORT (IPv6 as [ADDRESS]:PORT)"
        case .notConnected(let state): return "the AMI source is not logged in (state \(state))"
        case .stopped: return "the AMI source stopped before the action was answered"
        case .connectionLost(let action): return "the AMI connection dropped before \(action) was answered"
        case .actionTimedOut(let action, let after): return "AMI action \(action) got no answer within \(after / 1000) s"
        case .actionFailed(let action, let message): return "Asterisk refused \(action): \(PrintableText.escaping(message))"
        case .invalidAction(let reason): return "AMI action not sent: \(reason)"
        case .noMonitorTarget(let contact): return "no live agent channel to monitor for contact \(contact)"
        case .originateFailed(let action, let outcome): return "\(action) did not connect: \(outcome)"
        }
    }
}
