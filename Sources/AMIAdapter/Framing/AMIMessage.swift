import WallboardCore

/// One header line of an AMI message, `Name: value`, as received.
public struct AMIHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One complete AMI message: the banner line, or a block of `Key: Value` lines ended by a blank line.
///
/// Headers keep their order and duplicates (`Variable:` may repeat); lookup by name is case-insensitive
/// and returns the first occurrence.
public struct AMIMessage: Sendable, Equatable {
    /// What a message is, from its first significant header.
    public enum Kind: Sendable, Equatable {
        /// `Asterisk Call Manager/11.0.0`: a new connection's first line.
        case banner(version: String)
        /// `Event: <name>`, broadcast or part of a list answer (then it carries an ActionID).
        case event(name: String)
        /// `Response: Success|Error|Follows|Goodbye`, answering the action with `actionID`.
        case response(status: String, actionID: String?)
        /// Neither `Event:` nor `Response:`.
        case unknown
    }

    public var headers: [AMIHeader]
    /// Free-text lines of a legacy `Response: Follows` answer (up to `--END COMMAND--`, not included).
    public var output: [String]
    /// The banner line, for a banner message.
    public var bannerLine: String?
    private var lowercasedNames: [String]

    public init(headers: [AMIHeader], output: [String] = []) {
        self.headers = headers
        self.output = output
        self.bannerLine = nil
        self.lowercasedNames = headers.map { $0.name.lowercased() }
    }

    /// A banner message for `line` (`Asterisk Call Manager/x.y.z`).
    public init(banner line: String) {
        self.init(headers: [])
        self.bannerLine = line
    }

    /// Builds a message from `(name, value)` pairs, for tests and synthetic input.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(headers: pairs.map { AMIHeader($0.key, $0.value) })
    }

    /// The first value of header `name` (case-insensitive), or `nil`.
    public subscript(_ name: String) -> String? {
        let key = name.lowercased()
        guard let index = lowercasedNames.firstIndex(of: key) else { return nil }
        return headers[index].value
    }

    /// Every value of header `name` (case-insensitive), in order.
    public func values(_ name: String) -> [String] {
        let key = name.lowercased()
        return lowercasedNames.indices.filter { lowercasedNames[$0] == key }.map { headers[$0].value }
    }

    public var kind: Kind {
        if let bannerLine {
            return .banner(version: String(bannerLine.dropFirst(AMIAdapter.bannerPrefix.count)))
        }
        if let name = self["Event"] { return .event(name: name) }
        if let status = self["Response"] { return .response(status: status, actionID: self["ActionID"]) }
        return .unknown
    }

    /// The `Event:` name, if this is an event.
    public var eventName: String? { bannerLine == nil ? self["Event"] : nil }
    public var actionID: String? { self["ActionID"] }

    /// The `Timestamp:` header (`1795350480.675564`, epoch seconds, present with `timestampevents=yes`),
    /// truncated to the millisecond; `nil` when absent, malformed, or outside
    /// `OutsideNumber.instantRange` (years 2000 to 2199).
    public var timestamp: Instant? { self["Timestamp"].flatMap(AMIMessage.parseEpoch) }

    /// Parses `seconds[.fraction]` since the epoch into an instant, truncated to the millisecond, in integer
    /// arithmetic (no floating-point rounding); `nil` when malformed or outside `OutsideNumber.instantRange`.
    public static func parseEpoch(_ text: String) -> Instant? { OutsideNumber.epochSeconds(text) }

    public static func == (lhs: AMIMessage, rhs: AMIMessage) -> Bool {
        lhs.headers == rhs.headers && lhs.output == rhs.output && lhs.bannerLine == rhs.bannerLine
    }
}
