import Testing
import WallboardAlerts
import WallboardCore

/// `Retry-After` comes from whatever a webhook URL answers: every form RFC 9110 allows gives its delay,
/// extremes saturate at ``RetryAfter/ceiling``, and anything else counts as no header. None of it may trap.
@Suite struct RetryAfterTests {
    let now = RFC3339.parse("2026-11-23T10:00:00Z")!

    @Test(arguments: [
        ("0", 0), ("120", 120_000), ("  45\t", 45_000), ("0000000000000000000000000000007", 7000),
        ("86399", 86_399_000), ("86400", RetryAfter.ceiling),
        ("9223372036854775807", RetryAfter.ceiling), ("9223372036854775808", RetryAfter.ceiling),
        ("99999999999999999999999999999999999999", RetryAfter.ceiling),
    ] as [(String, Millis)])
    func delaySecondsSaturateAtTheCeiling(value: String, expected: Millis) {
        #expect(RetryAfter.delay(value, now: now) == expected)
    }

    @Test(arguments: [
        "-9223372036854775808", "-1", "+5", "1.5", "1e9", "soon", "", "   ", "0x10", "5 s", "٣",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 2027 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 06 Nov 99999 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT",
    ])
    func malformedValuesCountAsAbsent(value: String) {
        #expect(RetryAfter.delay(value, now: now) == nil)
    }

    @Test func absentIsAbsent() {
        #expect(RetryAfter.delay(nil, now: now) == nil)
    }

    @Test func httpDatesInAllThreeFormsAreMeasuredFromNow() {
        // 10:02:00 on the same day, in IMF-fixdate, RFC 850 and asctime form.
        #expect(RetryAfter.delay("Mon, 23 Nov 2026 10:02:00 GMT", now: now) == 120_000)
        #expect(RetryAfter.delay("Monday, 23-Nov-26 10:02:00 GMT", now: now) == 120_000)
        #expect(RetryAfter.delay("Mon Nov 23 10:02:00 2026", now: now) == 120_000)
    }

    @Test func anHTTPDateIsMeasuredFromTheResponseDateWhenThereIsOne() {
        // The receiver's clock is an hour behind ours: it still means "in 30 seconds".
        let delay = RetryAfter.delay(
            "Mon, 23 Nov 2026 09:00:30 GMT", date: "Mon, 23 Nov 2026 09:00:00 GMT", now: now)
        #expect(delay == 30_000)
        // An unreadable Date header falls back to our clock.
        #expect(RetryAfter.delay("Mon, 23 Nov 2026 10:00:30 GMT", date: "yesterday", now: now) == 30_000)
    }

    @Test func datesFarAheadSaturateAndDatesInThePastMeanNow() {
        #expect(RetryAfter.delay("Fri, 31 Dec 9999 23:59:59 GMT", now: now) == RetryAfter.ceiling)
        #expect(RetryAfter.delay("Sat, 01 Jan 0000 00:00:00 GMT", now: now) == 0)
        #expect(RetryAfter.delay("Thu, 01 Jan 1970 00:00:00 GMT", now: now) == 0)
        // Extreme clocks on our side do not overflow the subtraction either.
        #expect(RetryAfter.delay("Fri, 31 Dec 9999 23:59:59 GMT", now: Instant(milliseconds: .min)) == RetryAfter.ceiling)
        #expect(RetryAfter.delay("Sat, 01 Jan 0000 00:00:00 GMT", now: Instant(milliseconds: .max)) == 0)
    }

    @Test func theOutboxCapsRetryAfterAtItsMaxBackoff() {
        let policy = OutboxPolicy(maxAttempts: 5, initialBackoff: .seconds(5), maxBackoff: .minutes(10), jitter: 0)
        var outbox = Outbox(policy: policy)
        let request = NotificationRequest(url: "http://127.0.0.1:9/hook", headers: [], body: ["a": 1])
        outbox.enqueue(request, id: "k/fire/hook", notifier: "hook", alertID: "A", event: .fire, now: now)
        _ = outbox.claimDue(now: now)
        var random = FixedRandom(value: 0)
        let retryAfter = RetryAfter.delay("9223372036854775807", now: now)
        let outcome = outbox.markFailed(
            id: "k/fire/hook", failure: .status(503, retryAfter: retryAfter), now: now, random: &random)
        #expect(outcome == .retry(at: now.advanced(by: .minutes(10))))
    }
}
