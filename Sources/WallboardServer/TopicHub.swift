import JSONC
import JSONModel
import LWS
import Synchronization
import WallboardCore

/// Fan-out by topic: keeps the latest encoded payload of each topic and who subscribes to it.
///
/// Each payload is encoded once per change (``publish(_:dataJSON:)``) and the same bytes are queued
/// for every subscriber; the server's per-connection outbox keeps only the newest frame per topic.
/// Thread-safe: publish runs on the engine queue, subscribe on the lws service thread.
public final class TopicHub: Sendable {
    /// The latest payload of one topic.
    public struct Latest: Sendable {
        public let sequence: UInt64
        /// The topic's data as JSON text (what REST returns).
        public let dataJSON: String
        /// The whole `topic` WebSocket message.
        public let frame: OutboundFrame
    }

    private struct State {
        var latest: [String: Latest] = [:]
        var subscribers: [String: Set<ConnectionID>] = [:]
        var sequences: [String: UInt64] = [:]
    }

    private let state = Mutex(State())
    private let sink: @Sendable (OutboundFrame, [ConnectionID]) -> Void

    /// - Parameter sink: where frames for subscribers go (the WebSocket server's `send`).
    public init(sink: @escaping @Sendable (OutboundFrame, [ConnectionID]) -> Void) {
        self.sink = sink
    }

    /// Names of the topics that have a payload now.
    public var topics: [String] { state.withLock { $0.latest.keys.sorted() } }

    /// The latest payload of `topic`, if any.
    public func latest(_ topic: String) -> Latest? { state.withLock { $0.latest[topic] } }

    /// Stores a new payload for `topic` (JSON text of its data) and queues it for its subscribers.
    @discardableResult
    public func publish(_ topic: String, dataJSON: String) -> Latest {
        let (latest, targets) = state.withLock { state -> (Latest, [ConnectionID]) in
            let sequence = (state.sequences[topic] ?? 0) + 1
            state.sequences[topic] = sequence
            let text = #"{"type":"topic","topic":"# + JSONC.encode(.string(topic)) + #","seq":\#(sequence),"data":"# + dataJSON + "}"
            let latest = Latest(
                sequence: sequence, dataJSON: dataJSON,
                frame: OutboundFrame(slot: "topic:" + topic, sequence: sequence, payload: SharedBytes(text)))
            state.latest[topic] = latest
            return (latest, Array(state.subscribers[topic] ?? []))
        }
        sink(latest.frame, targets)
        return latest
    }

    /// Adds `connection` to each topic and queues each one's latest payload for it.
    /// Returns the names that are not known topics (nothing is done for those).
    public func subscribe(_ connection: ConnectionID, to topics: [String]) -> [String] {
        let (frames, unknown) = state.withLock { state -> ([OutboundFrame], [String]) in
            var frames: [OutboundFrame] = []
            var unknown: [String] = []
            for topic in topics {
                guard let latest = state.latest[topic] else {
                    unknown.append(topic)
                    continue
                }
                state.subscribers[topic, default: []].insert(connection)
                frames.append(latest.frame)
            }
            return (frames, unknown)
        }
        frames.forEach { sink($0, [connection]) }
        return unknown
    }

    /// Removes `connection` from `topics`, or from every topic when `topics` is `nil`.
    public func unsubscribe(_ connection: ConnectionID, from topics: [String]? = nil) {
        state.withLock { state in
            for topic in topics ?? Array(state.subscribers.keys) {
                state.subscribers[topic]?.remove(connection)
            }
        }
    }

    /// How many connections subscribe to `topic`.
    public func subscriberCount(_ topic: String) -> Int { state.withLock { $0.subscribers[topic]?.count ?? 0 } }
}

