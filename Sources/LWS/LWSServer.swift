import Foundation
import Logging
import Synchronization

/// An HTTP + WebSocket server on libwebsockets: static files from a folder, dynamic HTTP routes
/// answered by a delegate, and WebSocket connections with per-connection latest-wins outboxes.
///
/// Threads: libwebsockets runs on one service thread that this class owns. Everything marked
/// "service thread" is touched only there. Other threads reach it only through the thread-safe
/// methods (``send(_:to:)``, ``broadcast(_:)``, ``close(_:reason:)``, responders, ``shutdown(completion:)``),
/// which put work in a locked mailbox and wake the loop with `lws_cancel_service`.
public final class LWSServer: @unchecked Sendable {
    // @unchecked: mutable state is either confined to the lws service thread (documented per
    // property) or behind `mailbox`, a Mutex.

    /// Where and how the server listens.
    package struct Configuration: Sendable {
        /// Address to bind, e.g. `127.0.0.1`.
        package var host: String
        /// Port to bind; 0 picks a free one (see ``LWSServer/port``).
        package var port: Int
        /// Folder served as static files at `/`, or `nil` for none.
        package var staticRoot: String?
        /// Path prefixes answered by the delegate instead of files.
        package var dynamicPrefixes: [String]
        /// The only path that accepts WebSocket upgrades.
        var webSocketPath: String
        /// The WebSocket subprotocol clients must ask for.
        var webSocketProtocol: String
        /// Largest WebSocket message accepted from a client.
        var maximumMessageBytes: Int
        /// Largest HTTP request body accepted.
        var maximumBodyBytes: Int
        /// Most distinct frames waiting for one WebSocket client before it is disconnected as too slow.
        var maximumOutboxFrames: Int
        /// Longest wait for clients to take their close frames at shutdown.
        package var shutdownGracePeriod: Duration
        /// A WebSocket client with frames waiting that has taken none for this long is disconnected
        /// (its TCP window stays full: a frozen TV, a dead network path).
        package var stallTimeout: Duration = .seconds(30)
        /// PEM certificate (chain) file. With ``tlsPrivateKeyPath`` the server speaks only HTTPS and WSS.
        package var tlsCertificatePath: String?
        /// PEM private key file matching ``tlsCertificatePath``.
        package var tlsPrivateKeyPath: String?
        /// Descriptors below the soft `RLIMIT_NOFILE` that client connections never take: a connection
        /// accepted on one of them is closed at once (see ``DescriptorBudget``).
        package var descriptorReserve: Int = DescriptorBudget.defaultReserve
        /// WebSocket bytes written in one pass of the service loop before the rest wait for the next
        /// pass (see ``WriteRounds``): HTTP requests and ingest are served between passes, so a
        /// thousand boards taking megabytes each cannot hold them up for seconds.
        package var webSocketBytesPerPass: Int = 8 * 1024 * 1024

        /// Whether the server is configured for TLS (both paths set).
        var usesTLS: Bool { tlsCertificatePath != nil || tlsPrivateKeyPath != nil }

        package init(
            host: String = "127.0.0.1", port: Int = 8080, staticRoot: String? = nil,
            dynamicPrefixes: [String] = ["/api", "/healthz", "/readyz", "/metrics"], webSocketPath: String = "/ws",
            webSocketProtocol: String = "wallboard.v1", maximumMessageBytes: Int = 64 * 1024,
            maximumBodyBytes: Int = 8 * 1024 * 1024, maximumOutboxFrames: Int = 256,
            shutdownGracePeriod: Duration = .seconds(2), tlsCertificatePath: String? = nil,
            tlsPrivateKeyPath: String? = nil
        ) {
            self.host = host
            self.port = port
            self.staticRoot = staticRoot
            self.dynamicPrefixes = dynamicPrefixes
            self.webSocketPath = webSocketPath
            self.webSocketProtocol = webSocketProtocol
            self.maximumMessageBytes = maximumMessageBytes
            self.maximumBodyBytes = maximumBodyBytes
            self.maximumOutboxFrames = maximumOutboxFrames
            self.shutdownGracePeriod = shutdownGracePeriod
            self.tlsCertificatePath = tlsCertificatePath
            self.tlsPrivateKeyPath = tlsPrivateKeyPath
        }
    }

    enum MailItem {
        case frame(OutboundFrame, [ConnectionID]?)
        case close(ConnectionID, WebSocketCloseReason)
        case response(ConnectionID, HTTPResponse)
        case reloadCertificates(@Sendable (LWSError?) -> Void)
    }

    struct Mailbox {
        var items: [MailItem] = []
        var stopRequested = false
        var forceStop = false
        var completions: [@Sendable () -> Void] = []
    }

    package let configuration: Configuration
    let logger: Logger
    /// The port actually bound (differs from the configured one when that was 0). Set by ``start()``.
    package private(set) var port: Int = 0
    /// Set before ``start()``; called on the service thread.
    let delegate: LWSServerDelegate

    let mailbox = Mutex(Mailbox())
    /// The only door from other threads into lws: `lws_cancel_service` under a lock, disarmed before
    /// the context is destroyed.
    let waker = LWSWaker()
    /// Open WebSocket connections (service thread writes; read by ``webSocketCount`` under the mutex).
    let openWebSockets = Mutex(0)

    // Service-thread state.
    var context: LWSContext?
    var sessions: [UInt64: LWSSession] = [:]
    var nextConnectionID: UInt64 = 0
    var draining = false
    var finished = false
    /// Who may write in this pass and this round (``canWriteWebSocket``).
    var writeRounds = WriteRounds()
    /// When stalled clients were last looked for (``disconnectStalledClients``).
    var stallScans = StallScanSchedule()
    /// Merged bundles already joined, by their placeholder's identity (``canWriteWebSocket``).
    var joinedBundles: [ObjectIdentifier: (merged: OutboundFrame, joined: OutboundFrame)] = [:]
    private var thread: Thread?

