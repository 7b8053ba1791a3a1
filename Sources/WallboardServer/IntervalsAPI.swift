import Dispatch
import JSONC
import JSONModel
import LWS
import WallboardCore

/// `GET /api/v1/intervals?scope=center|queue:<id>&day=today|yesterday|YYYY-MM-DD` (docs/intervals.md):
/// a scope's clock intervals of a day as JSON, or as CSV with `Accept: text/csv`. Today and yesterday
/// come from the engine, today's with the same weekday last week (LastWeekIntervals.swift); an older day
/// from the journal when `state_dir` holds it. The same access as
/// the `intervals:<scope>` topic: a token limited to some queues sees those queues' only.
extension WallboardAPI {
    /// A parsed `/api/v1/intervals` query.
    struct IntervalsQuery: Equatable {
        enum Day: Equatable {
            case today, yesterday
            /// A local date, `YYYY-MM-DD` (checked against the calendar later).
            case date(String)
        }

        var scope: ScopeKey
        var day: Day
        var csv: Bool

        /// The query of `request`, or a message saying what is wrong with it.
        static func parse(_ request: HTTPRequest) -> Result<IntervalsQuery, IntervalsQueryError> {
            let allowed: Set<String> = ["scope", "day", "token"]
            if let unknown = request.query.first(where: { !allowed.contains($0.name) }) {
                return .failure(.init("unknown parameter \"\(unknown.name)\": use scope= and day="))
            }
            let name = request.queryValue("scope") ?? "center"
            guard let scope = IntervalsTopic.scope(of: "intervals:" + name) else {
                return .failure(.init("scope=\(name) is not center or queue:<id> (e.g. scope=queue:sales)"))
            }
            let dayText = request.queryValue("day") ?? "today"
            let day: Day
            switch dayText {
            case "today": day = .today
            case "yesterday": day = .yesterday
            default:
                guard CenterCalendar().startOfDay(localDate: dayText) != nil else {
                    return .failure(.init("day=\(dayText) is not today, yesterday or a date YYYY-MM-DD (e.g. day=2026-12-01)"))
                }
                day = .date(dayText)
            }
            let accept = request.headers["accept"]?.lowercased() ?? ""
            return .success(IntervalsQuery(scope: scope, day: day, csv: accept.contains("text/csv")))
        }
    }

    struct IntervalsQueryError: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// What the engine answers for a query: a report, a day to read from the journal, or an error.
    enum IntervalsAnswer: Sendable {
        case report(IntervalReport)
        case journal(directory: String, configuration: EngineConfiguration, dayStart: Instant, now: Instant)
        case failure(status: Int, message: String)
    }

    /// Answers `request` if it is the intervals route; returns `false` otherwise.
    func handleIntervalsRoute(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        guard request.path == "/api/v1/intervals" else { return false }
        guard request.method == .get || request.method == .head else {
            respond(Self.error(405, "method \(request.method.rawValue) not allowed on \(request.path)"))
            return true
        }
        let query: IntervalsQuery
        switch IntervalsQuery.parse(request) {
        case .failure(let error):
            respond(Self.error(400, error.message))
            return true
        case .success(let parsed): query = parsed
        }
        let topic = "intervals:" + query.scope.name
        if let principal = principal(for: request), !principal.maySubscribe(topic) {
            respond(Self.error(403, "this token may not see the intervals of \(query.scope.name)"))
            return true
        }
        let directory = engine.storeSettings?.directory
        engine.readWithLastWeek({ engine, now, lastWeek in
            Self.answer(query, engine: engine, now: now, journal: directory, lastWeek: lastWeek)
        }) { answer in
            switch answer {
            case .report(let report):
                respond(Self.intervalsResponse(report, csv: query.csv))
            case .failure(let status, let message):
                respond(Self.error(status, message))
            case .journal(let directory, let configuration, let dayStart, let now):
                // Off the engine queue: a day's replay takes a while and needs nothing of the live engine;
                // one at a time, and a few waiting at most (PastDayReplays.swift).
                let admitted = PastDayReplays.shared.submit {
                    do {
                        let replayed = try IntervalJournal.replay(
                            directory: directory, configuration: configuration, dayStart: dayStart, now: now)
                        if let report = replayed.closedIntervalReport(scope: query.scope, dayStart: dayStart) {
                            respond(Self.intervalsResponse(report, csv: query.csv))
                        } else {
                            respond(Self.error(404, "the journal holds no intervals of \(configuration.calendar.localDate(of: dayStart))"))
                        }
                    } catch let unavailable as IntervalJournal.Unavailable {
                        respond(Self.error(404, unavailable.description))
                    } catch {
                        respond(Self.error(500, "reading the journal failed: \(error)"))
                    }
                }
                if !admitted {
                    var busy = Self.error(
                        503, "\(PastDayReplays.shared.maxWaiting) requests for past days are being read from the journal already; "
                            + "try again in a few seconds")
                    busy.headers.append((name: "retry-after", value: "5"))
                    respond(busy)
                }
            }
        }
        return true
    }

