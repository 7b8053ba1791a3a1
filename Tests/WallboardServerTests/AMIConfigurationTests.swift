import AMIAdapter
import Testing
@testable import WallboardServer

/// `ami[].service_level`: the treatment of the queues discovered from that Asterisk (docs/asterisk.md).
@Suite struct AMIConfigurationTests {
    static let source = "ami:\n  - host: pbx\n    username: wallboard\n    secret_file: /s\n"

    @Test func serviceLevelTreatmentIsReadAndDefaultsToTheBoards() throws {
        #expect(try DaemonConfiguration.parse(yaml: Self.source, fileName: "a.yaml").amiSources.first?.serviceLevel == .board)
        let perf2 = try DaemonConfiguration.parse(yaml: Self.source + "    service_level: perf2\n", fileName: "a.yaml")
        #expect(perf2.amiSources.first?.serviceLevel == .perf2)
        do {
            _ = try DaemonConfiguration.parse(yaml: Self.source + "    service_level: perf3\n", fileName: "a.yaml")
            Issue.record("accepted an unknown treatment")
        } catch {
            #expect("\(error)".contains("a.yaml:5: ami[0].service_level: \"perf3\" is not one of board, perf, perf2"))
        }
    }
}
