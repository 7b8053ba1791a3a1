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

    /// `ami[].self_service`: IVR contexts and their entry points, and the reason variable (docs/asterisk.md).
    @Test func selfServiceContextsAreReadAndChecked() throws {
        let plain = try DaemonConfiguration.parse(yaml: Self.source, fileName: "a.yaml")
        #expect(plain.amiSources.first?.selfServiceContexts == [:])
        let configured = try DaemonConfiguration.parse(
            yaml: Self.source + "    self_service: {contexts: {inbound: ivr-main}, reason_variable: IVR_REASON}\n",
            fileName: "a.yaml")
        #expect(configured.amiSources.first?.selfServiceContexts == ["inbound": "ivr-main"])
        #expect(configured.amiSources.first?.selfServiceReasonVariable == "IVR_REASON")
        for (yaml, message) in [
            ("    self_service: {contexts: {inbound: \"\"}}\n", "ami[0].self_service.contexts.inbound: must name an entry point"),
            ("    self_service: {context: {inbound: ivr}}\n", "unknown key \"context\""),
        ] {
            do {
                _ = try DaemonConfiguration.parse(yaml: Self.source + yaml, fileName: "a.yaml")
                Issue.record("accepted \(yaml)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}
