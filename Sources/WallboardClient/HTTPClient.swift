/// A minimal blocking HTTP/1.1 client for talking to a wallboardd (plain http, one request per connection).
public enum HTTPClient {
    /// A response: status, headers (names lower-cased) and body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends one request and reads the whole response.
    public static func request(
        _ method: String, _ url: String, headers: [String: String] = [:], body: [UInt8] = [], timeoutSeconds: Int = 10
    ) throws(ClientError) -> Response {
        let target = try URLParts(url)
        let connection = try TCPConnection(host: target.host, port: target.port, timeoutSeconds: timeoutSeconds)
        var head = "\(method) \(target.pathAndQuery) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try connection.write(Array(head.utf8) + body)
        let headerBytes = try connection.read(until: Array("\r\n\r\n".utf8))
        let lines = String(decoding: headerBytes, as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1."),
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw .protocolViolation("bad status line") }
        var responseHeaders: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            responseHeaders[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
        }
        let responseBody: [UInt8]
        if method == "HEAD" {
            responseBody = []
        } else if let length = responseHeaders["content-length"].flatMap({ Int($0) }) {
            responseBody = try connection.read(exactly: length)
        } else if status == 304 || status == 204 {
            responseBody = []
        } else {
            responseBody = try connection.readToEnd()
        }
        return Response(status: status, headers: responseHeaders, body: responseBody)
    }

    /// `GET url`.
    public static func get(_ url: String, headers: [String: String] = [:]) throws(ClientError) -> Response {
        try request("GET", url, headers: headers)
    }
}

/// The parts of an `http://` or `ws://` URL this client needs.
struct URLParts {
    var host: String
    var port: Int
    var pathAndQuery: String

    init(_ url: String) throws(ClientError) {
        var rest = Substring(url)
        var defaultPort = 80
        if rest.hasPrefix("http://") || rest.hasPrefix("ws://") {
            rest = rest.drop(while: { $0 != "/" }).dropFirst(2)
        } else {
            throw .badURL(url)
        }
        let authority = rest.prefix(while: { $0 != "/" && $0 != "?" })
        let path = rest.dropFirst(authority.count)
        pathAndQuery = path.isEmpty ? "/" : String(path)
        if let colon = authority.lastIndex(of: ":") {
            guard let port = Int(authority[authority.index(after: colon)...]) else { throw .badURL(url) }
            defaultPort = port
            host = String(authority[..<colon])
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { throw .badURL(url) }
        port = defaultPort
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
