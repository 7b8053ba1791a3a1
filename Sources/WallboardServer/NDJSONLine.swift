import JSONC
import JSONModel
import WallboardCore

/// One line of NDJSON input, as HTTP ingest and the stream listener both read it: a trailing CR
/// dropped, blank lines (spaces/tabs) skipped, then UTF-8 and JSON checked, each failure a rejection.
enum NDJSONLine {
    case blank
    case json(JSONValue)
    case invalid(EventRejection)

    init(_ raw: some Collection<UInt8>) {
        var line = Array(raw)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else {
            self = .blank
            return
        }
        guard String(validating: line, as: UTF8.self) != nil else {
            self = .invalid(EventRejection(.invalidValue, "line is not valid UTF-8"))
            return
        }
        do {
            self = .json(try JSONC.parse(bytes: &line))
        } catch {
            self = .invalid(EventRejection(.notAnObject, "\(error)"))
        }
    }
}
