import WallboardCore

extension DaemonConfiguration {
    /// The root's `queue_groups:` (docs/configuration.md): each an `id` (what `?group=` names), an
    /// optional `name`, its `queues` (ids listed under `queues:`, each once) and optional `target` and
    /// `warning_level` for the roll-up. A group id listed twice, an unknown or repeated queue, or a warning
    /// level above the target is an error naming the entry.
    static func parseQueueGroups(_ root: ConfigReader, queues: [QueueSettings]) throws(ConfigError) -> [QueueGroup] {
        let known = Set(queues.map(\.id))
        var groups: [QueueGroup] = []
        for entry in try root.list("queue_groups") {
            let id = try entry.requiredString("id")
            guard !groups.contains(where: { $0.id == id }) else {
                throw entry.document.error(entry.childPath("id"), "queue group \"\(id)\" is listed twice")
            }
            guard let members = try AccessPolicy.stringList(entry, "queues") else {
                throw entry.document.error(entry.childPath("queues"), "is required: the ids of the group's queues, e.g. [sales, support]")
            }
            var seen: Set<String> = []
            for (index, queue) in members.enumerated() {
                let path = "\(entry.childPath("queues"))[\(index)]"
                guard known.contains(queue) else {
                    throw entry.document.error(
                        path, "queue \"\(queue)\" is not listed under queues: (known: \(queues.map(\.id).joined(separator: ", ")))")
                }
                guard seen.insert(queue).inserted else {
                    throw entry.document.error(path, "queue \"\(queue)\" is listed twice in group \"\(id)\"")
                }
            }
            let target = try entry.number("target", in: 0...1)
            let warning = try entry.number("warning_level", in: 0...1)
            if let warning, let target, warning > target {
                throw entry.document.error(entry.childPath("warning_level"), "must not be above the target (\(target)), got \(warning)")
            }
            groups.append(QueueGroup(id: id, name: try entry.string("name"), queues: members, target: target, warningLevel: warning))
            try entry.rejectUnknownKeys()
        }
        return groups
    }
}
