"""The soak criterion on made-up series: `cd scripts && python3 -m unittest soaklib.test_sampler`."""
import unittest

from soaklib import sampler

BASELINE = {"rss_kib": 40000, "fds": 19, "threads": 8}
SETTLED = {"rss_kib": 60000, "fds": 21, "threads": 9}


def series(rss, fds=lambda i: 200 + (i * 7) % 30, threads=lambda i: 9, count=90):
    return [{"t_s": 2.0 * i, "rss_kib": rss(i), "fds": fds(i), "threads": threads(i)} for i in range(count)]


class JudgeTests(unittest.TestCase):
    def test_flat_after_warm_up_passes(self):
        load = series(lambda i: 50000 + min(i, 30) * 300 + (i * 13) % 2000)
        self.assertEqual(sampler.judge(load, BASELINE, SETTLED, events_last_third=18000), [])

    def test_steady_growth_fails_on_rss(self):
        load = series(lambda i: 50000 + i * 600)  # 18 MiB per third
        failures = sampler.judge(load, BASELINE, SETTLED, events_last_third=0)
        self.assertEqual(len(failures), 1)
        self.assertIn("RSS keeps growing", failures[0])

    def test_growth_within_the_per_event_allowance_passes(self):
        load = series(lambda i: 50000 + i * 600)
        events = int(18 * 1024 * 1024 / sampler.RSS_BYTES_PER_EVENT)
        self.assertEqual(sampler.judge(load, BASELINE, SETTLED, events_last_third=events), [])

    def test_leaking_descriptors_fail(self):
        load = series(lambda i: 60000, fds=lambda i: 200 + i * 2)
        failures = sampler.judge(load, BASELINE, SETTLED, events_last_third=0)
        self.assertTrue(any(f.startswith("fds keep growing") for f in failures), failures)

    def test_threads_that_stay_after_the_load_fail(self):
        load = series(lambda i: 60000)
        failures = sampler.judge(load, BASELINE, dict(SETTLED, threads=20), events_last_third=0)
        self.assertEqual(failures, ["threads did not return to baseline after the load: 20 now, 8 before the load (12 allowed)"])

    def test_threads_may_stay_at_what_the_load_needed(self):
        load = series(lambda i: 60000, threads=lambda i: 12)
        self.assertEqual(sampler.judge(load, BASELINE, dict(SETTLED, threads=12), events_last_third=0), [])

    def test_rss_swings_from_frame_buffers_pass_when_the_median_holds(self):
        # Every fourth sample 40 MiB higher (boards' partly written frames), no trend.
        load = series(lambda i: 90000 + (40 * 1024 if i % 4 == 0 else 0) + (i * 13) % 2000)
        load[-1]["rss_kib"] += 60 * 1024  # one late peak
        self.assertEqual(sampler.judge(load, BASELINE, SETTLED, events_last_third=0), [])

    def test_too_few_samples_is_a_failure_not_a_pass(self):
        self.assertIn("too few", sampler.judge(series(lambda i: 1, count=5), BASELINE, SETTLED, 0)[0])


if __name__ == "__main__":
    unittest.main()
