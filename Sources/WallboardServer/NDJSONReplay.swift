import JSONC
import JSONModel
import WallboardCore

/// `wallboardctl replay FILE.ndjson --instant`: each line parsed by json-c and decoded straight from its
/// tree into the replay (``Replay/Session``), one line at a time with one tokener, as HTTP ingest reads
/// its bodies: no ``JSONValue`` and no array of every line is built first.
///
/// The lines and their outcomes are those of ``Replay/run(inputs:configuration:)`` over
/// ``parseLines(_:)``: a trailing CR is dropped, lines of only spaces and tabs are skipped, a line that
/// is not JSON is reported with the parser's message, and line numbers count every line.
public enum NDJSONReplay {
    /// Replays the NDJSON text `bytes` on a fresh engine.
    public static func run(_ bytes: [UInt8], configuration: EngineConfiguration = EngineConfiguration()) -> ReplayResult {
        var session = Replay.Session(configuration: configuration)
        let parser: JSONCParser
        do {
            parser = try JSONCParser()
        } catch {
            // json-c could not allocate a tokener: every line is reported, nothing applied.
            forEachLine(bytes) { line, _ in session.unparseable(line: line, message: "\(error)") }
            return session.finish()
        }
        forEachLine(bytes) { line, text in
            do {
                try parser.parse(text) { node in session.apply(readable: node, line: line) }
            } catch {
                session.unparseable(line: line, message: "\(error)")
            }
        }
        return session.finish()
    }

    /// Each non-blank line parsed as JSON (a ``JSONValue``), or reported with the parser's message:
    /// the inputs of ``Replay/run(inputs:configuration:)`` (what `--speed` paces by).
    public static func parseLines(_ bytes: [UInt8]) -> [Replay.Input] {
        var inputs: [Replay.Input] = []
        forEachLine(bytes) { line, text in
            var copy = Array(text)
            do {
                inputs.append(.json(line: line, try JSONC.parse(bytes: &copy)))
            } catch {
                inputs.append(.unparseable(line: line, message: "\(error)"))
            }
        }
        return inputs
    }

    /// Calls `body` with the 1-based number and the bytes (without newline or trailing CR) of every line
    /// holding more than spaces and tabs, read in place.
    static func forEachLine(_ bytes: [UInt8], _ body: (Int, UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { whole in
            var number = 0
            var start = 0
            while true {
                let newline = whole[start...].firstIndex(of: UInt8(ascii: "\n"))
                var line = UnsafeRawBufferPointer(rebasing: whole[start..<(newline ?? whole.count)])
                number += 1
                if line.last == UInt8(ascii: "\r") { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
                if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) { body(number, line) }
                guard let newline else { break }
                start = newline + 1
            }
        }
    }
}
