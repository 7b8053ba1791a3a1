import JSONC
import JSONModel
import LWS
import Synchronization
import WallboardCore

/// Fan-out by topic: keeps the latest payload of each topic and who subscribes to it.
///
/// Each payload is encoded once per change (``publish(_:data:)``, ``publish(_:update:)``) and the
/// same bytes are queued for every subscriber that may see it as is; subscribers whose token needs a
/// shaped view (masked customer data, a queue scope) get one encoding per distinct view, not one per
/// connection. The server's per-connection outbox keeps only the newest frame per topic.
///
/// A connection that asks for bundles (`"bundle": true` in its `subscribe`, docs/protocol.md) gets one
/// `bundle` message per publish cycle (``cycle(_:)``) carrying every topic of its own that changed:
/// one write per board per cycle instead of one per topic. A bundle is built once per distinct view
/// and set of changed topics and shared by every connection that gets it.
///
/// Topics the engine builds on demand (``setOnDemandTopics(_:)``: `center`, `queue:<id>`, ...) are
/// kept current only while someone subscribes: ``takeDemand()`` tells the engine which to build,
/// and a subscribe to one that is not current waits for the engine's next publish instead of getting
/// a stale payload. Other topics (`alerts`) are published by their owner whatever the demand.
///
/// A window-limited name of an on-demand topic with window figures (``TopicWindows``:
/// `queue:sales@primary,today`) is an on-demand topic of its own, checked at subscribe (its windows must
/// be configured ones; at most ``maxWindowListsPerTopic`` lists of one topic at a time) and forgotten
/// once nobody subscribes to it.
/// Thread-safe: publish runs on the engine queue, subscribe on the WebSocket queue.
public final class TopicHub: Sendable {
    /// The latest payload of one topic. Its text and its message are made when first asked for: a topic
    /// published as a delta needs them only for a new subscriber, a board that missed a cycle, or REST.
    public struct Latest: Sendable {
        public let sequence: UInt64
        /// The topic's data as JSON text.
        let whole: Lazy<String>
        /// The data as the publisher had it, when it had it as a value.
        let value: JSONValue?
        /// The bytes of the whole `topic` message.
        let message: Lazy<SharedBytes>
        let slot: String

        /// The topic's data as JSON text (what REST returns to a caller who sees everything).
        public var dataJSON: String { whole.value }

        /// The whole `topic` WebSocket message.
        public var frame: OutboundFrame { OutboundFrame(slot: slot, sequence: sequence, payload: message.value) }

        /// The data itself, for shaping views (parsed from ``dataJSON`` when published as text).
        public var data: JSONValue { value ?? (try? JSONC.parse(dataJSON)) ?? .null }
    }

    /// One change of a topic built as text: the whole payload and, for a long list, what changed
    /// since the previous payload (see `docs/protocol.md`, "Deltas").
    public struct Update: Sendable {
        /// The whole payload's text, made when first asked for (``Latest``).
        let whole: Lazy<String>
        /// The change since the previous sequence number, as the JSON text of `delta`; `nil` = none.
        public var deltaJSON: String?

        public var dataJSON: String { whole.value }

        public init(dataJSON: String, deltaJSON: String? = nil) {
            whole = Lazy(value: dataJSON)
            self.deltaJSON = deltaJSON
        }

        /// An update whose whole payload `whole` gives when first needed (it must give the same text
        /// whenever it is called: it captures what it encodes).
        init(deltaJSON: String?, whole: @escaping @Sendable () -> String) {
            self.whole = Lazy(whole)
            self.deltaJSON = deltaJSON
        }
    }

