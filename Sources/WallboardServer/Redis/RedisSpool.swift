import Foundation
import Glibc

/// The sink's spool: events accepted while Redis could not take them, one canonical JSON line each,
/// appended and fsynced before the sender is answered, forwarded in order once Redis is back, then
/// truncated. A crash during forwarding forwards some again: their ids make them duplicates.
/// e.g. `state/redis/wallboard:events.spool`. Confined to the sink's queue.
final class RedisSpool {
    let path: String
    /// Lines in the file (counted at open, kept up to date by this object).
    private(set) var count = 0

    init(stateDirectory: String, stream: String) throws(RedisSinkError) {
        path = stateDirectory + "/redis/" + String(stream.map { $0 == "/" ? "_" : $0 }) + ".spool"
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw .spool(path: path, message: "cannot create its folder: \(error.localizedDescription)")
        }
        count = try lines().count
    }

    var isEmpty: Bool { count == 0 }

    /// Appends one line per payload and fsyncs; throws (nothing counted as spooled) on any failure.
    func append(_ payloads: [[UInt8]]) throws(RedisSinkError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .spool(path: path, message: "cannot open: \(Self.errorText())") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        for payload in payloads {
            bytes += payload
            bytes.append(0x0A)
        }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw .spool(path: path, message: "cannot write: \(Self.errorText())") }
            written += result
        }
        guard fsync(descriptor) == 0 else { throw .spool(path: path, message: "cannot fsync: \(Self.errorText())") }
        count += payloads.count
    }

    /// The complete lines in the file, oldest first (a last line without its newline was never
    /// acknowledged: a crash cut its append short, so it is left out).
    func lines() throws(RedisSinkError) -> [[UInt8]] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .spool(path: path, message: "cannot read it")
        }
        var lines = Array(data).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        lines.removeLast()  // what follows the last newline: empty, or a cut-short line
        return lines.filter { !$0.isEmpty }
    }

    /// Empties the file after its lines were forwarded.
    func clear() throws(RedisSinkError) {
        guard truncate(path, 0) == 0 || errno == ENOENT else {
            throw .spool(path: path, message: "cannot truncate: \(Self.errorText())")
        }
        count = 0
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// Why the sink could not start or keep an event.
enum RedisSinkError: Error, CustomStringConvertible {
    case spool(path: String, message: String)

    var description: String {
        switch self {
        case .spool(let path, let message): return "redis sink spool \(path): \(message)"
        }
    }
}
