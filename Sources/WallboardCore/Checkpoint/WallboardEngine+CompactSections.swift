import JSONModel

/// The checkpoint sections that hold per-id memory (seen event ids, finished contacts, last contact by
/// customer) in binary records carried as base64 strings (see docs/journal.md, "Engine checkpoints").
/// Ids are stored as their ``IDDigest``: what the engine keeps of them.
extension WallboardEngine {
    /// `seen_ids`: `{"day": ms|null, "today": base64, "previous": base64}`; each bucket is a run of
    /// 16-byte digests (low word, high word, little-endian), sorted (the same state gives the same text).
    func encodeSeenIDs() -> JSONValue {
        [
            "day": Self.encode(seenEventIDs.day), "today": .string(Self.encodeDigests(seenEventIDs.current)),
            "previous": .string(Self.encodeDigests(seenEventIDs.previous.digests)),
        ]
    }

    static func decodeSeenIDs(_ node: CheckpointNode, calendar: CenterCalendar) throws(CheckpointError) -> SeenEventIDs {
        try node.onlyKeys(["day", "today", "previous"])
        return SeenEventIDs(
            day: try node.key("day").optionalInstant(), current: DigestSet(try decodeDigests(node.key("today"))),
            previous: SortedDigestSet(sorted: try decodeDigests(node.key("previous"))), calendar: calendar)
    }

    /// `last_contact_by_customer`: base64 of 24-byte records (customer id digest, instant in ms as a
    /// little-endian two's-complement word), sorted by digest (ascending order is checked on restore,
    /// which also refuses a repeated digest without a set of the ones seen).
    func encodeLastContacts() -> JSONValue {
        let entries = lastContactByCustomer.sortedByKey
        var writer = CheckpointBytes.Writer(reservingCapacity: entries.count * 24)
        for entry in entries {
            writer.digest(entry.key)
            writer.instant(entry.at)
        }
        return .string(Base64.encode(writer.bytes))
    }

    static func decodeLastContacts(_ node: CheckpointNode) throws(CheckpointError) -> ExpiringIndex<Instant> {
        var index = ExpiringIndex<Instant>()
        var previous: IDDigest?
        try node.records { reader throws(CheckpointBytes.Failure) in
            let key = try reader.digest()
            let at = try reader.instant()
            try Self.checkAscending(key, after: &previous)
            index.set(digest: key, at, at: at)
        }
        return index
    }

    /// `finished_contacts`: `{"strings": [...], "records": base64}`. Each record: contact id digest
    /// (16 bytes), instant (8), channel (1 byte: its index in ``Channel/allCases``), then queue, team,
    /// segment and language as LEB128 varints numbering `strings` from 1 (0: none; a queue is never none).
    func encodeFinishedContacts() -> JSONValue {
        let records = finishedContacts.sortedByKey
        var writer = CheckpointBytes.Writer(reservingCapacity: records.count * 29)
        for record in records {
            writer.digest(record.key)
            writer.instant(record.at)
            writer.byte(UInt8(Channel.allCases.firstIndex(of: record.value.channel) ?? 0))
            for code in [record.value.queue, record.value.team, record.value.segment, record.value.language] {
                writer.varint(code)
            }
        }
        return [
            "strings": .array(finishedContacts.pool.strings.map { .string($0) }),
            "records": .string(Base64.encode(writer.bytes)),
        ]
    }

    static func decodeFinishedContacts(_ node: CheckpointNode) throws(CheckpointError) -> FinishedContactIndex {
        try node.onlyKeys(["strings", "records"])
        let stringsNode = try node.key("strings")
        guard let pool = StringPool(strings: try stringsNode.strings()) else {
            throw stringsNode.error(.invalidValue, "a string appears twice")
        }
        var records: [(key: IDDigest, value: FinishedContactIndex.Packed, at: Instant)] = []
        var previous: IDDigest?
        let channels = Channel.allCases
        try node.key("records").records { reader throws(CheckpointBytes.Failure) in
            let key = try reader.digest()
            let at = try reader.instant()
            let channel = Int(try reader.byte())
            guard channel < channels.count else { throw CheckpointBytes.Failure("unknown channel number \(channel)") }
            var codes: [UInt32] = []
            for name in ["queue", "team", "segment", "language"] {
                let code = try reader.varint()
                guard Int(code) <= pool.count, code != 0 || name != "queue" else {
                    throw CheckpointBytes.Failure("\(name) string number \(code) is not in strings (\(pool.count))")
                }
                codes.append(code)
            }
            try Self.checkAscending(key, after: &previous)
            records.append(
                (key, .init(queue: codes[0], team: codes[1], segment: codes[2], language: codes[3], channel: channels[channel]), at))
        }
        return FinishedContactIndex(pool: pool, records: records)
    }

    private static func encodeDigests(_ set: DigestSet) -> String {
        var digests: [IDDigest] = []
        digests.reserveCapacity(set.count)
        set.forEach { digests.append($0) }
        digests.sort()
        return encodeDigests(digests)
    }

    private static func encodeDigests(_ digests: [IDDigest]) -> String {
        var writer = CheckpointBytes.Writer(reservingCapacity: digests.count * 16)
        for digest in digests { writer.digest(digest) }
        return Base64.encode(writer.bytes)
    }

    /// The digests of a bucket, checked to be ascending without repeats.
    private static func decodeDigests(_ node: CheckpointNode) throws(CheckpointError) -> [IDDigest] {
        let bytes = try node.base64Bytes()
        guard bytes.count % 16 == 0 else {
            throw node.error(.invalidValue, "\(bytes.count) bytes is not a whole number of 16-byte digests")
        }
        var digests: [IDDigest] = []
        digests.reserveCapacity(bytes.count / 16)
        var previous: IDDigest?
        try node.records(of: bytes) { reader throws(CheckpointBytes.Failure) in
            let digest = try reader.digest()
            try checkAscending(digest, after: &previous)
            digests.append(digest)
        }
        return digests
    }

    /// Records are written sorted by digest: one that is not after the one before is a repeat or damage.
    private static func checkAscending(_ digest: IDDigest, after previous: inout IDDigest?) throws(CheckpointBytes.Failure) {
        if let previous, !(previous < digest) {
            throw CheckpointBytes.Failure(previous == digest ? "digest appears twice" : "digests are not in ascending order")
        }
        previous = digest
    }
}
