import Synchronization

/// A value made when first asked for, once, then kept: by whichever thread asks first (the others wait
/// for it). For what most uses never need, e.g. a delta frame's whole fallback (``OutboundFrame``),
/// which only a client that missed the frame before it needs.
package final class Lazy<Value: Sendable>: Sendable {
    private enum State {
        case pending(@Sendable () -> Value)
        case made(Value)
    }

    private let state: Mutex<State>

    /// `make` runs at most once, at the first ``value``; it must not ask this instance for its value.
    package init(_ make: @escaping @Sendable () -> Value) { state = Mutex(.pending(make)) }

    /// A value made already.
    package init(value: Value) { state = Mutex(.made(value)) }

    package var value: Value {
        state.withLock { state in
            switch state {
            case .made(let value):
                return value
            case .pending(let make):
                let value = make()
                state = .made(value)
                return value
            }
        }
    }
}
