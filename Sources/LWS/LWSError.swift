/// A libwebsockets call that failed, with the C function's name.
package struct LWSError: Error, CustomStringConvertible, Sendable {
    package let function: String
    package let reason: String

    package init(function: String, reason: String) {
        self.function = function
        self.reason = reason
    }

    package var description: String { "\(function) failed: \(reason)" }
}