    package init(configuration: Configuration, delegate: LWSServerDelegate, logger: Logger) {
        self.configuration = configuration
        self.delegate = delegate
        self.logger = logger
    }

    /// Binds and starts the service thread. Throws if the address cannot be bound.
    package func start() throws(LWSError) {
        acceptCeiling = DescriptorBudget.acceptCeiling(reserve: configuration.descriptorReserve)
        let context = try LWSContext.make(server: self)
        self.context = context
        waker.arm(pointer: context.pointer)
        self.port = context.listenPort
        // Weak: `self.thread` keeps the Thread, and Foundation's Thread keeps its block after it ran,
        // so a strong capture is a cycle that keeps a stopped server (and its delegate) alive forever.
        let thread = Thread { [weak self] in self?.serviceLoop() }
        thread.name = "wallboardd.lws"
        self.thread = thread
        thread.start()
        logger.info(
            "http server listening",
            metadata: [
                "http.host": "\(configuration.host)", "http.port": "\(port)",
                "http.tls": "\(configuration.usesTLS)",
            ])
    }

    /// WebSocket frames written, clients disconnected as stalled (for /metrics), and the most bytes
    /// written in one pass of the service loop.
    let writeCounters = Mutex<(frames: Int, stalled: Int, largestPass: Int)>((0, 0, 0))

    /// Connections closed at once because they would have taken a reserved descriptor (for /metrics).
    let descriptorRefusalCount = Mutex(0)
    /// Connections closed at once since start because the process was near its descriptor limit.
    package var descriptorRefusals: Int { descriptorRefusalCount.withLock { $0 } }
    /// The lowest descriptor a new connection may not have; set by ``start()``.
    var acceptCeiling = Int.max
    /// The refusals of the current episode of descriptor pressure (service thread).
    var descriptorPressure = PressureEpisode()

    /// Passes of the service loop (one `poll` each) since start.
    let servicePassCount = Atomic<Int>(0)
    /// Passes of the service loop (one `poll` over every open connection each) since start.
    package var servicePasses: Int { servicePassCount.load(ordering: .relaxed) }

    /// WebSocket frames written since start.
    package var framesWritten: Int { writeCounters.withLock { $0.frames } }
    /// The most WebSocket bytes written in one pass of the service loop since start: at most
    /// ``Configuration/webSocketBytesPerPass`` plus one frame.
    package var largestPassBytes: Int { writeCounters.withLock { $0.largestPass } }
    /// WebSocket clients disconnected because they stopped taking frames.
    package var stalledDisconnects: Int { writeCounters.withLock { $0.stalled } }

    /// Re-reads the TLS certificate and key from their (unchanged) paths, e.g. after a renewal, for
    /// new connections; open ones keep theirs. Thread-safe; `completion` runs on the service thread.
    /// The corresponding C function is `lws_tls_cert_updated`.
    package func reloadCertificates(completion: @escaping @Sendable (LWSError?) -> Void) {
        guard configuration.usesTLS else { return completion(nil) }
        post(.reloadCertificates(completion))
    }

    /// How many WebSocket clients are connected now.
    package var webSocketCount: Int { openWebSockets.withLock { $0 } }

    /// Queues `frame` for the given WebSocket connections. Thread-safe.
    package func send(_ frame: OutboundFrame, to connections: [ConnectionID]) {
        guard !connections.isEmpty else { return }
        post(.frame(frame, connections))
    }

    /// Queues `frame` for every WebSocket connection. Thread-safe.
    package func broadcast(_ frame: OutboundFrame) { post(.frame(frame, nil)) }

    /// Closes a WebSocket connection with a close code and reason. Thread-safe.
    package func close(_ connection: ConnectionID, reason: WebSocketCloseReason) { post(.close(connection, reason)) }

    /// Sends close frames to every WebSocket client, stops serving, frees libwebsockets, then calls
    /// `completion` (on the service thread). Thread-safe; later calls only add their completion.
    package func shutdown(completion: @escaping @Sendable () -> Void) {
        let alreadyStopping = mailbox.withLock { box -> Bool in
            box.completions.append(completion)
            defer { box.stopRequested = true }
            return box.stopRequested
        }
        guard thread != nil else {
            completion()
            return
        }
        waker.wake()
        guard !alreadyStopping else { return }
        let grace = configuration.shutdownGracePeriod
        // Weak: a server that stopped within the grace period is freed now, not `grace` later.
        DispatchQueue.global().asyncAfter(deadline: .now() + grace.timeInterval) { [weak self] in
            guard let self else { return }
            mailbox.withLock { $0.forceStop = true }
            waker.wake()
        }
    }

    func post(_ item: MailItem) {
        mailbox.withLock { $0.items.append(item) }
        waker.wake()
    }

    /// The service thread's body: serve until drained or forced, then free the context here.
    private func serviceLoop() {
        while !finished {
            context?.service()
            servicePassCount.add(1, ordering: .relaxed)
            let passBytes = writeRounds.endPass()
            if passBytes > 0 { writeCounters.withLock { $0.largestPass = max($0.largestPass, passBytes) } }
            if mailbox.withLock({ $0.forceStop }) { finished = true }
        }
        let completions = mailbox.withLock { box -> [@Sendable () -> Void] in
            defer { box.completions.removeAll() }
            return box.completions
        }
        sessions.removeAll()
        waker.disarm()  // no other thread may reach the context from here on
        context = nil  // lws_context_destroy runs in LWSContext.deinit, here on the service thread.
        logger.info("http server stopped")
        completions.forEach { $0() }
    }
}

extension Duration {
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