    /// What a subscriber may see: `nil` key = everything as is.
    public struct Viewer: Sendable {
        public var key: String?
        public var view: @Sendable (JSONValue) -> JSONValue
        public var maySubscribe: @Sendable (String) -> Bool
        /// Whether `view` shapes a delta as it shapes a whole payload (masking does; a scope, which
        /// fills in lists a delta leaves out, does not): then the view gets deltas, else whole payloads.
        public var shapesDeltas: Bool
        /// Shapes the payload of the topics it knows (e.g. `alerts`, cut to a scope); `nil` for the
        /// others, which go through `view`.
        public var viewTopic: @Sendable (_ topic: String, JSONValue) -> JSONValue?
        /// Shapes a payload (or delta) of `topic` given as JSON text into the text `shape` would encode,
        /// without parsing it (e.g. ``Redaction/maskedText(_:)`` for a masking view); `nil` = parse, `shape`
        /// and encode. Must give exactly `JSONC.encode(shape(topic, JSONC.parse(json)))` when it answers.
        public var shapeText: (@Sendable (_ topic: String, _ json: String) -> String?)?

        public init(
            key: String?, view: @escaping @Sendable (JSONValue) -> JSONValue,
            maySubscribe: @escaping @Sendable (String) -> Bool, shapesDeltas: Bool = false,
            viewTopic: @escaping @Sendable (_ topic: String, JSONValue) -> JSONValue? = { _, _ in nil },
            shapeText: (@Sendable (_ topic: String, _ json: String) -> String?)? = nil
        ) {
            self.key = key
            self.view = view
            self.maySubscribe = maySubscribe
            self.shapesDeltas = shapesDeltas
            self.viewTopic = viewTopic
            self.shapeText = shapeText
        }

        /// `payload` of `topic` as this viewer sees it.
        public func shape(_ topic: String, _ payload: JSONValue) -> JSONValue { viewTopic(topic, payload) ?? view(payload) }

        /// The JSON text of `topic`'s payload or delta `json` as this viewer sees it: by ``shapeText`` when
        /// it answers, else parsed (or `parsed`, when the caller has the value), shaped and encoded.
        func shapedJSON(_ topic: String, _ json: String, parsed: () -> JSONValue) -> String {
            if let shapeText, let text = shapeText(topic, json) { return text }
            return JSONC.encode(shape(topic, parsed()))
        }

        /// Sees everything, may subscribe to anything.
        public static let everything = Viewer(key: nil, view: { $0 }, maySubscribe: { _ in true })
    }

    /// What ``subscribe(_:to:bundles:)`` refused besides unknown and forbidden names: a window-limited
    /// name that is malformed or names a window there is not (`bad_windows`), or one list too many of
    /// a topic (`too_many_window_lists`).
    public struct Refusal: Sendable, Equatable {
        public var topic: String
        public var code: String
        public var message: String
    }

    /// At most this many window lists of one topic are subscribed to at a time, across every connection:
    /// each is built at every publish, and any list of windows makes a name.
    public static let maxWindowListsPerTopic = 8

    /// What the engine must build at its next publish (``takeDemand()``).
    public struct Demand: Sendable, Equatable {
        /// On-demand topics with at least one subscriber (or a pending request).
        public var wanted: Set<String>
        /// Of those, the ones to publish whole: subscribed while they were not kept current.
        public var fresh: Set<String>
    }

    private struct State {
        var latest: [String: Latest] = [:]
        var subscriptions = TopicSubscriptions()
        var sequences: [String: UInt64] = [:]
        /// Each topic's latest payload already shaped for a view (by view key), so boards of the same
        /// view that subscribe later get the same bytes instead of a new encoding each.
        var shaped: [String: [String: OutboundFrame]] = [:]
        /// Topics the engine builds only when wanted, and which of them it keeps current now.
        var onDemand: Set<String> = []
        /// The engine's window names, for window-limited names (``TopicWindows``).
        var windows: [String] = []
        /// Where the sequence of a window-limited topic starts when it is made again after it was
        /// forgotten: past every sequence a forgotten one reached, so a client never sees one go back.
        var cutSequenceFloor: UInt64 = 0
        var maintained: Set<String> = []
        /// Subscribed while not current: built whole at the engine's next publish.
        var requested: Set<String> = []
        var ready = false
        var sources: JSONValue = .array([])
        /// Open ``cycle(_:)`` calls; the bundles go out when the outermost ends.
        var cycleDepth = 0
        /// Topics published since bundles last went out, in order, with what changed.
        var changed: [String] = []
        var changes: [String: Change] = [:]
        /// Subscribe replies of bundle connections, by view and (topic, sequence) list: boards that
        /// subscribe between two publishes share one reply (cleared at each publish).
        var replies: [String: OutboundFrame] = [:]

