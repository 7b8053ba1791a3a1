import Dispatch
import JSONC
import JSONModel
import WallboardAlerts
import WallboardCore
import WallboardJournal

/// Alerts: settings, acknowledgements, rule reloads and the `alerts` topic.
extension EngineService {
    /// The alert rules and how notifications go out.
    public struct AlertSettings: Sendable {
        public var configuration: AlertConfiguration
        /// How notifications are sent; `nil` keeps them in the outbox (logged, never sent).
        public var transport: NotificationTransport?
        /// Where alert state and the outbox are kept across restarts; `nil` keeps them in memory.
        public var stateDirectory: String?
        public var boardURL: String?

        public init(
            configuration: AlertConfiguration = AlertConfiguration(), transport: NotificationTransport? = nil,
            stateDirectory: String? = nil, boardURL: String? = nil
        ) {
            self.configuration = configuration
            self.transport = transport
            self.stateDirectory = stateDirectory
            self.boardURL = boardURL
        }
    }

    /// Acknowledges an alert for `user`; the completion gets the updated alert list or the reason it failed.
    public func acknowledgeAlert(
        id: String, by user: String, completion: @escaping @Sendable (Result<JSONValue, AlertAckError>) -> Void
    ) {
        queue.async { [self] in
            guard let alerts else { return completion(.failure(.notFound(id: id))) }
            do throws(AlertAckError) {
                try alerts.acknowledge(id: id, by: user, now: clock.now())
                publishAlerts()
                completion(.success(alerts.listJSON))
            } catch {
                completion(.failure(error))
            }
        }
    }

    /// Replaces the alert rules and notifiers (SIGHUP).
    public func reconfigureAlerts(_ configuration: AlertConfiguration) {
        queue.async { [self] in
            if alerts?.reconfigure(configuration, now: clock.now()) == true { publishAlerts() }
        }
    }

    func publishAlerts() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let alerts else { return }
        var list = alerts.listJSON
        if case .object(var object) = list {
            object["generated_at"] = .string(RFC3339.format(clock.now()))
            list = .object(object)
        }
        hub.publish("alerts", data: list)
    }

}
