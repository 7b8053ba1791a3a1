import WallboardFuzz

// Built only by scripts/fuzz (WALLBOARD_FUZZ=1), with `-sanitize=fuzzer,address -parse-as-library`.

/// libFuzzer's per-input entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAMIStream(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    FuzzTarget.amiStream.run(data, count)
}

/// SwiftPM's debug builds link an executable's `main` to `<module>_main` (so tests can load it);
/// with no top-level code that symbol is ours to define: it hands over to libFuzzer's driver. (In a
/// release build libFuzzer's own `main` is used and this is never called.)
@_cdecl("FuzzAMIStream_main")
public func fuzzAMIStreamMain(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, { fuzzAMIStream($0, $1) })
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
