import Testing
import WallboardCore
@testable import WallboardServer

/// `queue_groups:` in the config: read into the engine configuration, with errors that name the entry.
@Suite struct QueueGroupConfigTests {
    static let queues = "queues:\n  - id: sales\n  - id: support\n  - id: chat\n"

    @Test func readsGroupsInOrderWithTheirOverrides() throws {
        let yaml = Self.queues + """
            queue_groups:
              - id: north
                name: North floor
                queues: [sales, chat]
                target: 0.85
                warning_level: 0.7
              - id: all
                queues:
                  - support
                  - sales
            """
        let configuration = try DaemonConfiguration.parse(yaml: yaml, fileName: "g.yaml")
        #expect(configuration.engine.queueGroups == [
            QueueGroup(id: "north", name: "North floor", queues: ["sales", "chat"], target: 0.85, warningLevel: 0.7),
            QueueGroup(id: "all", name: "all", queues: ["support", "sales"]),
        ])
        #expect(try DaemonConfiguration.parse(yaml: Self.queues, fileName: "g.yaml").engine.queueGroups.isEmpty)
    }

    @Test(arguments: [
        ("queue_groups:\n  - id: n\n    queues: [sales, billing]\n",
         "g.yaml:7: queue_groups[0].queues[1]: queue \"billing\" is not listed under queues: (known: sales, support, chat)"),
        ("queue_groups:\n  - id: n\n    queues: [sales]\n  - id: n\n    queues: [chat]\n",
         "g.yaml:8: queue_groups[1].id: queue group \"n\" is listed twice"),
        ("queue_groups:\n  - id: n\n    queues: [sales, sales]\n", "queue_groups[0].queues[1]: queue \"sales\" is listed twice in group \"n\""),
        ("queue_groups:\n  - id: n\n", "g.yaml:6: queue_groups[0].queues: is required"),
        ("queue_groups:\n  - id: n\n    queues: []\n", "g.yaml:7: queue_groups[0].queues: must be a non-empty list of strings"),
        ("queue_groups:\n  - queues: [sales]\n", "g.yaml:6: queue_groups[0]: missing required key \"id\""),
        ("queue_groups:\n  - id: n\n    queues: [sales]\n    target: 0.8\n    warning_level: 0.9\n",
         "g.yaml:9: queue_groups[0].warning_level: must not be above the target (0.8), got 0.9"),
        ("queue_groups:\n  - id: n\n    queues: [sales]\n    colour: red\n", "g.yaml:8: queue_groups[0].colour: unknown key"),
    ])
    func badGroupsAreClearErrors(groups: String, expected: String) {
        do {
            _ = try DaemonConfiguration.parse(yaml: Self.queues + groups, fileName: "g.yaml")
            Issue.record("no error for \(groups)")
        } catch {
            #expect(error.description.contains(expected), "got: \(error.description)")
        }
    }
}
