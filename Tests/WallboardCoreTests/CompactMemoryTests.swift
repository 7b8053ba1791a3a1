import Testing
@testable import WallboardCore

/// The compact per-id memory of the engine: digests, the digest table, interned finished contacts and
/// the binary checkpoint records that carry them.
@Suite struct CompactMemoryTests {
    static func hex(_ words: (UInt64, UInt64)) -> String {
        var bytes: [UInt8] = []
        for word in [words.0, words.1] { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(word >> UInt64(shift) & 0xFF)) } }
        return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The reference vectors of SipHash-2-4-128 (key 00 01 … 0f, message 00 01 … len-1).
    @Test(arguments: [
        (0, "a3817f04ba25a8e66df67214c7550293"), (1, "da87c1d86b99af44347659119b22fc45"),
        (2, "8177228da4a45dc7fca38bdef60affe4"), (8, "3b62a9ba6258f5610f83e264f31497b4"),
        (15, "5493e99933b0a8117e08ec0f97cfc3d9"), (63, "5150d1772f50834a503e069a973fbd7c"),
    ])
    func sipHashMatchesTheReferenceVectors(length: Int, expected: String) {
        let message = (0..<length).map { UInt8($0) }
        let key: (UInt64, UInt64) = (0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908)
        let output = message.withUnsafeBytes { IDDigest.sipHash128($0, key: key) }
        #expect(Self.hex(output) == expected)
    }

    /// Checkpoints store digests: the function and key must never change (a change would make every
    /// stored id unknown after an upgrade). Pinned values of this build.
    @Test func digestsAreStableAcrossBuilds() {
        let digest = IDDigest("e1")
        #expect(Self.hex((digest.low, digest.high)) == Self.pinnedE1)
        #expect(IDDigest("e1") == digest)
        #expect(IDDigest("e2") != digest)
        #expect(IDDigest("") != IDDigest("\u{0}"))
    }
    static let pinnedE1 = "d061747ca2e147f384698b9b6edb2eb7"

    @Test func digestSetAgreesWithASetOfStrings() {
        var random = SystemRandomNumberGenerator()
        var set = DigestSet()
        var reference = Set<String>()
        for _ in 0..<20_000 {
            let id = "id-\(Int.random(in: 0..<15_000, using: &random))"
            #expect(set.insert(IDDigest(id)) == reference.insert(id).inserted)
        }
        #expect(set.count == reference.count)
        for index in 0..<15_000 { #expect(set.contains(IDDigest("id-\(index)")) == reference.contains("id-\(index)")) }
        // At most three quarters full, at least three eighths after the last doubling.
        #expect(set.tableBytes <= reference.count * 16 * 8 / 3 + 16 * 16)
        var elements: [IDDigest] = []
        set.forEach { elements.append($0) }
        #expect(Set(elements) == Set(reference.map(IDDigest.init)))
        var other = DigestSet(reservingCapacity: reference.count)
        for id in reference.shuffled() { other.insert(IDDigest(id)) }
        #expect(other == set)
        other.insert(IDDigest("one more"))
        #expect(other != set)
    }

    @Test func finishedContactsRoundTripThroughThePool() {
        var index = FinishedContactIndex()
        let record = FinishedContact(queue: "sales", channel: .chat, team: "t1", segment: nil, language: "de", at: Instant(milliseconds: 5))
        index.set("c1", record, at: record.at)
        let found = index["c1"]
        #expect(found?.queue == "sales" && found?.channel == .chat && found?.team == "t1")
        #expect(found?.segment == nil && found?.language == "de" && found?.at == Instant(milliseconds: 5))
        #expect(index["c2"] == nil)
    }

    /// Strings of contacts that were pruned do not pile up: the pool is rebuilt from what is held.
    @Test func thePoolStaysBoundedWhenEveryContactNamesNewStrings() {
        var index = FinishedContactIndex()
        for second in 0..<20_000 {
            let at = Instant(milliseconds: Int64(second) * 1000)
            index.set(
                "c\(second)",
                FinishedContact(queue: "q\(second)", channel: .voice, team: "t\(second)", segment: "s\(second)", language: nil, at: at),
                at: at)
            index.prune(before: at.advanced(by: -100_000))
        }
        #expect(index.count == 101)
        #expect(index.pool.count <= 2 * max(256, 4 * 101) + 3)
        // What is held still reads back right after the rebuilds.
        let last = index["c19999"]
        #expect(last?.queue == "q19999" && last?.team == "t19999" && last?.segment == "s19999" && last?.language == nil)
        #expect(index["c19900"]?.queue == "q19900")
        #expect(index["c19000"] == nil)
    }

    @Test func base64RoundTripsEveryLength() throws {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64.encode(bytes)
            #expect(text.utf8.count == (length + 2) / 3 * 4)
            #expect(try Base64.decode(text).get() == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
    }

    @Test(arguments: [
        ("abc", "base64 length 3 is not a multiple of 4"), ("ab!d", "character 2 of the base64 text is not base64"),
        ("a=bc", "character 1 of the base64 text is not base64"), ("ab==cdef", "character 2 of the base64 text is not base64"),
    ])
    func base64RefusesWhatIsNotBase64(text: String, message: String) {
        switch Base64.decode(text) {
        case .success(let bytes): Issue.record("accepted \(text) as \(bytes)")
        case .failure(let failure): #expect(failure.message == message)
        }
    }

    @Test func varintsRoundTripAndRefuseMoreThan32Bits() throws {
        var writer = CheckpointBytes.Writer()
        let values: [UInt32] = [0, 1, 127, 128, 300, 16_383, 16_384, .max]
        for value in values { writer.varint(value) }
        var reader = CheckpointBytes.Reader(writer.bytes)
        for value in values { #expect(try reader.varint() == value) }
        #expect(reader.isAtEnd)
        var tooLong = CheckpointBytes.Reader([0xFF, 0xFF, 0xFF, 0xFF, 0x1F])
        #expect(throws: CheckpointBytes.Failure.self) { try tooLong.varint() }
        var truncated = CheckpointBytes.Reader([0x80])
        #expect(throws: CheckpointBytes.Failure.self) { try truncated.varint() }
    }
}

/// The previous business day's ids, sorted with a range index.
@Suite struct SortedDigestSetTests {
    @Test(arguments: [0, 1, 7, 8, 9, 100, 5_000, 40_000])
    func findsExactlyTheElements(count: Int) {
        var table = DigestSet()
        for index in 0..<count { table.insert(IDDigest("in-\(index)")) }
        let sorted = SortedDigestSet(table)
        #expect(sorted.count == count)
        #expect(sorted.digests == sorted.digests.sorted())
        for index in 0..<count { #expect(sorted.contains(IDDigest("in-\(index)"))) }
        for index in 0..<2_000 { #expect(!sorted.contains(IDDigest("out-\(index)"))) }
        // Extremes of the range index.
        #expect(!sorted.contains(IDDigest(low: 1, high: 0)))
        #expect(!sorted.contains(IDDigest(low: .max, high: .max)))
        #expect(sorted.bytes <= count * 16 + count + 8)
        #expect(SortedDigestSet(sorted: sorted.digests) == sorted)
    }

    /// At a day's end the ids move to the sorted set and are still duplicates the next day.
    @Test func theDayShiftKeepsYesterdaysIds() {
        let calendar = CenterCalendar()
        var seen = SeenEventIDs()
        let day = Instant(milliseconds: 1_764_547_200_000)
        seen.advance(to: day, calendar: calendar)
        for index in 0..<1_000 { seen.insert("e\(index)") }
        seen.advance(to: day.advanced(by: .minutes(25 * 60)), calendar: calendar)
        #expect(seen.current.isEmpty && seen.previous.count == 1_000)
        #expect(seen.contains("e0") && seen.contains("e999") && !seen.contains("e1000"))
    }
}
