"""Samples the daemon from /proc and its HTTP endpoints, and judges the samples (the criterion is in
docs/reliability.md, "Soak")."""
from statistics import median
import http.client
import os
import time

COLUMNS = ["t_s", "phase", "rss_kib", "fds", "threads", "healthz_ms", "healthz", "readyz_ms", "readyz", "ws_clients", "events_applied",
           "alert_deliveries", "generator_sent", "generator_answered", "ami_connections", "webhook_requests"]


def proc_figures(pid):
    """(RSS KiB, open descriptors, threads) of `pid`, or None when it is gone."""
    try:
        rss = threads = None
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
        fds = len(os.listdir("/proc/%d/fd" % pid))
        return rss, fds, threads
    except (OSError, ValueError):
        return None


def http_get(port, path, timeout):
    """(status, body, milliseconds), or (None, error text, milliseconds)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read(4 << 20)
        return response.status, body, (time.monotonic() - started) * 1000
    except (OSError, http.client.HTTPException) as error:
        return None, str(error), (time.monotonic() - started) * 1000
    finally:
        connection.close()


def metric_sums(text):
    """Sums of the few /metrics families the CSV shows."""
    sums = {"wallboardd_websocket_clients": 0.0, "wallboardd_events_applied_total": 0.0,
            "wallboardd_alert_deliveries_total": 0.0}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if name in sums:
            try:
                sums[name] += float(line.rsplit(" ", 1)[1])
            except ValueError:
                pass
    return sums


def slope_per_minute(points):
    """Least-squares slope of (t seconds, value) points, per minute."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    variance = sum((t - mean_t) ** 2 for t, _ in points)
    if variance == 0:
        return 0.0
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / variance


# The criterion. Load samples are cut in thirds by time: the first is warm-up, the middle one is the
# reference, the last one must not exceed it by more than the tolerance. RSS compares the thirds'
# medians: 200 boards each holding a partly written 300 KB frame swing RSS by tens of MiB from one
# sample to the next, while a leak lifts every sample (its median as much as its peak).
# Descriptors and threads compare maxima (they do not swing).
RSS_TOLERANCE_FRACTION = 0.10
RSS_TOLERANCE_KIB = 8 * 1024
# Bytes of day-bounded state the engine keeps per accepted event (its id for duplicate suppression until
# the business day after, its timeline entry until the day ends): allowed on top for the events
# accepted during the last third. Measured: a release daemon with no boards grew 45 MB over 118,155
# events posted to /api/v1/events (about 380 bytes each; 2026-12-01).
RSS_BYTES_PER_EVENT = 400
FD_TOLERANCE = 20
FD_TOLERANCE_FRACTION = 0.10
THREAD_TOLERANCE = 4
# After the load stops the daemon must come back near its idle baseline. Threads may also stay at what
# the load itself needed: Dispatch keeps a worker for each serial queue its timers keep waking (engine,
# WebSocket messages, AMI, ingest, alerts), so the pool settles at the loaded size, not the idle one; a
# thread leak shows as growth during the load (above), or as more threads than the load ever had.
FD_BASELINE_SLACK = 8
THREAD_BASELINE_SLACK = 4


def judge(load, baseline, settled, events_last_third):
    """Failures (texts) for the load samples (dicts), the idle baseline and the settled figures."""
    failures = []
    if len(load) < 9:
        return ["only %d samples under load: too few to judge growth (run longer)" % len(load)]
    start, end = load[0]["t_s"], load[-1]["t_s"]
    third = (end - start) / 3
    middle = [s for s in load if start + third <= s["t_s"] < start + 2 * third]
    last = [s for s in load if s["t_s"] >= start + 2 * third]
    reference, final = median(s["rss_kib"] for s in middle), median(s["rss_kib"] for s in last)
    allowance = events_last_third * RSS_BYTES_PER_EVENT / 1024
    limit = reference * (1 + RSS_TOLERANCE_FRACTION) + RSS_TOLERANCE_KIB + allowance
    if final > limit:
        failures.append(
            "RSS keeps growing: median %.1f MiB in the last third > %.1f MiB allowed (middle third median %.1f MiB "
            "+ 10%% + 8 MiB + %.1f MiB for %d events accepted)"
            % (final / 1024, limit / 1024, reference / 1024, allowance / 1024, events_last_third))
    for key, absolute, fraction in (("fds", FD_TOLERANCE, FD_TOLERANCE_FRACTION), ("threads", THREAD_TOLERANCE, 0)):
        reference, final = max(s[key] for s in middle), max(s[key] for s in last)
        limit = reference * (1 + fraction) + absolute
        if final > limit:
            failures.append("%s keep growing: max %d in the last third > %d allowed (middle third max %d)"
                            % (key, final, limit, reference))
    if settled is not None:
        loaded_threads = max(s["threads"] for s in load)
        for key, slack in (("fds", FD_BASELINE_SLACK), ("threads", THREAD_BASELINE_SLACK)):
            allowed = baseline[key] + slack
            if key == "threads":
                allowed = max(allowed, loaded_threads)
            if settled[key] > allowed:
                failures.append("%s did not return to baseline after the load: %d now, %d before the load (%d allowed)"
                                % (key, settled[key], baseline[key], allowed))
    return failures
