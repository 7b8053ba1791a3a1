extension WallboardEngine {
    /// Live interactions (waiting, connected, held, in wrap-up) matching every given filter, oldest first:
    /// what a silent-monitor lookup needs (`monitor` holds the handle). Pure; the caller audits lookups.
    public func interactions(
        agent: String? = nil, queue: String? = nil, customer: String? = nil, channel: Channel? = nil
    ) -> [LiveContact] {
        contacts.values.filter { contact in
            (agent == nil || contact.agent == agent) && (queue == nil || contact.queue == queue)
                && (customer == nil || contact.customer?.id == customer)
                && (channel == nil || contact.channel == channel)
        }.sorted { ($0.queuedAt, $0.id) < ($1.queuedAt, $1.id) }
    }
}
