import WallboardCore

/// A window-limited topic name (docs/protocol.md, "Window-limited topics"): `center@primary`,
/// `queue:sales@primary,today`. It names the payload of a topic with window figures (its base: `center`,
/// `groups`, `queue:<id>`, `team:<id>`) carrying the figures of the listed windows only, where `primary`
/// stands for the configured primary window. Such a topic is a topic of its own: built on demand,
/// compared, sent as deltas, bundled and encoded once per view like its base, so boards that name the
/// same windows share its encoding.
///
/// A name is split at its last `@`: a queue id may hold `@` (`queue:a@b` stays that queue's topic when
/// the engine knows it), a window name never does.
struct TopicWindows: Equatable, Sendable {
    /// The topic whose payload this one cuts down.
    let base: String
    /// The windows as listed: configured window names or ``primary``.
    let names: [String]

    /// Stands for the configured primary window (`windows.primary`), whichever it is now.
    static let primary = "primary"
    /// At most this many names in a list, and this many bytes after the `@`: more than any
    /// configuration has windows.
    static let maxNames = 16
    static let maxListBytes = 256

    /// Why a window-limited name was refused (the `bad_windows` error of a subscribe).
    struct Refusal: Error, Equatable, Sendable {
        let message: String
    }

    /// The syntax of `topic` as a window-limited name, without checking that its windows exist (that is
    /// checked when a client subscribes: ``parse(_:configured:)``); `nil` when it is not one.
    init?(_ topic: String) {
        guard case .success(let parsed) = Self.parse(topic, configured: nil) else { return nil }
        self = parsed
    }

    private init(base: String, names: [String]) {
        self.base = base
        self.names = names
    }

    /// Whether `base` has window figures, so that it may be limited.
    static func carriesWindows(_ base: String) -> Bool {
        base == "center" || base == "groups" || base.hasPrefix("queue:") || base.hasPrefix("team:")
    }

    /// `topic` split at its last `@`, or `nil` when it has none.
    static func split(_ topic: String) -> (base: String, list: Substring)? {
        guard let at = topic.lastIndex(of: "@") else { return nil }
        return (String(topic[..<at]), topic[topic.index(after: at)...])
    }

    /// Parses `topic` as a window-limited name: its base and windows, or why it is refused. With
    /// `configured` (the engine's window names now) each listed name must be one of them or ``primary``.
    static func parse(_ topic: String, configured: [String]?) -> Result<TopicWindows, Refusal> {
        guard let (base, list) = split(topic) else {
            return .failure(Refusal(message: "\(topic): no \"@\" before a window list"))
        }
        guard carriesWindows(base) else {
            return .failure(Refusal(message: "\(topic): \(base) has no window figures to limit; subscribe to \(base)"))
        }
        guard list.utf8.count <= maxListBytes else {
            return .failure(Refusal(message: "\(base)@…: a window list of \(list.utf8.count) bytes; at most \(maxListBytes)"))
        }
        guard !list.isEmpty else {
            return .failure(Refusal(message: "\(topic): no window after \"@\"; e.g. \(base)@\(primary),today"))
        }
        let names = list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard names.count <= maxNames else {
            return .failure(Refusal(message: "\(topic): \(names.count) windows; at most \(maxNames)"))
        }
        var seen: Set<String> = []
        for name in names {
            guard !name.isEmpty else {
                return .failure(Refusal(message: "\(topic): an empty window name (two commas, or one at an end)"))
            }
            guard seen.insert(name).inserted else {
                return .failure(Refusal(message: "\(topic): window \"\(name)\" named twice"))
            }
            if let configured, name != primary, !configured.contains(name) {
                let known = (configured + [primary]).joined(separator: ", ")
                return .failure(Refusal(message: "\(topic): no window \"\(name)\"; the windows are \(known)"))
            }
        }
        return .success(TopicWindows(base: base, names: names))
    }

    /// The windows this name carries in a snapshot with windows `available` (in that order) and primary
    /// window `primaryWindow`. A listed window that a reload removed is left out.
    func windows(primaryWindow: String, available: [String]) -> [String] {
        let wanted = Set(names.map { $0 == Self.primary ? primaryWindow : $0 })
        return available.filter { wanted.contains($0) }
    }

    /// `snapshot` with only the windows this name carries: its `windowNames` (which every payload's
    /// `metrics` and `windows` list) and the window figures of every scope a topic of ``base`` shows.
    func limit(_ snapshot: Snapshot) -> Snapshot {
        var limited = snapshot
        limited.windowNames = windows(primaryWindow: snapshot.primaryWindow, available: snapshot.windowNames)
        let keep = Set(limited.windowNames)
        if base == "center" {
            limited.center = limited.center.limited(to: keep)
            for index in limited.queueGroups.indices {
                limited.queueGroups[index].figures = limited.queueGroups[index].figures.limited(to: keep)
            }
        } else if base == "groups" {
            for index in limited.channels.indices { limited.channels[index].figures = limited.channels[index].figures.limited(to: keep) }
            for index in limited.segments.indices { limited.segments[index].figures = limited.segments[index].figures.limited(to: keep) }
            for index in limited.languages.indices {
                limited.languages[index].figures = limited.languages[index].figures.limited(to: keep)
            }
        } else if base.hasPrefix("queue:") {
            let id = String(base.dropFirst("queue:".count))
            if let index = limited.queues.firstIndex(where: { $0.settings.id == id }) {
                limited.queues[index].figures = limited.queues[index].figures.limited(to: keep)
            }
        } else if base.hasPrefix("team:") {
            let id = String(base.dropFirst("team:".count))
            if let index = limited.teams.firstIndex(where: { $0.id == id }) {
                limited.teams[index].figures = limited.teams[index].figures.limited(to: keep)
            }
        }
        return limited
    }
}

extension Snapshot.ScopeFigures {
    /// These figures with the windows (and their costs) of `windows` only.
    func limited(to windows: Set<String>) -> Snapshot.ScopeFigures {
        var figures = self
        figures.windows = figures.windows.filter { windows.contains($0.key) }
        figures.costs = figures.costs.filter { windows.contains($0.key) }
        return figures
    }
}
