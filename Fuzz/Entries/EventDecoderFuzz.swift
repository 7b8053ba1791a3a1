import WallboardCore
import WallboardServer

/// What HTTP ingest does with a body before the journal: decode it (one document, an array or NDJSON),
/// then apply the events to an engine and take a snapshot, as the engine service would.
enum EventDecoderFuzz {
    static func run(_ bytes: [UInt8]) {
        let (decoded, errors) = EventBatchDecoder.decode(bytes)
        var engine = WallboardEngine(configuration: FuzzFixtures.engineConfiguration)
        for rejection in errors.map(\.rejection) { engine.countRejection(rejection) }
        var now = FuzzFixtures.now
        for item in decoded {
            // The daemon applies at its wall clock; let the clock follow plausible event times so the
            // engine's windows and clock checks see the events' own times too.
            if item.event.timestamp > now, item.event.timestamp.milliseconds < FuzzFixtures.latest.milliseconds {
                now = item.event.timestamp
            }
            _ = engine.apply(item.event, now: now)
        }
        _ = engine.expire(now: now)
        _ = engine.snapshot(now: now).json()
    }
}
