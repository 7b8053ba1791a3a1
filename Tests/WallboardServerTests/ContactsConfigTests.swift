import Testing
import WallboardCore
@testable import WallboardServer

/// The `contacts:` section: expiry age and concurrent-contact capacity (docs/configuration.md).
@Suite struct ContactsConfigTests {
    @Test func readsExpiryAndCapacityAtEveryLevel() throws {
        let yaml = """
            contacts:
              expire_after_minutes: 90
              capacity:
                chat: 3
                email: 5
                teams:
                  night: {chat: 2}
                agents:
                  a9: {chat: 6}
            """
        let engine = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml").engine
        #expect(engine.contactExpiry == .minutes(90))
        #expect(engine.capacity == ContactCapacity(channels: [.chat: 3, .email: 5], teams: ["night": [.chat: 2]], agents: ["a9": [.chat: 6]]))
    }

    @Test func defaultsAreFourHoursAndOneContactPerChannel() throws {
        let engine = try DaemonConfiguration.parse(yaml: "log_level: info", fileName: "w.yaml").engine
        #expect(engine.contactExpiry == .minutes(240))
        #expect(engine.capacity == ContactCapacity())
    }

    @Test func badValuesNameTheKey() {
        for (yaml, key) in [
            ("contacts:\n  capacity:\n    chat: 0", "contacts.capacity.chat"),
            ("contacts:\n  capacity:\n    fax: 2", "contacts.capacity.fax"),
            ("contacts:\n  expire_after_minutes: -1", "contacts.expire_after_minutes"),
            ("contacts:\n  capacity:\n    teams:\n      night: {pigeon: 2}", "contacts.capacity.teams.night.pigeon"),
        ] {
            #expect {
                _ = try DaemonConfiguration.parse(yaml: yaml, fileName: "w.yaml")
            } throws: { error in
                "\(error)".contains(key)
            }
        }
    }
}
