import Foundation
import JSONModel

/// Secrets kept out of the config text (`docs/security.md`, "Secrets"): an alert notifier's `url`,
/// `routing_key` and `headers` may instead be read from files named by `url_file`,
/// `routing_key_file` and `headers_file`; the AMI secret always is (`secret_file`). A relative path
/// is looked up in systemd's `$CREDENTIALS_DIRECTORY` (`LoadCredential=name:/etc/...` in the unit),
/// so a secret can be readable by the service alone. Files are read at start and on every reload.
public enum SecretFiles {
    /// The notifier keys that may come from a file, with the kind of content each holds.
    static let fileKeys = ["url_file": "url", "routing_key_file": "routing_key", "headers_file": "headers"]

    /// Where `path` is: as given when absolute, else in `credentialsDirectory` (else as given).
    static func resolve(_ path: String, credentialsDirectory: String?) -> String {
        guard !path.hasPrefix("/"), let directory = credentialsDirectory, !directory.isEmpty else { return path }
        return directory + "/" + path
    }

    /// `$CREDENTIALS_DIRECTORY` of the process, if set.
    public static var credentialsDirectory: String? { ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] }

    /// The `alerts` section with every notifier's `*_file` key replaced by the file's content (one
    /// trailing newline removed; `headers_file` holds `Name: value` lines), and the paths of the
    /// secrets written inline (Slack and Teams URLs, routing keys, headers) for `config check`.
    static func resolveNotifiers(
        _ alerts: JSONValue, document: ConfigDocument, credentialsDirectory: String?
    ) throws(ConfigError) -> (alerts: JSONValue, inline: [String]) {
        guard var section = alerts.objectValue, let notifiers = section["notifiers"]?.arrayValue else { return (alerts, []) }
        var inline: [String] = []
        var resolved: [JSONValue] = []
        for (index, notifier) in notifiers.enumerated() {
            guard var object = notifier.objectValue else {
                resolved.append(notifier)
                continue
            }
            let path = "alerts.notifiers[\(index)]"
            for (fileKey, key) in fileKeys.sorted(by: { $0.key < $1.key }) {
                guard let value = object[fileKey] else {
                    if object[key] != nil, key != "url" || ["slack", "teams"].contains(object["kind"]?.stringValue ?? "") {
                        inline.append("\(path).\(key)")
                    }
                    continue
                }
                guard object[key] == nil else {
                    throw document.error("\(path).\(fileKey)", "give either \(key) or \(fileKey), not both")
                }
                guard let file = value.stringValue, !file.isEmpty else {
                    throw document.error("\(path).\(fileKey)", "must be a file path")
                }
                let text = try read(file, credentialsDirectory: credentialsDirectory, document: document, at: "\(path).\(fileKey)")
                object[fileKey] = nil
                object[key] = key == "headers" ? try headers(text, document: document, at: "\(path).\(fileKey)") : .string(text)
            }
            resolved.append(.object(object))
        }
        section["notifiers"] = .array(resolved)
        return (.object(section), inline)
    }

    /// A secret file's content without its trailing newline. Errors name the file, never the content.
    static func read(
        _ file: String, credentialsDirectory: String?, document: ConfigDocument, at path: String
    ) throws(ConfigError) -> String {
        let full = resolve(file, credentialsDirectory: credentialsDirectory)
        guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
            let hint = file.hasPrefix("/")
                ? ""
                : credentialsDirectory == nil
                    ? " (a relative path is looked up in $CREDENTIALS_DIRECTORY, which is not set here)"
                    : " (looked up in $CREDENTIALS_DIRECTORY)"
            throw document.error(path, "cannot read \(full): missing, unreadable or not UTF-8\(hint)")
        }
        var value = text
        if value.hasSuffix("\n") { value.removeLast() }
        if value.hasSuffix("\r") { value.removeLast() }
        guard !value.isEmpty else { throw document.error(path, "\(full) is empty") }
        return value
    }

    /// `Name: value` lines as a JSON object of strings.
    private static func headers(_ text: String, document: ConfigDocument, at path: String) throws(ConfigError) -> JSONValue {
        var object = JSONObject()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw document.error(path, "line \(number + 1) of the headers file is not \"Name: value\"")
            }
            object[parts[0].trimmingCharacters(in: .whitespaces)] = .string(parts[1].trimmingCharacters(in: .whitespaces))
        }
        return .object(object)
    }

    /// A warning when `file` is readable by every user and holds secrets inline, else `nil`.
    public static func exposureWarning(file: String, inlineSecrets: [String]) -> String? {
        guard !inlineSecrets.isEmpty,
            let mode = (try? FileManager.default.attributesOfItem(atPath: file))?[.posixPermissions] as? Int,
            mode & 0o004 != 0
        else { return nil }
        return "warning: \(file) is readable by every user (mode \(String(mode & 0o777, radix: 8))) and holds secrets inline: "
            + inlineSecrets.joined(separator: ", ")
            + ". Move them to url_file / routing_key_file / headers_file (or systemd LoadCredential=), or chmod o-r the file."
    }
}
