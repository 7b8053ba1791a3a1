import Foundation
import JSONC
import Testing
import WallboardClient

/// The `wallboardd` binary itself, run as a user runs it.
@Suite(.serialized) struct DaemonProcessTests {
    /// The built `wallboardd` next to the test bundle.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wallboardd")
    }

    /// A loopback port the kernel just handed out and nobody holds: a random pick in 20,000-45,000
    /// sometimes met a port in use (the ephemeral range starts at 32,768), and the daemon then never
    /// became healthy.
    static func freePort() -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard bound == 0, named == 0 else { return Int.random(in: 20_000...32_000) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func launch(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    /// Waits until `/healthz` answers, up to about 30 s.
    static func waitUntilHealthy(port: Int) -> Bool {
        for _ in 0..<300 {  // 30 s: a debug daemon starting on a loaded 2-core machine
            if (try? HTTPClient.get("http://127.0.0.1:\(port)/healthz").status) == 200 { return true }
            usleep(100_000)
        }
        return false
    }

    @Test func sigtermClosesBoardsAndExitsZero() throws {
        var port = Self.freePort()
        var (process, _) = try Self.launch(["--listen", "127.0.0.1:\(port)", "--log-level", "warning"])
        if !Self.waitUntilHealthy(port: port) {  // the random port was taken: try another once
            process.terminate()
            port = Self.freePort()
            (process, _) = try Self.launch(["--listen", "127.0.0.1:\(port)", "--log-level", "warning"])
            #expect(Self.waitUntilHealthy(port: port))
        }
        let board = try WebSocketClient(url: "ws://127.0.0.1:\(port)/ws")
        _ = try board.receive()  // hello
        kill(process.processIdentifier, SIGTERM)
        var closeCode: Int?
        for _ in 0..<100 {
            if case .close(let code, _) = try board.receive() {
                closeCode = code
                break
            }
        }
        process.waitUntilExit()
        #expect(closeCode == 1001)
        #expect(process.terminationStatus == 0)
    }

    @Test func badListenAddressIsAClearError() throws {
        let (process, errors) = try Self.launch(["--listen", "nonsense"])
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(text.contains("--listen nonsense: expected HOST:PORT"))
    }

    /// `--listen 127.0.0.1:PORT` listens on loopback only (not every interface), as the kernel reports it.
    @Test func listeningOnLoopbackBindsOnlyLoopback() throws {
        let daemon = try TestDaemon(simulator: false)
        defer { daemon.stop() }
        let hexPort = String(format: "%04X", daemon.daemon.port)
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        let listening = table.split(separator: "\n").filter { $0.contains(":\(hexPort) ") && $0.contains(" 0A ") }
        #expect(!listening.isEmpty)
        #expect(listening.allSatisfy { $0.contains("0100007F:\(hexPort)") }, "\(listening)")
        let v6 = (try? String(contentsOfFile: "/proc/net/tcp6", encoding: .utf8)) ?? ""
        #expect(!v6.split(separator: "\n").contains { $0.contains(":\(hexPort) ") && $0.contains(" 0A ") })
    }

    @Test(arguments: ["203.0.113.5", "nonsense"])
    func anAddressThatIsNotOursIsAClearError(host: String) throws {
        let (process, errors) = try Self.launch(["--listen", "\(host):18123", "--no-simulator"])
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 1)
        #expect(text.contains(host))
    }

    @Test func portInUseIsAClearError() throws {
        let port = Self.freePort()
        let (first, _) = try Self.launch(["--listen", "127.0.0.1:\(port)", "--no-simulator"])
        defer {
            first.terminate()
            first.waitUntilExit()
        }
        guard Self.waitUntilHealthy(port: port) else { return }
        let (second, errors) = try Self.launch(["--listen", "127.0.0.1:\(port)", "--no-simulator"])
        second.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(second.terminationStatus == 1)
        #expect(text.contains("cannot listen on 127.0.0.1:\(port)"))
    }
}
