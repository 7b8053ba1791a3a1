import ArgumentParser
import Foundation
import WallboardJournal

/// `wallboardctl journal stats|verify --state-dir DIR`: look into the event journal (read-only, safe
/// while the daemon runs).
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal", abstract: "Inspect the event journal.", subcommands: [Stats.self, Verify.self])

    struct Location: ParsableArguments {
        @Option(help: "The daemon's state directory (the journal is in its journal/ folder).")
        var stateDir: String = "/var/lib/wallboardd"

        var directory: JournalDirectory { JournalDirectory(path: stateDir + "/journal") }
    }

    /// Segments, sizes, record counts, first and last records, checkpoints.
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Segments, sizes, record counts and checkpoints.")
        @OptionGroup var location: Location

        func run() throws {
            let stats = try location.directory.stats()
            print("journal \(location.stateDir)/journal: \(stats.segments.count) segments, \(stats.totalRecords) records, \(stats.totalBytes) bytes")
            for segment in stats.segments {
                var line = "  \(segment.day)  \(segment.records) records  \(segment.bytes) bytes"
                if segment.issues > 0 { line += "  \(segment.issues) problems (run verify)" }
                print(line)
            }
            print("checkpoints: " + (stats.checkpoints.isEmpty ? "none" : stats.checkpoints.map(\.key).joined(separator: ", ")))
        }
    }

    /// Checks every record's checksums and every checkpoint; exit 1 if anything is wrong.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every record and checkpoint; exit 1 on problems.")
        @OptionGroup var location: Location

        func run() throws {
            let result = try location.directory.verify()
            for issue in result.issues { printError("problem: \(issue)") }
            for unreadable in result.unreadable { printError("unreadable: \(unreadable)") }
            print("\(result.segments) segments, \(result.records) records, \(result.checkpoints) checkpoints: "
                  + (result.isClean ? "clean" : "\(result.issues.count + result.unreadable.count) problems"))
            if !result.isClean { throw ExitCode(1) }
        }
    }
}
