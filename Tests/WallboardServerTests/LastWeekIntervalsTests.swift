import Dispatch
import Foundation
import JSONC
import JSONModel
import Logging
import Synchronization
import Testing
import WallboardClient
import WallboardCore
import WallboardJournal
@testable import WallboardServer

/// The same weekday last week beside today (LastWeekIntervals.swift, docs/intervals.md): read from a
/// journal of eight days, its figures against a count made here from the contacts written, once per day
/// however often asked, again at the next day; null with the reason when not held.
@Suite(.serialized) struct LastWeekIntervalsTests {
    /// Today: Tuesday 2026-12-08; the same weekday last week: 2026-12-01 (UTC, 30-minute intervals).
    static let today = RFC3339.parse("2026-12-08T00:00:00Z")!
    static func day(_ index: Int) -> Instant { today.advanced(by: .minutes(Int64(24 * 60 * (index - 7)))) }

    /// One contact as written to the journal: queued at `queued`, left after `wait` seconds.
    struct Contact {
        var queue: String
        var queued: Instant
        var wait: Int64
        var abandoned: Bool
        var left: Instant { queued.advanced(by: wait * 1000) }
    }

    /// The contacts of day `index` (0: 2026-12-01 … 7: today): a different number and pattern each day,
    /// in both queues, from 08:00, so another day's figures never pass for last week's.
    static func contacts(day index: Int) -> [Contact] {
        var list: [Contact] = []
        for queue in ["sales", "support"] {
            let count = 6 + 3 * index + (queue == "sales" ? 0 : 2)
            for k in 0..<count {
                let queued = day(index).advanced(by: .minutes(8 * 60 + Int64(k * (17 + index)) + (queue == "sales" ? 0 : 5)))
                let wait = Int64([12, 25, 41, 8, 66, 19, 33][(k + index) % 7])
                list.append(Contact(queue: queue, queued: queued, wait: wait, abandoned: (k + index) % 4 == 3))
            }
        }
        return list
    }

