import AMIAdapter
import ArgumentParser
import Foundation
import JSONC
import JSONModel
import WallboardCore
import WallboardServer

/// `wallboardctl replay FILE [--format ndjson|ami] [--instant|--speed N] [--json] [--config FILE]`.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run a recorded event file through the engine on a virtual clock and print every window's metrics.",
        discussion: """
            NDJSON files hold canonical events (docs/events.md); the clock is the events' own `ts`.
            AMI files are raw Asterisk manager captures; the clock is the events' `Timestamp:` headers
            (manager.conf timestampevents=yes). Rolling windows end at the last event's time.
            """)

    enum Format: String, ExpressibleByArgument { case ndjson, ami }

    @Argument(help: "The file to replay (- for standard input).")
    var file: String

    @Option(help: "ndjson (canonical events) or ami (raw Asterisk manager capture).")
    var format: Format = .ndjson

    @Flag(help: "Run as fast as possible (the default).")
    var instant = false

    @Option(help: "Play the file at N times real speed, printing progress, then the metrics.")
    var speed: Double?

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @Option(help: "Config file for queue settings, windows and time zone.")
    var config: String?

    @Flag(
        help: ArgumentHelp(
            "With --instant and ndjson: print to standard error the CPU seconds of each stage (parse, decode, engine).",
            discussion: "Each stage runs on its own, so every decoded event is held in memory first; the result is the same."))
    var timings = false

    func validate() throws {
        if instant && speed != nil { throw ValidationError("--instant and --speed exclude each other") }
        if let speed, speed <= 0 { throw ValidationError("--speed must be a positive number") }
        if timings && (speed != nil || format != .ndjson) {
            throw ValidationError("--timings times an --instant replay of an ndjson file only")
        }
    }

    func run() throws {
        var engineConfiguration = EngineConfiguration()
        var wrapUp: [String: Millis] = [:]
        if let config {
            do {
                let loaded = try DaemonConfiguration.load(path: config)
                engineConfiguration = loaded.engine
                wrapUp = loaded.amiSources.first?.wrapUp ?? [:]
            } catch {
                printError("\(error)")
                throw ExitCode(2)
            }
        }
        let bytes = try readInput(file)
        let result: ReplayResult
        switch format {
        case .ndjson where timings:
            let staged = NDJSONReplay.runInStages(bytes, configuration: engineConfiguration)
            result = staged.result
            printError(staged.timings.table())
        case .ndjson where speed == nil:
            // Each line decoded straight from json-c's tree and applied as it is read.
            result = NDJSONReplay.run(bytes, configuration: engineConfiguration)
        case .ndjson:
            let inputs = NDJSONReplay.parseLines(bytes)
            try pace(inputs.compactMap { input -> Instant? in
                if case .json(_, let value) = input { return value["ts"]?.stringValue.flatMap(RFC3339.parse) }
                return nil
            })
            result = Replay.run(inputs: inputs, configuration: engineConfiguration)
        case .ami:
            let capture = AMIReplay.events(
                fromCapture: bytes, configuration: AMIEventMapper.Configuration(wrapUpTimes: wrapUp))
            for problem in capture.problems.prefix(20) { printError("ami: \(problem)") }
            if capture.problems.count > 20 { printError("ami: … and \(capture.problems.count - 20) more problems") }
            guard !capture.events.isEmpty else {
                throw CommandFailure("\(file): no Asterisk manager events in it (is it an AMI capture? --format ami)")
            }
            // Without Timestamp: headers on the events (timestampevents=no) every event falls on one of
            // the few instants other messages give (a Ping answer): no wait or duration could be right.
            guard Self.eventsCarryTimestamps(bytes) else {
                throw CommandFailure(
                    "\(file): the capture has no Timestamp: headers, so waits and durations cannot be computed; "
                        + "set timestampevents = yes in manager.conf [general] and capture again")
            }
            for settings in capture.settings where !engineConfiguration.queues.contains(where: { $0.id == settings.id }) {
                engineConfiguration.queues.append(settings)
            }
            try pace(capture.events.map(\.timestamp))
            result = Replay.run(events: capture.events, configuration: engineConfiguration)
        }
        print(json ? JSONC.encode(result.json()) : result.table())
        if result.eventsRead == 0 {
            throw CommandFailure("\(file): no line was a usable canonical event (see docs/events.md); nothing was replayed")
        }
    }

    /// Whether most AMI events in `bytes` carry a `Timestamp:` header.
    static func eventsCarryTimestamps(_ bytes: [UInt8]) -> Bool {
        var decoder = AMIFrameDecoder()
        var events = 0
        var stamped = 0
        for case .success(let message) in decoder.feed(bytes) where message["Event"] != nil {
            events += 1
            if message.timestamp != nil { stamped += 1 }
        }
        return events == 0 || stamped * 2 >= events
    }

    /// With `--speed`, waits between events as the recording did (scaled), printing the clock.
    private func pace(_ times: [Instant]) throws {
        guard let speed, let first = times.first else { return }
        var previous = first
        for time in times where time > previous {
            usleep(useconds_t(min(Double(time.since(previous)) / speed * 1000, 10_000_000)))
            previous = time
            printError("replay clock \(RFC3339.format(time))")
        }
    }
}