        /// Whether the engine builds `topic`: an on-demand topic, or a window-limited name of one.
        func buildable(_ topic: String) -> Bool {
            if onDemand.contains(topic) { return true }
            return isCut(topic)
        }

        /// Whether `topic` is a window-limited name of an on-demand topic (and not a topic of its own).
        func isCut(_ topic: String) -> Bool {
            guard !onDemand.contains(topic), let cut = TopicWindows(topic) else { return false }
            return onDemand.contains(cut.base)
        }

        /// The topic a subscribe to `topic` is about: itself, or the base of a window-limited name of an
        /// on-demand topic (``TopicWindows/split(_:)``; whether the rest is a valid list is ``refusal(of:base:adding:)``'s).
        func base(of topic: String) -> String {
            guard !onDemand.contains(topic), let (base, _) = TopicWindows.split(topic), onDemand.contains(base) else { return topic }
            return base
        }

        /// Why a subscribe to the window-limited name `topic` of `base` is refused, or `nil`: its list
        /// must name configured windows, and a new list of `base` must leave it within
        /// ``TopicHub/maxWindowListsPerTopic`` lists (with those of `adding`, taken in the same subscribe).
        func refusal(of topic: String, base: String, adding: [String]) -> Refusal? {
            if case .failure(let refusal) = TopicWindows.parse(topic, configured: windows) {
                return Refusal(topic: topic, code: "bad_windows", message: refusal.message)
            }
            if subscriptions.count(topic) > 0 || adding.contains(topic) { return nil }
            let lists = subscriptions.subscribedTopics.union(adding).filter { other in
                other != base && TopicWindows.split(other)?.base == base && isCut(other)
            }
            guard lists.count >= TopicHub.maxWindowListsPerTopic else { return nil }
            return Refusal(
                topic: topic, code: "too_many_window_lists",
                message: "\(topic): \(base) has \(lists.count) window lists subscribed to already, the most at a time; "
                    + "subscribe to one of them or to \(base)")
        }

        /// Forgets a window-limited topic's payloads (nobody subscribes to it, or its base went).
        mutating func forgetCut(_ topic: String) {
            cutSequenceFloor = max(cutSequenceFloor, sequences[topic] ?? 0)
            latest[topic] = nil
            shaped[topic] = nil
            sequences[topic] = nil
        }
    }

    /// One topic's change for bundle subscribers: the latest payload and, when the topic changed once
    /// since the last bundle, its delta.
    private struct Change {
        var latest: Latest
        var deltaJSON: String?
    }

    /// Holds the viewer resolver by reference. A closure kept directly in a `Mutex` (generic storage)
    /// is re-wrapped in two reabstraction thunks on every `withLock` that passes it `inout`: after a
    /// few tens of thousands of lookups the chain of thunks overflowed the service thread's stack
    /// (issue 13). A class reference is stored and read as is.
    private final class ResolverBox: Sendable {
        let resolve: @Sendable (ConnectionID) -> Viewer
        init(_ resolve: @escaping @Sendable (ConnectionID) -> Viewer) { self.resolve = resolve }
    }

    private let state = Mutex(State())
    private let sink: @Sendable (OutboundFrame, [ConnectionID]) -> Void
    private let viewers = Mutex<ResolverBox?>(nil)

    /// - Parameter sink: where frames for subscribers go (the WebSocket server's `send`).
    public init(sink: @escaping @Sendable (OutboundFrame, [ConnectionID]) -> Void) {
        self.sink = sink
    }

    /// Tells the hub what each connection may see (set once access control is configured).
    public func setViewerResolver(_ resolver: @escaping @Sendable (ConnectionID) -> Viewer) {
        let box = ResolverBox(resolver)
        viewers.withLock { $0 = box }
    }

    private func viewer(of connection: ConnectionID) -> Viewer {
        viewers.withLock { $0 }?.resolve(connection) ?? .everything
    }

