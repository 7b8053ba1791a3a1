/// A libwebsockets call that failed, with the C function's name.
public struct LWSError: Error, CustomStringConvertible, Sendable {
    public let function: String
    public let reason: String

    public init(function: String, reason: String) {
        self.function = function
        self.reason = reason
    }

    public var description: String { "\(function) failed: \(reason)" }
}
