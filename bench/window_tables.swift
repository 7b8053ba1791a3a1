// Times one `windowTables(now:)` and one `snapshot(now:)` after a synthetic day, and the checkpoint's
// size and restore time: the figures the incremental engine (issue 14) is about. Not part of the
// test suite; built against the release modules by bench/window_tables.sh.
import Foundation
import JSONC
import JSONModel
import WallboardCore

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write("usage: window_tables FILE.ndjson [REPEATS]\n".data(using: .utf8)!)
    exit(2)
}
let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20
let text = try String(contentsOfFile: arguments[1], encoding: .utf8)
var engine = WallboardEngine()
// WALLBOARD_BENCH_COSTS=1: price the windows (config `costs:`, docs/metrics.md "Cost per contact"): 25 team
// rates, a default and fixed costs, to see what the cost figures add to snapshot(now:).
if ProcessInfo.processInfo.environment["WALLBOARD_BENCH_COSTS"] == "1" {
    var configuration = engine.configuration
    configuration.costs = CostConfiguration(
        currency: "EUR", agentHourly: 3000,
        teamHourly: Dictionary(uniqueKeysWithValues: (0..<25).map { ("t\($0)", Int64(3100 + $0)) }), fixedHourly: 12_000)
    engine = WallboardEngine(configuration: configuration)
}
var now = Instant(milliseconds: 0)
var count = 0
let clock = ContinuousClock()
let applyTime = clock.measure {
    for line in text.split(separator: "\n") {
        guard let value = try? JSONC.parse(String(line)), let event = try? EventDecoder.decode(value) else { continue }
        now = max(now, event.timestamp)
        engine.apply(event, now: now)
        engine.expire(now: now)
        count += 1
    }
}
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
var sink = 0
let tablesTime = clock.measure {
    for index in 0..<repeats { sink &+= engine.windowTables(now: now.advanced(by: Millis(index))).byWindow.count }
}
let snapshotTime = clock.measure {
    for index in 0..<repeats { sink &+= engine.snapshot(now: now.advanced(by: Millis(index))).queues.count }
}
var checkpointText = ""
let checkpointTime = clock.measure { checkpointText = JSONC.encode(engine.checkpoint()) }
var restored: WallboardEngine?
let restoreTime = clock.measure {
    restored = try? WallboardEngine(restoringFrom: JSONC.parse(checkpointText), configuration: engine.configuration)
}
let same = restored.map { $0.snapshot(now: now) == engine.snapshot(now: now) } ?? false
let scopes = engine.windowTables(now: now).byWindow.values.map(\.count).max() ?? 0
print(
    """
    events \(count), apply+expire \(String(format: "%.2f", seconds(applyTime))) s (parse included), scopes \(scopes)
    windowTables(now:) \(String(format: "%.2f", seconds(tablesTime) / Double(repeats) * 1000)) ms, \
    snapshot(now:) \(String(format: "%.2f", seconds(snapshotTime) / Double(repeats) * 1000)) ms (mean of \(repeats))
    checkpoint \(checkpointText.utf8.count) bytes, encode \(String(format: "%.2f", seconds(checkpointTime))) s, \
    restore \(String(format: "%.2f", seconds(restoreTime))) s, restored snapshot equal: \(same) \(sink > 0 ? "" : " ")
    """)
