import Foundation

/// Measures appends per second for each `FsyncPolicy` on the disk under `directory`. Not a test: it only
/// prints figures (docs/journal.md says how to run it and what it printed on our machines). The lead may
/// expose it as `wallboardctl journal bench DIR`.
public enum JournalBenchmark {
    /// One policy's figure.
    public struct Figure: Sendable {
        public let policy: FsyncPolicy
        public let appends: Int
        public let seconds: Double
        public var appendsPerSecond: Double { Double(appends) / seconds }
    }

    /// Appends `count` records of `payloadSize` bytes under each policy in a fresh subdirectory of
    /// `directory`. Under `.batched` it calls `sync()` whenever `milliseconds` have passed since the last
    /// one, as the server's timer would, and once at the end.
    public static func run(directory: String, count: Int = 20_000, payloadSize: Int = 300,
                           policies: [FsyncPolicy] = [.os, .batched(milliseconds: 5), .batched(milliseconds: 20), .always])
        throws -> [Figure]
    {
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: payloadSize)
        var figures: [Figure] = []
        for (index, policy) in policies.enumerated() {
            let path = directory + "/bench-\(index)-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let journal = try EventJournal(directory: path, policy: policy)
            let day = JournalDay.todayUTC
            let n = policy == .always ? min(count, 5_000) : count
            let start = DispatchTime.now().uptimeNanoseconds
            var lastSync = start
            for _ in 0..<n {
                _ = try journal.append(payload, day: day)
                if case .batched(let milliseconds) = policy {
                    let now = DispatchTime.now().uptimeNanoseconds
                    if now - lastSync >= UInt64(milliseconds) * 1_000_000 {
                        _ = try journal.sync()
                        lastSync = now
                    }
                }
            }
            _ = try journal.sync()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            try journal.close()
            figures.append(Figure(policy: policy, appends: n, seconds: seconds))
        }
        return figures
    }

    /// Runs and prints one line per policy: `CommandLine.arguments[1]` is the directory (default /var/tmp).
    public static func main() throws {
        let directory = CommandLine.arguments.dropFirst().first ?? "/var/tmp"
        for figure in try run(directory: directory) {
            let rate = Int(figure.appendsPerSecond.rounded())
            print("\(figure.policy)\t\(figure.appends) appends\t\(String(format: "%.3f", figure.seconds)) s\t\(rate) appends/s")
        }
    }
}
