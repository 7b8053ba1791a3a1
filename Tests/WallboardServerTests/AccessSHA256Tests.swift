import Testing
@testable import WallboardServer

/// SHA-256 against the NIST FIPS 180-4 example vectors (and the long-message vector).
@Suite struct AccessSHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func digestMatchesNISTVector(message: String, digest: String) {
        #expect(SHA256.hexDigest(message) == digest)
    }

    @Test func millionAsMatchesNISTVector() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(SHA256.hash(message)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the padding boundary (55, 56, 63, 64 bytes) give distinct, stable digests.
    @Test func paddingBoundariesAreHandled() {
        let digests = [55, 56, 63, 64, 65].map { SHA256.hexDigest(String(repeating: "a", count: $0)) }
        #expect(Set(digests).count == 5)
        #expect(digests[1] == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }

    @Test func hexRoundTrips() {
        let bytes: [UInt8] = [0, 1, 0xab, 0xff]
        #expect(SHA256.bytes(hex: SHA256.hex(bytes)) == bytes)
        #expect(SHA256.bytes(hex: "ABff") == [0xab, 0xff])
        #expect(SHA256.bytes(hex: "abc") == nil)
        #expect(SHA256.bytes(hex: "zz") == nil)
    }
}
