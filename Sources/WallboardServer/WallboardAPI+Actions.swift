import AMIAdapter
import JSONC
import JSONModel
import LWS
import Synchronization

/// Supervisor actions through the PBX (supervisor role, each audited):
/// `POST /api/v1/interactions/{contact}/monitor` starts a silent monitor (ChanSpy on the agent's exact
/// call, originated to the `monitor_endpoint` configured on the caller's token, never one named by the
/// request) and answers once Asterisk reports the call's outcome; `POST /api/v1/actions/pause` and
/// `POST /api/v1/actions/remove` pause, unpause or remove a queue member. A scoped token acts only
/// inside its scope (``AccessPrincipal/mayAct(on:snapshot:)``).
extension WallboardAPI {
    /// Answers `request` if it is an action route; returns `false` otherwise.
    func handleActionRoute(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        let monitorPrefix = "/api/v1/interactions/"
        if request.path.hasPrefix(monitorPrefix), request.path.hasSuffix("/monitor") {
            let contact = String(request.path.dropFirst(monitorPrefix.count).dropLast("/monitor".count))
            guard request.method == .post else {
                respond(Self.error(405, "start a monitor with POST \(request.path)"))
                return true
            }
            startMonitor(contact: contact, request: request, respond: respond)
            return true
        }
        guard request.path == "/api/v1/actions/pause" || request.path == "/api/v1/actions/remove" else { return false }
        guard request.method == .post else {
            respond(Self.error(405, "method \(request.method.rawValue) not allowed on \(request.path)"))
            return true
        }
        memberAction(request, respond: respond)
        return true
    }

    /// A bad request body, as the response that says why.
    struct BadBody: Error {
        let response: HTTPResponse
    }

    private func body(_ request: HTTPRequest) -> Result<JSONValue, BadBody> {
        var bytes = request.body
        guard !bytes.isEmpty else { return .failure(BadBody(response: Self.error(400, "a JSON object body is required"))) }
        do {
            let value = try JSONC.parse(bytes: &bytes)
            guard value.objectValue != nil else {
                return .failure(BadBody(response: Self.error(400, "the body must be a JSON object")))
            }
            return .success(value)
        } catch {
            return .failure(BadBody(response: Self.error(400, "the body is not JSON: \(error)")))
        }
    }

    private func startMonitor(contact: String, request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let fields: JSONValue
        switch body(request) {
        case .success(let value): fields = value
        case .failure(let bad): return respond(bad.response)
        }
        // The phone that rings is the token's configured endpoint, never the request's choice.
        let principal = principal(for: request) ?? AccessPrincipal(name: "unknown", role: .viewer, scope: .nothing)
        guard let endpoint = principal.monitorEndpoint else {
            return respond(
                Self.error(
                    403,
                    "\(principal.described) has no monitor_endpoint: set the supervisor's phone (e.g. PJSIP/2001) on the "
                        + "token in the config's access section"))
        }
        if let asked = fields["endpoint"], asked.stringValue != endpoint {
            return respond(
                Self.error(
                    403, "\"endpoint\" may only be this token's monitor_endpoint \(endpoint) (or left out); it comes from the config"))
        }
        let modeText = fields["mode"]?.stringValue ?? "listen"
        guard let mode = AMIAction.SpyMode(rawValue: modeText) else {
            return respond(Self.error(400, "\"mode\": \"\(AccessRefusal.quoted(modeText))\" is not one of listen, whisper, barge"))
        }
        engine.read({ engine, _ in
            engine.interactions(agent: nil, queue: nil, customer: nil, channel: nil).first { $0.id == contact }
                .map { ($0.queue, $0.team) }
        }) { [self] found in
            if let (queue, team) = found, !principal.mayAct(on: .contact(queue: queue, team: team), snapshot: nil) {
                auditAction(
                    "interaction.monitor", request: request, target: ["contact": .string(contact), "mode": .string(mode.rawValue)],
                    resultCount: 0, status: 403)
                return respond(Self.error(403, "contact \(AccessRefusal.quoted(contact)) is outside \(principal.described)'s scope"))
            }
            originateMonitor(contact: contact, endpoint: endpoint, mode: mode, request: request, respond: respond)
        }
    }

    private func originateMonitor(
        contact: String, endpoint: String, mode: AMIAction.SpyMode, request: HTTPRequest,
        respond: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let sources = amiSources
        guard !sources.isEmpty else {
            return respond(Self.error(409, "silent monitoring needs an Asterisk (AMI) source; none is configured"))
        }
        let audit: @Sendable (Int, String?) -> Void = { [self] status, outcome in
            var target: JSONObject = [
                "contact": .string(contact), "endpoint": .string(endpoint), "mode": .string(mode.rawValue),
            ]
            if let outcome { target["outcome"] = .string(outcome) }
            auditAction(
                "interaction.monitor", request: request, target: target, resultCount: status == 200 ? 1 : 0,
                status: status)
        }
        findSource(for: contact, among: sources) { found in
            guard let (source, handle) = found else {
                audit(404, nil)
                return respond(Self.error(404, "no live interaction \(contact) with a channel to monitor"))
            }
            source.startMonitor(contact: contact, supervisorEndpoint: endpoint, mode: mode) { result in
                switch result {
                case .success(let monitor):
                    let (status, body) = Self.monitorAnswer(
                        monitor, contact: contact, endpoint: endpoint, mode: mode, channel: handle.channel,
                        source: source.configuration.name)
                    audit(status, monitor.targetEnded ? "target_ended" : monitor.outcome.code)
                    respond(Self.json(status, body))
                case .failure(let error):
                    audit(502, nil)
                    respond(Self.error(502, "Asterisk did not start the monitor: \(error)"))
                }
            }
        }
    }

