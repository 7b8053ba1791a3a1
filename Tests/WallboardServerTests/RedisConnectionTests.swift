import Foundation
import Redis
import Testing

@Suite(.serialized) struct RedisConnectionTests {
    @Test func addsAndReadsStreamEntriesInOrder() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = try server.connect()
        let payload: [UInt8] = [0x7B, 0x00, 0xFF, 0x7D]  // binary-safe: NUL and a non-UTF-8 byte
        let first = try connection.xadd(stream: "events", fields: [("event", Array("one".utf8))])
        let second = try connection.xadd(stream: "events", fields: [("event", payload), ("origin", Array("test".utf8))])
        #expect(first < second)
        let all = try connection.xread(stream: "events", after: .zero, count: 10, block: .milliseconds(10))
        #expect(all.map(\.id) == [first, second])
        #expect(all[1].value("event") == payload)
        #expect(all[1].value("origin") == Array("test".utf8))
        let after = try connection.xread(stream: "events", after: first, count: 10, block: .milliseconds(10))
        #expect(after.map(\.id) == [second])
        #expect(try connection.lastID(stream: "events") == second)
        #expect(try connection.lastID(stream: "empty") == nil)
    }

    @Test func blockingReadReturnsNothingWhenNothingComes() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = try server.connect()
        #expect(try connection.xread(stream: "events", after: .zero, count: 10, block: .milliseconds(50)).isEmpty)
        // The connection is still usable after the block ran out.
        try connection.ping()
    }

    @Test func blockingReadWakesForAnEntryAddedByAnotherClient() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let reader = try server.connect()
        let done = DispatchSemaphore(value: 0)
        let port = server.port
        Thread.detachNewThread {
            // Added while the reader blocks (or before: either way the read must return it).
            let writer = try? RedisConnection(host: "127.0.0.1", port: port, timeout: .seconds(2))
            _ = try? writer?.xadd(stream: "events", fields: [("event", Array("late".utf8))])
            done.signal()
        }
        let entries = try reader.xread(stream: "events", after: .zero, count: 10, block: .seconds(10))
        done.wait()
        #expect(entries.map { $0.value("event") } == [Array("late".utf8)])
    }

    @Test func trimsByMinimumID() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = try server.connect()
        for index in 0..<300 {
            _ = try connection.send(["XADD", "events", "\(1000 + index)-0", "n", "\(index)"].map { Array($0.utf8) })
        }
        // Exact trimming (not "~") to check the id we send; the daemon uses "~" which trims whole nodes only.
        #expect(try connection.call(["XTRIM", "events", "MINID", "1200"]) == .integer(200))
        let id = try connection.xadd(stream: "events", minID: StreamID(milliseconds: 1200), fields: [("n", [0x31])])
        let left = try connection.xread(stream: "events", after: .zero, count: 1000, block: .milliseconds(10))
        #expect(left.first?.id == StreamID(milliseconds: 1200))
        #expect(left.last?.id == id)
    }

    @Test func authenticatesAnACLUserAndNamesAWrongPassword() throws {
        let server = try RedisTestServer(arguments: ["--user", "board", "on", ">s3cret", "~*", "&*", "+@all", "--user", "default", "off"])
        defer { server.stop() }
        let connection = try server.connect()
        #expect(throws: RedisError.self) { try connection.ping() }  // NOAUTH before AUTH
        do {
            try connection.authenticate(user: "board", password: "wrong")
            Issue.record("a wrong password was accepted")
        } catch {
            #expect(error.description.contains("AUTH as board"))
            #expect(error.description.contains("WRONGPASS"))
            #expect(!error.description.contains("wrong\""))
        }
        try connection.authenticate(user: "board", password: "s3cret")
        try connection.ping()
    }

    @Test func refusedConnectionNamesTheAddress() throws {
        let server = try RedisTestServer()
        let port = server.port
        server.stop()
        do {
            _ = try RedisConnection(host: "127.0.0.1", port: port, timeout: .seconds(1))
            Issue.record("connected to a stopped server")
        } catch {
            #expect(error == .connect(address: "127.0.0.1:\(port)", message: "Connection refused"))
            #expect(error.isConnectionLost)
        }
    }

    @Test func aKilledServerBreaksTheConnectionAndAReconnectWorks() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = try server.connect()
        try connection.ping()
        server.kill()
        #expect(throws: RedisError.self) { try connection.ping() }
        #expect(connection.isBroken)
        try server.start()
        try server.connect().ping()
    }

    @Test func serverErrorsAreThrownWithTheCommand() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = try server.connect()
        try connection.call(["SET", "plain", "x"])
        do {
            _ = try connection.xadd(stream: "plain", fields: [("a", [0x31])])
            Issue.record("XADD to a string key succeeded")
        } catch {
            guard case .server(let command, let message) = error else { throw error }
            #expect(command == "XADD plain")
            #expect(message.hasPrefix("WRONGTYPE"))
        }
        try connection.ping()  // a refused command leaves the connection usable
    }

    @Test func parsesStreamIDs() {
        #expect(StreamID("1700000000000-3") == StreamID(milliseconds: 1_700_000_000_000, sequence: 3))
        #expect(StreamID("12") == StreamID(milliseconds: 12))
        for bad in ["", "-1", "1-", "a-1", "1-2-3", "99999999999999999999999-0", " 1-0", "+1-0"] {
            #expect(StreamID(bad) == nil, "\(bad)")
        }
    }

    @Test func pipelinedAddsKeepTheirOrderAndReportAnErrorInPlace() throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let connection = try server.connect()
        let entries = (0..<1000).map { [("n", Array("\($0)".utf8))] }
        let ids = try connection.xadd(stream: "events", entries: entries)
        #expect(ids.count == 1000)
        #expect(ids == ids.sorted())
        let read = try connection.xread(stream: "events", after: .zero, count: 2000, block: .milliseconds(10))
        #expect(read.map(\.id) == ids)
        #expect(read.map { String(decoding: $0.value("n") ?? [], as: UTF8.self) } == (0..<1000).map { "\($0)" })
        let replies = try connection.pipeline([["SET", "plain", "x"], ["XADD", "plain", "*", "a", "1"], ["PING"]].map {
            $0.map { Array($0.utf8) }
        })
        #expect(replies.count == 3)
        #expect(replies[0] == .status("OK"))
        guard case .error(let message) = replies[1] else { throw RedisError.invalidArgument("no error reply: \(replies[1])") }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(replies[2] == .status("PONG"))
    }
}
