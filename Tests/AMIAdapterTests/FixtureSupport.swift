import AMIAdapter
import Foundation
import WallboardCore

/// Loads the Asterisk captures in `Fixtures/` (see its README) and runs mapped events through the engine.
enum Fixture {
    static let scenarios = ["A_basic", "C_presence", "E_resync", "G_transfer"]

    static func bytes(_ name: String, _ ext: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures") else {
            throw FixtureError.missing("\(name).\(ext)")
        }
        return Array(try Data(contentsOf: url))
    }

    static func truth(_ name: String) throws -> [String: Any] {
        let data = Data(try bytes(name, "truth.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// `recv_ms<TAB>conn<TAB>block` lines, `block` unescaped (`\\`, `\r`, `\n`, `\t`).
    static func tsv(_ name: String) throws -> [(recvMs: Int64, conn: Int, block: [UInt8])] {
        let text = String(decoding: try bytes(name, "tsv"), as: UTF8.self)
        var rows: [(Int64, Int, [UInt8])] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let ms = Int64(fields[0]), let conn = Int(fields[1]) else {
                throw FixtureError.badTSV(String(line.prefix(40)))
            }
            var block: [UInt8] = []
            var escaped = false
            for byte in fields[2].utf8 {
                if escaped {
                    switch byte {
                    case UInt8(ascii: "r"): block.append(0x0D)
                    case UInt8(ascii: "n"): block.append(0x0A)
                    case UInt8(ascii: "t"): block.append(0x09)
                    default: block.append(byte)
                    }
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else {
                    block.append(byte)
                }
            }
            rows.append((ms, conn, block))
        }
        return rows
    }

    static func t0(_ truth: [String: Any]) -> Int64 {
        let base = truth["time_base"] as! [String: Any]
        return Int64(((base["t0_epoch"] as! NSNumber).doubleValue * 1000).rounded())
    }

    /// The wrap-up times of the capture rig's queues.conf.
    static let mapperConfiguration = AMIEventMapper.Configuration(wrapUpTimes: ["sales": 5000, "support": 3000])
}

enum FixtureError: Error {
    case missing(String)
    case badTSV(String)
}

/// Applies events to a fresh engine, each at its own timestamp, and keeps the rejections.
struct EngineRun {
    var engine: WallboardEngine
    var rejections: [(Event, EventRejection)] = []

    init(settings: [QueueSettings]) {
        engine = WallboardEngine(configuration: EngineConfiguration(queues: settings))
    }

    mutating func apply(_ events: [Event], until end: Instant? = nil) {
        for event in events {
            if let end, event.timestamp > end { break }
            if case .rejected(let why) = engine.apply(event, now: event.timestamp) { rejections.append((event, why)) }
        }
    }

    /// Longest wait among answered departures of `queue` (all queues with `nil`).
    func maxAnsweredWait(queue: String? = nil) -> Millis? {
        engine.departures.filter { $0.outcome == .answered && (queue == nil || $0.queue == queue) }.map(\.wait).max()
    }
}