    /// The engine's answer to `query` at `now` (engine queue); today's report carries `lastWeek`.
    static func answer(
        _ query: IntervalsQuery, engine: WallboardEngine, now: Instant, journal: String?,
        lastWeek: LastWeekIntervals.Status? = nil
    ) -> IntervalsAnswer {
        if case .queue(let id) = query.scope, !engine.queueOrder.contains(id) {
            return .failure(status: 404, message: "no such queue: \(id)")
        }
        let calendar = engine.configuration.calendar
        let todayStart = calendar.startOfDay(containing: now)
        let yesterdayStart = calendar.startOfDay(containing: todayStart.advanced(by: -1))
        var dayStart: Instant
        switch query.day {
        case .today: dayStart = todayStart
        case .yesterday: dayStart = yesterdayStart
        case .date(let text):
            guard let start = calendar.startOfDay(localDate: text) else {
                return .failure(status: 400, message: "day=\(text) is not a day of the center's calendar")
            }
            dayStart = start
        }
        if dayStart > todayStart { return .failure(status: 404, message: "day \(calendar.localDate(of: dayStart)) has not begun") }
        if dayStart == todayStart {
            // Right after a boundary, before the engine's next tick: a copy advanced to now has the interval
            // that just ended (the live engine closes it at its own tick).
            var engine = engine
            if engine.hasIntervalToClose(at: now) { engine.expire(now: now) }
            if var report = engine.intervalReport(scope: query.scope, day: .today, now: now) {
                report.lastWeek = lastWeek?.pastDay(of: query.scope)
                return .report(report)
            }
        }
        if let report = engine.closedIntervalReport(scope: query.scope, dayStart: dayStart) { return .report(report) }
        if case .held(let day)? = lastWeek, day.dayStart == dayStart, let intervals = day.scopes[query.scope] {
            // Last week's day, already read for the board: no replay.
            return .report(
                IntervalReport(scope: query.scope, dayStart: dayStart, calendar: calendar, target: engine.target(of: query.scope), intervals: intervals))
        }
        guard let journal else {
            return .failure(
                status: 404,
                message: "no intervals of \(calendar.localDate(of: dayStart)): the daemon keeps today's and yesterday's, "
                    + "older days need a journal (state_dir)")
        }
        return .journal(directory: journal, configuration: engine.configuration, dayStart: dayStart, now: now)
    }

    static func intervalsResponse(_ report: IntervalReport, csv: Bool) -> HTTPResponse {
        if csv {
            return HTTPResponse(
                status: 200, contentType: "text/csv; charset=utf-8", headers: [("cache-control", "no-cache")], text: report.csv())
        }
        return HTTPResponse(status: 200, headers: [("cache-control", "no-cache")], text: JSONC.encode(report.json()))
    }
}
