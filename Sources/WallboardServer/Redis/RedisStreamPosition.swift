import Foundation
import Glibc
import Redis

/// The source's position (the last applied entry id) in its own small file in the state dir, written
/// atomically (temporary file, then rename), e.g. `state/redis/wallboard:events.position`.
///
/// It is written only after the entries up to it are applied and journaled, so it may lag the journal
/// (a restart reads those entries again; their event ids make them duplicates) but never lead it.
struct RedisStreamPosition {
    let path: String

    init(stateDirectory: String, stream: String) {
        // Stream keys often hold ':' and may hold '/': keep the file name one path component.
        let name = stream.map { $0 == "/" ? "_" : $0 }
        path = stateDirectory + "/redis/" + String(name) + ".position"
    }

    /// The saved id, `nil` when there is none; a file that does not hold an id is an error that says so.
    func load() throws(RedisSourceError) -> StreamID? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines)
        else { throw .position(path: path, message: "cannot read it") }
        guard let id = StreamID(text) else {
            throw .position(path: path, message: "\"\(text.prefix(40))\" is not a stream entry id MS-SEQ")
        }
        return id
    }

    /// Replaces the file with `id` (temporary file and rename, so a crash leaves the old or the new one).
    func save(_ id: StreamID) throws(RedisSourceError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = path + ".tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data("\(id)\n".utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw .position(path: path, message: "cannot write \(temporary): \(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            throw .position(path: path, message: "cannot rename \(temporary): \(String(cString: strerror(errno)))")
        }
    }
}

/// Why the stream source could not start or keep its position.
enum RedisSourceError: Error, CustomStringConvertible {
    case position(path: String, message: String)
    case passwordFile(path: String)

    var description: String {
        switch self {
        case .position(let path, let message): return "redis source position \(path): \(message)"
        case .passwordFile(let path): return "redis password_file \(path): cannot read it"
        }
    }
}