    /// The answer to a monitor request once Asterisk reported its outcome: 200 when the supervisor is
    /// listening; 409 when the supervisor's phone was busy, not answered or declined, or the agent's call
    /// ended before the supervisor answered; 502 when Asterisk could not place the call.
    static func monitorAnswer(
        _ monitor: AMISource.MonitorResult, contact: String, endpoint: String, mode: AMIAction.SpyMode,
        channel: String, source: String
    ) -> (status: Int, body: JSONValue) {
        var body: JSONObject = [
            "started": .bool(monitor.started), "outcome": .string(monitor.outcome.code), "contact": .string(contact),
            "endpoint": .string(endpoint), "mode": .string(mode.rawValue), "channel": .string(channel),
            "source": .string(source),
        ]
        if monitor.started { return (200, .object(body)) }
        let status: Int
        if monitor.targetEnded {
            status = 409
            body["error"] = .string(
                "the agent's call ended before \(endpoint) answered: Asterisk ended the supervisor's call at once")
        } else {
            switch monitor.outcome {
            case .failed, .congestion: status = 502
            default: status = 409
            }
            body["error"] = .string("the monitor call to \(endpoint) did not connect: \(monitor.outcome)")
        }
        return (status, .object(body))
    }

    /// The first source that knows a channel for `contact`.
    private func findSource(
        for contact: String, among sources: [AMISource],
        completion: @escaping @Sendable ((AMISource, AMIMonitorHandle)?) -> Void
    ) {
        guard let source = sources.first else { return completion(nil) }
        source.monitorTarget(forContact: contact) { [self] handle in
            if let handle { return completion((source, handle)) }
            findSource(for: contact, among: Array(sources.dropFirst()), completion: completion)
        }
    }

    private func memberAction(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        let fields: JSONValue
        switch body(request) {
        case .success(let value): fields = value
        case .failure(let bad): return respond(bad.response)
        }
        guard let agent = fields["agent"]?.stringValue, !agent.isEmpty else {
            return respond(Self.error(400, "\"agent\" is required: the queue member's interface, e.g. PJSIP/1001"))
        }
        let queue = fields["queue"]?.stringValue
        let isRemove = request.path.hasSuffix("/remove")
        let action = isRemove ? "member.remove" : "member.pause"
        let audit: @Sendable (Int) -> Void = { [self] status in
            auditAction(action, request: request, target: fields.objectValue ?? JSONObject(), resultCount: status == 200 ? 1 : 0,
                        status: status)
        }
        let principal = principal(for: request) ?? AccessPrincipal(name: "unknown", role: .viewer, scope: .nothing)
        guard principal.mayAct(on: .member(agent: agent, queue: queue), snapshot: hub.latest("snapshot")?.data) else {
            audit(403)
            return respond(
                Self.error(
                    403,
                    queue == nil
                        ? "\(principal.described) is limited to some queues: name the \"queue\" to act in"
                        : "agent \(AccessRefusal.quoted(agent)) in queue \(AccessRefusal.quoted(queue ?? "")) is outside "
                            + "\(principal.described)'s scope"))
        }
        let sources = amiSources
        let named = fields["source"]?.stringValue
        guard let source = named.map({ name in sources.first { $0.configuration.name == name } }) ?? sources.first else {
            return respond(
                Self.error(
                    409, named.map { "no AMI source named \($0)" } ?? "queue member actions need an Asterisk (AMI) source"))
        }
        let finish: @Sendable (Result<AMIActionCorrelator.Completion, AMISourceError>) -> Void = { result in
            switch result {
            case .success(let completion):
                audit(200)
                respond(Self.json(200, ["done": true, "message": .string(completion.response["Message"] ?? "")]))
            case .failure(let error):
                audit(502)
                respond(Self.error(502, "Asterisk refused: \(error)"))
            }
        }
        if isRemove {
            guard let queue else { return respond(Self.error(400, "\"queue\" is required to remove a member")) }
            source.remove(interface: agent, queue: queue, completion: finish)
        } else {
            guard let paused = fields["paused"]?.boolValue else {
                return respond(Self.error(400, "\"paused\" is required: true to pause, false to unpause"))
            }
            source.pause(interface: agent, queue: queue, paused: paused, reason: fields["reason"]?.stringValue, completion: finish)
        }
    }
}
