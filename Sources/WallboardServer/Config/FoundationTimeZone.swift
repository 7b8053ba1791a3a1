import Foundation
import WallboardCore

/// The center's IANA time zone through Foundation's tz database, for the core's calendar
/// ("today" and clock-aligned intervals follow the center's local midnight and DST).
public struct FoundationTimeZoneOffset: UTCOffsetProvider {
    private let timeZone: TimeZone

    /// `nil` when `identifier` is not a known IANA zone (e.g. "Europe/Paris").
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.timeZone = zone
    }

    public func offset(at instant: Instant) -> Millis {
        Millis(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: instant.secondsSinceEpoch))) * 1000
    }

    /// The center time zone for `identifier`, or `nil` if unknown.
    public static func centerTimeZone(_ identifier: String) -> CenterTimeZone? {
        FoundationTimeZoneOffset(identifier: identifier).map { CenterTimeZone(identifier: identifier, provider: $0) }
    }
}
