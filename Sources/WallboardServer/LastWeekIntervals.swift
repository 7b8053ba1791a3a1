import Dispatch
import Logging
import WallboardCore

/// The same weekday last week, for `last_week` beside today's intervals (docs/intervals.md): at start
/// and whenever the business day (or the configuration) changes, the journal's day seven days back is
/// replayed (``IntervalJournal/replay(directory:configuration:dayStart:now:)``) on a queue of its own,
/// never the engine's or the lws thread, one replay at a time, and its closed intervals per scope kept
/// until the next day: computed once a day, never per request or per board.
///
/// Confined to the engine queue given at init (the replay alone runs on ``workQueue`` and hands its
/// result back there).
final class LastWeekIntervals: @unchecked Sendable {
    // @unchecked: every stored property is touched on `engineQueue` only.

    /// What is held of last week's day.
    enum Status: Sendable, Equatable {
        /// Being read from the journal.
        case reading(date: String)
        /// Read: the day's intervals per scope.
        case held(DayIntervals)
        /// Not held, and why (no journal, no segment of that day, a read error).
        case unavailable(date: String, reason: String)

        /// The day it is about, `YYYY-MM-DD`.
        var date: String {
            switch self {
            case .reading(let date), .unavailable(let date, _): return date
            case .held(let day): return day.date
            }
        }

        /// What today's report of `scope` says of last week.
        func pastDay(of scope: ScopeKey) -> IntervalReport.PastDay {
            switch self {
            case .reading(let date):
                return .init(date: date, intervals: nil, reason: "last week's intervals are being read from the journal")
            case .held(let day): return .init(date: day.date, intervals: day.intervals(of: scope))
            case .unavailable(let date, let reason): return .init(date: date, intervals: nil, reason: reason)
            }
        }
    }

    /// Reads a day from the journal: `IntervalJournal.replay` and the replayed engine's
    /// ``WallboardEngine/dayIntervals(dayStart:)`` (tests count or replace it).
    typealias Reader = @Sendable (_ directory: String, _ configuration: EngineConfiguration, _ dayStart: Instant, _ now: Instant)
        throws -> DayIntervals

    /// What the status is about: the day and the configuration it was counted under.
    private struct Key: Equatable {
        var dayStart: Instant
        var configuration: EngineConfiguration
    }

    let engineQueue: DispatchQueue
    /// Where replays run (utility QoS: they yield to the engine and the lws thread).
    let workQueue = DispatchQueue(label: "wallboardd.last-week", qos: .utility)
    /// The journal folder, nil without a `state_dir`.
    let directory: String?
    private let reader: Reader
    private let logger: Logger
    private(set) var status: Status?
    /// What ``status`` is about (or is being read for).
    private var key: Key?
    /// A replay is running on ``workQueue``.
    private var reading = false
    /// Replays started so far (each one a day's read of the journal).
    private(set) var replaysStarted = 0
    /// Called on the engine queue after each replay's result was taken (tests wait on it).
    var onRead: (@Sendable () -> Void)?
    /// Called on the engine queue with each day read and kept (the projected close takes it as its pattern).
    var whenHeld: ((DayIntervals) -> Void)?

    init(directory: String?, engineQueue: DispatchQueue, logger: Logger, reader: Reader? = nil) {
        self.directory = directory
        self.engineQueue = engineQueue
        self.logger = logger
        self.reader = reader ?? Self.journalReader
    }

    /// The held day, when read.
    var held: DayIntervals? {
        if case .held(let day)? = status { return day }
        return nil
    }

    /// Starts reading last week's day if `now`'s business day or `configuration` changed since the last
    /// read (cheap otherwise: called every second). While a replay runs the status says so (a day held
    /// stays served while the same day is read again under a new configuration); a replay that finishes
    /// for a day no longer wanted is dropped and the wanted one started.
    func refresh(now: Instant, configuration: EngineConfiguration) {
        dispatchPrecondition(condition: .onQueue(engineQueue))
        let calendar = configuration.calendar
        let dayStart = calendar.startOfDay(weekBefore: calendar.startOfDay(containing: now))
        let wanted = Key(dayStart: dayStart, configuration: configuration)
        guard wanted != key else { return }
        key = wanted
        let date = calendar.localDate(of: dayStart)
        guard let directory else {
            status = .unavailable(
                date: date, reason: "no journal (state_dir) is configured: last week's intervals are read from the journal")
            return
        }
        if held?.dayStart != dayStart { status = .reading(date: date) }
        if !reading { read(wanted, directory: directory, now: now) }  // else the running replay's end starts it
    }

    /// Replays the day of `wanted` on ``workQueue`` and takes the result back on the engine queue.
    private func read(_ wanted: Key, directory: String, now: Instant) {
        dispatchPrecondition(condition: .onQueue(engineQueue))
        reading = true
        replaysStarted += 1
        let reader = self.reader
        let started = DispatchTime.now().uptimeNanoseconds
        workQueue.async { [self] in
            let result = Result { try reader(directory, wanted.configuration, wanted.dayStart, now) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            engineQueue.async { [self] in finish(result, for: wanted, directory: directory, seconds: seconds, now: now) }
        }
    }

    private func finish(_ result: Result<DayIntervals, any Error>, for read: Key, directory: String, seconds: Double, now: Instant) {
        dispatchPrecondition(condition: .onQueue(engineQueue))
        reading = false
        defer { onRead?() }
        guard read == key else {
            // The day or the configuration changed meanwhile: read the one wanted now.
            if let key { self.read(key, directory: directory, now: max(now, key.dayStart)) }
            return
        }
        let date = read.configuration.calendar.localDate(of: read.dayStart)
        switch result {
        case .success(let day):
            status = .held(day)
            whenHeld?(day)
            logger.info("last week's intervals read", metadata: ["day": "\(date)", "seconds": "\(seconds)"])
        case .failure(let unavailable as IntervalJournal.Unavailable):
            status = .unavailable(date: date, reason: unavailable.description)
            logger.info("last week's intervals not in the journal", metadata: ["day": "\(date)", "reason": "\(unavailable)"])
        case .failure(let error):
            status = .unavailable(date: date, reason: "reading the journal failed: \(error)")
            logger.warning("last week's intervals could not be read", metadata: ["day": "\(date)", "error": "\(error)"])
        }
    }

    /// The journal's day: replayed, then its intervals per scope.
    static let journalReader: Reader = { directory, configuration, dayStart, now in
        let engine = try IntervalJournal.replay(directory: directory, configuration: configuration, dayStart: dayStart, now: now)
        guard let day = engine.dayIntervals(dayStart: dayStart) else {
            throw IntervalJournal.Unavailable(
                description: "the journal holds no intervals of \(configuration.calendar.localDate(of: dayStart))")
        }
        return day
    }
}
