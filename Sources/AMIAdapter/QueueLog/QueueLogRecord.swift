import WallboardCore

/// One line of Asterisk's `queue_log` (`/var/log/asterisk/queue_log`):
/// `epoch|callid|queue|agent|event|data1|data2|...` (docs.asterisk.org, "Queue Logs"; docs/asterisk.md).
///
/// `callID` is the queue caller channel's `Uniqueid` (the id the AMI mapper gives contacts) or `NONE`,
/// `MANAGER`, `REALTIME` for lines about no call; `agent` is the member's name as app_queue logs it
/// (`MemberName` for call events, the interface for `ADDMEMBER` unless `log_membername_as_agent`), `NONE` when
/// no member is involved.
public struct QueueLogRecord: Sendable, Equatable {
    /// The line's number in the text read (1 = the first line read, see ``QueueLogParser``).
    public var line: Int
    /// The line's epoch seconds (whole seconds: app_queue writes `time()`).
    public var time: Instant
    public var callID: String
    public var queue: String
    public var agent: String
    public var event: QueueLogEvent

    public init(line: Int, time: Instant, callID: String, queue: String, agent: String, event: QueueLogEvent) {
        self.line = line
        self.time = time
        self.callID = callID
        self.queue = queue
        self.agent = agent
        self.event = event
    }

    /// Whether the line is about a call (its `callID` is a channel's Uniqueid).
    public var isAboutACall: Bool {
        !callID.isEmpty && !["NONE", "MANAGER", "REALTIME"].contains(callID)
    }
}

/// What a `queue_log` line says, with the data fields the wallboard uses (durations in milliseconds, read
/// from whole seconds; app_queue's `RINGNOANSWER` ring time is in milliseconds already).
public enum QueueLogEvent: Sendable, Equatable {
    /// `ENTERQUEUE|url|callerid|position`: the caller joined the queue.
    case enterQueue(callerID: String?)
    /// `CONNECT|holdtime|bridged uniqueid|ringtime`: a member answered after `wait`.
    case connect(wait: Millis)
    /// `COMPLETEAGENT` / `COMPLETECALLER` `|holdtime|calltime|origposition`: the call ended after `talk`
    /// (hold included, as app_queue counts it).
    case complete(byAgent: Bool, wait: Millis, talk: Millis)
    /// `ABANDON|position|origposition|waittime`, `EXITEMPTY|position|origposition|waittime`,
    /// `EXITWITHTIMEOUT|position|origposition|waittime`, `EXITWITHKEY|key|position|origposition|waittime`:
    /// the caller left the queue unanswered after `wait`.
    case exit(QueueLogExit, wait: Millis)
    /// `TRANSFER|extension|context|holdtime|calltime|origposition`, `BLINDTRANSFER` (same fields) and
    /// `ATTENDEDTRANSFER|method|...` (fields depend on the method): the member transferred the call.
    case transfer
    /// `RINGNOANSWER|ringtime(ms)`: a member was rung and did not answer.
    case ringNoAnswer
    /// Any other event (`ADDMEMBER`, `PAUSE`, `QUEUESTART`, `CONFIGRELOAD`, `DID`, `INFO`, ...): kept by name,
    /// not used for outcomes.
    case other(String)
}

/// How a caller left a queue without an answer: all of them are abandons on the board (docs/asterisk.md).
public enum QueueLogExit: String, Sendable, Equatable {
    case abandon = "ABANDON"
    case timeout = "EXITWITHTIMEOUT"
    case empty = "EXITEMPTY"
    case key = "EXITWITHKEY"
}

/// A line of `queue_log` that could not be used, with why (it is skipped; the rest is still read).
public struct QueueLogProblem: Sendable, Equatable, CustomStringConvertible {
    /// The line's number in the text read.
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "queue_log line \(line): \(message)" }
}
