/// Fair, bounded WebSocket writing on the one service thread.
///
/// libwebsockets calls every writable connection once per pass of its service loop (one `poll`),
/// HTTP connections included. Left alone, a pass writes one frame to every board that has one, so
/// with a thousand boards taking 60 KB each a pass writes 60 MB, and an HTTP request (an ingest
/// POST, `/readyz`) waits for it: at 10,000 boards the bench's feed timed out after 30 s.
///
/// Two rules bound that. A pass writes WebSocket frames only until it has written `budget` bytes;
/// the connections it passes over ask to be called again and go first in a later pass. And each
/// connection writes at most one frame per *round*: a round ends with the first pass in which every
/// connection that wanted to write had already written in it, so boards early in lws's descriptor
/// order cannot take every pass's budget while later boards wait. Service thread only.
struct WriteRounds {
    /// The current round; connections remember the round they last wrote in (0: never).
    private(set) var round: UInt64 = 1
    /// WebSocket bytes written in this pass.
    private(set) var passBytes = 0
    private var wroteThisPass = false
    private var deferredThisPass = false

    /// Whether a connection that last wrote in `lastRound` may write now; if not, it was deferred
    /// and the caller asks lws to call it again.
    mutating func mayWrite(lastRound: UInt64, budget: Int) -> Bool {
        if lastRound >= round || (wroteThisPass && passBytes >= budget) {
            deferredThisPass = true
            return false
        }
        return true
    }

    /// Records a frame of `bytes` written; returns the round to remember for its connection.
    mutating func wrote(_ bytes: Int) -> UInt64 {
        let (sum, overflow) = passBytes.addingReportingOverflow(max(0, bytes))
        passBytes = overflow ? .max : sum
        wroteThisPass = true
        return round
    }

    /// Ends a pass of the service loop: a pass that only deferred connections (each had written
    /// in this round) starts the next round. Returns the bytes the pass wrote.
    mutating func endPass() -> Int {
        defer {
            if deferredThisPass && !wroteThisPass { round &+= 1 }
            passBytes = 0
            wroteThisPass = false
            deferredThisPass = false
        }
        return passBytes
    }
}