    /// Day `index`'s events as NDJSON lines, in time order: two agents per queue log in at 07:30.
    static func events(day index: Int) -> [(at: Instant, line: String)] {
        var out: [(Instant, String)] = []
        func add(_ at: Instant, _ id: String, _ type: String, _ fields: String) {
            out.append((at, #"{"id":"\#(id)","ts":"\#(RFC3339.format(at))","type":"\#(type)",\#(fields)}"#))
        }
        let login = day(index).advanced(by: .minutes(7 * 60 + 30))
        for queue in ["sales", "support"] {
            for a in 0..<2 {
                add(login, "d\(index)-l-\(queue)\(a)", "agent.login", #""agent":"d\#(index)-\#(queue)\#(a)","name":"A","queues":["\#(queue)"]"#)
            }
        }
        for (n, contact) in contacts(day: index).enumerated() {
            let id = "d\(index)-c\(n)"
            add(contact.queued, id + "q", "contact.queued", #""contact":"\#(id)","queue":"\#(contact.queue)""#)
            if contact.abandoned {
                add(contact.left, id + "b", "contact.abandoned", #""contact":"\#(id)""#)
            } else {
                let agent = "d\(index)-\(contact.queue)\(n % 2)"
                add(contact.left, id + "a", "contact.answered", #""contact":"\#(id)","agent":"\#(agent)""#)
                add(contact.left.advanced(by: 60_000), id + "e", "contact.ended", #""contact":"\#(id)""#)
                add(contact.left.advanced(by: 70_000), id + "w", "contact.wrapup_done", #""contact":"\#(id)","agent":"\#(agent)""#)
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Writes days `first...last` to a journal in `directory`, each event in the segment of its UTC day
    /// (as the daemon stores what it receives), through the journal's own writer.
    static func writeJournal(_ directory: String, days: ClosedRange<Int>) throws {
        let journal = try EventJournal(directory: directory, policy: .os)
        for index in days {
            let lines = events(day: index)
            _ = try journal.append(
                contentsOf: lines.map { Array($0.line.utf8) }, day: JournalDay(utc: Date(timeIntervalSince1970: day(index).secondsSinceEpoch)))
        }
        _ = try journal.sync()
        try journal.close()
    }

    /// The figures expected of an interval of `scope` starting at `start` on day `index`, counted here
    /// from the contacts (a contact counts in the interval it left the queue in; 30 s threshold, abandons
    /// against: answered within / (answered + abandoned)).
    static func expected(day index: Int, scope: ScopeKey, start: Instant) -> JSONObject {
        let end = start.advanced(by: .minutes(30))
        let left = contacts(day: index).filter {
            (scope == .center || scope == .queue($0.queue)) && $0.left >= start && $0.left < end
        }
        let answered = left.filter { !$0.abandoned }
        let within = answered.filter { $0.wait <= 30 }.count
        return [
            "offered": .int(left.count), "answered": .int(answered.count), "abandoned": .int(left.count - answered.count),
            "answered_within": .int(within),
            "service_level": left.isEmpty ? .null : .number(Double(within) / Double(left.count)),
            "asa_seconds": answered.isEmpty ? .null : .number(Double(answered.map(\.wait).reduce(0, +)) / Double(answered.count)),
        ]
    }

    /// Checks `list` (a `last_week` array) is day `index`'s 48 intervals of `scope` with the expected figures.
    static func checkDay(_ list: [JSONValue], day index: Int, scope: ScopeKey) {
        #expect(list.count == 48, "the whole day, 00:00 to 24:00")
        var busy = 0
        for (n, entry) in list.enumerated() {
            let start = day(index).advanced(by: .minutes(Int64(30 * n)))
            #expect(entry["start"]?.stringValue == RFC3339.format(start))
            #expect(entry["complete"] == true)
            for member in expected(day: index, scope: scope, start: start).members {
                let (key, value) = (member.key, member.value)
                guard let got = entry[key] else {
                    Issue.record("\(scope.name) \(RFC3339.format(start)): no \(key)")
                    continue
                }
                if case .number(let want) = value, let number = got.doubleValue {
                    #expect(abs(number - want) < 0.0001, "\(scope.name) \(RFC3339.format(start)) \(key): \(got) vs \(value)")
                } else {
                    #expect(got == value, "\(scope.name) \(RFC3339.format(start)) \(key): \(got) vs \(value)")
                }
            }
            if entry["offered"] != 0 { busy += 1 }
        }
        #expect(busy >= 3, "\(busy) intervals with contacts")
    }

    static func options(_ stateDir: String?) -> DaemonOptions {
        var options = DaemonOptions(
            host: "127.0.0.1", port: 0, webRoot: TestDaemon.webRoot, simulator: false,
            engine: EngineConfiguration(queues: [QueueSettings(id: "sales"), QueueSettings(id: "support"), QueueSettings(id: "billing")]))
        if let stateDir {
            options.stateDirectory = stateDir
            options.journal = EngineService.JournalSettings(directory: stateDir + "/journal", keepDays: 30)
        }
        return options
    }

    /// Today's report of `scope` once `last_week_day` is `date` and `last_week` is read (bounded wait for
    /// the replay off the engine queue).
    static func report(_ daemon: TestDaemon, scope: String, lastWeekDay date: String) throws -> JSONValue {
        var last = JSONValue.null
        for _ in 0..<400 {
            last = try JSONC.parse(try daemon.get("/api/v1/intervals?scope=\(scope)&day=today").text)
            if last["last_week_day"]?.stringValue == date, last["last_week"]?.arrayValue != nil { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("last week \(date) never read: \(last["last_week_day"] ?? .null), \(last["last_week_reason"] ?? .null)")
        return last
    }

    static func replaysStarted(_ daemon: TestDaemon) -> Int {
        daemon.daemon.engine.queue.sync { daemon.daemon.engine.lastWeek.replaysStarted }
    }

    @Test func lastWeekFromAnEightDayJournalOncePerDayAndAgainAtTheNext() throws {
        let stateDir = JournalRestartTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        try Self.writeJournal(stateDir + "/journal", days: 0...7)
        let clock = AMITestClock(Self.today.advanced(by: .minutes(10 * 60 + 10)))
        let daemon = try TestDaemon(options: Self.options(stateDir), clock: clock)
        defer { daemon.stop() }

        // JSON: the day, every scope's intervals of 2026-12-01 as counted here, not another day's.
        let sales = try Self.report(daemon, scope: "queue:sales", lastWeekDay: "2026-12-01")
        #expect(sales["day"] == "2026-12-08")
        #expect(sales["last_week_reason"] == .null)
        Self.checkDay(sales["last_week"]?.arrayValue ?? [], day: 0, scope: .queue("sales"))
        let support = try Self.report(daemon, scope: "queue:support", lastWeekDay: "2026-12-01")
        Self.checkDay(support["last_week"]?.arrayValue ?? [], day: 0, scope: .queue("support"))
        let center = try Self.report(daemon, scope: "center", lastWeekDay: "2026-12-01")
        Self.checkDay(center["last_week"]?.arrayValue ?? [], day: 0, scope: .center)
        // Entries shaped like yesterday's: the staffed agents at each end too (two per queue from 07:30).
        let eight = try #require(sales["last_week"]?.arrayValue?[16])
        #expect(eight["start"] == "2026-12-01T08:00:00.000Z")
        #expect(eight["staffed"] == 2)
        #expect(center["last_week"]?.arrayValue?[16]["staffed"] == 4)
        // Only with today's report: another day's has no last week.
        let yesterday = try JSONC.parse(try daemon.get("/api/v1/intervals?scope=queue:sales&day=yesterday").text)
        #expect(yesterday["last_week"] == nil)
        #expect(yesterday["day"] == "2026-12-07")

        // The same figures as replaying that day alone through the journal reader.
        let single = JournalRestartTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: single) }
        try Self.writeJournal(single, days: 0...0)
        let replayed = try LastWeekIntervals.journalReader(
            single, daemon.daemon.engine.queue.sync { daemon.daemon.engine.engine.configuration },
            Self.day(0), clock.now())
        #expect(replayed.date == "2026-12-01")
        let alone = try JSONC.parse(JSONC.encode(.array(replayed.intervals(of: .queue("sales")).map(IntervalReport.json))))
        #expect(sales["last_week"] == alone)
        let held = try #require(daemon.daemon.engine.queue.sync { daemon.daemon.engine.lastWeekIntervals })
        #expect(held == replayed, "what EngineService holds for other code is what it serves")

        // The projected close takes that day as its interval pattern (within the second's refresh of the read).
        var projection = JSONValue.null
        for _ in 0..<100 {
            projection = try JSONC.parse(try daemon.get("/api/v1/intervals?scope=queue:sales&day=today").text)["projection"] ?? .null
            if projection["pattern"] == "last_week" { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(projection["pattern"] == "last_week", "\(projection)")
        #expect(projection["pattern_day"] == "2026-12-01")
        let pattern = try #require(daemon.daemon.engine.queue.sync { daemon.daemon.engine.engine.intervalPatterns[.queue("support")] })
        #expect(pattern == IntervalPattern(
            source: .lastWeek, day: "2026-12-01", appliesTo: "2026-12-08", intervals: replayed.intervals(of: .queue("support")),
            calendar: daemon.daemon.engine.queue.sync { daemon.daemon.engine.engine.configuration.calendar }))
        // A queue last week's day offered nothing (billing: no contacts in the journal) keeps its fallback.
        #expect(daemon.daemon.engine.queue.sync { daemon.daemon.engine.engine.intervalPatterns[.queue("billing")] } == nil)
        let billing = try JSONC.parse(try daemon.get("/api/v1/intervals?scope=queue:billing&day=today").text)
        #expect(billing["projection"]?["pattern"] != "last_week", "\(billing["projection"] ?? .null)")

        // CSV: today's rows, then last week's with that day in the `day` column.
        let csv = try daemon.get("/api/v1/intervals?scope=queue:sales&day=today", headers: ["Accept": "text/csv"])
        #expect(csv.status == 200)
        let rows = csv.text.split(separator: "\r\n")
        let lastWeekRows = rows.filter { $0.hasPrefix("queue:sales,2026-12-01,") }
        #expect(lastWeekRows.count == 48)
        #expect(rows.last.map { $0.hasPrefix("queue:sales,2026-12-01,2026-12-01T23:30:00.000Z,") } == true)
        let want = Self.expected(day: 0, scope: .queue("sales"), start: RFC3339.parse("2026-12-01T08:30:00Z")!)
        let counts = ["offered", "answered", "abandoned"].map { JSONC.encode(want[$0]!) } + ["0", JSONC.encode(want["answered_within"]!)]
        #expect(want["offered"] != 0)
        #expect(lastWeekRows.contains {
            $0.hasPrefix("queue:sales,2026-12-01,2026-12-01T08:30:00.000Z,2026-12-01T09:00:00.000Z,true,\(counts.joined(separator: ",")),")
        }, "\(counts)")
        #expect(rows.filter { $0.hasPrefix("queue:sales,2026-12-08,") }.count == 21, "00:00 to the current 10:00")

        // The topic: the same list whole in the first payload, then deltas without it while it holds.
        let client = try daemon.connect(subscribe: ["intervals:queue:sales"])
        let first = try client.next(type: "topic")
        let data = try #require(first["data"])
        #expect(data["last_week"] == sales["last_week"])
        #expect(data["last_week_day"] == "2026-12-01")
        let lines = [
            #"{"id":"now-q","ts":"2026-12-08T10:10:00.000Z","type":"contact.queued","contact":"now","queue":"sales"}"#,
            #"{"id":"now-b","ts":"2026-12-08T10:10:30.000Z","type":"contact.abandoned","contact":"now"}"#,
        ]
        clock.set(Self.today.advanced(by: .minutes(10 * 60 + 11)))
        #expect(try daemon.post("/api/v1/events", body: lines.joined(separator: "\n")).status == 200)
        var changed: JSONValue?
        for _ in 0..<20 where changed == nil { changed = try client.next(type: "topic")["delta"] }
        let delta = try #require(changed)
        #expect(delta["intervals"]?.arrayValue?.last?["abandoned"] == 1)
        #expect(delta["last_week"] == nil, "last week goes again only when it changes")
        client.close()

        // Asked for many times, by the API and a board, read once.
        #expect(Self.replaysStarted(daemon) == 1)

        // The next day: 2026-12-02 is read (once), and served.
        clock.set(RFC3339.parse("2026-12-09T00:00:05Z")!)
        let next = try Self.report(daemon, scope: "queue:sales", lastWeekDay: "2026-12-02")
        #expect(next["day"] == "2026-12-09")
        Self.checkDay(next["last_week"]?.arrayValue ?? [], day: 1, scope: .queue("sales"))
        #expect(Self.replaysStarted(daemon) == 2)
    }

    @Test func notHeldIsNullWithTheReason() throws {
        // No journal at all.
        let clock = AMITestClock(Self.today.advanced(by: .minutes(9 * 60)))
        let bare = try TestDaemon(options: Self.options(nil), clock: clock)
        defer { bare.stop() }
        var report = JSONValue.null
        for _ in 0..<200 {
            report = try JSONC.parse(try bare.get("/api/v1/intervals?scope=queue:sales").text)
            if report["last_week_reason"]?.stringValue != nil { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(report["last_week"] == .null)
        #expect(report["last_week_day"] == "2026-12-01")
        #expect(report["last_week_reason"]?.stringValue?.hasPrefix("no journal (state_dir) is configured") == true)
        let csv = try bare.get("/api/v1/intervals?scope=queue:sales", headers: ["Accept": "text/csv"])
        #expect(!csv.text.contains(",2026-12-01,"), "no last week rows")

        // A journal without that day: the reason names the day and what the journal holds.
        let stateDir = JournalRestartTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: stateDir) }
        try Self.writeJournal(stateDir + "/journal", days: 3...7)
        let daemon = try TestDaemon(options: Self.options(stateDir), clock: clock)
        defer { daemon.stop() }
        for _ in 0..<400 {
            report = try JSONC.parse(try daemon.get("/api/v1/intervals?scope=center").text)
            if report["last_week_reason"]?.stringValue?.hasPrefix("the journal") == true { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(report["last_week"] == .null)
        #expect(report["last_week_day"] == "2026-12-01")
        #expect(report["last_week_reason"]?.stringValue
            == "the journal in \(stateDir)/journal holds no events of 2026-12-01; it holds 2026-12-04 to 2026-12-08 (UTC)")
        #expect(daemon.daemon.engine.queue.sync { daemon.daemon.engine.lastWeekIntervals } == nil)
    }

    @Test func oneReplayAtATimeAndAStaleOneIsDropped() throws {
        let engineQueue = DispatchQueue(label: "test.engine")
        let gate = DispatchSemaphore(value: 0)
        let read = DispatchSemaphore(value: 0)
        let asked = Mutex<[String]>([])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let owner = LastWeekIntervals(directory: "/nonexistent", engineQueue: engineQueue, logger: logger) { _, configuration, dayStart, _ in
            let date = configuration.calendar.localDate(of: dayStart)
            let call = asked.withLock { $0.append(date); return $0.count }
            if call != 2 { gate.wait() }  // the first and third replays take until the test lets them go
            return DayIntervals(dayStart: dayStart, date: date, scopes: [.center: []])
        }
        owner.onRead = { read.signal() }
        let configuration = EngineConfiguration(queues: [QueueSettings(id: "sales")])
        engineQueue.sync {
            for minutes in [0, 1, 600, 1439] {
                owner.refresh(now: Self.today.advanced(by: .minutes(Int64(minutes))), configuration: configuration)
            }
            #expect(owner.replaysStarted == 1, "the same day asked four times: one replay")
            #expect(owner.status == .reading(date: "2026-12-01"))
            // The next day while the first replay still runs: no second replay at the same time.
            owner.refresh(now: Self.today.advanced(by: .minutes(24 * 60 + 1)), configuration: configuration)
            #expect(owner.replaysStarted == 1)
            #expect(owner.status == .reading(date: "2026-12-02"))
        }
        gate.signal()
        read.wait()  // the first, dropped: it is no longer the day wanted
        read.wait()  // the second
        engineQueue.sync {
            #expect(owner.status == .held(DayIntervals(dayStart: Self.day(1), date: "2026-12-02", scopes: [.center: []])))
            #expect(owner.replaysStarted == 2)
            // A configuration change (another interval length) is read again; the same one is not.
            var longer = configuration
            longer.calendar.intervalLength = .minutes(60)
            owner.refresh(now: Self.today.advanced(by: .minutes(24 * 60 + 2)), configuration: configuration)
            #expect(owner.replaysStarted == 2)
            owner.refresh(now: Self.today.advanced(by: .minutes(24 * 60 + 2)), configuration: longer)
            #expect(owner.replaysStarted == 3)
            #expect(owner.held?.date == "2026-12-02", "the same day stays served while it is read again")
        }
        gate.signal()
        read.wait()
        #expect(asked.withLock { $0 } == ["2026-12-01", "2026-12-02", "2026-12-02"])
    }
}
