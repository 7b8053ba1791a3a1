import Dispatch
import Synchronization

/// Bounds the journal replays that `GET /api/v1/intervals?day=YYYY-MM-DD` starts for days the engine no
/// longer holds (docs/intervals.md): a day of a million events takes about ten seconds of a core and a
/// fresh engine's memory, so replays run one at a time on a utility queue of their own, and while
/// ``maxWaiting`` requests wait, another is refused (503 with `Retry-After`) instead of piling up.
final class PastDayReplays: Sendable {
    /// Requests that may wait for (or run) a replay at once.
    let maxWaiting: Int
    /// Where replays run, one at a time, below the engine and the lws thread.
    private let work = DispatchQueue(label: "wallboardd.past-days", qos: .utility)
    private let waiting = Mutex(0)

    init(maxWaiting: Int = 4) {
        self.maxWaiting = max(1, maxWaiting)
    }

    /// Requests waiting for or running a replay now.
    var count: Int { waiting.withLock { $0 } }

    /// Runs `replay` on the replay queue and returns true, or returns false (nothing run) when
    /// ``maxWaiting`` requests already wait.
    func submit(_ replay: @escaping @Sendable () -> Void) -> Bool {
        let admitted = waiting.withLock { count -> Bool in
            guard count < maxWaiting else { return false }
            count += 1
            return true
        }
        guard admitted else { return false }
        work.async { [self] in
            defer { waiting.withLock { $0 -= 1 } }
            replay()
        }
        return true
    }

    /// The daemon's: every intervals request shares it.
    static let shared = PastDayReplays()
}
