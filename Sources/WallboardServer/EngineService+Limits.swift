import WallboardCore

extension EngineService {
    /// The limits HTTP and stream ingest decode events under (`limits:` in the config file). Read by
    /// the ingest threads for every batch, replaced on start and SIGHUP reload: the next batch uses
    /// the new limits, a batch in flight keeps the ones it started with.
    public var eventLimits: EventLimits {
        get { eventLimitsBox.withLock { $0 } }
        set { eventLimitsBox.withLock { $0 = newValue } }
    }
}
