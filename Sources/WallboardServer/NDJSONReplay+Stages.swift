import Foundation
import JSONC
import WallboardCore

/// `wallboardctl replay FILE --instant --timings`: the same replay as ``NDJSONReplay/run(_:configuration:)``,
/// done in stages so each is timed on its own: json-c's parse of every line alone, then parse and decode of
/// every line into events (held in memory), then the engine applying them, then reading the windows.
///
/// The stages show where a replay's time goes and bound how fast it could be: a replay cannot run faster
/// than parsing and decoding its lines, whatever the engine does (docs/benchmarks.md, issue 14). The result
/// is the one ``NDJSONReplay/run(_:configuration:)`` computes: lines are decoded and applied in the same
/// order, with the same rejections.
extension NDJSONReplay {
    /// CPU seconds of this process spent in each stage, and the lines and events they handled.
    public struct StageTimings: Sendable, Equatable {
        /// Non-blank lines read.
        public var lines = 0
        /// Lines that decoded to an event (and went to the engine).
        public var events = 0
        /// json-c's strict parse of every line, the tree freed at once: no decoding.
        public var parse: Double = 0
        /// Parse and decode of every line into an ``Event``.
        public var decode: Double = 0
        /// The engine applying the decoded events on the replay's clock (``Replay/Session``).
        public var engine: Double = 0
        /// Reading every window at the end (the snapshot) and rejecting what is still held back.
        public var windows: Double = 0

        /// A few lines for standard error: seconds and rates per stage.
        public func table() -> String {
            func rate(_ count: Int, _ seconds: Double) -> String {
                seconds > 0 ? "\(Int((Double(count) / seconds).rounded())) a second" : "-"
            }
            func seconds(_ value: Double) -> String { String(format: "%8.3f s", value) }
            return """
                replay stages (CPU seconds of this process; each stage run on its own):
                  parse    \(seconds(parse))  json-c's parse of \(lines) lines alone: \(rate(lines, parse))
                  decode   \(seconds(decode))  parse and decode into events: \(rate(lines, decode))
                  engine   \(seconds(engine))  the engine applying \(events) events: \(rate(events, engine))
                  windows  \(seconds(windows))  reading every window at the end
                """
        }
    }

    /// One line after the decode stage.
    private enum Decoded {
        case event(line: Int, Event)
        case undecodable(line: Int, eventID: String?, EventRejection)
        case unparseable(line: Int, message: String)
    }

    /// Replays `bytes` in timed stages (see the type's documentation). `cpuSeconds` reads the clock the
    /// stages are timed by; the default is this process's CPU time.
    public static func runInStages(
        _ bytes: [UInt8], configuration: EngineConfiguration = EngineConfiguration(),
        cpuSeconds: () -> Double = processCPUSeconds
    ) -> (result: ReplayResult, timings: StageTimings) {
        var timings = StageTimings()
        var decoded: [Decoded] = []
        do {
            let parser = try JSONCParser()
            var started = cpuSeconds()
            forEachLine(bytes) { _, text in
                timings.lines += 1
                _ = try? parser.parse(text) { _ in () }
            }
            timings.parse = cpuSeconds() - started
            started = cpuSeconds()
            decoded.reserveCapacity(timings.lines)
            forEachLine(bytes) { line, text in
                do {
                    decoded.append(
                        try parser.parse(text) { node -> Decoded in
                            do throws(EventRejection) {
                                return .event(line: line, try EventDecoder.decode(readable: node))
                            } catch {
                                return .undecodable(line: line, eventID: EventDecoder.quotableID(readable: node), error)
                            }
                        })
                } catch {
                    decoded.append(.unparseable(line: line, message: "\(error)"))
                }
            }
            timings.decode = cpuSeconds() - started
        } catch {
            // json-c could not allocate a tokener: every line is reported, as in `run`.
            forEachLine(bytes) { line, _ in
                timings.lines += 1
                decoded.append(.unparseable(line: line, message: "\(error)"))
            }
        }
        var session = Replay.Session(configuration: configuration)
        var started = cpuSeconds()
        for item in decoded {
            switch item {
            case .event(let line, let event):
                timings.events += 1
                session.apply(event, line: line)
            case .undecodable(let line, let eventID, let error): session.undecodable(line: line, eventID: eventID, error)
            case .unparseable(let line, let message): session.unparseable(line: line, message: message)
            }
        }
        timings.engine = cpuSeconds() - started
        decoded = []
        started = cpuSeconds()
        let result = session.finish()
        timings.windows = cpuSeconds() - started
        return (result, timings)
    }

    /// CPU seconds this process has used so far (user and system, every thread).
    public static func processCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
