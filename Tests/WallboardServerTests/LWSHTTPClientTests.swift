import Foundation
import LWS
import Logging
import Testing

/// `LWSHTTPClient` against a real `LWSServer` on 127.0.0.1 (port 0). Every request carries its own timeout, so a
/// broken client fails a test within seconds instead of hanging it; nothing here sleeps to wait for an outcome.
@Suite struct LWSHTTPClientTests {
    @Test func postBodyIsDeliveredAndEchoedWithStatusAndContentType() async throws {
        try await withServerAndClient { server, client in
            let payload = #"{"alert":"queue sales over threshold","sl":0.71}"#
            let result = await client.fetch(.json(payload, to: "http://127.0.0.1:\(server.port)/echo"))
            let response = try result.get()
            #expect(response.status == 200)
            #expect(response.contentType == "application/json")
            #expect(String(decoding: response.body, as: UTF8.self) == payload)
        }
    }

    @Test func callerHeadersReachTheServer() async throws {
        try await withServerAndClient { server, client in
            let request = OutgoingHTTPRequest(
                method: .post, url: "http://127.0.0.1:\(server.port)/headers",
                headers: [("Authorization", "Bearer s3cret"), ("content-type", "text/plain")], body: Array("x".utf8))
            let response = try await client.fetch(request).get()
            #expect(String(decoding: response.body, as: UTF8.self) == "Bearer s3cret|text/plain")
        }
    }

    @Test func errorStatusAndRetryAfterAreAResponseNotAnError() async throws {
        try await withServerAndClient { server, client in
            let url = "http://127.0.0.1:\(server.port)/status?code=429&retry=7"
            let response = try await client.fetch(.json("{}", to: url)).get()
            #expect(response.status == 429)
            #expect(response.headers["retry-after"] == "7")
            #expect(response.bodyEnd == .complete)
        }
    }

    @Test func getWithoutBodyWorks() async throws {
        try await withServerAndClient { server, client in
            let request = OutgoingHTTPRequest(method: .get, url: "http://127.0.0.1:\(server.port)/large?bytes=10")
            let response = try await client.fetch(request).get()
            #expect(response.status == 200)
            #expect(response.body == TestHTTPDelegate.pattern(10))
        }
    }

    /// Bodies larger than one write (16 KiB) go out over several writable callbacks.
    @Test func largeRequestBodyIsSentInFull() async throws {
        try await withServerAndClient(.init(retainedBodyBytes: 1 << 20)) { server, client in
            let body = TestHTTPDelegate.pattern(300_000)
            let request = OutgoingHTTPRequest(url: "http://127.0.0.1:\(server.port)/echo", body: body)
            let response = try await client.fetch(request).get()
            #expect(response.body == body)
        }
    }

    @Test func largeResponseUnderTheLimitArrivesWhole() async throws {
        try await withServerAndClient(.init(retainedBodyBytes: 1 << 20)) { server, client in
            let request = OutgoingHTTPRequest(method: .get, url: "http://127.0.0.1:\(server.port)/large?bytes=900000")
            let response = try await client.fetch(request).get()
            #expect(response.body.count == 900_000)
            #expect(response.body == TestHTTPDelegate.pattern(900_000))
            #expect(response.bodyEnd == .complete)
        }
    }

    /// A body over the retained limit is not an error: the status stands, the first bytes are kept.
    @Test func responseOverTheLimitIsKeptInPart() async throws {
        try await withServerAndClient { server, client in
            let request = OutgoingHTTPRequest(method: .get, url: "http://127.0.0.1:\(server.port)/large?bytes=2000000")
            let response = try await client.fetch(request).get()
            #expect(response.status == 200)
            #expect(response.bodyEnd == .truncated(limit: 16 * 1024))
            #expect(response.body == TestHTTPDelegate.pattern(16 * 1024))
            // The client is still usable afterwards.
            let next = await client.fetch(.json("{}", to: "http://127.0.0.1:\(server.port)/echo"))
            #expect((try? next.get())?.status == 200)
        }
    }

