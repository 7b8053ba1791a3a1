import ArgumentParser
import Foundation
import WallboardCore
import WallboardServer

/// `wallboardctl report --day YYYY-MM-DD [--csv] [--scope center|queue:<id>] [--config FILE] [--state-dir DIR]`:
/// a day's clock intervals read back from the journal (docs/intervals.md). Works without the daemon
/// running (it only reads the journal) and while it runs.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a day's intervals (offered, answered, service level, ...) replayed from the journal.",
        discussion: """
            Replays the journal under the state directory (the day and the day before it) through the \
            engine with the config's queues, time zone and interval length, and prints one line per \
            interval for the center and every queue (or --scope). For today, the intervals closed so far. \
            Needs no running daemon.
            """)

    @Option(help: "The business day, YYYY-MM-DD in the center's time zone.")
    var day: String

    @Flag(help: "Print CSV (one header line, then one line per scope and interval).")
    var csv = false

    @Option(help: "Only this scope: center or queue:<id> (default: the center and every queue).")
    var scope: String?

    @Option(help: "The daemon's config file (queues, time zone, interval length, state_dir).")
    var config: String?

    @Option(help: "The daemon's state directory (default: the config's state_dir, else /var/lib/wallboardd).")
    var stateDir: String?

    func run() throws {
        var engineConfiguration = EngineConfiguration()
        var directory = stateDir
        if let config {
            do {
                let loaded = try DaemonConfiguration.load(path: config)
                engineConfiguration = loaded.engine
                directory = directory ?? loaded.stateDirectory
            } catch {
                printError("\(error)")
                throw ExitCode(2)
            }
        }
        let calendar = engineConfiguration.calendar
        guard let dayStart = calendar.startOfDay(localDate: day) else {
            throw ValidationError("--day \(day) is not a date YYYY-MM-DD (e.g. --day 2026-12-01)")
        }
        var only: ScopeKey?
        if let scope {
            if scope == "center" {
                only = .center
            } else if scope.hasPrefix("queue:"), scope.count > "queue:".count {
                only = .queue(String(scope.dropFirst("queue:".count)))
            } else {
                throw ValidationError("--scope \(scope) is not center or queue:<id> (e.g. --scope queue:sales)")
            }
        }
        let now = Instant(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        guard dayStart <= now else { throw CommandFailure("\(day) has not begun") }
        let engine: WallboardEngine
        do {
            engine = try IntervalJournal.replay(
                directory: (directory ?? "/var/lib/wallboardd") + "/journal", configuration: engineConfiguration,
                dayStart: dayStart, now: now)
        } catch let unavailable as IntervalJournal.Unavailable {
            throw CommandFailure(unavailable.description)
        }
        let scopes = only.map { [$0] } ?? ([.center] + engine.queueOrder.map { .queue($0) })
        var first = true
        for scope in scopes {
            guard let report = engine.closedIntervalReport(scope: scope, dayStart: dayStart) else {
                throw CommandFailure("the journal holds no intervals of \(day)")
            }
            if csv {
                print(report.csv(header: first), terminator: "")
            } else {
                if !first { print("") }
                print(Self.table(report))
            }
            first = false
        }
    }

    /// The report as a text table: one line per interval, local times.
    static func table(_ report: IntervalReport) -> String {
        let calendar = report.calendar
        func clock(_ instant: Instant) -> String {
            let local = instant.milliseconds + calendar.timeZone.provider.offset(at: instant)
            let minutes = ((local / 60_000) % 1440 + 1440) % 1440
            return String(format: "%02d:%02d", Int(minutes / 60), Int(minutes % 60))
        }
        func number(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        var lines = [
            "\(report.scope.name)  \(calendar.localDate(of: report.dayStart))  (\(calendar.timeZone.identifier), "
                + "\(calendar.intervalLength / 60_000)-minute intervals)",
            "interval      offered answered abandoned short within     SL  aband    ASA    AHT maxwait staffed",
        ]
        for interval in report.intervals {
            let m = interval.metrics
            let sl = m.serviceLevel.map { String(format: "%5.1f%%", $0 * 100) } ?? "     -"
            let abandon = m.abandonRate.map { String(format: "%5.1f%%", $0 * 100) } ?? "     -"
            lines.append(
                "\(clock(interval.start))-\(clock(interval.end))" + String(
                    format: " %9d %8d %9d %5d %6d", m.offered, m.answered, m.abandoned, m.shortAbandoned, m.answeredWithinThreshold)
                    + " \(sl) \(abandon)" + " " + pad(number(m.averageSpeedOfAnswer, "%.1f"), 6)
                    + " " + pad(number(m.averageHandleTime, "%.1f"), 6) + " " + pad(number(m.maxWait.map(\.asSeconds), "%.1f"), 7)
                    + " " + pad(String(interval.staffed), 7))
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
