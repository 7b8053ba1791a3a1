/// Record frames built ahead of an append, on any thread: each payload framed (length, CRCs) back to
/// back in one buffer, ready for ``EventJournal/append(frames:selecting:day:)`` to write with one
/// `pwrite` on the journal's queue. A frame does not depend on where it lands in a segment, so the
/// encoding and checksums can be done by whoever decodes the events (issue 14: they took about a
/// sixth of the engine queue's time during a journaled ingest), and the queue only writes.
public struct JournalFrames: Sendable {
    /// The frames, back to back.
    public private(set) var bytes: [UInt8] = []
    /// Where each frame ends in `bytes` (its start is the previous frame's end, or 0).
    public private(set) var ends: [Int] = []
    /// A payload over ``SegmentFormat/maxPayload``: the first one met (its size), refused at append.
    private(set) var oversized: Int?

    public init() {}

    /// Frames of `payloads`, in order.
    public init(_ payloads: [[UInt8]]) {
        reserve(records: payloads.count, bytes: payloads.reduce(0) { $0 + SegmentFormat.frameHeaderSize + $1.count })
        for payload in payloads { append(payload) }
    }

    /// Records framed so far.
    public var count: Int { ends.count }

    public var isEmpty: Bool { ends.isEmpty }

    public mutating func reserve(records: Int, bytes byteCount: Int) {
        ends.reserveCapacity(records)
        bytes.reserveCapacity(byteCount)
    }

    /// Frames `payload` after the frames so far.
    public mutating func append(_ payload: [UInt8]) {
        if payload.count > SegmentFormat.maxPayload, oversized == nil { oversized = payload.count }
        SegmentFormat.appendFrame(payload, to: &bytes)
        ends.append(bytes.count)
    }

    /// The byte range of frame `index` in `bytes`.
    func range(of index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }

    /// The payload of frame `index` (tests, and checks).
    public func payload(at index: Int) -> ArraySlice<UInt8> {
        let frame = range(of: index)
        return bytes[(frame.lowerBound + SegmentFormat.frameHeaderSize)..<frame.upperBound]
    }
}
