import WallboardCore

/// The silent-monitor handle of an answered Asterisk call: the agent's exact device channel and its Uniqueid.
///
/// Canonical form (`MonitorHandle` has two strings): `kind` = `asterisk.channel;uniqueid=<Uniqueid>`,
/// `target` = the full channel name, e.g. `PJSIP/1001-00000012`. Match kinds with
/// `hasPrefix("asterisk.channel")`. The Uniqueid lets the server check, before originating ChanSpy, that the
/// channel with that name is still the same call (channel names are reused only after a restart, Uniqueids never).
public struct AMIMonitorHandle: Sendable, Equatable {
    public static let kindPrefix = "asterisk.channel"

    /// Full channel name, e.g. `PJSIP/1001-00000012`.
    public var channel: String
    /// The channel's Uniqueid, e.g. `1795350564.2`, when known.
    public var uniqueid: String?

    public init(channel: String, uniqueid: String?) {
        self.channel = channel
        self.uniqueid = uniqueid
    }

    /// Reads a canonical handle made by ``monitorHandle``; `nil` for other kinds.
    public init?(_ handle: MonitorHandle) {
        guard handle.kind.hasPrefix(Self.kindPrefix) else { return nil }
        channel = handle.target
        let detail = handle.kind.dropFirst(Self.kindPrefix.count)
        let marker = ";uniqueid="
        uniqueid = detail.hasPrefix(marker) ? String(detail.dropFirst(marker.count)) : nil
    }

    /// The canonical form carried by `contact.answered`.
    public var monitorHandle: MonitorHandle {
        MonitorHandle(kind: uniqueid.map { "\(Self.kindPrefix);uniqueid=\($0)" } ?? Self.kindPrefix, target: channel)
    }
}
