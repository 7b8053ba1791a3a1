/// Follows just enough channel events to find the device channel behind a queue member's channel.
///
/// A member `Local/1001@from-queue/n` is called as the Local pair `Local/1001@from-queue-0000001a;1` (the
/// queue's side, `DestChannel` of AgentConnect) and `;2` (runs the dialplan, which dials the phone, e.g.
/// `PJSIP/1001-00000012`). Resolution: `;1` → its `;2` peer → what `;2` dialed and answered (DialEnd
/// `DialStatus: ANSWER`, else the last DialBegin) → repeat while the result is another Local channel.
struct ChannelTracker: Sendable {
    struct Ref: Sendable, Equatable {
        var name: String
        var uniqueid: String?
    }

    private var uniqueids: [String: String] = [:]
    private var dialed: [String: Ref] = [:]
    private var answered: [String: Ref] = [:]
    /// Bridge id → the channels in it (BridgeEnter/BridgeLeave), to find an attended transfer's target.
    private var bridges: [String: Set<String>] = [:]

    mutating func note(_ message: AMIMessage) {
        if let channel = message["Channel"], let uniqueid = message["Uniqueid"] { uniqueids[channel] = uniqueid }
        if let dest = message["DestChannel"], let uniqueid = message["DestUniqueid"] { uniqueids[dest] = uniqueid }
        switch message.eventName {
        case "DialBegin":
            if let channel = message["Channel"], let dest = message["DestChannel"] {
                dialed[channel] = Ref(name: dest, uniqueid: message["DestUniqueid"])
            }
        case "DialEnd":
            if let channel = message["Channel"], let dest = message["DestChannel"],
                message["DialStatus"]?.uppercased() == "ANSWER"
            {
                answered[channel] = Ref(name: dest, uniqueid: message["DestUniqueid"])
            }
        case "BridgeEnter":
            if let bridge = message["BridgeUniqueid"], let channel = message["Channel"] { bridges[bridge, default: []].insert(channel) }
        case "BridgeLeave":
            if let bridge = message["BridgeUniqueid"], let channel = message["Channel"] {
                bridges[bridge]?.remove(channel)
                if bridges[bridge]?.isEmpty == true { bridges[bridge] = nil }
            }
        case "BridgeDestroy":
            if let bridge = message["BridgeUniqueid"] { bridges[bridge] = nil }
        case "Rename":
            if let old = message["Channel"], let new = message["Newname"] {
                uniqueids[new] = uniqueids.removeValue(forKey: old)
            }
        default:
            break
        }
    }

    mutating func hungUp(_ channel: String) {
        uniqueids[channel] = nil
        dialed[channel] = nil
        answered[channel] = nil
    }

    func uniqueid(of channel: String) -> String? { uniqueids[channel] }

    /// The channels in `bridge` now, sorted (empty when unknown).
    func channels(inBridge bridge: String) -> [String] { (bridges[bridge] ?? []).sorted() }

    /// The device channel behind `start` (itself when nothing better is known).
    func resolve(_ start: Ref) -> Ref {
        var current = start
        for _ in 0..<8 {
            guard let peer = ChannelTracker.localPeer(of: current.name),
                let next = answered[peer] ?? dialed[peer]
            else { break }
            current = next
        }
        if current.uniqueid == nil { current.uniqueid = uniqueids[current.name] }
        return current
    }

    /// `Local/x@ctx-0000001a;1` ↔ `;2`; `nil` for other channels.
    static func localPeer(of name: String) -> String? {
        guard name.hasPrefix("Local/") else { return nil }
        if name.hasSuffix(";1") { return String(name.dropLast()) + "2" }
        if name.hasSuffix(";2") { return String(name.dropLast()) + "1" }
        return nil
    }

    /// The interface a channel was created for: `PJSIP/1001-00000012` → `PJSIP/1001`,
    /// `Local/1001@agents-00000001;1` → `Local/1001@agents`.
    static func interfaceBase(ofChannel name: String) -> String {
        var base = Substring(name)
        if base.hasSuffix(";1") || base.hasSuffix(";2") { base = base.dropLast(2) }
        if let dash = base.lastIndex(of: "-") { base = base[..<dash] }
        return base.lowercased()
    }

    /// A member interface without Local channel options: `Local/1001@agents/n` → `Local/1001@agents`.
    static func interfaceBase(ofInterface interface: String) -> String {
        var base = Substring(interface)
        if base.hasPrefix("Local/"), let slash = base.dropFirst("Local/".count).firstIndex(of: "/") {
            base = base[..<slash]
        }
        return base.lowercased()
    }
}
