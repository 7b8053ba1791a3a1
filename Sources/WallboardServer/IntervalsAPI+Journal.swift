import JSONC
import WallboardCore
import WallboardJournal

/// A past day's interval history read back from the event journal (`state_dir/journal`): the day's
/// events, and those of the day before it (so contacts waiting and agents logged in at its start are
/// known), are replayed through a fresh engine on a virtual clock that advances at every interval
/// boundary, as the daemon's ticks do. For `GET /api/v1/intervals?day=YYYY-MM-DD` and
/// `wallboardctl report`. Reads only; safe while the daemon runs.
public enum IntervalJournal {
    /// Why a day cannot be read back.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The engine after replaying the journal in `directory` up to the end of the business day after
    /// the one starting at `dayStart` (so late entries of that day count), holding that day's closed
    /// intervals (for today: those closed by `now`). Throws ``Unavailable`` when the journal has no
    /// segment of that day, and the journal's errors when it cannot be read.
    public static func replay(
        directory: String, configuration: EngineConfiguration, dayStart: Instant, now wallClock: Instant
    ) throws -> WallboardEngine {
        let calendar = configuration.calendar
        let dayEnd = calendar.startOfDay(after: dayStart)
        let stop = calendar.startOfDay(after: dayEnd)
        let journal = JournalDirectory(path: directory)
        let days = try journal.segmentDays()
        let first = EventStore.day(of: dayStart.advanced(by: -.minutes(24 * 60)))
        let covering = days.filter { $0 >= EventStore.day(of: dayStart) && $0 <= EventStore.day(of: dayEnd.advanced(by: -1)) }
        guard !covering.isEmpty, let start = days.first(where: { $0 >= first }) else {
            let held = days.isEmpty ? "none" : "\(days.first!) to \(days.last!) (UTC)"
            throw Unavailable(description: "the journal in \(directory) holds no events of \(calendar.localDate(of: dayStart)); it holds \(held)")
        }
        var engine = WallboardEngine(configuration: configuration)
        var now: Instant?
        _ = try journal.replay(from: .start(of: start), through: EventStore.day(of: stop)) { record in
            var bytes = record.payload
            // A record that does not decode (a damaged one) is skipped, as the daemon's own replay does.
            guard let parsed = try? JSONC.parse(bytes: &bytes), let event = try? EventDecoder.decode(parsed, limits: .unlimited)
            else { return }
            let at = max(now ?? event.timestamp, event.timestamp)
            guard at < stop else { return }
            if now == nil, at > dayStart {
                // No event of the day before: the clock starts at the day's start, so every interval is kept.
                engine.expire(now: dayStart)
                now = dayStart
            }
            if let now, calendar.startOfInterval(containing: at) == calendar.startOfInterval(containing: now) {
                engine.apply(event, now: at)
            } else {
                // The first event starts the clock; each later interval boundary is a tick.
                engine.expire(now: at)
                engine.apply(event, now: at)
            }
            now = at
        }
        // The last interval of the day closes at its end, unless that is still to come.
        let end = min(dayEnd, wallClock)
        engine.expire(now: max(now ?? end, end))
        return engine
    }
}
