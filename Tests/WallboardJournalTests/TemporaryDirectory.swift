import Foundation
import WallboardJournal

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/wbjournal-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func bytes(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: file(name)) ?? Data()) }

    func write(_ bytes: [UInt8], to name: String) {
        _ = FileManager.default.createFile(atPath: file(name), contents: Data(bytes))
    }
}

/// An event-like payload numbered `index`.
func payload(_ index: Int, size: Int = 0) -> [UInt8] {
    let base = #"{"id":"ev-\#(index)","ts":"2026-11-23T14:00:00.000Z","type":"agent.state","agent":"a\#(index % 50)"}"#
    return Array((base + String(repeating: " ", count: max(0, size - base.utf8.count))).utf8)
}

let day1 = JournalDay("2026-11-23")!
