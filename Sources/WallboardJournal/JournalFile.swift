import Glibc

/// An open file descriptor with the few system calls the journal needs, each retried on `EINTR` and
/// turned into a `JournalError` that names the file. All of the journal's raw file I/O goes through here.
///
/// Not a resource owner: whoever opens one calls `close()` (the journal keeps at most two open).
struct JournalFile {
    let fd: Int32
    let path: String

    /// The corresponding C function is `open(2)`; `O_CLOEXEC` is always added.
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o640) throws(JournalError) -> JournalFile {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return JournalFile(fd: fd, path: path) }
            if errno != EINTR { throw .cannotOpen(file: path, errno: errno) }
        }
    }

    func close() { _ = Glibc.close(fd) }

    /// Size from `fstat(2)`.
    func size() throws(JournalError) -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .readFailed(file: path, offset: 0, errno: errno) }
        return UInt64(info.st_size)
    }

    /// Writes all of `bytes` at `offset` with `pwrite(2)`. On failure returns the errno and how many bytes
    /// did reach the file (a short write followed by an error leaves those bytes behind).
    func writeAll(_ bytes: [UInt8], at offset: UInt64) -> (written: Int, errno: Int32?) {
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = pwrite(fd, buffer.baseAddress! + written, buffer.count - written, off_t(offset) + off_t(written))
                if result > 0 {
                    written += result
                } else if result < 0 && errno == EINTR {
                    continue
                } else {
                    return (written, result == 0 ? EIO : errno)
                }
            }
            return (written, nil)
        }
    }

    /// Reads up to `count` bytes at `offset` (fewer only at end of file).
    func read(count: Int, at offset: UInt64) throws(JournalError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        var failure: Int32?
        bytes.withUnsafeMutableBytes { buffer in
            while filled < count {
                let result = pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                if result > 0 {
                    filled += result
                } else if result == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
        }
        if let failure { throw .readFailed(file: path, offset: offset + UInt64(filled), errno: failure) }
        bytes.removeLast(count - filled)
        return bytes
    }

    /// The corresponding C function is `ftruncate(2)`; returns the errno on failure.
    func truncate(to size: UInt64) -> Int32? {
        while ftruncate(fd, off_t(size)) != 0 {
            if errno != EINTR { return errno }
        }
        return nil
    }

    /// `fdatasync(2)` (data and the size needed to read it) or `fsync(2)`; returns the errno on failure.
    func sync(metadata: Bool = false) -> Int32? {
        while (metadata ? fsync(fd) : fdatasync(fd)) != 0 {
            if errno != EINTR { return errno }
        }
        return nil
    }

    /// Makes renames, creations and deletions in `directory` durable: `fsync(2)` on the directory.
    static func syncDirectory(_ directory: String) throws(JournalError) {
        let dir = try open(directory, flags: O_RDONLY | O_DIRECTORY)
        defer { dir.close() }
        if let failure = dir.sync(metadata: true) {
            throw .fileOperationFailed(operation: "fsync directory", file: directory, errno: failure)
        }
    }

    /// The names in `directory` (not `.`/`..`), unsorted.
    static func list(_ directory: String) throws(JournalError) -> [String] {
        guard let dir = opendir(directory) else { throw .cannotOpenDirectory(path: directory, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The corresponding C function is `rename(2)`.
    static func rename(_ from: String, to: String) throws(JournalError) {
        guard Glibc.rename(from, to) == 0 else { throw .fileOperationFailed(operation: "rename", file: from, errno: errno) }
    }

    /// The corresponding C function is `unlink(2)`; a missing file is not an error.
    static func remove(_ path: String) throws(JournalError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .fileOperationFailed(operation: "unlink", file: path, errno: errno)
        }
    }

    /// Creates `path` and its parents (mode 0750) if missing.
    static func makeDirectory(_ path: String) throws(JournalError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o750) != 0 && errno != EEXIST {
                throw .cannotOpenDirectory(path: prefix, errno: errno)
            }
        }
    }
}
