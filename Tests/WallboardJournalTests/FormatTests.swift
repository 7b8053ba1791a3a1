import Testing
@testable import WallboardJournal

@Suite struct FormatTests {
    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let split = CRC32C.checksum(long[500...], seed: CRC32C.checksum(long[..<500]))
        #expect(split == CRC32C.checksum(long))
    }

    @Test(arguments: ["2026-11-23", "2024-02-29", "1970-01-01", "9999-12-31"])
    func dayKeysRoundTrip(key: String) {
        #expect(JournalDay(key)?.key == key)
    }

    @Test(arguments: ["2026-11-31", "2025-02-29", "2026-1-23", "26-11-23", "2026-11-2x", "2026/11/23", ""])
    func badDayKeysAreRejected(key: String) {
        #expect(JournalDay(key) == nil)
    }

    @Test func dayArithmeticCrossesMonthsYearsAndLeapDays() {
        #expect(JournalDay("2024-02-28")!.adding(days: 1).key == "2024-02-29")
        #expect(JournalDay("2026-12-31")!.adding(days: 1).key == "2027-01-01")
        #expect(JournalDay("2026-03-01")!.adding(days: -1).key == "2026-02-28")
        #expect(JournalDay(utc: .init(timeIntervalSince1970: 1_795_000_000)).key == "2026-11-18")
    }

    @Test func recordMagicNeverOccursInUTF8Text() {
        #expect(SegmentFormat.recordMagic[0] == 0xFF)
        #expect(!Array("événement ☎️ 日本".utf8).contains(0xFF))
    }
}