    @Test func unansweredRequestTimesOut() async throws {
        try await withServerAndClient { server, client in
            let request = OutgoingHTTPRequest(url: "http://127.0.0.1:\(server.port)/never", timeout: .milliseconds(300))
            let result = await client.fetch(request)
            #expect(result.failure == .timedOut(.milliseconds(300)))
            // The client is still usable afterwards.
            let next = await client.fetch(.json("{}", to: "http://127.0.0.1:\(server.port)/echo"))
            #expect((try? next.get())?.status == 200)
        }
    }

    @Test func closedPortIsConnectionRefused() async throws {
        let server = try TestHTTPServer()
        let port = server.port
        await server.stop()
        let client = try LWSHTTPClient.started()
        let result = await client.fetch(.json("{}", to: "http://127.0.0.1:\(port)/echo", timeout: .seconds(5)))
        #expect(result.failure == .connectionRefused(host: "127.0.0.1", port: port))
        await client.stop()
    }

    @Test func unknownHostIsDNSFailure() async throws {
        let client = try LWSHTTPClient.started()
        let result = await client.fetch(.json("{}", to: "http://wallboardd-test.invalid/hook", timeout: .seconds(5)))
        #expect(result.failure == .dnsFailure(host: "wallboardd-test.invalid"))
        await client.stop()
    }

    @Test(arguments: ["ftp://example.com/x", "http://", "not a url", "http://user:pw@example.com/"])
    func badURLsFailWithoutConnecting(url: String) async throws {
        let client = try LWSHTTPClient.started()
        guard case .invalidURL = await client.fetch(.json("{}", to: url)).failure else {
            Issue.record("\(url) was not rejected as invalidURL")
            return
        }
        await client.stop()
    }

    @Test func headerInjectionIsRejected() async throws {
        let client = try LWSHTTPClient.started()
        let request = OutgoingHTTPRequest(url: "http://127.0.0.1:1/", headers: [("x-evil", "a\r\nhost: other")])
        #expect(await client.fetch(request).failure == .invalidHeader("x-evil"))
        await client.stop()
    }

