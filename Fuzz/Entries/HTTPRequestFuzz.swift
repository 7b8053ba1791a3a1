import LWS
import WallboardServer

/// One HTTP request written as text — a request line `METHOD /path?query`, `name: value` header
/// lines, a blank line, the body — turned into the ``HTTPRequest`` the server hands its delegate
/// (path and query arguments URL-decoded as libwebsockets does, query split at the first `=`, only
/// the headers the server copies) and given to ``WallboardAPI/handle(_:respond:)``: access control,
/// REST topics, alerts, actions, interactions and the ingest body of `POST /api/v1/events`.
enum HTTPRequestFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let request = request(from: bytes) else { return }
        let (api, engine) = FuzzFixtures.makeAPI(withPolicy: true)
        api.handle(request) { response in _ = response.body.count }
        // Work handed to the engine queue (ingest, readiness, metrics, acks) answers there: wait for it.
        engine.queue.sync {}
        engine.queue.sync {}
    }

    /// The request the text describes, or `nil` when its method is one the server does not route.
    static func request(from bytes: [UInt8]) -> HTTPRequest? {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 64, omittingEmptySubsequences: false)[...]
        guard let requestLine = lines.popFirst() else { return nil }
        let parts = text(requestLine).split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, let method = HTTPMethod(rawValue: String(parts[0])) else { return nil }
        let target = parts[1]
        let pathPart = target.firstIndex(of: "?").map { target[..<$0] } ?? target[...]
        let queryPart = target.firstIndex(of: "?").map { target[target.index(after: $0)...] } ?? ""
        var query: [(name: String, value: String)] = []
        for fragment in queryPart.split(separator: "&") {
            let decoded = urlDecoded(Array(fragment.utf8))
            if let equals = decoded.firstIndex(of: "=") {
                query.append((String(decoded[..<equals]), String(decoded[decoded.index(after: equals)...])))
            } else {
                query.append((decoded, ""))
            }
        }
        var headers: [String: String] = [:]
        var bodyStart = bytes.endIndex
        while let line = lines.popFirst() {
            let header = text(line)
            if header.isEmpty {
                bodyStart = line.endIndex < bytes.endIndex ? line.endIndex + 1 : bytes.endIndex
                break
            }
            guard let colon = header.firstIndex(of: ":") else { continue }
            let name = header[..<colon].lowercased()
            guard HTTPRequestHeader(rawValue: name) != nil else { continue }
            headers[name] = String(header[header.index(after: colon)...].drop(while: { $0 == " " }))
        }
        return HTTPRequest(
            method: method, path: urlDecoded(Array(pathPart.utf8)), query: query, headers: headers,
            body: Array(bytes[bodyStart...]), peer: "192.0.2.1")
    }

    /// A line as the server would see it: lossy UTF-8, a trailing CR dropped.
    private static func text(_ line: ArraySlice<UInt8>) -> String {
        var line = line
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }

    /// `%XX` decoded (a bad escape kept as is), `+` as a space, then lossy UTF-8; a decoded NUL ends
    /// the string, as the server's copy out of a C buffer does. Close to what lws hands over, and a
    /// superset of it: the handlers must cope with any string.
    static func urlDecoded(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: out.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
}
