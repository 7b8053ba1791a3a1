/// What became of an async `Originate`, read from its `OriginateResponse` event: `Response: Success` or
/// `Failure`, and `Reason`, the last call-progress state Asterisk saw on the originated channel
/// (its `ast_control_frame_type`: 1 hang-up, 3 ringing, 4 answer, 5 busy, 8 congestion; 0 when the
/// channel could not even be created).
public enum OriginateOutcome: Sendable, Equatable, CustomStringConvertible {
    /// The phone answered (`Reason: 4`).
    case answered
    /// The phone was busy (`Reason: 5`).
    case busy
    /// It rang until the Originate timeout without being answered (`Reason: 3`).
    case noAnswer
    /// It was rejected or hung up before answering (`Reason: 1`).
    case declined
    /// The network or the PBX had no way through (`Reason: 8`).
    case congestion
    /// No call was placed: unknown or unreachable endpoint, or another failure (`Reason: 0` or other).
    case failed(reason: Int?)

    public init(_ event: AMIMessage) {
        let reason = event["Reason"].flatMap { Int(String($0.filter { !$0.isWhitespace })) }
        if event["Response"]?.lowercased() == "success" {
            self = .answered
            return
        }
        switch reason {
        case 1: self = .declined
        case 3: self = .noAnswer
        case 4: self = .answered
        case 5: self = .busy
        case 8: self = .congestion
        default: self = .failed(reason: reason)
        }
    }

    /// A stable name for APIs and logs: `answered`, `busy`, `no_answer`, `declined`, `congestion`, `failed`.
    public var code: String {
        switch self {
        case .answered: return "answered"
        case .busy: return "busy"
        case .noAnswer: return "no_answer"
        case .declined: return "declined"
        case .congestion: return "congestion"
        case .failed: return "failed"
        }
    }

    public var description: String {
        switch self {
        case .answered: return "the phone answered"
        case .busy: return "the phone was busy"
        case .noAnswer: return "the phone rang but nobody answered"
        case .declined: return "the call was declined or hung up before it was answered"
        case .congestion: return "no way through to the phone (congestion)"
        case .failed(let reason):
            return "Asterisk could not place the call (unknown or unreachable endpoint; reason \(reason.map(String.init) ?? "none"))"
        }
    }
}