    @Test func manyConcurrentRequestsAllComplete() async throws {
        try await withServerAndClient { server, client in
            let results = await withTaskGroup(of: (Int, Result<OutgoingHTTPResponse, LWSClientError>).self) { group in
                for index in 0..<25 {
                    group.addTask {
                        let url = "http://127.0.0.1:\(server.port)/echo"
                        return (index, await client.fetch(.json("{\"n\":\(index)}", to: url)))
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(results.count == 25)
            for (index, result) in results {
                #expect((try? result.get().body) == Array("{\"n\":\(index)}".utf8))
            }
        }
    }

    @Test func shutdownFailsPendingRequestsAndLaterOnes() async throws {
        let server = try TestHTTPServer()
        let client = try LWSHTTPClient.started()
        async let pending = client.fetch(
            OutgoingHTTPRequest(url: "http://127.0.0.1:\(server.port)/never", timeout: .seconds(30)))
        try await server.delegate.waitForRequest(path: "/never")
        await client.stop()
        #expect(await pending.failure == .shutDown)  // not .timedOut: shutdown did not wait the 30 s
        #expect(await client.fetch(.json("{}", to: "http://127.0.0.1:\(server.port)/echo")).failure == .shutDown)
        await server.stop()
    }

    @Test func shutdownBeforeStartFailsQueuedRequests() async {
        let client = LWSHTTPClient(logger: .quiet)
        async let queued = client.fetch(.json("{}", to: "http://127.0.0.1:9/"))
        await Task.yield()
        await client.stop()
        #expect(await queued.failure == .shutDown)
    }
}

// MARK: - Test doubles

extension Logger {
    static let quiet = Logger(label: "lws-tests", factory: { _ in SwiftLogNoOpLogHandler() })
}

extension Result where Failure == LWSClientError {
    var failure: LWSClientError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension LWSHTTPClient {
    static func started(_ configuration: Configuration = Configuration()) throws -> LWSHTTPClient {
        let client = LWSHTTPClient(configuration: configuration, logger: .quiet)
        try client.start()
        return client
    }

    func fetch(_ request: OutgoingHTTPRequest) async -> Result<OutgoingHTTPResponse, LWSClientError> {
        await withCheckedContinuation { continuation in send(request) { continuation.resume(returning: $0) } }
    }

    func stop() async { await withCheckedContinuation { continuation in shutdown { continuation.resume() } } }
}

/// A real `LWSServer` on 127.0.0.1, port 0, answering the test routes of ``TestHTTPDelegate``.
final class TestHTTPServer: Sendable {
    let server: LWSServer
    let delegate = TestHTTPDelegate()
    var port: Int { server.port }

    init(certificate: String? = nil, privateKey: String? = nil) throws {
        let configuration = LWSServer.Configuration(
            host: "127.0.0.1", port: 0, dynamicPrefixes: ["/echo", "/headers", "/status", "/never", "/large"],
            shutdownGracePeriod: .milliseconds(200), tlsCertificatePath: certificate, tlsPrivateKeyPath: privateKey)
        server = LWSServer(configuration: configuration, delegate: delegate, logger: .quiet)
        try server.start()
    }

    func stop() async { await withCheckedContinuation { continuation in server.shutdown { continuation.resume() } } }
}

/// Routes: `/echo` (body and content type back), `/headers` (`authorization|content-type` as the body),
/// `/status?code=N&retry=S` (status N with `Retry-After: S`), `/never` (no answer), `/large?bytes=N` (N bytes).
final class TestHTTPDelegate: LWSServerDelegate, @unchecked Sendable {
    // @unchecked: `seen` is guarded by `lock`; everything else is immutable.
    private let lock = NSCondition()
    private var seen: [String] = []

    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 % 251) } }

    /// Waits (bounded) until the server has seen a request for `path`. The blocking wait runs on a Dispatch
    /// thread: on Swift's cooperative pool (two threads on a two-core machine) it could starve the very task
    /// that sends the request.
    func waitForRequest(path: String, within seconds: Double = 5) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        let found = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { [self] in
                let found = lock.withLock { () -> Bool in
                    while !seen.contains(path) { if !lock.wait(until: deadline) { return false } }
                    return true
                }
                continuation.resume(returning: found)
            }
        }
        if !found { throw TestFailure("server never saw \(path)") }
    }

    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        lock.withLock {
            seen.append(request.path)
            lock.broadcast()
        }
        switch request.path {
        case "/echo":
            respond(
                HTTPResponse(
                    status: 200, contentType: request.headers["content-type"] ?? "application/octet-stream",
                    body: request.body))
        case "/headers":
            let text = (request.headers["authorization"] ?? "") + "|" + (request.headers["content-type"] ?? "")
            respond(HTTPResponse(status: 200, contentType: "text/plain", text: text))
        case "/status":
            let code = Int(request.queryValue("code") ?? "") ?? 500
            let retry = request.queryValue("retry").map { [("retry-after", $0)] } ?? []
            respond(HTTPResponse(status: code, headers: retry, text: #"{"error":"test"}"#))
        case "/large":
            let count = Int(request.queryValue("bytes") ?? "") ?? 0
            respond(HTTPResponse(status: 200, contentType: "application/octet-stream", body: Self.pattern(count)))
        default:
            break  // "/never": no answer
        }
    }

    func shouldAcceptWebSocket(
        path: String, query: [(name: String, value: String)], headers: [String: String], peer: String
    ) -> Int? {
        nil
    }
    func webSocketOpened(
        _ connection: ConnectionID, path: String, query: [(name: String, value: String)], headers: [String: String],
        peer: String
    ) {}
    func webSocketReceived(_ connection: ConnectionID, text: [UInt8]) {}
    func webSocketClosed(_ connection: ConnectionID) {}
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a fresh server and client and stops both afterwards, also when `body` throws.
func withServerAndClient(
    _ configuration: LWSHTTPClient.Configuration = LWSHTTPClient.Configuration(),
    _ body: (TestHTTPServer, LWSHTTPClient) async throws -> Void
) async throws {
    let server = try TestHTTPServer()
    let client = try LWSHTTPClient.started(configuration)
    do {
        try await body(server, client)
    } catch {
        await client.stop()
        await server.stop()
        throw error
    }
    await client.stop()
    await server.stop()
}
