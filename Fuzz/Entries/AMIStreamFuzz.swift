import AMIAdapter
import WallboardCore

/// What an AMI source does with the bytes Asterisk sends: an ``AMISession`` (frame decoder, ActionID
/// correlator for Login/QueueStatus/CoreShowChannels, event mapper) fed in socket-sized chunks, ticked
/// at its deadlines, then disconnected and reconnected; the events go to an engine as the daemon's would.
enum AMIStreamFuzz {
    static func run(_ bytes: [UInt8]) {
        var session = AMISession(username: "wallboard", secret: "secret", maximumMessageSize: 16 * 1024)
        var engine = WallboardEngine(configuration: FuzzFixtures.engineConfiguration)
        var now = FuzzFixtures.now
        func take(_ output: AMISession.Output) {
            for event in output.events { _ = engine.apply(event, now: now) }
        }
        // Chunk sizes from a small generator seeded by the input length: the same input always splits
        // the same way, and different lengths try different splits (a header cut anywhere).
        var seed = UInt64(truncatingIfNeeded: bytes.count) &* 0x9E37_79B9_7F4A_7C15 | 1
        var offset = 0
        var chunks = 0
        session.connectionOpened(now: now)
        while offset < bytes.count {
            seed ^= seed << 13
            seed ^= seed >> 7
            seed ^= seed << 17
            let size = 1 + Int(seed % 1500)
            let end = min(bytes.count, offset + size)
            take(session.receive(Array(bytes[offset..<end]), now: now))
            offset = end
            chunks += 1
            now = now.advanced(by: 250)
            if let deadline = session.nextDeadline, deadline <= now { take(session.tick(now: now)) }
            if chunks == 64 {
                // A reconnect in the middle: the rest of the input is a new connection's stream.
                take(session.connectionClosed(now: now))
                session.connectionOpened(now: now)
            }
        }
        now = now.advanced(by: 60_000)
        take(session.tick(now: now))
        take(session.connectionClosed(now: now))
        _ = session.discoveredSettings
        _ = engine.snapshot(now: now)
    }
}
