import JSONModel
import WallboardCore

extension NotificationBuilder {
    /// Slack's documented Block Kit limits, in characters: a message over any of them is refused whole
    /// (HTTP 400 `invalid_blocks`), so every text is cut to fit and the full text stays in the fallback.
    public enum SlackLimits {
        /// `header` block: plain text.
        public static let headerText = 150
        /// `section` block: its `text`.
        public static let sectionText = 3000
        /// `section` block: each of its `fields`.
        public static let fieldText = 2000
        /// `section` block: how many `fields`.
        public static let fields = 10
        /// `context` block: how many elements.
        public static let contextElements = 10
        /// Any text object (the context lines here).
        public static let textObject = 3000
        /// The top-level `text` (fallback and notification line): Slack truncates longer messages.
        public static let messageText = 40_000
    }

    // MARK: Slack incoming webhook: `text` (fallback, notifications) + Block Kit `blocks`

    static func slackBody(_ event: AlertEvent, _ alert: Alert, _ context: NotificationContext) -> JSONValue {
        let icon =
            event == .resolve
            ? ":white_check_mark:"
            : event == .acknowledge ? ":eyes:" : alert.severity == .critical ? ":rotating_light:" : ":warning:"
        let title = headline(event, alert)
        var section: JSONObject = ["type": "section"]
        // An empty text object is refused too: a blank summary leaves the section to its fields.
        if !alert.summary.isEmpty {
            section["text"] = ["type": "mrkdwn", "text": .string(slackText(alert.summary, limit: SlackLimits.sectionText))]
        }
        section["fields"] = .array(
            facts(alert).prefix(SlackLimits.fields).map {
                ["type": "mrkdwn", "text": .string(slackText($0.1, prefix: "*\($0.0)*\n", limit: SlackLimits.fieldText))]
            })
        var blocks: [JSONValue] = [
            [
                "type": "header",
                "text": [
                    "type": "plain_text", "text": .string(cut(title, limit: SlackLimits.headerText)), "emoji": true,
                ],
            ],
            .object(section),
        ]
        var lines = [statusLine(event, alert), "\(context.source) · alert \(alert.id)"].compactMap { $0 }.map {
            slackText($0, limit: SlackLimits.textObject)
        }
        if let url = context.boardURL, let link = slackLink(url, label: "Open wallboard") { lines.append(link) }
        blocks.append([
            "type": "context",
            "elements": .array(lines.prefix(SlackLimits.contextElements).map { ["type": "mrkdwn", "text": .string($0)] }),
        ])
        return [
            "text": .string(slackText("\(icon) \(title): \(alert.summary)", limit: SlackLimits.messageText)),
            "blocks": .array(blocks),
        ]
    }

    /// `<url|label>` when it fits a text object (a URL can be long), else `nil`.
    static func slackLink(_ url: String, label: String) -> String? {
        let link = "<\(url)|\(label)>"
        return slackLength(link) <= SlackLimits.textObject ? link : nil
    }

    /// Slack's mrkdwn needs `&`, `<`, `>` escaped (a summary says `72% < 80%`).
    static func slackEscape(_ text: String) -> String {
        var out = ""
        for character in text { out += escaped(character) }
        return out
    }

    private static func escaped(_ character: Character) -> String {
        switch character {
        case "&": return "&amp;"
        case "<": return "&lt;"
        case ">": return "&gt;"
        default: return String(character)
        }
    }

    /// How long Slack may count `text`: UTF-16 code units, never fewer than its characters or code points,
    /// so a text that fits by this measure fits by any of them.
    static func slackLength(_ text: String) -> Int { text.utf16.count }

    /// `prefix` (kept as is) then `text` mrkdwn-escaped, the whole at most `limit` long; when `text` is cut,
    /// on a character boundary, never inside an escape, and ends with `…`.
    static func slackText(_ text: String, prefix: String = "", limit: Int) -> String {
        let full = prefix + slackEscape(text)
        guard slackLength(full) > limit else { return full }
        let ellipsis = "…"
        var budget = limit - slackLength(prefix) - slackLength(ellipsis)
        var out = prefix
        for character in text {
            let piece = escaped(character)
            let size = slackLength(piece)
            guard size <= budget else { break }
            out += piece
            budget -= size
        }
        return out + ellipsis
    }

    /// `text` cut to at most `limit` (plain text: nothing escaped), ending with `…` when cut.
    static func cut(_ text: String, limit: Int) -> String {
        guard slackLength(text) > limit else { return text }
        var budget = limit - 1
        var out = ""
        for character in text {
            let size = slackLength(String(character))
            guard size <= budget else { break }
            out.append(character)
            budget -= size
        }
        return out + "…"
    }
}
