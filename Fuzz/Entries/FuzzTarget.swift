/// The fuzz targets of wallboardd, each a function from arbitrary bytes to nothing that must not trap.
///
/// The libFuzzer executables (`Fuzz/Targets/<Name>`, built only with `WALLBOARD_FUZZ=1`, see
/// `scripts/fuzz`) and the regression test (`Tests/FuzzRegressionTests`, which replays every file in
/// `Fuzz/regressions/<name>/`) call the same ``run(_:)``, so a fixed crash stays fixed without the
/// fuzzer build.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Ingest body → ``EventBatchDecoder`` (JSONC, NDJSON lines, EventDecoder) → a fresh engine.
    case eventDecoder = "EventDecoder"
    /// AMI bytes in chunks → AMIFrameDecoder → AMIEventMapper (events, resync lists, ticks).
    case amiStream = "AMIStream"
    /// WebSocket client text frames → WallboardAPI.webSocketReceived over a hub with real topics.
    case webSocketMessage = "WebSocketMessage"
    /// A textual HTTP request → HTTPRequest → WallboardAPI.handle (routes, query, access, ingest body).
    case httpRequest = "HTTPRequest"
    /// YAML text → DaemonConfiguration.parse (errors are fine, traps are not).
    case configLoader = "ConfigLoader"

    /// Runs one input through the target.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .eventDecoder: EventDecoderFuzz.run(bytes)
        case .amiStream: AMIStreamFuzz.run(bytes)
        case .webSocketMessage: WebSocketMessageFuzz.run(bytes)
        case .httpRequest: HTTPRequestFuzz.run(bytes)
        case .configLoader: ConfigLoaderFuzz.run(bytes)
        }
    }

    /// Runs the input libFuzzer hands to `LLVMFuzzerTestOneInput`.
    public func run(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
        run(data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
        return 0
    }
}
