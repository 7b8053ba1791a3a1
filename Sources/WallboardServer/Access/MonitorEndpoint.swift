/// The endpoint a silent monitor rings: the supervisor's own phone, from the config (a token's
/// `monitor_endpoint`), never from the request. Checked against Asterisk's channel syntax so it can
/// only name one device: `TECH/resource` with a technology from ``defaultTechnologies`` (or the
/// config's `access.monitor_technologies`), never `Local/` (which runs dialplan) and no characters
/// that Originate or dial strings treat specially (`,` `&` `|` `^` `/` `(` `)`, spaces, control bytes).
public enum MonitorEndpoint {
    /// Technologies of phones (not trunks) allowed by default.
    public static let defaultTechnologies = ["PJSIP", "SIP", "IAX2"]

    /// Why `endpoint` may not be a monitor endpoint, or `nil` when it may.
    public static func problem(_ endpoint: String, technologies: [String] = defaultTechnologies) -> String? {
        let parts = endpoint.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            return "\"\(endpoint)\" is not TECH/resource, e.g. PJSIP/2001"
        }
        let technology = String(parts[0])
        if technology.lowercased() == "local" {
            return "Local/ channels run dialplan and are never allowed; name the supervisor's phone, e.g. PJSIP/2001"
        }
        guard technologies.contains(technology) else {
            return "technology \(technology) is not allowed for monitors (allowed: \(technologies.joined(separator: ", ")); "
                + "add it to access.monitor_technologies to allow it)"
        }
        let resource = parts[1].utf8
        guard resource.count <= 80 else { return "the resource after \(technology)/ is longer than 80 characters" }
        let allowed: (UInt8) -> Bool = { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default: return "_.-+@:".utf8.contains(byte)
            }
        }
        guard resource.allSatisfy(allowed) else {
            return "the resource after \(technology)/ may hold only letters, digits and _ . - + @ :"
        }
        return nil
    }
}
