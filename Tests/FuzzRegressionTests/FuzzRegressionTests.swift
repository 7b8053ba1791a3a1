import Foundation
import WallboardFuzz
import XCTest

/// Replays every input in `Fuzz/regressions/<target>/` (crashes the fuzzers found, minimized, and a few
/// hand-picked hostile inputs) through the same entry code the libFuzzer executables call, so a fixed
/// crash stays fixed in the ordinary test run, without the fuzzer build. A regression that traps again
/// crashes this test (and names its file in the log first).
final class FuzzRegressionTests: XCTestCase {
    static let regressions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/regressions")

    func testEventDecoderRegressions() throws { try replay(.eventDecoder) }
    func testAMIStreamRegressions() throws { try replay(.amiStream) }
    func testWebSocketMessageRegressions() throws { try replay(.webSocketMessage) }
    func testHTTPRequestRegressions() throws { try replay(.httpRequest) }
    func testConfigLoaderRegressions() throws { try replay(.configLoader) }

    func testEveryTargetHasARegressionFolder() throws {
        for target in FuzzTarget.allCases {
            XCTAssertFalse(try inputs(of: target).isEmpty, "Fuzz/regressions/\(target.rawValue) has no inputs")
        }
    }

    private func inputs(of target: FuzzTarget) throws -> [URL] {
        let folder = Self.regressions.appendingPathComponent(target.rawValue)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") && $0.pathExtension != "md" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Reproducers of crashes fixed on another branch, not yet merged here (`Fuzz/known-crashes`).
    private func knownCrashes(of target: FuzzTarget) throws -> Set<String> {
        let list = try String(contentsOf: Self.regressions.deletingLastPathComponent().appendingPathComponent("known-crashes"), encoding: .utf8)
        return Set(list.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard !line.hasPrefix("#"), fields.count == 3, fields[0] == target.rawValue, !fields[2].isEmpty else { return nil }
            return String(fields[2])
        })
    }

    private func replay(_ target: FuzzTarget) throws {
        let known = try knownCrashes(of: target)
        for file in try inputs(of: target) {
            if known.contains(file.lastPathComponent) {
                print("skipping \(target.rawValue)/\(file.lastPathComponent): a known crash fixed elsewhere (Fuzz/known-crashes)")
                continue
            }
            print("replaying \(target.rawValue)/\(file.lastPathComponent)")
            target.run(Array(try Data(contentsOf: file)))
        }
    }
}
