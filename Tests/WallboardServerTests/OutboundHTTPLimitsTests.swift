import Foundation
import LWS
import Testing
import WallboardAlerts
import WallboardCore
@testable import WallboardServer

/// The outbound client and the notification transport against receivers that answer badly: absurd
/// `Retry-After` values, huge or endless bodies, huge headers. Each request has its own timeout and every
/// scripted reply is bounded, so nothing here can hang; nothing sleeps to wait for an outcome.
@Suite struct OutboundHTTPLimitsTests {
    static let mebibyte = 1 << 20

    func withResponder(
        _ reply: RawHTTPResponder.Reply, _ body: (RawHTTPResponder, LWSHTTPClient) async throws -> Void
    ) async throws {
        let responder = try RawHTTPResponder(reply)
        let client = try LWSHTTPClient.started()
        do { try await body(responder, client) } catch {
            await client.stop()
            await responder.stop()
            throw error
        }
        await client.stop()
        await responder.stop()
    }

    func deliver(_ transport: LWSNotificationTransport, to url: String, timeout: Millis = .seconds(5)) async
        -> Result<Int, DeliveryFailure>
    {
        let request = NotificationRequest(url: url, headers: [], body: ["alert": "sl"])
        return await withCheckedContinuation { continuation in
            transport.send(request, bodyBytes: Array(#"{"alert":"sl"}"#.utf8), timeout: timeout) {
                continuation.resume(returning: $0)
            }
        }
    }

    // MARK: - Retry-After

    /// These used to trap (`Millis.seconds(Int64(...))` overflowed) and crash-loop on the replayed delivery.
    @Test(arguments: [
        ("9223372036854775807", RetryAfter.ceiling), ("-9223372036854775808", nil),
        ("99999999999999999999999", RetryAfter.ceiling), ("garbage", nil), ("30", 30_000),
        ("Fri, 31 Dec 9999 23:59:59 GMT", RetryAfter.ceiling), ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
    ] as [(String, Millis?)])
    func retryAfterExtremesGiveABoundedDelay(value: String, expected: Millis?) async throws {
        let head = RawHTTPResponder.head("503 Service Unavailable", ["Retry-After: \(value)", "Content-Length: 0"])
        try await withResponder(.bytes(head)) { responder, client in
            let result = await deliver(LWSNotificationTransport(client: client), to: responder.url)
            #expect(result == .failure(.status(503, retryAfter: expected)))
        }
    }

    // MARK: - Bodies

    /// A success is a success: it used to fail as "response too large" past 1 MiB, and the outbox re-sent it.
    @Test func aSuccessWithA2MiBBodyIsDeliveredOnce() async throws {
        let size = 2 * Self.mebibyte
        let reply = RawHTTPResponder.head("200 OK", ["Content-Length: \(size)"]) + [UInt8](repeating: 0x61, count: size)
        try await withResponder(.bytes(reply)) { responder, client in
            let transport = LWSNotificationTransport(client: client)
            let t0 = Instant(milliseconds: 1_795_000_000_000)
            var outbox = Outbox(policy: OutboxPolicy(maxAttempts: 3, initialBackoff: .seconds(1), maxBackoff: .seconds(2)))
            let request = NotificationRequest(url: responder.url, headers: [], body: ["alert": "sl"])
            outbox.enqueue(request, id: "k/fire/hook", notifier: "hook", alertID: "A", event: .fire, now: t0)
            var random = SystemRandomNumberGenerator()
            // Run the outbox over the next hour of (virtual) time: whatever is due is sent and reported.
            var now = t0
            while now < t0.advanced(by: .minutes(60)) {
                for delivery in outbox.claimDue(now: now) {
                    switch await deliver(transport, to: delivery.request.url) {
                    case .success: outbox.markDelivered(id: delivery.id, now: now)
                    case .failure(let failure): _ = outbox.markFailed(id: delivery.id, failure: failure, now: now, random: &random)
                    }
                }
                now = now.advanced(by: .seconds(1))
            }
            #expect(responder.requests.withLock { $0 } == 1)
            #expect(outbox.pending.isEmpty && outbox.deadLetters.isEmpty)
            #expect(outbox.deliveredIDs == ["k/fire/hook"])
        }
    }

    @Test func anEndlessSuccessBodyIsKeptInPartAndTheRestLeftUnread() async throws {
        let head = RawHTTPResponder.head("200 OK", ["Connection: close"])
        let reply = RawHTTPResponder.Reply.endless(
            head: head, chunk: [UInt8](repeating: 0x62, count: 64 * 1024), limit: 256 * Self.mebibyte)
        try await withResponder(reply) { responder, client in
            let response = try await client.fetch(
                OutgoingHTTPRequest(method: .get, url: responder.url, timeout: .seconds(10))
            ).get()
            #expect(response.status == 200)
            #expect(response.bodyEnd == .truncated(limit: 16 * 1024))
            #expect(response.body == [UInt8](repeating: 0x62, count: 16 * 1024))
            await responder.stop()  // waits until the responder saw the client close
            #expect(responder.written.withLock { $0 } < 64 * Self.mebibyte, "the client stopped reading")
        }
    }

    /// Still that status's failure (with its Retry-After), not a hang and not a transport error.
    @Test func aFailureStatusWithAHugeBodyIsThatStatus() async throws {
        let size = 256 * Self.mebibyte
        let head = RawHTTPResponder.head("503 Service Unavailable", ["Retry-After: 30", "Content-Length: \(size)"])
        let reply = RawHTTPResponder.Reply.endless(head: head, chunk: [UInt8](repeating: 0x63, count: 64 * 1024), limit: size)
        try await withResponder(reply) { responder, client in
            let result = await deliver(LWSNotificationTransport(client: client), to: responder.url)
            #expect(result == .failure(.status(503, retryAfter: 30_000)))
        }
    }

    /// The status arrived, the body never finishes: the response stands (bounded by the request timeout).
    @Test func aBodyThatStallsAfterTheStatusEndsAtTheTimeoutAsInterrupted() async throws {
        let head = RawHTTPResponder.head("202 Accepted", ["Content-Length: 1000"]) + Array("partial".utf8)
        try await withResponder(.stall(head: head, seconds: 10)) { responder, client in
            let response = try await client.fetch(
                OutgoingHTTPRequest(url: responder.url, body: [1], timeout: .milliseconds(500))
            ).get()
            #expect(response.status == 202)
            #expect(response.body == Array("partial".utf8))
            #expect(response.bodyEnd == .interrupted("body not finished within 0.5 seconds"))
            let delivered = await deliver(LWSNotificationTransport(client: client), to: responder.url, timeout: 500)
            #expect(delivered == .success(202))
        }
    }

    // MARK: - Headers

    /// lws' default header buffer (4 KiB) used to fail a 2xx whose security headers were a little long:
    /// the alert was re-sent until dead-lettered.
    @Test func aTwelveKiBHeadIsAcceptedAndItsHeadersRead() async throws {
        let policy = String(repeating: "a", count: 12 * 1024)
        let reply = RawHTTPResponder.head("200 OK", ["Cache-Control: \(policy)", "Content-Length: 2"]) + Array("ok".utf8)
        try await withResponder(.bytes(reply)) { responder, client in
            let response = try await client.fetch(OutgoingHTTPRequest(url: responder.url, body: [1])).get()
            #expect(response.status == 200)
            #expect(response.headers["cache-control"] == policy)
            #expect(response.body == Array("ok".utf8))
        }
    }

    @Test func aHeadOverTheLimitFailsClearly() async throws {
        let filler = String(repeating: "a", count: Self.mebibyte)
        let reply = RawHTTPResponder.head("200 OK", ["X-Filler: \(filler)", "Content-Length: 0"])
        try await withResponder(.bytes(reply)) { responder, client in
            let result = await client.fetch(OutgoingHTTPRequest(url: responder.url, body: [1]))
            #expect(result.failure == .responseHeadTooLarge(limit: LWSHTTPClient.maximumResponseHeadBytes))
        }
    }

    @Test func headersThatNeverEndFailClearly() async throws {
        let reply = RawHTTPResponder.Reply.endless(
            head: Array("HTTP/1.1 200 OK\r\n".utf8), chunk: Array("X-More: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".utf8),
            limit: 64 * Self.mebibyte)
        try await withResponder(reply) { responder, client in
            let result = await client.fetch(OutgoingHTTPRequest(url: responder.url, body: [1]))
            #expect(result.failure == .responseHeadTooLarge(limit: LWSHTTPClient.maximumResponseHeadBytes))
            await responder.stop()
            #expect(responder.written.withLock { $0 } < 64 * Self.mebibyte, "the client stopped reading")
        }
    }
}
