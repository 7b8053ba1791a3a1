import CLibWebSockets

/// A payload encoded once and written to many connections from the same memory: it is stored once,
/// behind the room libwebsockets needs before a frame (`LWS_PRE`) for the header it writes there, so
/// no send copies it (issue 14: a 236 KB snapshot was copied once per board per update).
public final class SharedBytes: @unchecked Sendable {
    // @unchecked: the payload never changes after `init`. The room before it is scratch space that
    // only the lws service thread writes (lws_write puts the frame header there), one write at a time;
    // a partial write leaves lws with its own copy of the rest, never a pointer into this buffer.
    private let storage: UnsafeMutableRawBufferPointer
    /// Payload bytes (without the room).
    package let count: Int
    /// Room kept before the payload.
    static let room = Int(CLWS_pre())

    package init(_ bytes: [UInt8]) {
        count = bytes.count
        storage = .allocate(byteCount: Self.room + bytes.count, alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { (storage.baseAddress! + Self.room).copyMemory(from: base, byteCount: count) }
        }
    }

    package convenience init(_ text: String) { self.init(Array(text.utf8)) }

    /// `prefix`, then `parts` with `separator` between them, then `suffix`, in one buffer: a bundle of
    /// frames already encoded, joined without re-encoding (one copy of each part's bytes).
    package init(prefix: String, joining parts: [SharedBytes], separator: String, suffix: String) {
        let head = Array(prefix.utf8), comma = Array(separator.utf8), tail = Array(suffix.utf8)
        // Sizes of buffers that exist in memory: their sum cannot overflow.
        var total = head.count + tail.count + comma.count * max(0, parts.count - 1)
        for part in parts { total += part.count }
        count = total
        storage = .allocate(byteCount: Self.room + total, alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        var cursor = storage.baseAddress! + Self.room
        func put(_ source: UnsafeRawBufferPointer) {
            guard let base = source.baseAddress, source.count > 0 else { return }
            cursor.copyMemory(from: base, byteCount: source.count)
            cursor += source.count
        }
        head.withUnsafeBytes(put)
        for (index, part) in parts.enumerated() {
            if index > 0 { comma.withUnsafeBytes(put) }
            put(UnsafeRawBufferPointer(start: part.storage.baseAddress! + Self.room, count: part.count))
        }
        tail.withUnsafeBytes(put)
    }

    deinit { storage.deallocate() }

    /// A copy of the payload (tests, diagnostics).
    package var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: storage.baseAddress! + Self.room, count: count)) }

    /// The payload's first byte, with ``room`` writable bytes before it, for `lws_write`. Service thread only.
    func payloadPointer() -> UnsafeMutablePointer<UInt8> {
        (storage.baseAddress! + Self.room).assumingMemoryBound(to: UInt8.self)
    }
}
