import WallboardServer

/// The config file as `wallboardd --config` reads it: YAML text → ``DaemonConfiguration``. Errors are
/// the expected answer to most inputs; a trap is a bug.
enum ConfigLoaderFuzz {
    static func run(_ bytes: [UInt8]) {
        // `DaemonConfiguration.load(path:)` refuses a file that is not UTF-8 before parsing.
        guard let yaml = String(validating: bytes, as: UTF8.self) else { return }
        _ = try? DaemonConfiguration.parse(yaml: yaml, fileName: "fuzz.yaml")
    }
}
