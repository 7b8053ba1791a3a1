import Dispatch
import JSONC
import JSONModel
import WallboardAlerts
import WallboardCore
import WallboardJournal

/// The engine's figures on `/metrics`.
extension EngineService {
    /// Logs each contact the engine closed as expired since the last call, once (on the engine queue).
    func logExpiredContacts() {
        let (expired, dropped) = engine.takeExpiredContacts()
        for contact in expired {
            logger.warning(
                "contact expired",
                metadata: [
                    "contact": "\(contact.contact)", "queue": "\(contact.queue)", "phase": "\(contact.phase.rawValue)",
                    "agent": "\(contact.agent ?? "-")", "last_activity": "\(RFC3339.format(contact.lastActivity))",
                    "cause": "\(contact.cause.rawValue)",
                ])
        }
        if dropped > 0 { logger.warning("more contacts expired than logged", metadata: ["contacts": "\(dropped)"]) }
    }

    /// Adds the engine's figures to a Prometheus exposition. Runs on the queue; `completion` gets the result.
    public func renderMetrics(into renderer: MetricsRenderer, completion: @escaping @Sendable (MetricsRenderer) -> Void) {
        queue.async { [self] in
            var metrics = renderer
            let counters = engine.counters
            for (source, types) in appliedBySource.sorted(by: { $0.key < $1.key }) {
                for (type, count) in types.sorted(by: { $0.key < $1.key }) {
                    metrics.add(
                        "wallboardd_events_applied_total", "counter", "Events applied to the engine, by source and type.",
                        labels: [("source", source), ("type", type)], value: Double(count))
                }
            }
            for (code, count) in counters.rejected.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                metrics.add(
                    "wallboardd_events_rejected_total", "counter", "Events rejected, by reason.",
                    labels: [("reason", code.rawValue)], value: Double(count))
            }
            metrics.add(
                "wallboardd_events_duplicate_total", "counter", "Events ignored because their id was already applied.",
                value: Double(counters.duplicates))
            metrics.add(
                "wallboardd_events_clamped_total", "counter", "Events stamped too far in the future, applied at now.",
                value: Double(counters.clampedFromFuture))
            metrics.add(
                "wallboardd_contacts_expired_total", "counter",
                "Contacts closed as expired: no event for contacts.expire_after_minutes, or gone from a source.snapshot.",
                value: Double(counters.expired))
            metrics.add(
                "wallboardd_late_wrapups_total", "counter",
                "contact.wrapup_done events for contacts already handled (their agent moved on first).",
                value: Double(counters.lateWrapUps))
            metrics.add(
                "wallboardd_events_held", "gauge", "Events held back waiting for an earlier event (reordering).",
                value: Double(counters.deferred))
            if let store {
                metrics.add("wallboardd_journal_appends_total", "counter", "Events written to the journal.",
                            value: Double(store.appended))
                metrics.add("wallboardd_journal_fsync_seconds_sum", "counter", "Time spent in journal group commits (fsync).",
                            value: store.fsyncSeconds)
                metrics.add("wallboardd_journal_fsync_seconds_count", "counter", "Journal group commits (fsync).",
                            value: Double(store.fsyncCount))
                metrics.add("wallboardd_journal_fsync_seconds_max", "gauge", "Longest journal group commit since start.",
                            value: store.fsyncMaxSeconds)
                metrics.add("wallboardd_journal_writable", "gauge", "0 while the journal cannot write (disk full).",
                            value: store.lastFailure == nil ? 1 : 0)
                let wait = store.commitWait
                metrics.add("wallboardd_journal_commit_wait_seconds_sum", "counter",
                            "Time batches of accepted events waited for their group commit (append to answer).", value: wait.seconds)
                metrics.add("wallboardd_journal_commit_wait_seconds_count", "counter",
                            "Batches answered after a group commit.", value: Double(wait.count))
                metrics.add("wallboardd_journal_commit_wait_seconds_max", "gauge",
                            "Longest wait of a batch for its group commit since start.", value: wait.maxSeconds)
            }
            if let alerts {
                metrics.add("wallboardd_alerts_active", "gauge", "Alerts pending, firing or acknowledged.",
                            value: Double(alerts.engine.activeAlerts.count))
                for (outcome, count) in [("delivered", alerts.delivered), ("failed", alerts.failed),
                                         ("dead_lettered", alerts.deadLettered)] {
                    metrics.add("wallboardd_alert_deliveries_total", "counter", "Notification delivery attempts by outcome.",
                                labels: [("outcome", outcome)], value: Double(count))
                }
            }
            metrics.add(
                "wallboardd_engine_tick_lag_seconds", "gauge", "How late the engine's last publish tick fired.",
                value: tickLag.asSeconds)
            metrics.add(
                "wallboardd_engine_publish_seconds", "gauge",
                "How long the last publish (snapshot, topics, encoding) took; the next waits at least as long.",
                value: Double(lastPublishNanoseconds) / 1e9)
            let snapshot = engine.snapshot(now: clock.now(), sources: Array(sources.values))
            for source in sources.values.sorted(by: { $0.name < $1.name }) {
                let up = ["running", "connected"].contains(source.state) ? 1.0 : 0.0
                metrics.add(
                    "wallboardd_source_up", "gauge", "1 when an event source is connected/running.",
                    labels: [("source", source.name), ("kind", source.kind)], value: up)
            }
            for queue in snapshot.queues {
                let labels = [("queue", queue.settings.id)]
                metrics.add(
                    "wallboardd_queue_waiting", "gauge", "Contacts waiting in the queue now.", labels: labels,
                    value: Double(queue.figures.waitingNow))
                metrics.add(
                    "wallboardd_queue_longest_wait_seconds", "gauge", "Longest current wait in the queue.", labels: labels,
                    value: queue.figures.longestWait(at: snapshot.generatedAt).asSeconds)
                if let level = queue.figures.windows[snapshot.primaryWindow]?.serviceLevel {
                    metrics.add(
                        "wallboardd_queue_service_level", "gauge", "Service level in the primary window (0..1).",
                        labels: labels + [("window", snapshot.primaryWindow)], value: level)
                }
                if let costs = snapshot.costs, let cost = queue.figures.costs[snapshot.primaryWindow]?.perHandled {
                    metrics.add(
                        "wallboardd_queue_cost_per_handled", "gauge",
                        "Cost per handled contact in the primary window, in the currency's units (docs/metrics.md).",
                        labels: labels + [("window", snapshot.primaryWindow), ("currency", costs.currency)],
                        value: costs.majorUnits(cost))
                }
            }
            metrics.add(
                "wallboardd_agents_logged_in", "gauge", "Agents logged in now.",
                value: Double(snapshot.center.agents.loggedIn))
            CallbackMetrics.add(snapshot, to: &metrics)  // Observability/CallbackMetrics.swift
            completion(metrics)
        }
    }

}
