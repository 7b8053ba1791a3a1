import Foundation
import JSONC
import JSONModel
import Testing
import WallboardCore

/// Amazon Connect records shaped like AWS's published samples (agent event stream: *Agent event streams
/// data model*; contact states: *About contact states*; EventBridge: *Amazon Connect contact events*),
/// written by the tests, with the previous snapshot carried from record to record as Connect does.
struct ConnectRecords {
    static let instance = "arn:aws:connect:eu-west-1:111122223333:instance/5f0c0a1e-3a2b-4c1d-9e8f-0a1b2c3d4e5f"
    static let sales = instance + "/queue/7d1e2f30-0c4b-4b6e-8f5a-5a1e0d7c1001"
    static let support = instance + "/queue/7d1e2f30-0c4b-4b6e-8f5a-5a1e0d7c1002"
    static let agentARN = instance + "/agent/0a5b7c3e-1111-4c4c-9d9d-00000000a11c"

    var lines: [String] = []
    var previous: JSONValue = .null
    var seconds = 0

    mutating func time() -> String {
        seconds += 5
        return String(format: "2026-11-23T09:%02d:%02d.000Z", seconds / 60, seconds % 60)
    }

    /// An agent event (LOGIN, STATE_CHANGE, LOGOUT, HEART_BEAT) for alice with this status and contacts.
    mutating func agent(_ type: String, status: String, statusType: String?, contacts: [(id: String, state: String)] = []) {
        let at = time()
        var agentStatus: JSONObject = ["ARN": .string(Self.instance + "/agent-state/\(status)"), "Name": .string(status),
                                       "StartTimestamp": .string(at)]
        if let statusType { agentStatus["Type"] = .string(statusType) }
        let snapshot: JSONValue = [
            "AgentStatus": .object(agentStatus),
            "Configuration": [
                "FirstName": "Alice", "LastName": "Martin", "Username": "alice",
                "AgentHierarchyGroups": ["Level1": ["ARN": .string(Self.instance + "/agent-group/north"), "Name": "north"]],
                "RoutingProfile": [
                    "ARN": .string(Self.instance + "/routing-profile/rp"), "Name": "Sales and Support",
                    "InboundQueues": [
                        ["ARN": .string(Self.sales), "Name": "sales", "Channels": ["VOICE", "TASK"]],
                        ["ARN": .string(Self.support), "Name": "support", "Channels": ["VOICE", "TASK"]],
                    ],
                ],
            ],
            "Contacts": .array(contacts.map { contact in
                [
                    "ContactId": .string(contact.id), "InitialContactId": nil, "Channel": "VOICE",
                    "InitiationMethod": "INBOUND", "State": .string(contact.state), "StateStartTimestamp": .string(at),
                    "QueueTimestamp": .string(at), "Queue": ["ARN": .string(Self.sales), "Name": "sales"],
                ]
            }),
            "NextAgentStatus": nil,
        ]
        lines.append(JSONC.encode([
            "AWSAccountId": "111122223333", "AgentARN": .string(Self.agentARN), "CurrentAgentSnapshot": snapshot,
            "EventId": .string("e-\(lines.count)"), "EventTimestamp": .string(at), "EventType": .string(type),
            "InstanceARN": .string(Self.instance), "PreviousAgentSnapshot": previous, "Version": "2019-05-25",
        ]))
        previous = snapshot
    }

