/// Limits on what one WebSocket client may ask of the daemon (config `websocket:`; docs/configuration.md).
///
/// The defaults hold a real floor: ten thousand boards, each subscribing to what its layout shows (a
/// board of a hundred queues needs about two hundred topics), sending a handful of messages when it
/// connects. A client past a limit is refused clearly and counted on `/metrics`
/// (`wallboardd_websocket_refusals_total{reason}`); nobody else is slowed.
public struct WebSocketLimits: Sendable, Equatable {
    /// Open WebSocket connections at once; one more is refused at the handshake.
    public var maxClients = 10_000
    /// Distinct topics one connection may subscribe to; a `subscribe` past it is refused with an
    /// `error` message (`too_many_subscriptions`) and subscribes to none of its topics.
    public var maxSubscriptionsPerConnection = 512
    /// Messages one connection may send per second, sustained; bursts of up to
    /// ``burstMessages`` are allowed (a board subscribing on connect). Past it the connection is
    /// closed with 1008.
    public var maxMessagesPerSecond = 20

    public init() {}

    /// The bucket size of the per-connection message rate: five seconds' worth (the config bounds the
    /// rate to 1...1000, so this cannot overflow).
    public var burstMessages: Int { maxMessagesPerSecond * 5 }
}
