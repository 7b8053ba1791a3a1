import Foundation
import Glibc
import Redis

/// A real `redis-server` (Debian's, from `scripts/install-deps test`) on a free 127.0.0.1 port with
/// its own temp directory and an fsynced append-only file (a killed server keeps what it acknowledged),
/// for one test. ``stop()`` kills it and removes the directory;
/// ``start()`` after ``kill()`` brings it back on the same port with its data.
final class RedisTestServer: @unchecked Sendable {
    // @unchecked: used from one test at a time.
    let port: Int
    let directory: String
    private let extraArguments: [String]
    private var process: Process?

    init(arguments: [String] = []) throws {
        var template = Array((NSTemporaryDirectory() + "/wbredis-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw RedisError.invalidArgument("mkdtemp failed")
        }
        directory = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        port = Self.freePort()
        extraArguments = arguments
        try start()
    }

    /// Starts the server and waits (up to 10 s) until it answers PING.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [
            "--bind", "127.0.0.1", "--port", "\(port)", "--dir", directory, "--save", "", "--appendonly", "yes", "--appendfsync", "always",
            "--daemonize", "no", "--logfile", directory + "/redis.log",
        ] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if let connection = try? RedisConnection(host: "127.0.0.1", port: port, timeout: .seconds(1)),
                let reply = try? connection.send([Array("PING".utf8)]), reply != .null
            {
                return
            }
            usleep(50_000)
        }
        throw RedisError.connect(address: "127.0.0.1:\(port)", message: "redis-server did not answer within 10 s")
    }

    /// Kills the server (SIGKILL: no goodbye to clients) and waits for it to exit.
    func kill() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func stop() {
        kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func connect() throws -> RedisConnection {
        try RedisConnection(host: "127.0.0.1", port: port, timeout: .seconds(2))
    }

    private static func freePort() -> Int { DaemonProcessTests.freePort() }
}
