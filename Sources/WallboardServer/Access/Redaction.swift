import JSONModel

/// Removes customer identifiers from what viewers read (wall displays in public places).
public enum Redaction {
    /// Keys whose values identify a customer or let someone listen in; their values become `null`.
    /// `segment` (e.g. vip), language and reason stay: boards count by them.
    public static let customerKeys: Set<String> = [
        "customer", "customer_id", "caller", "caller_id", "caller_number", "caller_name", "callerid",
        "phone", "email", "monitor", "monitor_handle",
    ]

    /// The snapshot (or any topic payload) with every customer identifier set to `null`, at any depth,
    /// and `"masked": true` on the top-level object. Pure; the original is untouched.
    public static func maskCustomerData(_ snapshot: JSONValue) -> JSONValue {
        guard case .object(var object) = mask(snapshot) else { return mask(snapshot) }
        object["masked"] = true
        return .object(object)
    }

    private static func mask(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var masked = JSONObject()
            for member in object.members {
                if customerKeys.contains(member.key) {
                    masked[member.key] = maskedValue(member.value)
                } else {
                    masked[member.key] = mask(member.value)
                }
            }
            return .object(masked)
        case .array(let elements):
            return .array(elements.map(mask))
        default:
            return value
        }
    }

    /// A customer object keeps its `segment`; anything else becomes `null`.
    private static func maskedValue(_ value: JSONValue) -> JSONValue {
        guard let object = value.objectValue, let segment = object["segment"] else { return .null }
        return ["segment": segment]
    }

    /// A URL cut to its scheme, host and port (`https://hooks.slack.com/…`), for files and lines a
    /// person may read or share: webhook URLs (Slack, Teams) carry their secret in the path or query,
    /// and a URL with user info carries a password.
    public static func url(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return "…" }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let cut = authority.count < rest.count || authority.contains("@")
        return text[..<schemeEnd.upperBound] + host + (cut ? "/…" : "")
    }
}