    /// An EventBridge contact event.
    mutating func contact(_ eventType: String, _ contact: String, queue: String? = nil, method: String = "INBOUND",
                          channel: String = "VOICE", agent: Bool = false) {
        let at = time()
        var detail: JSONObject = [
            "eventType": .string(eventType), "contactId": .string(contact), "channel": .string(channel),
            "instanceArn": .string(Self.instance), "initiationMethod": .string(method),
        ]
        if let queue { detail["queueInfo"] = ["queueArn": .string(queue), "queueType": "STANDARD", "enqueueTimestamp": .string(at)] }
        if agent { detail["agentInfo"] = ["agentArn": .string(Self.agentARN), "connectedToAgentTimestamp": .string(at)] }
        if eventType == "DISCONNECTED" { detail["disconnectTimestamp"] = .string(at) }
        lines.append(JSONC.encode([
            "version": "0", "id": .string("c-\(lines.count)"), "detail-type": "Amazon Connect Contact Event",
            "source": "aws.connect", "account": "111122223333", "time": .string(at), "region": "eu-west-1",
            "resources": [.string(Self.instance + "/contact/\(contact)")], "detail": .object(detail),
        ]))
    }
}

/// The bridge's state model against every documented agent status type and contact state.
@Suite struct ConnectBridgeStateTests {
    /// Runs the bridge on `records`; returns its exit status, events and stderr.
    static func run(_ records: ConnectRecords, _ arguments: [String] = []) throws -> (status: Int32, events: [JSONValue], stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", BridgeExampleTests.bridge] + arguments
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(Data((records.lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let events = try String(decoding: stdout, as: UTF8.self).split(separator: "\n").map { try JSONC.parse(String($0)) }
        return (process.terminationStatus, events, String(decoding: stderr, as: UTF8.self))
    }

    /// `type` plus the interesting field of each event, e.g. `agent.state:not_ready:break`.
    static func summary(_ events: [JSONValue]) -> [String] {
        events.map { event in
            let type = event["type"]?.stringValue ?? "?"
            let detail = [event["state"], event["reason"], event["to_queue"]].compactMap { $0?.stringValue }
            return ([type] + detail).joined(separator: ":")
        }
    }

    /// The events replay without a single rejection.
    static func replays(_ events: [JSONValue]) -> [ReplayRejection] {
        Replay.run(inputs: events.enumerated().map { Replay.Input.json(line: $0.offset + 1, $0.element) }).rejections
    }

    @Test func agentStatusesGoByTypeAndConfiguredNames() throws {
        var records = ConnectRecords()
        records.agent("LOGIN", status: "Offline", statusType: "OFFLINE")
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE")
        records.agent("STATE_CHANGE", status: "Break", statusType: "CUSTOM")
        records.agent("HEART_BEAT", status: "Break", statusType: "CUSTOM")
        records.agent("STATE_CHANGE", status: "Team Meeting", statusType: "CUSTOM")
        records.agent("STATE_CHANGE", status: "Lunch", statusType: nil)  // no Type: by name
        records.agent("STATE_CHANGE", status: "Training", statusType: "CUSTOM")
        records.agent("STATE_CHANGE", status: "Available", statusType: nil)
        records.agent("STATE_CHANGE", status: "Offline", statusType: "OFFLINE")
        records.agent("LOGOUT", status: "Offline", statusType: "OFFLINE")
        let plain = try Self.run(records)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(Self.summary(plain.events) == [
            "agent.login", "agent.state:not_ready:break", "agent.state:not_ready:team_meeting",
            "agent.state:not_ready:lunch", "agent.state:not_ready:training", "agent.state:available",
            "agent.state:offline",
        ])
        // The operator's own names: Lunch is a meal break, Training takes the agent off the floor.
        let mapped = try Self.run(records, ["--status", "lunch=not_ready:meal", "--status", "Training=offline"])
        #expect(mapped.status == 0, "\(mapped.stderr)")
        #expect(Self.summary(mapped.events).contains("agent.state:not_ready:meal"))
        #expect(Self.summary(mapped.events).contains("agent.state:offline"))
        #expect(!Self.summary(mapped.events).contains("agent.state:not_ready:training"))
        for bad in ["Lunch", "Lunch=busy", "Lunch=available:x", "=offline"] {
            let refused = try Self.run(records, ["--status", bad])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("NAME=STATE[:REASON]"), "\(refused.stderr)")
        }
    }

    /// Every contact state of the agent event stream, in the order an agent meets them.
    @Test func everyContactStateOfTheAgentStream() throws {
        var records = ConnectRecords()
        records.agent("LOGIN", status: "Available", statusType: "ROUTABLE")
        // Queued callbacks offered to / reserved for the agent (INCOMING, PENDING): the contact stays queued,
        // the agent does not ring.
        records.contact("QUEUED", "cb1", queue: ConnectRecords.sales, method: "CALLBACK")
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("cb1", "INCOMING")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("cb1", "PENDING")])
        // Offered (ringing), missed: unroutable until cleared; then a rejected one and an error.
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("cb1", "CONNECTING")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("cb1", "MISSED")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE")
        records.contact("QUEUED", "c2", queue: ConnectRecords.sales)
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "CONNECTING")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "REJECTED")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "ERROR")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE")
        // Accepted: connected, on hold and back, a task paused (its slot is free) and resumed, ended, ACW done.
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "CONNECTING")])
        records.contact("CONNECTED_TO_AGENT", "c2", agent: true)
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "CONNECTED")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "CONNECTED_ONHOLD")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "CONNECTED")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "PAUSED")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "CONNECTED")])
        records.contact("DISCONNECTED", "c2")
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE", contacts: [("c2", "ENDED")])
        records.agent("STATE_CHANGE", status: "Available", statusType: "ROUTABLE")
        let run = try Self.run(records)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.summary(run.events) == [
            "agent.login", "contact.queued:callback", "agent.state:ringing", "agent.state:not_ready:missed",
            "agent.state:available", "contact.queued", "agent.state:ringing", "agent.state:not_ready:rejected",
            "agent.state:not_ready:error", "agent.state:available", "agent.state:ringing", "contact.answered",
            "contact.held", "contact.resumed", "contact.held", "agent.state:available", "contact.resumed",
            "agent.state:on_contact", "contact.ended", "contact.wrapup_done",
        ])
        #expect(run.events[1]["reason"] == "callback")
        #expect(Self.replays(run.events) == [])
    }

    /// Contact events: a second QUEUED is a queue transfer, once per move; events without a wallboard
    /// meaning are ignored.
    @Test func everyContactEventAndQueueTransfers() throws {
        var records = ConnectRecords()
        records.agent("LOGIN", status: "Available", statusType: "ROUTABLE")
        records.contact("INITIATED", "c1")
        records.contact("CONNECTED_TO_SYSTEM", "c1")
        records.contact("QUEUED", "c1", queue: ConnectRecords.sales)
        records.contact("CONTACT_DATA_UPDATED", "c1")
        records.contact("QUEUED", "c1", queue: ConnectRecords.sales)  // the same queue again: nothing moved
        records.contact("QUEUED", "c1", queue: ConnectRecords.support)
        records.contact("CONNECTED_TO_AGENT", "c1", agent: true)
        records.contact("QUEUED", "c1", queue: ConnectRecords.sales)  // sent back to a queue after answering
        records.contact("CONNECTED_TO_AGENT", "c1", agent: true)
        records.contact("DISCONNECTED", "c1")
        records.contact("COMPLETED", "c1")
        records.contact("QUEUED", "c3", queue: ConnectRecords.support, channel: "TASK")
        records.contact("DISCONNECTED", "c3")
        let run = try Self.run(records)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.summary(run.events) == [
            "agent.login", "contact.queued", "contact.transferred:support", "contact.answered",
            "contact.transferred:sales", "contact.answered", "contact.ended", "contact.queued", "contact.abandoned",
        ])
        #expect(run.events[7]["channel"] == "email")
        let result = Replay.run(inputs: run.events.enumerated().map { Replay.Input.json(line: $0.offset + 1, $0.element) })
        #expect(result.rejections == [])
        let today = result.json()["windows"]?["today"]
        #expect(today?["queues"]?["sales"]?["transferred_out"] == 1)
        #expect(today?["queues"]?["support"]?["abandoned"] == 1)
    }
}
