import Foundation
import JSONC
import JSONModel
import Logging
import WallboardAlerts
import WallboardCore

/// Runs the alert rules against every snapshot, keeps the alert list for boards and the API, and
/// delivers notifications through a durable outbox.
///
/// Confined to the engine queue (the engine service calls it from there). Alert and outbox state are
/// written to `stateDirectory` after every change (atomically), so a restart neither loses a pending
/// notification nor re-sends a delivered one.
final class AlertService: @unchecked Sendable {
    // @unchecked: every method runs on `queue` (the engine queue); completions hop back onto it.
    private(set) var engine: AlertEngine
    private var outbox: Outbox
    private(set) var configuration: AlertConfiguration
    private let transport: NotificationTransport?
    private let stateDirectory: String?
    private let queue: DispatchQueue
    private let logger: Logger
    private var random = SystemRandomNumberGenerator()
    private var context: NotificationContext
    /// When each active alert was last posted to each `alertmanager` notifier (`<alert id>\0<notifier>`).
    private var alertmanagerPosts: [String: Instant] = [:]
    /// Deliveries sent, failed and dead-lettered (for /metrics).
    private(set) var delivered = 0
    private(set) var failed = 0
    private(set) var deadLettered = 0

    init(
        configuration: AlertConfiguration, utcOffset: @escaping @Sendable (Instant) -> Millis,
        transport: NotificationTransport?, stateDirectory: String?, boardURL: String?, queue: DispatchQueue,
        logger: Logger
    ) {
        self.configuration = configuration
        self.engine = AlertEngine(rules: configuration.rules, utcOffset: utcOffset)
        self.outbox = Outbox(policy: configuration.delivery)
        self.transport = transport
        self.stateDirectory = stateDirectory
        self.queue = queue
        self.logger = logger
        self.context = NotificationContext(source: configuration.source ?? Self.hostName(), boardURL: boardURL)
        restore()
    }

    /// The `alerts` topic payload: active alerts and today's resolved ones.
    var listJSON: JSONValue { engine.listJSON() }

