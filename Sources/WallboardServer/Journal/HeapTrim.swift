import Glibc

/// Gives free heap pages back to the system after a burst of short-lived allocations (a checkpoint's
/// JSON trees: hundreds of MB at a large center, freed at once but kept by the allocator, so RSS after
/// a restart stayed at several times the engine's size).
///
/// The corresponding C function is glibc's `malloc_trim(0)`, which also releases whole free pages in
/// the middle of the heap. It is looked up at run time (`dlsym`) because Swift's Glibc module does not
/// import `<malloc.h>`; under another C library it is absent and this does nothing.
enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    /// Returns whether any memory was released (false when nothing was or `malloc_trim` is absent).
    @discardableResult
    static func releaseFreePages() -> Bool { (trim?(0) ?? 0) != 0 }
}
