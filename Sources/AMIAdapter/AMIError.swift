import WallboardCore

/// What went wrong with AMI input or output. A closed set: every case says what was wrong and
/// where, and none of them stops decoding (the decoder resynchronises on the next blank line).
/// Text from the AMI stream appears in ``description`` escaped and cut (`PrintableText`), safe for a log line.
public enum AMIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A line with no `Key: Value` colon where a header was expected. The whole block it was in is dropped.
    /// `line` is the line as received, escaped and cut after ``shownLineLimit`` bytes (`PrintableText`).
    case malformedLine(line: String, lineNumber: Int)
    /// A message (or one unterminated line) grew past the decoder's cap; it was skipped up to the next blank line.
    case messageTooLarge(limit: Int, seen: Int)
    /// The connection ended in the middle of a message; the partial bytes were dropped.
    case truncatedMessage(bytes: Int)
    /// A header name or value to send contains CR or LF, which would inject a header or end the action early.
    case invalidActionField(name: String)
    /// An action was answered with `Response: Error`.
    case actionFailed(action: String, actionID: String, message: String)

    /// How many bytes of a bad line ``malformedLine(line:lineNumber:)`` keeps.
    public static let shownLineLimit = 120

    public var description: String {
        switch self {
        case .malformedLine(let line, let lineNumber):
            return "AMI line \(lineNumber) has no \"Key: Value\" colon: \"\(line)\"; its message was dropped"
        case .messageTooLarge(let limit, let seen):
            return "AMI message exceeded \(limit) bytes (\(seen) seen before giving up); skipped to the next blank line"
        case .truncatedMessage(let bytes):
            return "AMI connection ended inside a message; \(bytes) partial bytes dropped"
        case .invalidActionField(let name):
            return "AMI action field \"\(name)\" contains CR or LF"
        case .actionFailed(let action, let actionID, let message):
            return "AMI action \(action) (ActionID \(PrintableText.escaping(actionID, limit: 80))) failed: "
                + PrintableText.escaping(message)
        }
    }
}
