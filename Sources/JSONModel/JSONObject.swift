/// A JSON object whose members keep their insertion order.
///
/// Lookups are linear: objects here are small (events, snapshot entries), and order matters more
/// than lookup speed because encoded payloads must be byte-stable for ETags and tests.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// One member of the object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
    }

    /// The members in insertion order.
    public private(set) var members: [Member] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// An object of `pairs` in order, whose keys the caller knows to be distinct (a parser's output).
    /// Linear, where setting members one by one is quadratic (a parsed object of 40,000 keys took 90 s).
    /// Given a repeated key anyway, lookups find the first.
    public init(distinctKeys pairs: [(String, JSONValue)]) {
        members = pairs.map { Member(key: $0.0, value: $0.1) }
    }

    /// The value for `key`; setting `nil` removes the member, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { members.first(where: { $0.key == key })?.value }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// The member names in order.
    public var keys: [String] { members.map(\.key) }

    /// The number of members.
    public var count: Int { members.count }
}
