/// Tells the core the center's UTC offset at an instant, so "today" and clock-aligned intervals follow
/// the center's wall clock, including daylight-saving changes.
///
/// The core never reads tzdata: the server implements this with Foundation's `TimeZone`
/// (`secondsFromGMT(for:)`), tests use ``FixedUTCOffset`` or a double that switches offset at an instant.
public protocol UTCOffsetProvider: Sendable {
    /// Local time minus UTC at `instant`, in milliseconds (e.g. +3_600_000 for UTC+01:00).
    func offset(at instant: Instant) -> Millis
}

/// A time zone that never changes its offset (UTC by default).
public struct FixedUTCOffset: UTCOffsetProvider, Equatable {
    public var offset: Millis

    public init(_ offset: Millis = 0) { self.offset = offset }

    public func offset(at instant: Instant) -> Millis { offset }
}

/// The center's time zone as the engine configuration holds it: a provider plus a name that makes
/// configurations comparable (two zones with the same `identifier` are taken to be the same).
public struct CenterTimeZone: Sendable, Equatable {
    /// e.g. "Europe/Paris" or "UTC+01:00"; only used for equality and display.
    public var identifier: String
    public var provider: any UTCOffsetProvider

    public init(identifier: String, provider: any UTCOffsetProvider) {
        self.identifier = identifier
        self.provider = provider
    }

    /// UTC.
    public static let utc = CenterTimeZone(identifier: "UTC", provider: FixedUTCOffset(0))

    public static func == (lhs: CenterTimeZone, rhs: CenterTimeZone) -> Bool { lhs.identifier == rhs.identifier }
}
