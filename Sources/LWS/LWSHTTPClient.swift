import Foundation
import Logging
import Synchronization

/// An outbound HTTP/1.1 client on libwebsockets' client side, for alert webhooks.
///
/// It owns a client-only lws context (no listening vhost) and one service thread. ``send(_:completion:)`` and
/// ``shutdown(completion:)`` are thread-safe: they put work in a locked mailbox and wake the loop through
/// ``LWSWaker`` (`lws_cancel_service`); the service thread connects, writes the body, reads the response and
/// enforces each request's timeout. Every request ends with exactly one completion, called on
/// ``completionQueue``, never on the service thread, so a slow completion cannot stall other requests.
///
/// Bounds: a response's status line and headers must fit in ``maximumResponseHeadBytes``
/// (else ``LWSClientError/responseHeadTooLarge(limit:)``); of its body the client keeps
/// ``Configuration/retainedBodyBytes`` and closes the connection rather than read more
/// (``OutgoingHTTPResponse/BodyEnd/truncated(limit:)``); the request's timeout bounds everything else (before the
/// status line: ``LWSClientError/timedOut(_:)``; after it: ``OutgoingHTTPResponse/BodyEnd/interrupted(_:)``).
///
/// TLS: `https://` URLs are verified against ``Configuration/systemCABundlePath`` plus an optional
/// ``Configuration/additionalCAFilePath``; the peer's name is checked against the URL's host. Redirects are
/// returned to the caller as responses, not followed.
///
/// Limitation: libwebsockets 4.1 resolves host names with blocking `getaddrinfo` on the service thread, so a
/// slow resolver delays every request of this client for that long.
public final class LWSHTTPClient: @unchecked Sendable {
    // @unchecked: `context`, `transfers`, `finished` and `extraCA*` are confined to the lws service thread (or
    // to `start()` before that thread exists); everything other threads touch is `mailbox` (a Mutex), `waker`
    // (locks itself) or immutable.

    /// Trust and limits.
    package struct Configuration: Sendable {
        /// The system's CA bundle (Debian: `ca-certificates`). `nil` or an unreadable file: trust only
        /// ``additionalCAFilePath``.
        var systemCABundlePath: String?
        /// A PEM file with more CA certificates to trust, e.g. a company CA or a test CA.
        package var additionalCAFilePath: String?
        /// How much of a response body is kept (read). A longer body is not an error: the response comes back
        /// with its first `retainedBodyBytes` and ``OutgoingHTTPResponse/BodyEnd/truncated(limit:)``, and the
        /// connection is closed instead of reading the rest. Webhook answers are only logged, so a few KiB do.
        package var retainedBodyBytes: Int
        /// Sent as `User-Agent` unless the request sets one.
        var userAgent: String

        package init(
            systemCABundlePath: String? = "/etc/ssl/certs/ca-certificates.crt", additionalCAFilePath: String? = nil,
            retainedBodyBytes: Int = 16 * 1024, userAgent: String = "wallboardd"
        ) {
            self.systemCABundlePath = systemCABundlePath
            self.additionalCAFilePath = additionalCAFilePath
            self.retainedBodyBytes = max(0, retainedBodyBytes)
            self.userAgent = userAgent
        }
    }

    package typealias Completion = @Sendable (Result<OutgoingHTTPResponse, LWSClientError>) -> Void

    struct Submission {
        var id: UInt64
        var request: OutgoingHTTPRequest
        var url: ParsedHTTPURL
        var completion: Completion
    }

    enum MailItem {
        case submit(Submission)
        case timeout(UInt64)
    }

    struct Mailbox {
        var items: [MailItem] = []
        var nextID: UInt64 = 0
        var started = false
        var stopRequested = false
        var stopped = false
        var completions: [@Sendable () -> Void] = []
    }

    /// The most bytes of status line and headers a response may have (libwebsockets' header buffer).
    package static let maximumResponseHeadBytes = 16 * 1024

    package let configuration: Configuration
    let logger: Logger
    let mailbox = Mutex(Mailbox())
    let waker = LWSWaker()
    /// Where request and shutdown completions run, in the order they happen.
    let completionQueue = DispatchQueue(label: "wallboardd.lws.client.completions")

    // Service-thread state.
    var context: LWSClientContext?
    var transfers: [UInt64: LWSClientTransfer] = [:]
    var finished = false
    /// The CA file to add in `LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS` (during `start()`), and
    /// whether that worked.
    var extraCAFileToLoad: String?
    var extraCAFileLoaded = false

    package init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Creates the lws context and starts the service thread. Requests sent before this wait in the mailbox.
    /// Throws when a configured CA file cannot be read or loaded, or after ``shutdown(completion:)``.
    package func start() throws(LWSError) {
        guard mailbox.withLock({ !$0.started && !$0.stopRequested }) else {
            throw LWSError(function: "LWSHTTPClient.start", reason: "already started or shut down")
        }
        let context = try LWSClientContext.make(client: self)
        self.context = context
        waker.arm(context)
        mailbox.withLock { $0.started = true }
        let thread = Thread { [self] in self.serviceLoop() }
        thread.name = "wallboardd.lws.client"
        thread.start()
        waker.wake()  // requests queued before start
        logger.debug("http client started")
    }

