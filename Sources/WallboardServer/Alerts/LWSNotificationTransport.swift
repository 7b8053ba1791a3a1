import LWS
import WallboardAlerts
import WallboardCore

/// Sends alert notifications with libwebsockets' HTTP client (TLS with the system's CA bundle).
///
/// The status decides: a 2xx answer is delivered, whatever its body (the client keeps only the first
/// ``LWSHTTPClient/Configuration/retainedBodyBytes`` of it, and a body that is cut short or never ends does
/// not undo the receiver's "accepted"). Any other status is a failure the outbox retries, after the
/// receiver's `Retry-After` when it sent one (read by ``RetryAfter``: bounded, malformed counts as absent).
/// No status at all (refused, TLS, timeout before the status line) is a transport failure.
public final class LWSNotificationTransport: NotificationTransport {
    private let client: LWSHTTPClient
    private let clock: any WallClock

    /// Wraps a started client. `clock` is what a `Retry-After` date is measured from when the response has
    /// no usable `Date` header.
    public init(client: LWSHTTPClient, clock: any WallClock = SystemClock()) {
        self.client = client
        self.clock = clock
    }

    public func send(
        _ request: NotificationRequest, bodyBytes: [UInt8], timeout: Millis,
        completion: @escaping @Sendable (Result<Int, DeliveryFailure>) -> Void
    ) {
        var headers = request.headers.map { (name: $0.name.lowercased(), value: $0.value) }
        if !headers.contains(where: { $0.name == "content-type" }) { headers.append(("content-type", "application/json")) }
        let method = HTTPMethod(rawValue: request.method.uppercased()) ?? .post
        let outgoing = OutgoingHTTPRequest(
            method: method, url: request.url, headers: headers, body: bodyBytes, timeout: .milliseconds(timeout))
        let clock = self.clock
        client.send(outgoing) { result in
            completion(Self.outcome(of: result, now: clock.now()))
        }
    }

    /// What one client result means for the outbox.
    static func outcome(of result: Result<OutgoingHTTPResponse, LWSClientError>, now: Instant) -> Result<Int, DeliveryFailure> {
        switch result {
        case .success(let response) where (200..<300).contains(response.status):
            return .success(response.status)
        case .success(let response):
            let retryAfter = RetryAfter.delay(response.headers["retry-after"], date: response.headers["date"], now: now)
            return .failure(.status(response.status, retryAfter: retryAfter))
        case .failure(let error):
            return .failure(.transport("\(error)"))
        }
    }

    /// Stops the client; pending requests fail (the outbox keeps them for the next start).
    public func shutdown(completion: @escaping @Sendable () -> Void) { client.shutdown(completion: completion) }
}
