import Glibc

/// Which event loop the server's service thread runs (``LWSServer/Configuration/eventLoop``).
public enum LWSEventLoopChoice: String, Sendable, CaseIterable {
    /// libuv (epoll) when libuv and libwebsockets' libuv plugin load, else `poll`.
    case auto
    /// libwebsockets' own loop: one `poll(2)` over every open connection per pass.
    case poll
    /// libuv; still falls back to `poll` (with a warning) when it cannot be loaded.
    case libuv
}

/// The event loop the server runs, once started (``LWSServer/eventLoop``).
public enum LWSEventLoop: String, Sendable {
    case poll
    case libuv
}

/// The few libuv functions the service thread needs, loaded at run time with `dlopen`: the daemon does
/// not link libuv, so a machine without libuv (or without libwebsockets' libuv plugin,
/// `libwebsockets-evlib_uv.so` from Debian's `libwebsockets-evlib-uv`) runs the `poll` loop instead of
/// failing to start. libwebsockets' plugin links the same `libuv.so.1`, so both use one instance.
///
/// Why not let libwebsockets create the loop: in 4.1.6 its own libuv loop is only reachable through
/// `lws_service`, which runs `uv_run(UV_RUN_DEFAULT)` until the context is destroyed (no pass boundary for
/// ``WriteRounds``), and it installs libuv handlers for SIGINT, SIGTERM, SIGSEGV, SIGFPE and SIGHUP that
/// would take the daemon's signals. A loop we create and hand over as a "foreign" loop gets neither: the
/// service thread runs it one iteration at a time (`UV_RUN_ONCE`, one `epoll_wait` = one pass).
struct LibUV: @unchecked Sendable {
    // @unchecked: C function pointers of a library that is never unloaded.
    typealias LoopSize = @convention(c) () -> Int
    typealias LoopInit = @convention(c) (UnsafeMutableRawPointer) -> Int32
    typealias Run = @convention(c) (UnsafeMutableRawPointer, Int32) -> Int32
    typealias LoopClose = @convention(c) (UnsafeMutableRawPointer) -> Int32
    typealias StringError = @convention(c) (Int32) -> UnsafePointer<CChar>?

    /// `uv_run_mode` (uv.h): `UV_RUN_DEFAULT` 0, `UV_RUN_ONCE` 1, `UV_RUN_NOWAIT` 2.
    static let runOnce: Int32 = 1
    static let runNoWait: Int32 = 2

    /// The soname libwebsockets' plugin links (Debian 12: libuv1 1.44).
    static let defaultLibrary = "libuv.so.1"

    let loopSize: LoopSize
    let loopInit: LoopInit
    let run: Run
    let loopClose: LoopClose
    let stringError: StringError

    /// libuv's functions, or why they cannot be had. The library stays loaded for the process's life.
    static func load(_ library: String = defaultLibrary) -> Result<LibUV, LWSError> {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            return .failure(LWSError(function: "dlopen", reason: reason))
        }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let loopSize = symbol("uv_loop_size", as: LoopSize.self),
            let loopInit = symbol("uv_loop_init", as: LoopInit.self),
            let run = symbol("uv_run", as: Run.self),
            let loopClose = symbol("uv_loop_close", as: LoopClose.self),
            let stringError = symbol("uv_strerror", as: StringError.self)
        else {
            return .failure(LWSError(function: "dlsym", reason: "\(library) lacks uv_loop_init, uv_run or uv_loop_close"))
        }
        return .success(LibUV(loopSize: loopSize, loopInit: loopInit, run: run, loopClose: loopClose, stringError: stringError))
    }

    func describe(_ code: Int32) -> String { stringError(code).map { String(cString: $0) } ?? "libuv error \(code)" }
}

/// A libuv loop we own and hand to libwebsockets as its foreign loop (service thread, after creation).
final class UVLoop {
    let uv: LibUV
    let pointer: UnsafeMutableRawPointer
    private let size: Int

    /// Allocates and initialises a loop (an epoll descriptor and a signal pipe; no signal handler).
    init(uv: LibUV) throws(LWSError) {
        self.uv = uv
        size = uv.loopSize()
        pointer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        let status = uv.loopInit(pointer)
        guard status == 0 else {
            pointer.deallocate()
            throw LWSError(function: "uv_loop_init", reason: uv.describe(status))
        }
    }

    /// One iteration: waits for I/O or a timer (as `poll` does in lws's own loop), runs what is ready.
    /// Returns whether anything is left to wait for.
    @discardableResult
    func runOnce() -> Bool { uv.run(pointer, LibUV.runOnce) != 0 }

    /// Runs what is ready without waiting; `false` once no handle is left open or closing.
    @discardableResult
    func runNoWait() -> Bool { uv.run(pointer, LibUV.runNoWait) != 0 }

    /// Closes the loop and frees it; with handles still open (`UV_EBUSY`) the memory is left allocated,
    /// since those handles point into it, and the reason is returned.
    func close() -> String? {
        var status = uv.loopClose(pointer)
        var tries = 0
        while status != 0 && tries < 100 {
            runNoWait()
            status = uv.loopClose(pointer)
            tries += 1
        }
        guard status == 0 else { return uv.describe(status) }
        pointer.deallocate()
        return nil
    }
}
