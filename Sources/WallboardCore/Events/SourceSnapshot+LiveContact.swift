extension SourceSnapshot.Contact {
    /// A live contact as a source would list it, for handing what the engine holds to a source's mapper:
    /// waiting since it queued, or connected (held too) to its agent since it was answered. `nil` for one in
    /// wrap-up, which is over at the source.
    public init?(restored live: LiveContact) {
        switch live.phase {
        case .waiting:
            self.init(
                contact: live.id, queue: live.queue, phase: .waiting, since: live.queuedAt, channel: live.channel,
                customer: live.customer)
        case .connected, .held:
            guard let agent = live.agent, let answeredAt = live.answeredAt else { return nil }
            self.init(
                contact: live.id, queue: live.queue, phase: .connected, agent: agent, since: answeredAt,
                channel: live.channel, customer: live.customer)
        case .wrapUp:
            return nil
        }
    }
}
