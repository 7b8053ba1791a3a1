/// An HTTP method the server routes.
public enum HTTPMethod: String, Sendable, Equatable {
    case get = "GET", head = "HEAD", post = "POST", put = "PUT", delete = "DELETE", patch = "PATCH", options = "OPTIONS"
}

/// One HTTP request as the server read it, with its body when there is one.
public struct HTTPRequest: Sendable {
    package var method: HTTPMethod
    /// The path without the query string, e.g. `/api/v1/snapshot`.
    package var path: String
    /// Query parameters in order, already URL-decoded.
    package var query: [(name: String, value: String)]
    /// The request headers this server reads (names in lower case).
    package var headers: [String: String]
    package var body: [UInt8]
    /// The peer's address, e.g. `127.0.0.1`.
    package var peer: String

    package init(
        method: HTTPMethod, path: String, query: [(name: String, value: String)] = [], headers: [String: String] = [:],
        body: [UInt8] = [], peer: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.peer = peer
    }

    /// The first query value named `name`.
    package func queryValue(_ name: String) -> String? { query.first(where: { $0.name == name })?.value }
}

/// An HTTP response to send back.
public struct HTTPResponse: Sendable {
    package var status: Int
    package var contentType: String
    /// Extra headers, names in lower case without the colon (e.g. `etag`).
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(status: Int, contentType: String = "application/json", headers: [(name: String, value: String)] = [],
                body: [UInt8] = [])
    {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A response whose body is `text` (UTF-8).
    package init(status: Int, contentType: String = "application/json", headers: [(name: String, value: String)] = [],
                text: String)
    {
        self.init(status: status, contentType: contentType, headers: headers, body: Array(text.utf8))
    }
}

/// The request headers the server copies out of libwebsockets for handlers.
package enum HTTPRequestHeader: String, CaseIterable, Sendable {
    case authorization, contentType = "content-type", ifNoneMatch = "if-none-match", origin, cookie,
        userAgent = "user-agent", xForwardedFor = "x-forwarded-for", host
    /// `Accept: text/csv` asks `/api/v1/intervals` for CSV.
    case accept
}
