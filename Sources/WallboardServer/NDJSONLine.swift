import JSONC
import JSONModel
import WallboardCore

/// One line of NDJSON input, as HTTP ingest and the stream listener both read it: a trailing CR
/// dropped, blank lines (spaces/tabs) skipped, then UTF-8 and JSON checked, each failure a rejection.
/// The line is read in place (no copy) and its JSON handed to the caller as json-c's own tree.
enum NDJSONLine {
    /// What a line was.
    enum Outcome<Output> {
        case blank
        case invalid(EventRejection)
        /// What the caller's body made of the line's JSON.
        case parsed(Output)
    }

    /// Reads `raw` (one line without its newline) and calls `body` with its parsed root, which is valid
    /// only during the call. `parser` is `nil` only when json-c could not allocate one.
    static func read<Output>(_ raw: UnsafeRawBufferPointer, parser: JSONCParser?, _ body: (JSONCNode) -> Output)
        -> Outcome<Output>
    {
        var line = raw
        if line.last == UInt8(ascii: "\r") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return .blank }
        guard isValidUTF8(line) else { return .invalid(EventRejection(.invalidValue, "line is not valid UTF-8")) }
        guard let parser else { return .invalid(EventRejection(.notAnObject, "json_tokener_new_ex: out of memory")) }
        do {
            return .parsed(try parser.parse(line, body))
        } catch {
            return .invalid(EventRejection(.notAnObject, "\(error)"))
        }
    }

    /// Whether `bytes` are valid UTF-8: ASCII (nearly every line) is checked 8 bytes at a time, anything
    /// else by the standard library's validation.
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {
            guard bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 else {
                return String(validating: bytes, as: UTF8.self) != nil
            }
            index += 8
        }
        while index < bytes.count {
            guard bytes[index] < 0x80 else { return String(validating: bytes, as: UTF8.self) != nil }
            index += 1
        }
        return true
    }
}
