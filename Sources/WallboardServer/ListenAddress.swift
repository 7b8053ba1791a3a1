/// Parses `HOST:PORT` (and `[IPv6]:PORT`) listen addresses.
public enum ListenAddress {
    /// The host and port, or `nil` if `text` is not `HOST:PORT` with a port 0...65535.
    public static func parse(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port), !host.isEmpty else {
            return nil
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}
