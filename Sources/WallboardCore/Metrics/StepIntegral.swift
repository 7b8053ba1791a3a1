/// How many agents of a scope are in a class of states (handling, available, logged in) over time, as a
/// step function, with its running integral, so the agent time inside any window `[a, b]` is
/// `C(b) − C(a)`: two binary searches, whatever the number of agents or state changes in the window.
///
/// Breakpoints are kept sorted by time with unique times; `points[i].count` holds from `points[i].time`
/// until the next breakpoint and `points[i].integral` is the integral up to that time (from an arbitrary origin: only
/// differences are used). A change at the end (the usual case) is O(1) amortised; a change in the
/// past inserts a breakpoint and shifts the ones after it, exactly. ``drop(before:)`` forgets
/// breakpoints no window reaches any more; the integral stays exact from the cut on. See
/// docs/metrics.md, "How windows are computed".
struct StepIntegral: Sendable {
    /// One breakpoint: the count from `time` until the next one, and the integral up to `time`. Kept
    /// together in one array, so a change touches one buffer instead of three (issue 14: an agent's state
    /// change updates three of these in each of its scopes).
    private struct Point: Sendable {
        var time: Int64
        var count: Int
        var integral: Int64
    }

    private var points: [Point] = []
    /// Breakpoints before `head` are forgotten (removed from the array in batches).
    private var head = 0
    /// The count before the first kept breakpoint (back to the cut).
    private(set) var before = 0

    init() {}

    /// Largest integral value a restored function may hold (2^60, over a million days of 10,000 agents):
    /// reads then add at most count × milliseconds and subtract another such value without overflow.
    static let integralLimit: Int64 = 1 << 60

    /// A function as ``before``, ``origin`` and ``breakpoints`` describe it (a checkpoint; the caller
    /// checked that times increase strictly, lie in `0..<2^42` and counts in `0...1_000_000`). Nil when
    /// an integral would leave ±``integralLimit``.
    init?(before: Int, origin: Int64, breakpoints: [(time: Instant, count: Int)]) {
        guard origin.magnitude <= Self.integralLimit.magnitude else { return nil }
        self.before = before
        for point in breakpoints {
            var integral = origin
            if let last = points.last {
                let step = Int64(last.count).multipliedReportingOverflow(by: point.time.milliseconds - last.time)
                let sum = last.integral.addingReportingOverflow(step.partialValue)
                guard !step.overflow, !sum.overflow, sum.partialValue.magnitude <= Self.integralLimit.magnitude else { return nil }
                integral = sum.partialValue
            }
            points.append(Point(time: point.time.milliseconds, count: point.count, integral: integral))
        }
    }

    /// The kept breakpoints, oldest first.
    var breakpoints: [(time: Instant, count: Int)] {
        points[head...].map { (Instant(milliseconds: $0.time), $0.count) }
    }

    /// The integral's value at the first kept breakpoint (0 without one), so a restored function
    /// reads the same values as the one it was stored from.
    var origin: Int64 { head < points.count ? points[head].integral : 0 }

    /// The integral of the count over `[from, to]` (0 when `to ≤ from`), in count × milliseconds.
    func integral(from: Instant, to: Instant) -> Int64 {
        guard to > from else { return 0 }
        return value(at: to.milliseconds) - value(at: from.milliseconds)
    }

    /// Adds `delta` to the count from `time` on.
    mutating func add(_ delta: Int, at time: Instant) {
        guard delta != 0 else { return }
        let t = time.milliseconds
        if let last = points.last, points.count > head, last.time <= t {
            if last.time == t {
                points[points.count - 1].count += delta
            } else {
                points.append(Point(time: t, count: last.count + delta, integral: last.integral + Int64(last.count) * (t - last.time)))
            }
            return
        }
        if points.count == head {
            points.append(Point(time: t, count: before + delta, integral: points.last?.integral ?? 0))
            return
        }
        // A change in the past: insert (or reuse) a breakpoint at `t` and shift every later one.
        var shiftFrom: Int
        if let index = lastIndex(atOrBefore: t) {
            let point = points[index]
            if point.time == t {
                points[index].count += delta
                shiftFrom = index + 1
            } else {
                let integral = point.integral + Int64(point.count) * (t - point.time)
                points.insert(Point(time: t, count: point.count + delta, integral: integral), at: index + 1)
                shiftFrom = index + 2
            }
        } else {
            let integral = points[head].integral - Int64(before) * (points[head].time - t)
            points.insert(Point(time: t, count: before + delta, integral: integral), at: head)
            shiftFrom = head + 1
        }
        while shiftFrom < points.count {
            points[shiftFrom].count += delta
            points[shiftFrom].integral += Int64(delta) * (points[shiftFrom].time - t)
            shiftFrom += 1
        }
    }

