import Testing
@testable import WallboardServer

/// After a burst of small allocations is freed (what a checkpoint's JSON trees are), the free pages
/// go back to the system instead of staying in the process's RSS.
@Suite struct HeapTrimTests {
    @Test func freedSmallAllocationsAreReleased() {
        var chunks: [[UInt8]] = []
        chunks.reserveCapacity(200_000)
        for index in 0..<200_000 { chunks.append([UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 200)) }
        #expect(chunks.count == 200_000)
        chunks = []
        #expect(HeapTrim.releaseFreePages())
    }
}
