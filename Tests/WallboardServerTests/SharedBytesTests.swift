import Testing
@testable import LWS

/// The one frame buffer: the payload as given, behind libwebsockets' room, whatever its size.
@Suite struct SharedBytesTests {
    @Test(arguments: [0, 1, 125, 126, 65_535, 65_536, 300_000])
    func keepsThePayloadBehindTheRoom(size: Int) {
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let shared = SharedBytes(payload)
        #expect(shared.count == size)
        #expect(shared.bytes == payload)
        #expect(SharedBytes.room > 0)
        // The room is writable scratch (lws puts the header there) and does not touch the payload.
        let first = shared.payloadPointer()
        (first - SharedBytes.room).update(repeating: 0xFF, count: SharedBytes.room)
        #expect(shared.bytes == payload)
    }
}
