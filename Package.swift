// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Module graph (see README "Repository layout"):
/// CLibWebSockets, CJSONC, CHiredis (system libraries) → LWS, JSONC, Redis (the only importers of C) →
/// JSONModel, WallboardCore (pure Swift, no C, no I/O) → AMIAdapter → WallboardServer (composition) →
/// wallboardd, wallboardctl (executables, `main` only).
let package = Package(
    name: "wallboardd",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wallboardd", targets: ["wallboardd"]),
        .executable(name: "wallboardctl", targets: ["wallboardctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibWebSockets",
            pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev"])]
        ),
        .systemLibrary(
            name: "CJSONC",
            pkgConfig: "json-c",
            providers: [.apt(["libjson-c-dev"])]
        ),
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(name: "JSONModel"),
        // The Redis client: the only importer of CHiredis (see docs/scaling.md).
        .target(name: "Redis", dependencies: ["CHiredis"]),
        .target(name: "JSONC", dependencies: ["CJSONC", "JSONModel"]),
        .target(name: "WallboardCore", dependencies: ["JSONModel"]),
        .target(name: "AMIAdapter", dependencies: ["WallboardCore"]),
        .target(name: "WallboardAlerts", dependencies: ["WallboardCore", "JSONModel"]),
        .target(name: "WallboardJournal", dependencies: ["WallboardCore"]),
        .target(
            name: "LWS",
            dependencies: ["CLibWebSockets", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "WallboardClient",
            dependencies: ["JSONModel", "JSONC"]
        ),
        .target(
            name: "WallboardServer",
            dependencies: [
                "WallboardCore", "JSONC", "LWS", "AMIAdapter", "WallboardAlerts", "WallboardJournal", "Redis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "wallboardd",
            dependencies: [
                "WallboardServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "wallboardctl",
            dependencies: [
                "WallboardServer", "WallboardClient", "WallboardCore", "JSONC", "AMIAdapter", "WallboardJournal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "JSONCTests", dependencies: ["JSONC", "JSONModel"]),
        .testTarget(name: "WallboardCoreTests", dependencies: ["WallboardCore", "JSONModel"]),
        .testTarget(
            name: "AMIAdapterTests",
            dependencies: ["AMIAdapter", "WallboardCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "WallboardAlertsTests", dependencies: ["WallboardAlerts", "WallboardCore", "JSONModel"]),
        .testTarget(name: "WallboardJournalTests", dependencies: ["WallboardJournal", "WallboardCore"]),
        // The fuzz targets' entry code (Fuzz/Entries), replayed over Fuzz/regressions by FuzzRegressionTests;
        // the libFuzzer executables that call it exist only with WALLBOARD_FUZZ=1 (see below, scripts/fuzz).
        .target(
            name: "WallboardFuzz",
            dependencies: [
                "WallboardServer", "WallboardCore", "AMIAdapter", "JSONC", "JSONModel", "LWS",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/Entries"
        ),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["WallboardFuzz"]),
        .testTarget(
            name: "WallboardServerTests",
            dependencies: [
                "WallboardServer", "WallboardClient", "WallboardCore", "JSONC", "JSONModel", "WallboardJournal", "Redis",
            ]
        ),
    ]
)

/// libFuzzer targets (`Fuzz/Targets/<Name>/main.swift`), only for `WALLBOARD_FUZZ=1 scripts/fuzz`, which
/// builds them with `-sanitize=fuzzer,address` into `.build-fuzz`; ordinary builds never see them.
if ProcessInfo.processInfo.environment["WALLBOARD_FUZZ"] == "1" {
    for name in ["EventDecoder", "AMIStream", "WebSocketMessage", "HTTPRequest", "ConfigLoader"] {
        package.targets.append(
            .executableTarget(name: "Fuzz\(name)", dependencies: ["WallboardFuzz"], path: "Fuzz/Targets/\(name)"))
        package.products.append(.executable(name: "Fuzz\(name)", targets: ["Fuzz\(name)"]))
    }
}