    /// Names of the topics a client may subscribe to now: those the engine can build and those with a payload
    /// (window-limited names of them are not listed: any list of windows makes one).
    public var topics: [String] {
        state.withLock { state in state.onDemand.union(state.latest.keys.filter { !state.isCut($0) }).sorted() }
    }

    /// The latest payload of `topic`, if any. For an on-demand topic nobody subscribes to it may be
    /// old: ask the engine to refresh it first (``EngineService/refresh(_:completion:)``).
    public func latest(_ topic: String) -> Latest? { state.withLock { $0.latest[topic] } }

    /// Whether the engine has published once (`/readyz`).
    public var isReady: Bool { state.withLock { $0.ready } }

    /// The event sources' states as of the engine's last publish (`/healthz`).
    public var sources: JSONValue { state.withLock { $0.sources } }

    /// The engine's window names, which window-limited names may list (`hello.windows`).
    public var windows: [String] { state.withLock { $0.windows } }

    /// Sets the topics the engine can build (from its queues and teams), its window names (`nil`: as they
    /// were) and the sources' states.
    public func setOnDemandTopics(_ names: Set<String>, windows: [String]? = nil, sources: JSONValue) {
        state.withLock { state in
            state.ready = true
            state.sources = sources
            if let windows { state.windows = windows }
            guard state.onDemand != names else { return }
            for gone in state.onDemand.subtracting(names) {
                state.latest[gone] = nil
                state.shaped[gone] = nil
            }
            state.onDemand = names
            // Window-limited topics of a topic that went go with it.
            for topic in Array(state.latest.keys) where !names.contains(topic) {
                if let cut = TopicWindows(topic), !names.contains(cut.base) { state.forgetCut(topic) }
            }
            state.requested = state.requested.filter { state.buildable($0) }
        }
    }

    /// Whether the engine keeps `topic` current now (someone subscribes to it); other on-demand topics
    /// are built when asked for.
    public func isMaintained(_ topic: String) -> Bool {
        state.withLock { $0.maintained.contains(topic) || (!$0.buildable(topic) && $0.latest[topic] != nil) }
    }

    /// Whether `topic` is a window-limited name of a topic the engine builds (``TopicWindows``), valid or not.
    public func isWindowLimited(_ topic: String) -> Bool { state.withLock { $0.base(of: topic) != topic } }

    /// The topic whose access rules `topic` follows: itself, or the base of a window-limited name.
    public func base(of topic: String) -> String { state.withLock { $0.base(of: topic) } }

    /// Why the window-limited name `topic` names no payload (a malformed list, a window there is not), or
    /// `nil` (valid, or not a window-limited name): for the REST mirrors, which answer such names too.
    public func windowRefusal(_ topic: String) -> String? {
        state.withLock { state in
            guard state.base(of: topic) != topic, case .failure(let refusal) = TopicWindows.parse(topic, configured: state.windows) else {
                return nil
            }
            return refusal.message
        }
    }

    /// Whether a subscribe waits for the engine to build a topic (``takeDemand()`` would say so).
    public var hasRequests: Bool { state.withLock { !$0.requested.isEmpty } }

    /// The on-demand topics to build now; from here on those are the ones kept current (a subscribe
    /// to any other waits for the next publish). Called by the engine at each publish.
    public func takeDemand() -> Demand {
        state.withLock { state in
            var wanted = state.requested
            for topic in state.subscriptions.subscribedTopics where state.buildable(topic) { wanted.insert(topic) }
            // A window-limited topic nobody wants any more is forgotten (another list of windows is
            // another name: they must not pile up).
            for topic in Array(state.latest.keys) where !wanted.contains(topic) && state.isCut(topic) { state.forgetCut(topic) }
            let demand = Demand(wanted: wanted, fresh: state.requested)
            state.requested = []
            state.maintained = wanted
            return demand
        }
    }

    /// Stores a new payload for `topic` and queues it for its subscribers, shaped per view.
    @discardableResult
    public func publish(_ topic: String, data: JSONValue) -> Latest {
        publish(topic, whole: Lazy(value: JSONC.encode(data)), value: data, deltaJSON: nil)
    }

