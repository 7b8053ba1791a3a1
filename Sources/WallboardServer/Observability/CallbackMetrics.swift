import WallboardCore

/// The callback and self-service figures on `/metrics` (docs/metrics.md, "Callbacks" and
/// "Self-service containment"), each family's samples together.
enum CallbackMetrics {
    static func add(_ snapshot: Snapshot, to metrics: inout MetricsRenderer) {
        for queue in snapshot.queues {
            metrics.add(
                "wallboardd_queue_callbacks_pending", "gauge", "Callbacks requested and not yet connected or failed.",
                labels: [("queue", queue.settings.id)], value: Double(queue.figures.callbacksPending))
        }
        let counts: [(String, String, (CallbackFigures) -> Int)] = [
            ("requested", "Callbacks requested today.", { $0.requested }),
            ("connected", "Callbacks connected to an agent today.", { $0.connected }),
            ("failed", "Callbacks given up today.", { $0.failed }),
        ]
        for (kind, help, value) in counts {
            for queue in snapshot.queues {
                let figures = queue.figures.windows[WindowName.today]?.callbacks ?? CallbackFigures()
                metrics.add(
                    "wallboardd_queue_callbacks_\(kind)_today", "gauge", help, labels: [("queue", queue.settings.id)],
                    value: Double(value(figures)))
            }
        }
        for queue in snapshot.queues {
            guard let level = queue.figures.windows[snapshot.primaryWindow]?.callbacks.serviceLevel else { continue }
            metrics.add(
                "wallboardd_queue_callback_service_level", "gauge", "Callback service level in the primary window (0..1).",
                labels: [("queue", queue.settings.id), ("window", snapshot.primaryWindow)], value: level)
        }
        let selfService = snapshot.center.windows[WindowName.today]?.selfService ?? SelfServiceFigures()
        for (entryPoint, counts) in selfService.entryPoints.sorted(by: { $0.key < $1.key }) {
            metrics.add(
                "wallboardd_self_served_today", "gauge", "Contacts self-served today, by entry point.",
                labels: [("entry_point", entryPoint)], value: Double(counts.selfServed))
        }
        for (entryPoint, counts) in selfService.entryPoints.sorted(by: { $0.key < $1.key }) {
            metrics.add(
                "wallboardd_self_service_reached_queue_today", "gauge",
                "Contacts that went on from self-service to a queue today, by entry point.",
                labels: [("entry_point", entryPoint)], value: Double(counts.reachedQueue))
        }
    }
}
