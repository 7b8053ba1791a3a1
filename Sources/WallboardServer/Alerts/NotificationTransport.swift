import WallboardAlerts
import WallboardCore

/// Sends one notification request over HTTP(S) and reports what happened.
///
/// The daemon uses libwebsockets' HTTP client; tests may use any implementation. `completion` may run
/// on any thread.
public protocol NotificationTransport: Sendable {
    func send(_ request: NotificationRequest, bodyBytes: [UInt8], timeout: Millis,
              completion: @escaping @Sendable (Result<Int, DeliveryFailure>) -> Void)
}
