import Glibc

/// Which sanitizer the test binary (and so the daemon next to it) was built with (`scripts/sanitize`).
enum SanitizerBuild {
    /// Built with `--sanitize=thread`: the TSan runtime, linked into the executable, exports `__tsan_init`.
    static let thread = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil
}