    /// Forgets breakpoints no window starting at `cut` or later needs: all but the last one at or
    /// before `cut`, which holds the count from there on.
    mutating func drop(before cut: Instant) {
        let t = cut.milliseconds
        var index = head
        while index + 1 < points.count, points[index + 1].time <= t { index += 1 }
        guard index > head else { return }
        before = points[index - 1].count
        head = index
        if head >= 1024, head * 2 >= points.count {
            points.removeFirst(head)
            head = 0
        }
    }

    /// The integral from the function's origin to `time` (only differences mean something).
    func value(at time: Instant) -> Int64 { value(at: time.milliseconds) }

    private func value(at t: Int64) -> Int64 {
        if let index = lastIndex(atOrBefore: t) { return points[index].integral + Int64(points[index].count) * (t - points[index].time) }
        guard head < points.count else { return 0 }
        return points[head].integral - Int64(before) * (points[head].time - t)
    }

    private func lastIndex(atOrBefore t: Int64) -> Int? {
        if let last = points.last, points.count > head, last.time <= t { return points.count - 1 }
        var low = head
        var high = points.count
        while low < high {
            let mid = (low + high) / 2
            if points[mid].time <= t { low = mid + 1 } else { high = mid }
        }
        return low > head ? low - 1 : nil
    }
}

/// Agent time of one scope: one ``StepIntegral`` per class of states.
struct AgentIntegrals: Sendable {
    var handling = StepIntegral()
    var available = StepIntegral()
    var loggedIn = StepIntegral()

    /// The agent time inside `[from, to]`.
    func time(from: Instant, to: Instant) -> AgentTime {
        AgentTime(
            handling: handling.integral(from: from, to: to), available: available.integral(from: from, to: to),
            loggedIn: loggedIn.integral(from: from, to: to))
    }

    /// The three integrals' values at `time` (only differences mean something).
    func values(at time: Instant) -> AgentTime {
        AgentTime(handling: handling.value(at: time), available: available.value(at: time), loggedIn: loggedIn.value(at: time))
    }

    /// Adds `delta` agents to each class from `time` on.
    mutating func add(_ delta: AgentTime.Classes, at time: Instant) {
        handling.add(delta.handling, at: time)
        available.add(delta.available, at: time)
        loggedIn.add(delta.loggedIn, at: time)
    }

    mutating func drop(before cut: Instant) {
        handling.drop(before: cut)
        available.drop(before: cut)
        loggedIn.drop(before: cut)
    }
}

/// Agent time of one scope in one window, in milliseconds.
struct AgentTime: Sendable, Equatable {
    var handling: Millis = 0
    var available: Millis = 0
    var loggedIn: Millis = 0

    /// How many agents a change adds to each class (−1, 0 or 1 each).
    struct Classes: Sendable, Equatable {
        var handling = 0
        var available = 0
        var loggedIn = 0

        /// The classes an agent in `state` counts in (nothing when `nil`, logged out).
        init(_ state: AgentState?) {
            guard let state, state != .offline else { return }
            loggedIn = 1
            switch state {
            case .onContact, .wrapUp: handling = 1
            case .available: available = 1
            case .ringing, .notReady, .offline: break
            }
        }

        init(handling: Int, available: Int, loggedIn: Int) {
            self.handling = handling
            self.available = available
            self.loggedIn = loggedIn
        }

        /// `new − old`.
        static func change(from old: AgentState?, to new: AgentState?) -> Classes {
            let a = Classes(old)
            let b = Classes(new)
            return Classes(handling: b.handling - a.handling, available: b.available - a.available, loggedIn: b.loggedIn - a.loggedIn)
        }

        var isZero: Bool { handling == 0 && available == 0 && loggedIn == 0 }
    }

    static func + (lhs: AgentTime, rhs: AgentTime) -> AgentTime {
        AgentTime(handling: lhs.handling + rhs.handling, available: lhs.available + rhs.available, loggedIn: lhs.loggedIn + rhs.loggedIn)
    }

    static func - (lhs: AgentTime, rhs: AgentTime) -> AgentTime {
        AgentTime(handling: lhs.handling - rhs.handling, available: lhs.available - rhs.available, loggedIn: lhs.loggedIn - rhs.loggedIn)
    }

    /// `count` agents over `duration` milliseconds of each class.
    static func scaled(_ classes: Classes, by duration: Millis) -> AgentTime {
        AgentTime(
            handling: Int64(classes.handling) * duration, available: Int64(classes.available) * duration,
            loggedIn: Int64(classes.loggedIn) * duration)
    }
}

extension WindowMetrics {
    /// Sets the agent time fields.
    mutating func setAgentTime(_ time: AgentTime) {
        handlingTime = time.handling
        availableTime = time.available
        loggedInTime = time.loggedIn
    }

    var agentTime: AgentTime { AgentTime(handling: handlingTime, available: availableTime, loggedIn: loggedInTime) }
}
