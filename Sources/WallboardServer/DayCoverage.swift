import Foundation
import JSONModel
import WallboardCore

/// Whether "today" on the board covers the whole day, or only the time since this process started: with no
/// state directory a restart forgets the day; with one, a stop long enough to miss events leaves a gap.
///
/// The daemon writes the time into `<state_dir>/alive` every minute and at shutdown; at start the file says
/// when the previous run was last alive. Until the next start of day the board, `/healthz` and the snapshot
/// say since when today's figures count (`today_since`) and why (`today_partial_reason`).
public struct DayCoverage: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        /// No `state_dir`: nothing is kept across a restart.
        case noStateDirectory = "no_state_dir"
        /// A state directory without an `alive` file: its first start, or the first since an upgrade (the
        /// journal may then hold today after all; the notice errs on the side of "partial").
        case noHistory = "no_history"
        /// The previous run was last alive at `downSince`, longer ago than ``gapTolerance``.
        case downtime = "daemon_down"
    }

    /// How long a restart may take before the events it missed count as a gap (the `alive` file is written
    /// every minute, so a restart within a minute or two is not one).
    public static let gapTolerance: Millis = .seconds(150)
    /// How often the `alive` file is rewritten.
    public static let markerInterval: Duration = .seconds(60)

    /// The figures count from here (this process's start).
    public var since: Instant
    public var reason: Reason
    /// When the previous run was last alive (``Reason/downtime`` only).
    public var downSince: Instant?

    public init(since: Instant, reason: Reason, downSince: Instant? = nil) {
        self.since = since
        self.reason = reason
        self.downSince = downSince
    }

    /// What a start at `startedAt` means for today: `nil` when the previous run was alive until moments
    /// before (nothing missed). `lastAlive` is the `alive` file's time, `nil` when there is none.
    public static func assess(hasStateDirectory: Bool, lastAlive: Instant?, startedAt: Instant) -> DayCoverage? {
        guard hasStateDirectory else { return DayCoverage(since: startedAt, reason: .noStateDirectory) }
        guard let lastAlive else { return DayCoverage(since: startedAt, reason: .noHistory) }
        guard startedAt.since(lastAlive) > gapTolerance else { return nil }
        return DayCoverage(since: startedAt, reason: .downtime, downSince: lastAlive)
    }

    /// True while `now`'s day started before ``since``: today's figures leave out its beginning.
    public func isPartial(now: Instant, calendar: CenterCalendar) -> Bool {
        calendar.startOfDay(containing: now) < since
    }

    /// Adds the fields of the snapshot, the `center` topic and `/healthz`: `today_since`,
    /// `today_partial_reason` and, after a gap, `today_down_since`.
    public func addFields(to object: inout JSONObject) {
        object["today_since"] = .string(RFC3339.format(since))
        object["today_partial_reason"] = .string(reason.rawValue)
        if let downSince { object["today_down_since"] = .string(RFC3339.format(downSince)) }
    }

    /// The log line's words for ``reason``.
    public var explanation: String {
        switch reason {
        case .noStateDirectory: "no state_dir: today's figures start now and a restart loses them"
        case .noHistory: "no alive file in the state_dir (its first start, or the first since an upgrade): today's figures may start now"
        case .downtime: "wallboardd was not running since \(RFC3339.format(downSince ?? since)): today's figures leave out what happened meanwhile"
        }
    }

    // MARK: The `alive` file

    /// `<state_dir>/alive`.
    public static func markerPath(stateDirectory: String) -> String { stateDirectory + "/alive" }

    /// The time in the `alive` file: `nil` when there is none; a file that is not one epoch-milliseconds
    /// number is reported and read as absent (the day then counts as without history, never as whole).
    public static func readMarker(stateDirectory: String) -> (Instant?, problem: String?) {
        let path = markerPath(stateDirectory: stateDirectory)
        guard let data = FileManager.default.contents(atPath: path) else { return (nil, nil) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let ms = Int64(text), ms > 0 else {
            return (nil, "\(path) does not hold epoch milliseconds (\(PrintableText.escaping(text, limit: 40)))")
        }
        return (Instant(milliseconds: ms), nil)
    }

    /// Writes `now` into the `alive` file (a temporary file renamed over it). Returns the error text on failure.
    @discardableResult
    public static func writeMarker(stateDirectory: String, now: Instant) -> String? {
        let url = URL(fileURLWithPath: markerPath(stateDirectory: stateDirectory))
        do {
            try Data("\(now.milliseconds)\n".utf8).write(to: url, options: .atomic)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
