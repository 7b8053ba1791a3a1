import WallboardCore

/// Splits an AMI byte stream into messages. A value type fed arbitrary chunks (one byte or a whole
/// capture at a time: the result is the same); it never reads a socket and never blocks.
///
/// Framing rules (Asterisk's `manager.c`): the first line of a connection is the banner
/// `Asterisk Call Manager/x.y.z\r\n`; every other message is `Key: Value` lines ended by an empty line.
/// Lines end in `\r\n`; a bare `\n` is accepted too. A legacy `Response: Follows` answer carries free-text
/// lines up to `--END COMMAND--`.
///
/// Bad input never stops decoding: a line without a colon, or a message over ``maximumMessageSize``,
/// yields an ``AMIError`` in the output, the rest of that block is skipped up to the next blank line,
/// and the next message decodes normally. Call ``reset()`` when the connection drops.
public struct AMIFrameDecoder: Sendable {
    /// One decoded item: a message, or what was wrong with the bytes where one should have been.
    public typealias Output = Result<AMIMessage, AMIError>

    /// The largest message (all its lines, terminators included) accepted; larger ones are skipped.
    public var maximumMessageSize: Int

    private var line: [UInt8] = []
    private var headers: [AMIHeader] = []
    private var output: [String] = []
    private var blockBytes = 0
    private var lineNumber = 0
    private var mode = Mode.headers

    private enum Mode: Sendable {
        case headers
        /// In a `Response: Follows` block, collecting free text up to `--END COMMAND--`.
        case followsOutput
        /// Skipping a bad block up to the next blank line.
        case skipping
    }

    public init(maximumMessageSize: Int = 64 * 1024) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// Whether bytes of an unfinished message are buffered.
    public var hasPartialMessage: Bool { !line.isEmpty || !headers.isEmpty || !output.isEmpty || mode != .headers }

    /// Feeds the next chunk of the stream and returns every message it completed, in order.
    public mutating func feed<Bytes: Sequence>(_ chunk: Bytes) -> [Output] where Bytes.Element == UInt8 {
        var results: [Output] = []
        for byte in chunk {
            if byte == 0x0A {
                var content = line
                blockBytes += line.count + 1
                if content.last == 0x0D { content.removeLast() }
                line.removeAll(keepingCapacity: true)
                lineNumber += 1
                processLine(content, into: &results)
            } else {
                line.append(byte)
                if mode != .skipping, blockBytes + line.count > maximumMessageSize {
                    results.append(.failure(.messageTooLarge(limit: maximumMessageSize, seen: blockBytes + line.count)))
                    startSkipping()
                }
                if mode == .skipping, line.count > 2 {
                    // Only whether the line is empty (or a lone CR) matters while skipping: keep first and last byte.
                    line = [line[0], line[line.count - 1]]
                }
            }
        }
        return results
    }

    /// Forgets any partial message (the connection dropped). Returns the error describing what was lost, if anything.
    @discardableResult
    public mutating func reset() -> AMIError? {
        let partial = blockBytes + line.count
        let hadPartial = hasPartialMessage
        line.removeAll()
        clearBlock()
        lineNumber = 0
        return hadPartial && partial > 0 ? .truncatedMessage(bytes: partial) : nil
    }

    // MARK: - Lines

    private mutating func processLine(_ bytes: [UInt8], into results: inout [Output]) {
        if bytes.isEmpty {
            endBlock(into: &results)
            return
        }
        switch mode {
        case .skipping:
            return
        case .followsOutput:
            let text = String(decoding: bytes, as: UTF8.self)
            if text == "--END COMMAND--" {
                // The blank line that follows ends the message.
                return
            }
            output.append(text)
        case .headers:
            let text = String(decoding: bytes, as: UTF8.self)
            if headers.isEmpty, text.hasPrefix(AMIAdapter.bannerPrefix) {
                results.append(.success(AMIMessage(banner: text)))
                clearBlock()
                return
            }
            guard let colon = text.firstIndex(of: ":") else {
                if isFollows {
                    mode = .followsOutput
                    output.append(text)
                    return
                }
                // The line may be any bytes at all: it goes into logs escaped and cut.
                let shown = PrintableText.escaping(bytes, limit: AMIError.shownLineLimit)
                results.append(.failure(.malformedLine(line: shown, lineNumber: lineNumber)))
                // Garbage before any header is dropped alone; inside a block it spoils the block.
                if headers.isEmpty { clearBlock() } else { startSkipping() }
                return
            }
            let name = String(text[..<colon]).trimmingSpaces()
            var value = text[text.index(after: colon)...]
            while value.first == " " || value.first == "\t" { value = value.dropFirst() }
            headers.append(AMIHeader(name, String(value)))
        }
    }

    private var isFollows: Bool {
        headers.first.map { $0.name.lowercased() == "response" && $0.value.lowercased() == "follows" } ?? false
    }

    private mutating func endBlock(into results: inout [Output]) {
        if mode != .skipping, !headers.isEmpty {
            results.append(.success(AMIMessage(headers: headers, output: output)))
        }
        clearBlock()
    }

    private mutating func startSkipping() {
        headers.removeAll()
        output.removeAll()
        mode = .skipping
    }

    private mutating func clearBlock() {
        headers.removeAll()
        output.removeAll()
        blockBytes = 0
        mode = .headers
    }
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
