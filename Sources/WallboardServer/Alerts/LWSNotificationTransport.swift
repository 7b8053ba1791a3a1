import LWS
import WallboardAlerts
import WallboardCore

/// Sends alert notifications with libwebsockets' HTTP client (TLS with the system's CA bundle).
/// A 2xx answer is delivered; any other status or a transport error is a failure the outbox retries.
public final class LWSNotificationTransport: NotificationTransport {
    private let client: LWSHTTPClient

    /// Wraps a started client.
    public init(client: LWSHTTPClient) { self.client = client }

    public func send(
        _ request: NotificationRequest, bodyBytes: [UInt8], timeout: Millis,
        completion: @escaping @Sendable (Result<Int, DeliveryFailure>) -> Void
    ) {
        var headers = request.headers.map { (name: $0.name.lowercased(), value: $0.value) }
        if !headers.contains(where: { $0.name == "content-type" }) { headers.append(("content-type", "application/json")) }
        let method = HTTPMethod(rawValue: request.method.uppercased()) ?? .post
        let outgoing = OutgoingHTTPRequest(
            method: method, url: request.url, headers: headers, body: bodyBytes, timeout: .milliseconds(timeout))
        client.send(outgoing) { result in
            switch result {
            case .success(let response) where (200..<300).contains(response.status):
                completion(.success(response.status))
            case .success(let response):
                completion(.failure(.status(response.status, retryAfter: response.retryAfterSeconds.map { Millis.seconds(Int64($0)) })))
            case .failure(let error):
                completion(.failure(.transport("\(error)")))
            }
        }
    }

    /// Stops the client; pending requests fail (the outbox keeps them for the next start).
    public func shutdown(completion: @escaping @Sendable () -> Void) { client.shutdown(completion: completion) }
}