    /// Sends `request`; `completion` gets the response (any status) or why there is none, on
    /// ``completionQueue``. Thread-safe.
    package func send(_ request: OutgoingHTTPRequest, completion: @escaping Completion) {
        let url: ParsedHTTPURL
        do {
            url = try ParsedHTTPURL(request.url)
            try Self.validateHeaders(request.headers)
        } catch {
            completionQueue.async { completion(.failure(error)) }
            return
        }
        let id = mailbox.withLock { box -> UInt64? in
            guard !box.stopRequested else { return nil }
            box.nextID += 1
            box.items.append(.submit(Submission(id: box.nextID, request: request, url: url, completion: completion)))
            return box.nextID
        }
        guard let id else {
            completionQueue.async { completion(.failure(.shutDown)) }
            return
        }
        waker.wake()
        DispatchQueue.global().asyncAfter(deadline: .now() + request.timeout.timeInterval) { [weak self] in
            self?.post(.timeout(id))
        }
    }

    /// Fails every pending request with ``LWSClientError/shutDown``, closes their connections, frees
    /// libwebsockets, then calls `completion` on ``completionQueue`` (after those failures). Thread-safe;
    /// later calls only add their completion.
    package func shutdown(completion: @escaping @Sendable () -> Void) {
        enum Next { case wake, completeNow([Submission]) }
        let next = mailbox.withLock { box -> Next in
            box.stopRequested = true
            if box.stopped { return .completeNow([]) }
            guard box.started else {
                let orphans = box.items.compactMap { item -> Submission? in
                    if case .submit(let submission) = item { return submission }
                    return nil
                }
                box.items.removeAll()
                return .completeNow(orphans)
            }
            box.completions.append(completion)
            return .wake
        }
        switch next {
        case .wake:
            waker.wake()
        case .completeNow(let orphans):
            completionQueue.async {
                orphans.forEach { $0.completion(.failure(.shutDown)) }
                completion()
            }
        }
    }

    func post(_ item: MailItem) {
        mailbox.withLock { $0.items.append(item) }
        waker.wake()
    }

    /// Ends `transfer` once: forgets it and hands `result` to its completion on ``completionQueue``.
    /// Service thread only.
    func finish(_ transfer: LWSClientTransfer, _ result: Result<OutgoingHTTPResponse, LWSClientError>) {
        guard transfers.removeValue(forKey: transfer.id) != nil else { return }
        if case .failure(let error) = result {
            logger.debug(
                "http client request failed",
                // Not the URL: webhook URLs (Slack, Teams) carry their secret in the path.
                metadata: [
                    "http.request.id": "\(transfer.id)", "http.host": "\(transfer.url.host)",
                    "http.port": "\(transfer.url.port)", "error": "\(error)",
                ])
        }
        let completion = transfer.completion
        completionQueue.async { completion(result) }
    }

    /// The service thread's body: serve until shut down, then free the context here.
    private func serviceLoop() {
        while !finished {
            context?.service()
        }
        waker.disarm()
        var doomed = context
        context = nil
        doomed = nil  // lws_context_destroy runs in LWSClientContext.deinit, here on the service thread.
        _ = doomed
        let completions = mailbox.withLock { box -> [@Sendable () -> Void] in
            box.stopped = true
            defer { box.completions.removeAll() }
            return box.completions
        }
        logger.debug("http client stopped")
        completionQueue.async { completions.forEach { $0() } }
    }

    private static func validateHeaders(_ headers: [(name: String, value: String)]) throws(LWSClientError) {
        for (name, value) in headers {
            let badName = name.isEmpty || name.contains(where: { $0 == ":" || $0.isWhitespace || $0.isNewline })
            if badName || value.contains(where: \.isNewline) {
                throw .invalidHeader(name)
            }
        }
    }
}

/// One request in flight. Service thread only.
final class LWSClientTransfer {
    let id: UInt64
    let request: OutgoingHTTPRequest
    let url: ParsedHTTPURL
    let completion: LWSHTTPClient.Completion
    /// Set once `lws_client_connect_via_info` returned; valid until the connection's close callback.
    var wsi: OpaquePointer?
    var status = 0
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    /// Request body bytes written so far.
    var sentBytes = 0
    /// OpenSSL's reason when it rejected the server's certificate.
    var certificateError: String?

    init(_ submission: LWSHTTPClient.Submission) {
        id = submission.id
        request = submission.request
        url = submission.url
        completion = submission.completion
    }

    /// The response as far as it arrived (needs the status line: `status != 0`).
    func response(_ end: OutgoingHTTPResponse.BodyEnd) -> OutgoingHTTPResponse {
        OutgoingHTTPResponse(status: status, headers: headers, body: body, bodyEnd: end)
    }
}