    /// Stores a payload built as text. Subscribers that see the payload as is get the delta (with
    /// the whole payload as the outbox's fallback) when there is one; shaped views get the whole payload.
    @discardableResult
    public func publish(_ topic: String, update: Update) -> Latest {
        publish(topic, whole: update.whole, value: nil, deltaJSON: update.deltaJSON)
    }

    /// Runs `body` (the engine's publish) as one cycle: bundle subscribers get what it published as one
    /// bundle each when the outermost cycle ends. A publish outside a cycle is a cycle of its own.
    /// Classic subscribers get each update as it is published.
    @discardableResult
    public func cycle<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { $0.cycleDepth += 1 }
        defer {
            let outermost = state.withLock { state -> Bool in
                state.cycleDepth -= 1
                return state.cycleDepth == 0
            }
            if outermost { sendBundles() }
        }
        return try body()
    }

    private func publish(_ topic: String, whole: Lazy<String>, value: JSONValue?, deltaJSON: String?) -> Latest {
        let (latest, targets, inCycle) = state.withLock { state -> (Latest, [(ConnectionID, TopicSubscriptions.ViewerBox)], Bool) in
            let sequence = (state.sequences[topic] ?? (state.isCut(topic) ? state.cutSequenceFloor : 0)) + 1
            state.sequences[topic] = sequence
            let latest = Latest(
                sequence: sequence, whole: whole, value: value,
                message: Lazy { Self.message(topic: topic, sequence: sequence, dataJSON: whole.value) }, slot: Self.slot(topic))
            state.latest[topic] = latest
            state.shaped[topic] = nil
            if !state.replies.isEmpty { state.replies = [:] }
            if state.subscriptions.count(topic) > (state.subscriptions.perTopic[topic]?.count ?? 0) {
                // Published twice before bundles went out: the second delta's base was never sent.
                let again = state.changes[topic] != nil
                if !again { state.changed.append(topic) }
                state.changes[topic] = Change(latest: latest, deltaJSON: again ? nil : deltaJSON)
            }
            let targets = (state.subscriptions.perTopic[topic] ?? []).compactMap { connection in
                state.subscriptions.clients[connection].map { (connection, $0.viewer) }
            }
            return (latest, targets, state.cycleDepth > 0)
        }
        defer { if !inCycle { sendBundles() } }
        guard !targets.isEmpty else { return latest }
        var plain: [ConnectionID] = []
        var shaped: [String: (viewer: Viewer, connections: [ConnectionID])] = [:]
        for (connection, box) in targets {
            if let key = box.viewer.key {
                shaped[key, default: (box.viewer, [])].connections.append(connection)
            } else {
                plain.append(connection)
            }
        }
        var parsedDelta: JSONValue?
        if !plain.isEmpty {
            sink(topicFrame(topic, latest, deltaJSON: deltaJSON, viewer: .everything, parsedDelta: &parsedDelta), plain)
        }
        for (_, entry) in shaped {
            sink(topicFrame(topic, latest, deltaJSON: deltaJSON, viewer: entry.viewer, parsedDelta: &parsedDelta), entry.connections)
        }
        return latest
    }

    /// The message that brings a subscriber with `viewer` to `latest`: the delta (with the whole
    /// payload as the outbox's fallback) when there is one and the view can shape it, else the whole payload.
    private func topicFrame(
        _ topic: String, _ latest: Latest, deltaJSON: String?, viewer: Viewer, parsedDelta: inout JSONValue?
    ) -> OutboundFrame {
        guard let key = viewer.key else {
            guard let deltaJSON else { return latest.frame }
            return Self.deltaFrame(topic, latest.sequence, deltaJSON: deltaJSON, whole: latest.message)
        }
        guard let deltaJSON, viewer.shapesDeltas else { return shapedFrame(topic, latest, key: key, viewer: viewer) }
        let shapedDelta = viewer.shapedJSON(topic, deltaJSON) {
            if parsedDelta == nil { parsedDelta = (try? JSONC.parse(deltaJSON)) ?? .null }
            return parsedDelta!
        }
        // The whole payload in this view, shaped only if a board needs it instead of the delta (the same
        // bytes ``shapedFrame`` gives; made without the hub's lock, on whichever thread asks).
        let whole = Lazy {
            Self.message(topic: topic, sequence: latest.sequence, dataJSON: viewer.shapedJSON(topic, latest.dataJSON) { latest.data })
        }
        return Self.deltaFrame(topic, latest.sequence, deltaJSON: shapedDelta, whole: whole)
    }

    /// Sends the changes since the last bundles: to each group of bundle connections, the changed
    /// topics it subscribes to as one bundle, built once per view and set of topics.
    private func sendBundles() {
        let (changes, groups) = state.withLock { state -> ([(String, Change)], [TopicSubscriptions.Group]) in
            guard !state.changed.isEmpty else { return ([], []) }
            let changes = state.changed.compactMap { topic in state.changes[topic].map { (topic, $0) } }
            state.changed = []
            state.changes = [:]
            return (changes, Array(state.subscriptions.groups.values))
        }
        guard !changes.isEmpty else { return }
        var parts: [String: OutboundFrame] = [:]  // "view \u{1} topic" -> frame
        var parsedDeltas: [String: JSONValue] = [:]
        var bundles: [String: OutboundFrame] = [:]
        for group in groups where !group.members.isEmpty {
            let mine = changes.filter { group.topics.contains($0.0) }
            guard !mine.isEmpty else { continue }
            let viewer = group.viewer.viewer
            let view = viewer.key.map { "v:" + $0 } ?? "all"
            let key = ([view] + mine.map(\.0)).joined(separator: "\u{1}")
            if bundles[key] == nil {
                bundles[key] = OutboundFrame.bundle(mine.map { topic, change in
                    let partKey = view + "\u{1}" + topic
                    if let part = parts[partKey] { return part }
                    var parsed = parsedDeltas[topic]
                    let part = topicFrame(topic, change.latest, deltaJSON: change.deltaJSON, viewer: viewer, parsedDelta: &parsed)
                    parsedDeltas[topic] = parsed
                    parts[partKey] = part
                    return part
                })
            }
            sink(bundles[key]!, Array(group.members))
        }
    }

    /// A `topic` message with `base` and `delta`; the outbox sends `whole` instead when it replaces an unsent frame.
    private static func deltaFrame(_ topic: String, _ sequence: UInt64, deltaJSON: String, whole: Lazy<SharedBytes>) -> OutboundFrame {
        let text = #"{"type":"topic","topic":"# + JSONC.encode(.string(topic)) + #","seq":\#(sequence),"base":\#(sequence - 1),"delta":"#
            + deltaJSON + "}"
        return OutboundFrame(slot: slot(topic), sequence: sequence, payload: SharedBytes(text), lazyFallback: whole)
    }

    /// Adds `connection` to each topic it may see and queues each one's latest payload for it (an
    /// on-demand topic not kept current is built at the engine's next publish and sent then). With
    /// `bundles` the connection takes every update in bundles from now on, these latest payloads too.
    /// A window-limited name (``TopicWindows``) is checked against the token's rules as its base is.
    /// Returns the names that are not known topics, those it may not see, and the window-limited names
    /// refused (nothing is done for any of those).
    public func subscribe(
        _ connection: ConnectionID, to topics: [String], bundles: Bool = false
    ) -> (unknown: [String], forbidden: [String], refused: [Refusal]) {
        let viewer = viewer(of: connection)
        let bases = state.withLock { state in topics.map { state.base(of: $0) } }
        let forbidden = zip(topics, bases).filter { !viewer.maySubscribe($0.1) }.map(\.0)
        let allowed = zip(topics, bases).filter { viewer.maySubscribe($0.1) }
        let (latests, unknown, refused, bundled) = state.withLock { state -> ([(String, Latest)], [String], [Refusal], Bool) in
            var latests: [(String, Latest)] = []
            var unknown: [String] = []
            var refused: [Refusal] = []
            var known: [String] = []
            for (topic, base) in allowed {
                var onDemand = state.onDemand.contains(topic)
                if base != topic {
                    guard state.onDemand.contains(base) else {
                        unknown.append(topic)
                        continue
                    }
                    if let refusal = state.refusal(of: topic, base: base, adding: known) {
                        refused.append(refusal)
                        continue
                    }
                    onDemand = true
                }
                guard onDemand || state.latest[topic] != nil else {
                    unknown.append(topic)
                    continue
                }
                known.append(topic)
                if onDemand && !state.maintained.contains(topic) {
                    state.requested.insert(topic)
                } else if let latest = state.latest[topic] {
                    latests.append((topic, latest))
                } else {
                    state.requested.insert(topic)
                }
            }
            if !known.isEmpty || bundles {
                state.subscriptions.add(connection, known, viewer: viewer, bundles: bundles)
            }
            return (latests, unknown, refused, state.subscriptions.clients[connection]?.bundles ?? false)
        }
        func frames() -> [OutboundFrame] {
            latests.map { topic, latest in viewer.key.map { shapedFrame(topic, latest, key: $0, viewer: viewer) } ?? latest.frame }
        }
        guard bundled else {
            for frame in frames() { sink(frame, [connection]) }
            return (unknown, forbidden, refused)
        }
        guard !latests.isEmpty else { return (unknown, forbidden, refused) }
        let key = ([viewer.key.map { "v:" + $0 } ?? "all"] + latests.map { "\($0.0) \($0.1.sequence)" }).joined(separator: "\u{1}")
        let reply = state.withLock { $0.replies[key] } ?? {
            let reply = OutboundFrame.bundle(frames())
            state.withLock { state in
                // Kept only while every payload in it is still the latest (a publish clears the cache).
                if latests.allSatisfy({ state.latest[$0.0]?.sequence == $0.1.sequence }) { state.replies[key] = reply }
            }
            return reply
        }()
        sink(reply, [connection])
        return (unknown, forbidden, refused)
    }

    /// Removes `connection` from `topics`, or from every topic when `topics` is `nil`.
    public func unsubscribe(_ connection: ConnectionID, from topics: [String]? = nil) {
        state.withLock { $0.subscriptions.remove(connection, topics) }
    }

    /// How many connections subscribe to `topic`; with `windowLimited`, to it or any window-limited name of it.
    public func subscriberCount(_ topic: String, windowLimited: Bool = false) -> Int {
        state.withLock { state in
            guard windowLimited else { return state.subscriptions.count(topic) }
            return state.subscriptions.subscribedTopics.filter { $0 == topic || (state.isCut($0) && TopicWindows.split($0)?.base == topic) }
                .reduce(0) { $0 + state.subscriptions.count($1) }
        }
    }

    /// `latest` of `topic` as the view `key` sees it: encoded once per payload and view, then reused.
    private func shapedFrame(_ topic: String, _ latest: Latest, key: String, viewer: Viewer) -> OutboundFrame {
        if let cached = state.withLock({ $0.shaped[topic]?[key] }), cached.sequence == latest.sequence { return cached }
        let frame = OutboundFrame(
            slot: Self.slot(topic), sequence: latest.sequence,
            payload: Self.message(topic: topic, sequence: latest.sequence, dataJSON: viewer.shapedJSON(topic, latest.dataJSON) { latest.data }))
        state.withLock { state in
            // Kept only while it is still the topic's latest payload (a newer publish clears the cache).
            if state.latest[topic]?.sequence == latest.sequence { state.shaped[topic, default: [:]][key] = frame }
        }
        return frame
    }

    /// The bytes of a whole `topic` message.
    private static func message(topic: String, sequence: UInt64, dataJSON: String) -> SharedBytes {
        SharedBytes(#"{"type":"topic","topic":"# + JSONC.encode(.string(topic)) + #","seq":\#(sequence),"data":"# + dataJSON + "}")
    }

    /// The outbox slot of `topic`'s messages.
    private static func slot(_ topic: String) -> String { "topic:" + topic }
}
