import Foundation
import Glibc
import Testing
@testable import WallboardJournal

/// Runs a journal workload in a child process (this same test binary, re-entered through
/// `ChildProcessRole`), for what can only be tested process-wide: a file-size limit, `kill -9`.
enum ChildProcess {
    static let roleVariable = "WBJOURNAL_CHILD_ROLE"
    static let directoryVariable = "WBJOURNAL_CHILD_DIR"

    /// Starts this test binary with only `ChildProcessRole` selected and the role in its environment.
    static func start(role: String, directory: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["--testing-library", "swift-testing", "--filter", "ChildProcessRole"]
        var environment = ProcessInfo.processInfo.environment
        environment[roleVariable] = role
        environment[directoryVariable] = directory
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Parses `key=value` lines.
    static func report(_ path: String) -> [String: String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return Dictionary(
            text.split(separator: "\n").compactMap { line in
                line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
            }, uniquingKeysWith: { $1 })
    }
}

/// The child side. In a normal test run the role variable is unset and this test does nothing.
@Suite struct ChildProcessRole {
    static let limit: rlim_t = 64 * 1024

    @Test func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let role = environment[ChildProcess.roleVariable], let dir = environment[ChildProcess.directoryVariable]
        else { return }
        switch role {
        case "disk-full": try diskFull(dir)
        case "append-until-killed": try appendUntilKilled(dir)
        default: Issue.record("unknown role \(role)")
        }
    }

    /// Appends under a 64 KiB file-size limit until the journal refuses, then lifts the limit ("space
    /// returns") and appends 10 more. Writes what happened to `report.txt`.
    func diskFull(_ dir: String) throws {
        signal(SIGXFSZ, SIG_IGN)  // so write(2) fails with EFBIG instead of the process dying
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)
        let original = limit
        limit.rlim_cur = Self.limit
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit)

        let journal = try EventJournal(directory: dir, policy: .always)
        var appended = 0
        var failure: JournalError?
        while failure == nil && appended < 10_000 {
            do {
                _ = try journal.append(payload(appended, size: 200), day: day1)
                appended += 1
            } catch {
                failure = error
            }
        }
        var retryFailed = false
        do { _ = try journal.append(payload(appended, size: 200), day: day1) } catch { retryFailed = true }
        let sizeAfterFailure = (try? FileManager.default.attributesOfItem(atPath: dir + "/journal-2026-11-23.wbj")[.size] as? Int) ?? -1

        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), [original])
        var recovered = 0
        for index in appended..<appended + 10 {
            _ = try journal.append(payload(index, size: 200), day: day1)
            recovered += 1
        }
        try journal.close()
        var noSpace = false
        if case .noSpace(_, _, let errno) = failure, errno == EFBIG { noSpace = true }
        let report = """
            appended=\(appended)
            error=\(failure?.description ?? "none")
            noSpace=\(noSpace)
            retryFailed=\(retryFailed)
            sizeAfterFailure=\(sizeAfterFailure)
            recovered=\(recovered)
            """
        try report.write(toFile: dir + "/report.txt", atomically: false, encoding: .utf8)
    }

    /// Appends with `.always` forever, writing each index to `acks.txt` after `append` returned.
    func appendUntilKilled(_ dir: String) throws {
        let journal = try EventJournal(directory: dir, policy: .always)
        let acks = open(dir + "/acks.txt", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var index = 0
        while true {
            _ = try journal.append(payload(index, size: 150), day: day1)
            let line = Array("\(index)\n".utf8)
            _ = line.withUnsafeBytes { write(acks, $0.baseAddress, $0.count) }
            index += 1
        }
    }
}