    /// Evaluates the rules; returns `true` when the alert list changed (republish the topic).
    func evaluate(_ snapshot: Snapshot, now: Instant) -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        let changed = handle(engine.evaluate(snapshot: snapshot, now: now), now: now)
        refreshAlertmanagers(now: now)
        return changed
    }

    /// Posts every active, notified alert again to its `alertmanager` notifiers once
    /// ``NotificationBuilder/AlertmanagerAPI/resendInterval`` has passed since the last post, so Alertmanager
    /// never sees its `endsAt` lapse while the alert lasts. One re-post per alert and notifier waits in the
    /// outbox at most (behind a failing Alertmanager they would only pile up).
    private func refreshAlertmanagers(now: Instant) {
        let notifiers = configuration.notifiers.filter { $0.kind == .alertmanager }
        var seen: Set<String> = []
        var added = false
        if !notifiers.isEmpty {
            for alert in engine.activeAlerts where alert.notified && (alert.state == .firing || alert.state == .acknowledged) {
                for notifier in notifiers where alert.notifiers.contains(notifier.name) {
                    let key = alert.id + "\u{0}" + notifier.name
                    seen.insert(key)
                    // First sight (just fired, or after a restart): the fire notification is the last post.
                    guard let last = alertmanagerPosts[key] else {
                        alertmanagerPosts[key] = alert.lastNotifiedAt ?? now
                        continue
                    }
                    guard now.since(last) >= NotificationBuilder.AlertmanagerAPI.resendInterval else { continue }
                    let lane = "\(alert.dedupKey)/refresh-"
                    guard !outbox.pending.contains(where: { $0.notifier == notifier.name && $0.id.hasPrefix(lane) }),
                        let request = NotificationBuilder.alertmanagerRefresh(
                            alert: alert, notifier: notifier, context: context, now: now)
                    else { continue }
                    alertmanagerPosts[key] = now
                    let id = "\(lane)\(now.milliseconds)/\(notifier.name)"
                    let enqueued = outbox.enqueue(
                        request, id: id, notifier: notifier.name, alertID: alert.id, event: .renotify, now: now)
                    added = enqueued || added
                }
            }
        }
        alertmanagerPosts = alertmanagerPosts.filter { seen.contains($0.key) }
        if added {
            persist()
            deliverDue(now: now)
        }
    }

    /// This machine's host name (`gethostname`), the default `alerts.source`; `wallboardd` if it has none.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "wallboardd" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "wallboardd" : name
    }

    /// Acknowledges alert `id` for `user`.
    func acknowledge(id: String, by user: String, now: Instant) throws(AlertAckError) {
        dispatchPrecondition(condition: .onQueue(queue))
        let actions = try engine.acknowledge(id: id, by: user, now: now)
        _ = handle(actions, now: now)
    }

    /// Applies a reloaded `alerts` section: new rules, notifiers and delivery policy.
    func reconfigure(_ configuration: AlertConfiguration, now: Instant) -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        self.configuration = configuration
        context.source = configuration.source ?? Self.hostName()
        outbox.policy = configuration.delivery
        return handle(engine.replaceRules(configuration.rules, now: now), now: now)
    }

    private func handle(_ actions: [AlertAction], now: Instant) -> Bool {
        guard !actions.isEmpty else { return false }
        for action in actions {
            if let (event, alert) = action.notification {
                logger.notice(
                    "alert \(event.rawValue)",
                    metadata: ["alert.id": "\(alert.id)", "alert.rule": "\(alert.rule)", "alert.severity": "\(alert.severity)",
                               "alert.summary": "\(alert.summary)"])
            }
            outbox.enqueue(action, notifiers: configuration.notifiers, context: context, now: now)
        }
        persist()
        deliverDue(now: now)
        return true
    }

    /// Sends every delivery that is due; the results come back on the queue.
    func deliverDue(now: Instant) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let transport else { return }
        let due = outbox.claimDue(now: now)
        guard !due.isEmpty else { return }
        persist()
        for delivery in due {
            let body = Array(JSONC.encode(delivery.request.body).utf8)
            transport.send(delivery.request, bodyBytes: body, timeout: .seconds(10)) { [weak self] result in
                guard let self else { return }
                queue.async { self.record(delivery, result) }
            }
        }
    }

    /// Deliveries waiting in the outbox.
    var pendingDeliveries: Int { outbox.pending.count }

    /// When the delivery timer should fire next.
    var nextWakeup: Instant? { outbox.nextWakeup }

    private func record(_ delivery: Delivery, _ result: Result<Int, DeliveryFailure>) {
        let now = Instant(secondsSinceEpoch: Date().timeIntervalSince1970)
        switch result {
        case .success:
            outbox.markDelivered(id: delivery.id, now: now)
            delivered += 1
            logger.info("alert notification delivered", metadata: ["delivery.id": "\(delivery.id)"])
        case .failure(let failure):
            failed += 1
            switch outbox.markFailed(id: delivery.id, failure: failure, now: now, random: &random) {
            case .deadLettered(let dead):
                deadLettered += 1
                logger.error(
                    "alert notification dead-lettered",
                    metadata: ["delivery.id": "\(dead.id)", "delivery.attempts": "\(dead.attempts)",
                               "delivery.error": "\(failure)", "notifier": "\(dead.notifier)"])
                appendDeadLetter(dead, failure: failure)
            case .retry(let at):
                logger.warning(
                    "alert notification failed, will retry",
                    metadata: ["delivery.id": "\(delivery.id)", "delivery.error": "\(failure)", "retry.at": "\(at)"])
            case .unknown:
                break
            }
        }
        persist()
        deliverDue(now: now)
    }

    // MARK: - Persistence

    private var statePath: String? { stateDirectory.map { $0 + "/alerts-state.json" } }
    private var outboxPath: String? { stateDirectory.map { $0 + "/alerts-outbox.json" } }

    private func restore() {
        if let path = statePath, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            do { try engine.restore(from: try JSONC.parse(text)) } catch {
                logger.error("alert state not restored", metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
        if let path = outboxPath, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            do { outbox = try Outbox(json: try JSONC.parse(text), policy: configuration.delivery) } catch {
                logger.error("alert outbox not restored", metadata: ["file": "\(path)", "error": "\(error)"])
            }
        }
    }

    private func persist() {
        if let path = statePath { Self.writeAtomically(JSONC.encode(engine.stateJSON()), to: path, logger: logger) }
        if let path = outboxPath { Self.writeAtomically(JSONC.encode(outbox.json), to: path, logger: logger) }
    }

    private func appendDeadLetter(_ delivery: Delivery, failure: DeliveryFailure) {
        guard let directory = stateDirectory else { return }
        let line = JSONC.encode([
            "at": .string(RFC3339.format(delivery.deadAt ?? Instant(milliseconds: 0))), "id": .string(delivery.id),
            "notifier": .string(delivery.notifier), "attempts": .int(delivery.attempts),
            // Not the whole URL: webhook URLs carry their secret (docs/security.md, "Secrets").
            "error": .string(failure.description), "url": .string(Redaction.url(delivery.request.url)),
            "body": delivery.request.body,
        ]) + "\n"
        let path = directory + "/alerts-dead-letters.jsonl"
        // Owner-only: the bodies name queues, agents and customers' figures.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            logger.error("cannot write the dead-letter log", metadata: ["file": "\(path)", "errno": "\(errno)"])
            return
        }
        fchmod(descriptor, 0o600)
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    /// Writes `text` to a temporary file, fsyncs it and renames it over `path`.
    static func writeAtomically(_ text: String, to path: String, logger: Logger) {
        let temporary = path + ".tmp"
        // Owner-only: the outbox holds whole webhook URLs, routing keys and headers.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            logger.error("cannot write alert state", metadata: ["file": "\(temporary)", "errno": "\(errno)"])
            return
        }
        fchmod(descriptor, 0o600)  // also when a temporary file of an older version was left with wider bits
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            logger.error("cannot write alert state", metadata: ["file": "\(path)", "errno": "\(errno)"])
            return
        }
    }
}
