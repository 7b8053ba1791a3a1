/// Why json-c could not parse a text or build a document.
public struct JSONCError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The json-c function that failed.
    public let function: String
    /// What json-c (or the wrapper) said about it, fit for a client-facing error message.
    public let reason: String
    /// The byte offset in the input where parsing stopped, when it is known.
    public let offset: Int?

    public var description: String {
        if let offset { return "invalid JSON at byte \(offset): \(reason)" }
        return "\(function): \(reason)"
    }
}
