/// The demo contact center the built-in simulator plays: queues with arrival rates, agents, habits.
public struct SimulatorConfiguration: Sendable, Equatable {
    /// One simulated queue.
    public struct Queue: Sendable, Equatable {
        public var id: String
        public var name: String
        public var channel: Channel
        /// Mean time between arrivals.
        public var meanInterArrival: Millis
        /// Mean talk (or chat) time.
        public var meanTalk: Millis
        /// Mean time a customer waits before giving up.
        public var meanPatience: Millis
        /// Contact types (reason codes) drawn uniformly.
        public var reasons: [String]
    }

    /// One simulated agent.
    public struct Agent: Sendable, Equatable {
        public var id: String
        public var name: String
        public var team: String
        public var queues: [String]
        public var languages: [String]
    }

    public var seed: UInt64
    public var queues: [Queue]
    public var agents: [Agent]
    /// Wrap-up after each contact, drawn uniformly.
    public var wrapUp: ClosedRange<Millis>
    /// Ringing before an agent answers, drawn uniformly.
    public var ring: ClosedRange<Millis>
    /// Chance that an agent finishing wrap-up takes a break instead of going available.
    public var breakProbability: Double
    /// Break length, drawn uniformly, and the reasons drawn from.
    public var breakLength: ClosedRange<Millis>
    public var breakReasons: [String]
    /// Chance that a contact is put on hold once, for a uniform time.
    public var holdProbability: Double
    public var holdLength: ClosedRange<Millis>
    /// Chance that a customer is a VIP.
    public var vipProbability: Double

    /// A small center: sales and support on voice, a chat queue, 15 agents in two teams. The load
    /// (about 11 Erlangs of talk plus wrap-up and breaks on 15 agents) keeps service levels near their
    /// 80/30 targets, with busy spells that dip below, as a real floor does.
    public static func demo(seed: UInt64 = 42) -> SimulatorConfiguration {
        let names = [
            "Alice Martin", "Bilal Haddad", "Chloé Dubois", "Dmitri Ivanov", "Emma Schulz", "Farah Khan",
            "Gustavo Silva", "Hana Sato", "Ivan Petrov", "Julia Novak", "Kofi Mensah", "Lena Berg", "Marco Rossi",
            "Nora Lind", "Omar Aziz",
        ]
        let agents = names.enumerated().map { index, name -> Agent in
            let queues: [String]
            switch index % 5 {
            case 0, 1: queues = ["sales", "support"]
            case 2: queues = ["sales"]
            case 3: queues = ["support", "chat"]
            default: queues = ["chat", "support"]
            }
            let id = index + 1 < 10 ? "a0\(index + 1)" : "a\(index + 1)"
            return Agent(
                id: id, name: name, team: index < 8 ? "north" : "south", queues: queues,
                languages: index % 3 == 0 ? ["en", "fr"] : ["en"])
        }
        return SimulatorConfiguration(
            seed: seed,
            queues: [
                Queue(
                    id: "sales", name: "Sales", channel: .voice, meanInterArrival: .seconds(30),
                    meanTalk: .seconds(95), meanPatience: .seconds(75), reasons: ["new order", "pricing", "upgrade"]),
                Queue(
                    id: "support", name: "Support", channel: .voice, meanInterArrival: .seconds(26),
                    meanTalk: .seconds(120), meanPatience: .seconds(90), reasons: ["outage", "billing", "how-to"]),
                Queue(
                    id: "chat", name: "Chat", channel: .chat, meanInterArrival: .seconds(45), meanTalk: .seconds(150),
                    meanPatience: .seconds(120), reasons: ["billing", "delivery", "returns"]),
            ],
            agents: agents, wrapUp: .seconds(5)...(.seconds(30)), ring: .seconds(1)...(.seconds(4)),
            breakProbability: 0.06, breakLength: .seconds(60)...(.seconds(300)),
            breakReasons: ["break", "lunch", "training", "coaching"], holdProbability: 0.15,
            holdLength: .seconds(5)...(.seconds(40)), vipProbability: 0.1)
    }
}
