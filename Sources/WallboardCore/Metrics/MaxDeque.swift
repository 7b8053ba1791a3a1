/// The longest wait of a scope over `[a, end of the window]` for any `a`, as a rolling window needs it
/// while its trailing edge moves: a maximum cannot be subtracted, so each window keeps the departures
/// that can still be the maximum ("monotonic deque"): sorted by time, waits strictly decreasing, each
/// one the maximum of everything from its time on. Appending in time order and dropping from the
/// front are O(1) amortised; a late departure (earlier than the newest) is inserted at its place,
/// removing the ones it dominates, which keeps the answer exact.
struct MaxDeque: Sendable {
    private var times: [Int64] = []
    private var waits: [Millis] = []
    private var head = 0

    init() {}

    var isEmpty: Bool { head == times.count }

    /// The longest wait of the departures at `from` or later.
    func max(from: Instant) -> Millis? {
        let index = firstIndex(atOrAfter: from.milliseconds)
        return index < times.count ? waits[index] : nil
    }

    /// Notes a departure that waited `wait`, at `time`.
    mutating func insert(_ wait: Millis, at time: Instant) {
        let t = time.milliseconds
        var end = times.count
        if let last = times.last, end > head, last > t { end = firstIndex(after: t) }
        if end < times.count, waits[end] >= wait { return }
        var start = end
        while start > head, waits[start - 1] <= wait { start -= 1 }
        if start > head, times[start - 1] == t {
            times.removeSubrange(start..<end)
            waits.removeSubrange(start..<end)
            return
        }
        // In place, without a temporary array: this runs for every departure, window and scope.
        if end == times.count {
            times.removeSubrange(start..<end)
            waits.removeSubrange(start..<end)
            times.append(t)
            waits.append(wait)
        } else {
            times.replaceSubrange(start..<end, with: CollectionOfOne(t))
            waits.replaceSubrange(start..<end, with: CollectionOfOne(wait))
        }
    }

    /// Forgets departures before `cut`.
    mutating func drop(before cut: Instant) {
        let t = cut.milliseconds
        while head < times.count, times[head] < t { head += 1 }
        if head >= 256, head * 2 >= times.count {
            times.removeFirst(head)
            waits.removeFirst(head)
            head = 0
        }
    }

    private func firstIndex(atOrAfter t: Int64) -> Int {
        var low = head
        var high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid] < t { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private func firstIndex(after t: Int64) -> Int {
        var low = head
        var high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid] <= t { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
