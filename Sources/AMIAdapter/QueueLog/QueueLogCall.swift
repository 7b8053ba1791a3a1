import WallboardCore

/// What `queue_log` says happened to one call while the wallboard was away (docs/asterisk.md, "queue_log"):
/// its lines are followed from where the mapper last knew the call (waiting, connected, or not known) and
/// turned into steps, each at its line's time. Outcomes follow the mapper's live rules: any exit without an
/// answer (`ABANDON`, `EXITWITHTIMEOUT`, `EXITEMPTY`, `EXITWITHKEY`) is an abandon unless the caller enters
/// another queue next (a transfer); `COMPLETEAGENT`/`COMPLETECALLER` end the call; a `TRANSFER`,
/// `BLINDTRANSFER` or `ATTENDEDTRANSFER` ends the visit, and is a transfer when the caller enters a queue next.
struct QueueLogCall: Sendable, Equatable {
    enum State: Sendable, Equatable {
        /// Not known to the mapper: only an `ENTERQUEUE` inside the gap starts following it.
        case unknown
        case waiting(queue: String, since: Instant)
        case connected(queue: String, agent: String, since: Instant)
        /// Left its queue unanswered at `at`; an `ENTERQUEUE` next makes it a transfer, else an abandon.
        case left(queue: String, at: Instant)
        /// Transferred by its agent at `at`; an `ENTERQUEUE` next makes it a queue transfer, else it ended.
        case transferring(queue: String, agent: String, at: Instant)
        /// Abandoned or ended: nothing more to follow.
        case over
        /// Entered before the gap (so the wallboard saw it) or in a queue this source does not cover.
        case ignored
    }

    enum Step: Sendable, Equatable {
        case queued(queue: String, callerID: String?)
        case answered(agent: String)
        case transferred(toQueue: String)
        case abandoned
        case ended(queue: String, agent: String)
    }

    var state: State
    private(set) var steps: [(at: Instant, step: Step)] = []
    /// `RINGNOANSWER` lines inside the gap, per queue.
    private(set) var ringNoAnswers: [String: Int] = [:]

    static func == (lhs: QueueLogCall, rhs: QueueLogCall) -> Bool {
        lhs.state == rhs.state && lhs.steps.elementsEqual(rhs.steps) { $0.at == $1.at && $0.step == $1.step }
            && lhs.ringNoAnswers == rhs.ringNoAnswers
    }

    init(state: State) { self.state = state }

    /// Follows `records` (this call's lines, in file order). `gapStart`: lines at or before it were seen live
    /// (whole seconds, so a call entering in the second of the last event seen is not added); `covered`: the
    /// queues this source's QueueStatus covered; `agent` turns a logged member name into an agent id.
    mutating func follow(
        _ records: [QueueLogRecord], gapStart: Instant?, covered: Set<String>, agent: (String, String) -> String
    ) {
        // Lines the mapper already knows (the held caller's ENTERQUEUE, the held call's CONNECT) change nothing
        // below; they are not skipped by time, since the mapper's times may be arrival times that lag the PBX.
        for record in records {
            let inGap = gapStart.map { record.time > $0 } ?? false
            if case .ringNoAnswer = record.event {
                if inGap { ringNoAnswers[record.queue, default: 0] += 1 }
                continue
            }
            step(record, inGap: inGap, covered: covered, agent: agent)
        }
        settle()
    }

    /// A pending exit or transfer with no `ENTERQUEUE` after it is what app_queue said.
    mutating func settle() {
        switch state {
        case .left(_, let at):
            add(at, .abandoned)
            state = .over
        case .transferring(let queue, let agent, let at):
            add(at, .ended(queue: queue, agent: agent))
            state = .over
        default:
            break
        }
    }

    private mutating func step(
        _ record: QueueLogRecord, inGap: Bool, covered: Set<String>, agent: (String, String) -> String
    ) {
        // Never before what the mapper knew (its times may be arrival times) or an earlier step.
        var at = record.time
        switch state {
        case .waiting(_, let since), .connected(_, _, let since): at = max(at, since)
        default: break
        }
        if let last = steps.last?.at { at = max(at, last) }
        switch (state, record.event) {
        case (.unknown, .enterQueue(let callerID)):
            guard inGap, covered.contains(record.queue) else {
                state = .ignored
                return
            }
            add(at, .queued(queue: record.queue, callerID: callerID))
            state = .waiting(queue: record.queue, since: at)
        case (.waiting(let queue, _), .enterQueue), (.connected(let queue, _, _), .enterQueue):
            guard record.queue != queue else { return }
            add(at, .transferred(toQueue: record.queue))
            state = .waiting(queue: record.queue, since: at)
        case (.left, .enterQueue), (.transferring, .enterQueue):
            add(at, .transferred(toQueue: record.queue))
            state = .waiting(queue: record.queue, since: at)
        case (.waiting(let queue, _), .connect) where record.queue == queue:
            let member = agent(record.agent, queue)
            add(at, .answered(agent: member))
            state = .connected(queue: queue, agent: member, since: at)
        case (.waiting(let queue, _), .exit) where record.queue == queue:
            state = .left(queue: queue, at: at)
        case (.connected(let queue, let member, _), .complete) where record.queue == queue:
            add(at, .ended(queue: queue, agent: member))
            state = .over
        case (.connected(let queue, let member, _), .transfer) where record.queue == queue:
            state = .transferring(queue: queue, agent: member, at: at)
        case (.left, _), (.transferring, _):
            // Anything but ENTERQUEUE after an exit or a transfer: the exit or transfer stands.
            settle()
        default:
            break
        }
    }

    /// Steps never go back in time (a line's whole second may precede what the mapper knew in milliseconds).
    private mutating func add(_ at: Instant, _ step: Step) {
        var time = at
        if let last = steps.last?.at { time = max(time, last) }
        switch state {
        case .waiting(_, let since), .connected(_, _, let since): time = max(time, since)
        default: break
        }
        steps.append((time, step))
    }
}
