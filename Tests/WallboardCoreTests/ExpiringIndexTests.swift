import Testing
@testable import WallboardCore

/// ``ExpiringIndex`` against the dictionary filter it replaces, on random sets and prunes.
@Suite struct ExpiringIndexTests {
    @Test func prunesExactlyWhatAFilterWouldAcrossRandomHistories() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var index = ExpiringIndex<Int>()
            var reference: [String: (value: Int, at: Instant)] = [:]
            var horizon: Int64 = 0
            for step in 0..<300 {
                if Int.random(in: 0..<5, using: &random) == 0 {
                    horizon += Int64.random(in: 0...50, using: &random)
                    index.prune(before: Instant(milliseconds: horizon))
                    reference = reference.filter { $0.value.at.milliseconds >= horizon }
                } else {
                    // Keys repeat and instants arrive out of order, as events do.
                    let key = "k\(Int.random(in: 0..<40, using: &random))"
                    let at = Instant(milliseconds: horizon + Int64.random(in: -20...200, using: &random))
                    index.set(key, step, at: at)
                    reference[key] = (step, at)
                }
                #expect(index.count == reference.count)
            }
            for (key, entry) in reference {
                #expect(index[key] == entry.value)
                #expect(index.instant(of: key) == entry.at)
            }
            #expect(index.sortedByKey.map(\.key) == reference.keys.map(IDDigest.init).sorted())
        }
    }

    @Test func memoryStaysBoundedWhenOneKeyIsSetForever() {
        var index = ExpiringIndex<Int>()
        for second in 0..<100_000 {
            index.set("same-customer", second, at: Instant(milliseconds: Int64(second) * 1000))
            index.prune(before: Instant(milliseconds: Int64(second - 60) * 1000))
        }
        #expect(index.count == 1)
        #expect(index.heapSlots <= 62)
    }
}
