import AMIAdapter
import Testing
import WallboardCore

/// AMI text reaches logs (session problems, error descriptions) escaped and cut, whatever bytes arrived.
@Suite struct AMILogEscapingTests {
    static func isPrintable(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }
    }

    @Test func binaryGarbageLineIsEscapedInTheProblem() {
        var session = AMISession(username: "u", secret: "s")
        let garbage: [UInt8] = [0x00, 0x1B] + Array("[2J".utf8) + [0xFF, 0xFE] + Array(" evil\\".utf8) + [0x0D, 0x0A, 0x0D, 0x0A]
        let output = session.receive(garbage + Array("Event: Next\r\n\r\n".utf8), now: Instant(milliseconds: 0))
        #expect(output.problems == ["AMI line 1 has no \"Key: Value\" colon: \"\\x00\\x1B[2J\\xFF\\xFE evil\\\\\"; its message was dropped"])
        #expect(output.problems.allSatisfy(Self.isPrintable))
    }

    @Test func longBadLineIsCutInTheProblem() {
        var decoder = AMIFrameDecoder()
        let line = [UInt8](repeating: 0x01, count: 10_000) + [0x0A, 0x0A]
        let errors = decoder.feed(line).compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(errors.count == 1)
        let text = errors.first?.description ?? ""
        #expect(text.contains("…(10000 bytes)"))
        #expect(text.utf8.count < 4 * AMIError.shownLineLimit + 120, "\(text.utf8.count) bytes")
        #expect(Self.isPrintable(text))
    }

    @Test func asterisksErrorMessageIsEscaped() {
        var session = AMISession(username: "u", secret: "s")
        _ = session.receive(Array("Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: wb1-1\r\nChallenge: 1\r\n\r\n".utf8),
                            now: Instant(milliseconds: 0))
        let answer = Array("Response: Error\r\nActionID: wb1-2\r\nMessage: no\u{1B}[31m \u{7}\r\n\r\n".utf8)
        let output = session.receive(answer, now: Instant(milliseconds: 1))
        #expect(output.problems == ["AMI action Login (ActionID wb1-2) failed: no\\x1B[31m \\x07"])
        #expect(session.state == .authenticationFailed)
    }

    @Test func mapperProblemsEscapeAMIValues() {
        var mapper = AMIEventMapper()
        _ = mapper.map(AMIMessage(["Event": "AgentConnect", "Uniqueid": "1.1\u{1B}]0;pwned\u{7}", "Interface": "PJSIP/1"]), now: Instant(milliseconds: 0))
        let problems = mapper.takeProblems().map(\.description)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("caller 1.1\\x1B]0;pwned\\x07 is not waiting") == true, "\(problems)")
    }
}
