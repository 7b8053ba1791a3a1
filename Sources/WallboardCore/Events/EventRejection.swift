/// Why an event was not applied. `description` is the message sent back to the event's sender.
public struct EventRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable machine-readable reason, used as the rejection counter label.
    public enum Code: String, Sendable, Equatable {
        case notAnObject = "not_an_object"
        case missingField = "missing_field"
        case wrongType = "wrong_type"
        case invalidValue = "invalid_value"
        /// A string longer than its limit, or a list with more entries than allowed (``EventLimits``).
        case tooLong = "too_long"
        /// An input line longer than the line limit: skipped without being parsed.
        case lineTooLong = "line_too_long"
        case unknownType = "unknown_type"
        case badTimestamp = "bad_timestamp"
        case unknownContact = "unknown_contact"
        case unknownAgent = "unknown_agent"
        case invalidTransition = "invalid_transition"
        case tooOld = "too_old"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
