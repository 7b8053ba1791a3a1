import CLibWebSockets
import Glibc

/// The address the server binds, checked before libwebsockets sees it: libwebsockets logs and goes
/// on when an address is not on this machine (then listens on nothing), and binds every interface
/// for an IPv4 literal unless IPv6 is disabled. Both must be a clear start error or handled.
enum ListenHost {
    /// `localhost` as 127.0.0.1 (what the docs promise), an IP literal as is. Throws when the address
    /// is not on this machine or is not an IP address.
    static func checked(_ host: String, port: Int) throws(LWSError) -> String {
        let address = host == "localhost" ? "127.0.0.1" : host
        var family: Int32 = 0
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET, address, &v4.sin_addr) == 1 {
            family = AF_INET
        } else if inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 {
            family = AF_INET6
        } else {
            throw LWSError(
                function: "bind", reason: "\(host) is not an IP address; listen on e.g. 127.0.0.1, 0.0.0.0 or ::1")
        }
        // Bind a throwaway socket to the address (any port) to learn whether it is ours.
        let probe = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { return address }
        defer { close(probe) }
        let result: Int32
        if family == AF_INET {
            v4.sin_family = sa_family_t(AF_INET)
            result = withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            v6.sin6_family = sa_family_t(AF_INET6)
            result = withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        if result != 0 && errno == EADDRNOTAVAIL {
            throw LWSError(function: "bind", reason: "\(host) is not an address of this machine (cannot listen on \(host):\(port))")
        }
        return address
    }

    /// Whether `host` is an IPv4 literal.
    static func isIPv4(_ host: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }
}
