import JSONModel
import Testing
import WallboardCore

/// Issue 16 item 3: agents holding several contacts at once (docs/metrics.md, "Concurrent contacts").
@Suite struct ConcurrentContactsTests {
    static func chats(_ count: Int, _ f: inout EventFactory) -> [Event] {
        (1...count).map { f.make(Double($0), .contactQueued(ContactQueued(contact: "chat\($0)", queue: "web", channel: .chat))) }
    }

    static func chatEngine(capacity: Int = 3) -> WallboardEngine {
        var configuration = EngineConfiguration()
        configuration.capacity = ContactCapacity(channels: [.chat: capacity])
        return WallboardEngine(configuration: configuration)
    }

    @Test func aChatAgentWithThreeChatsShowsThemAllOnTheBoardAndInLookups() throws {
        var f = EventFactory()
        var engine = Self.chatEngine()
        engine.run(
            [f.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ana", queues: ["web"])))] + Self.chats(3, &f) + [
                f.make(10, .contactAnswered(contact: "chat1", agent: "a1", monitor: nil)),
                f.make(20, .contactAnswered(contact: "chat2", agent: "a1", monitor: nil)),
                f.make(30, .contactAnswered(contact: "chat3", agent: "a1", monitor: nil)),
            ])
        let agent = try #require(engine.agents["a1"])
        #expect(agent.contacts == ["chat1", "chat2", "chat3"])
        #expect(agent.state == .onContact)
        #expect(engine.load(of: agent) == [AgentLoad(channel: .chat, live: 3, capacity: 3)])
        #expect(engine.interactions(agent: "a1").map(\.id) == ["chat1", "chat2", "chat3"])
        let snapshot = engine.snapshot(now: f.at(40))
        let json = snapshot.json()
        let card = try #require(json["agents"]?.arrayValue?.first)
        #expect(card["contacts"] == ["chat1", "chat2", "chat3"])
        #expect(card["load"] == [["channel": "chat", "live": 3, "capacity": 3]])
        // The agent's time counts once, however many chats it holds: 30 s on a contact, 10 s available.
        let today = snapshot.center.windows[WindowName.today]!
        #expect(today.handlingTime == .seconds(30))
        #expect(today.availableTime == .seconds(10))
    }

    @Test func handleTimeCountsPerContactAndWrapUpOnlyWhileTheAgentIsInWrapUp() {
        var f = EventFactory()
        var engine = Self.chatEngine()
        engine.run(
            [f.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ana", queues: ["web"])))] + Self.chats(2, &f) + [
                f.make(10, .contactAnswered(contact: "chat1", agent: "a1", monitor: nil)),
                f.make(20, .contactAnswered(contact: "chat2", agent: "a1", monitor: nil)),
                f.make(100, .contactEnded(contact: "chat1")),  // chat2 still live: the agent stays on_contact
                f.make(160, .contactEnded(contact: "chat2")),  // now wrap_up
                f.make(175, .agentState(agent: "a1", state: .available, reason: nil)),
            ])
        #expect(engine.agents["a1"]?.state == .available)
        #expect(engine.agents["a1"]?.contacts == [])
        let handled = Dictionary(uniqueKeysWithValues: engine.handled.map { ($0.contact, $0) })
        #expect(handled["chat1"]?.talk == .seconds(90))
        #expect(handled["chat1"]?.wrapUp == .seconds(15), "only the 15 s the agent was in wrap_up")
        #expect(handled["chat2"]?.talk == .seconds(140))
        #expect(handled["chat2"]?.wrapUp == .seconds(15))
        #expect(engine.snapshot(now: f.at(175)).center.windows[WindowName.today]?.handledCount == 2)
    }

    @Test func answeringBeyondCapacityEndsTheWrapUpOfTheOldestEndedContactOfThatChannel() {
        var f = EventFactory()
        var engine = Self.chatEngine(capacity: 2)
        engine.run(
            [f.make(0, .agentLogin(AgentLogin(agent: "a1", name: "Ana", queues: ["web"])))] + Self.chats(3, &f) + [
                f.make(10, .contactAnswered(contact: "chat1", agent: "a1", monitor: nil)),
                f.make(20, .contactAnswered(contact: "chat2", agent: "a1", monitor: nil)),
                f.make(50, .contactEnded(contact: "chat1")),
                f.make(60, .contactAnswered(contact: "chat3", agent: "a1", monitor: nil)),
            ])
        #expect(engine.handled.map(\.contact) == ["chat1"])
        #expect(engine.handled.first?.wrapUp == 0, "the agent never was in wrap_up: chat2 kept it on a contact")
        #expect(engine.agents["a1"]?.contacts == ["chat2", "chat3"])
    }

    @Test func theAgentsCapacityWinsOverTheTeamsAndTheTeamsOverTheChannels() {
        let capacity = ContactCapacity(
            channels: [.chat: 3, .email: 5], teams: ["night": [.chat: 2]], agents: ["a9": [.chat: 6]])
        #expect(capacity.limit(agent: "a9", team: "night", channel: .chat) == 6)
        #expect(capacity.limit(agent: "a1", team: "night", channel: .chat) == 2)
        #expect(capacity.limit(agent: "a1", team: "night", channel: .email) == 5)
        #expect(capacity.limit(agent: "a1", team: nil, channel: .chat) == 3)
        #expect(capacity.limit(agent: "a1", team: nil, channel: .voice) == 1)
    }
}
