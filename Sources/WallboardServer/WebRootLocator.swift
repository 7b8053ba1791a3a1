import Foundation

/// Finds the board's static files when `--web-root` is not given.
public enum WebRootLocator {
    /// The first of: `$WALLBOARD_WEB_ROOT`, `./web`, `<executable>/../share/wallboardd/web`,
    /// `/usr/share/wallboardd/web`, and the source checkout's `web/` above a `.build` folder,
    /// that holds an `index.html`.
    public static func locate(executablePath: String = CommandLine.arguments[0]) -> String? {
        var candidates: [String] = []
        if let fromEnvironment = ProcessInfo.processInfo.environment["WALLBOARD_WEB_ROOT"] {
            candidates.append(fromEnvironment)
        }
        let cwd = FileManager.default.currentDirectoryPath
        candidates.append(cwd + "/web")
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(executable.appendingPathComponent("../share/wallboardd/web").standardized.path)
        candidates.append("/usr/share/wallboardd/web")
        var folder = executable
        for _ in 0..<5 {
            if folder.lastPathComponent == ".build" || folder.lastPathComponent.hasPrefix(".build-") {
                candidates.append(folder.deletingLastPathComponent().appendingPathComponent("web").path)
                break
            }
            folder = folder.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/index.html") }
            .map { URL(fileURLWithPath: $0).standardized.path }
    }
}
