import JSONModel

/// One HTTP request to send: what the builders return and the ``Outbox`` stores.
///
/// The body stays a ``JSONValue`` so this module needs no JSON encoder; the server encodes it (json-c)
/// when it sends. Every body is JSON (an object; an array for Alertmanager's API) sent with
/// `Content-Type: application/json`.
public struct NotificationRequest: Sendable, Equatable {
    /// One header line; a list (not a dictionary) so the order on the wire is stable.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var method: String
    public var url: String
    public var headers: [Header]
    public var body: JSONValue

    public init(method: String = "POST", url: String, headers: [Header], body: JSONValue) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first(where: { $0.name.lowercased() == name.lowercased() })?.value
    }
}
