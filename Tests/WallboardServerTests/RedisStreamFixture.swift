import Foundation
import JSONC
import JSONModel
import Redis
import Synchronization
import WallboardCore
@testable import WallboardServer

/// Daemons joined by a real Redis stream, the events they exchange, and what to compare.
enum RedisStreamFixture {
    static let stream = "wallboard:events"

    /// A daemon on 127.0.0.1:0 without the simulator, with a Redis source and/or sink on `server`.
    static func daemon(
        server: RedisTestServer, source: Bool = false, sink: RedisSettings.Sink? = nil, stateDirectory: String? = nil
    ) throws -> TestDaemon {
        var options = DaemonOptions(host: "127.0.0.1", port: 0, webRoot: nil, simulator: false)
        var settings = RedisSettings(host: "127.0.0.1", port: server.port)
        settings.maxBackoffMilliseconds = 500
        settings.timeoutMilliseconds = 1000
        settings.stateDirectory = stateDirectory
        if source { settings.source = RedisSettings.Source(stream: stream, blockMilliseconds: 50, batch: 7) }
        settings.sink = sink
        options.redis = settings
        if let stateDirectory {
            options.stateDirectory = stateDirectory
            options.journal = EngineService.JournalSettings(directory: stateDirectory + "/journal")
        }
        return try TestDaemon(options: options)
    }

    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wb-redis-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Batch `number`: `count` contacts, even ones abandoned after a wait, odd ones answered by an agent
    /// of their own, ended and wrapped up; stamped within the last half hour, in order.
    static func batch(_ number: Int, contacts count: Int, now: Instant = SystemClock().now()) -> String {
        (0..<count).flatMap { index -> [String] in
            let id = "b\(number)-\(index)"
            let start = now.advanced(by: -.minutes(30) + Millis(number) * 60_000 + Millis(index) * 500)
            func ts(_ seconds: Int64) -> String { RFC3339.format(start.advanced(by: .seconds(seconds))) }
            let queue = index % 3 == 0 ? "q1" : "q2"
            var lines = [
                #"{"id":"\#(id)-q","ts":"\#(ts(0))","type":"contact.queued","contact":"c\#(id)","queue":"\#(queue)","channel":"voice"}"#
            ]
            if index % 2 == 0 {
                lines.append(#"{"id":"\#(id)-x","ts":"\#(ts(Int64(8 + index % 40)))","type":"contact.abandoned","contact":"c\#(id)"}"#)
            } else {
                lines = [
                    #"{"id":"\#(id)-l","ts":"\#(ts(0))","type":"agent.login","agent":"a\#(id)","name":"A \#(id)","team":"t1","queues":["\#(queue)"]}"#,
                    #"{"id":"\#(id)-s","ts":"\#(ts(0))","type":"agent.state","agent":"a\#(id)","state":"available"}"#,
                ] + lines + [
                    #"{"id":"\#(id)-a","ts":"\#(ts(Int64(5 + index % 50)))","type":"contact.answered","contact":"c\#(id)","agent":"a\#(id)"}"#,
                    #"{"id":"\#(id)-e","ts":"\#(ts(90))","type":"contact.ended","contact":"c\#(id)"}"#,
                    #"{"id":"\#(id)-w","ts":"\#(ts(100))","type":"contact.wrapup_done","contact":"c\#(id)","agent":"a\#(id)"}"#,
                ]
            }
            return lines
        }.joined(separator: "\n")
    }

    /// Lines in a batch (events posted).
    static func eventCount(_ body: String) -> Int { body.split(separator: "\n").count }

    /// The daemon's figures at `instant` (everything but the sources' states), computed on its engine queue.
    static func figures(_ daemon: TestDaemon, at instant: Instant) -> JSONValue {
        let result = Mutex<JSONValue>(.null)
        let done = DispatchSemaphore(value: 0)
        daemon.daemon.engine.read({ engine, _ in engine.snapshot(now: instant).json() }) { json in
            result.withLock { $0 = json }
            done.signal()
        }
        done.wait()
        guard case .object(var object) = result.withLock({ $0 }) else { return .null }
        object["sources"] = nil
        // The projected close stands on the interval history, which holds the intervals from the first one a
        // daemon saw (a replica started later has fewer; so does its /api/v1/intervals): not a figure to compare.
        if case .object(var center)? = object["center"] {
            center["projected_close"] = nil
            object["center"] = .object(center)
        }
        if case .array(let queues)? = object["queues"] {
            object["queues"] = .array(queues.map { queue in
                guard case .object(var entry) = queue else { return queue }
                entry["projected_close"] = nil
                return .object(entry)
            })
        }
        return .object(object)
    }

    /// The engine's counters (applied by type, duplicates, rejections).
    static func counters(_ daemon: TestDaemon) -> EngineCounters {
        let result = Mutex<EngineCounters?>(nil)
        let done = DispatchSemaphore(value: 0)
        daemon.daemon.engine.read({ engine, _ in engine.counters }) { counters in
            result.withLock { $0 = counters }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }!
    }

    /// Total events applied by the engine.
    static func applied(_ daemon: TestDaemon) -> Int { counters(daemon).applied.values.reduce(0, +) }

    /// Polls `condition` every 50 ms for up to `seconds`; whether it came true.
    static func eventually(seconds: Double = 15, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    /// Whether the replica's source has applied the stream up to its newest entry.
    static func caughtUp(_ replica: TestDaemon, server: RedisTestServer) -> Bool {
        guard let head = try? server.connect().lastID(stream: stream) else { return false }
        return replica.daemon.redisSource?.lastApplied == head
    }

    /// A source's state as the board and /healthz show it.
    static func sourceState(_ daemon: TestDaemon, _ name: String) throws -> (state: String, detail: String)? {
        let health = try JSONC.parse(try daemon.get("/healthz").text)
        guard let entry = health["sources"]?.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else { return nil }
        return (entry["state"]?.stringValue ?? "", entry["detail"]?.stringValue ?? "")
    }
}
