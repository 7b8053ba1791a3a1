/// How long each string of an event may be and how many items each list may hold.
///
/// Every string field of an event is bounded: a field over its limit rejects the event with
/// ``EventRejection/Code/tooLong`` and a reason that names the field, its length and the limit, so one
/// hostile or broken sender cannot make every snapshot and board frame megabytes long. The defaults sit
/// well above what contact-center systems allow (see `docs/events.md`, "Limits"); the `limits:` section
/// of the config file changes them.
public struct EventLimits: Sendable, Equatable {
    /// Event `id`, `agent`, `contact`, `queue`, `team`, `to_queue`, `to_agent`, `entry_point`, `customer.id`, every
    /// entry of `queues` and every key of `skills`. Amazon Connect ARNs (about 140 bytes) fit.
    public var maxIDBytes: Int
    /// The agent's display `name`.
    public var maxNameBytes: Int
    /// Short free-text labels: `reason` (agent.state, contact.queued, contact.callback_failed,
    /// contact.self_served), `customer.segment`,
    /// `language`, every entry of `languages`, `monitor.kind`.
    public var maxLabelBytes: Int
    /// `monitor.target` (an Asterisk channel, a SIP URI, a contact ARN).
    public var maxMonitorTargetBytes: Int
    /// Entries of each list: `queues`, `languages`, and members of `skills`.
    public var maxListItems: Int
    /// One NDJSON line of `POST /api/v1/events`, in bytes without the newline (the stream listener has
    /// its own, `ingest.stream.max_line_bytes`).
    public var maxLineBytes: Int

    /// Fields whose valid values are short keywords or dates (`type`, `ts`, `state`, `channel`): longer
    /// than this cannot be valid, and is refused before it is quoted in any message. Not configurable.
    public static let maximumKeywordBytes = 64

    /// Entries of each list of a `source.snapshot` (`contacts`, `agents`): a center's live contacts and
    /// logged-in agents, far beyond the 100 queues the daemon is sized for. Not configurable.
    public static let maximumSnapshotEntries = 10_000

    public init(
        maxIDBytes: Int = 200, maxNameBytes: Int = 256, maxLabelBytes: Int = 128, maxMonitorTargetBytes: Int = 512,
        maxListItems: Int = 256, maxLineBytes: Int = 64 * 1024
    ) {
        self.maxIDBytes = maxIDBytes
        self.maxNameBytes = maxNameBytes
        self.maxLabelBytes = maxLabelBytes
        self.maxMonitorTargetBytes = maxMonitorTargetBytes
        self.maxListItems = maxListItems
        self.maxLineBytes = maxLineBytes
    }

    /// The defaults: what live ingest applies without a `limits:` section.
    public static let standard = EventLimits()

    /// No limit at all: for reading back the daemon's own journal and checkpoints, which hold events
    /// accepted under whatever limits were configured when they arrived (lowering a limit must never
    /// make a restart lose events already acknowledged).
    public static let unlimited = EventLimits(
        maxIDBytes: .max, maxNameBytes: .max, maxLabelBytes: .max, maxMonitorTargetBytes: .max, maxListItems: .max,
        maxLineBytes: .max)
}
