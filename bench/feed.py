#!/usr/bin/env python3
"""Event feed for the fan-out benchmark: posts a synthetic center's events at a steady rate, stamped now.

  feed.py URL SOURCE.ndjson --setup-lines N --rate 1000 --seconds S [--marker-hz 4] [--prefix p]
SOURCE is gen_day.py output. The first N lines (the agents' logins and first states) are posted at once,
with the marker agent's login; then the rest at --rate events/s, in batches every 50 ms, each line's
`ts` replaced with the instant of posting and its `id` prefixed (so runs never collide). --marker-hz
times a second the batch also carries `agent.state` not_ready for the agent `bench-marker` with reason
`bm<16-digit microseconds since the epoch>` (the instant of the post): the fleet times each frame that
first shows a newer marker. The gap between markers is drawn uniformly from 0.5 to 1.5 times 1/--marker-hz
(seeded, so runs repeat): markers at a fixed 4 a second phase-lock with the daemon's 4-a-second publish
cycle and measure one point of it instead of the mean wait. Standard library only. Prints one JSON line; exits 1 on an HTTP error.
"""
import argparse, http.client, json, random, re, sys, time, urllib.parse
from datetime import datetime, timezone

TS = re.compile(rb'"ts":"[^"]*"')
ID = re.compile(rb'"id":"')


def stamp(now):
    return datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z").encode()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("source")
    p.add_argument("--setup-lines", type=int, required=True)
    p.add_argument("--rate", type=float, default=1000)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--marker-hz", type=float, default=4)
    p.add_argument("--prefix", default="f")
    a = p.parse_args()
    with open(a.source, "rb") as f:
        lines = [l for l in f.read().split(b"\n") if l]
    u = urllib.parse.urlsplit(a.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    stats = {"posted": 0, "markers": 0, "batches": 0, "rejected": 0, "held": 0, "late_batches": 0}
    prefix = a.prefix.encode()

    def post(batch):
        conn.request("POST", "/api/v1/events", body=b"\n".join(batch) + b"\n",
                     headers={"Content-Type": "application/x-ndjson"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status not in (200, 422):
            sys.exit(f"feed: HTTP {resp.status}: {body[:300]!r}")
        answer = json.loads(body)
        stats["rejected"] += len(answer.get("rejected", []))
        stats["held"] += len(answer.get("held", []))
        stats["batches"] += 1

    def rewrite(line, ts):
        return ID.sub(b'"id":"' + prefix, TS.sub(b'"ts":"' + ts + b'"', line, count=1), count=1)

    marker_no = [0]

    def marker(ts):
        marker_no[0] += 1
        stats["markers"] += 1
        micros = time.time_ns() // 1000
        return (b'{"id":"%smk%d","ts":"%s","type":"agent.state","agent":"bench-marker","state":"not_ready","reason":"bm%016d"}'
                % (prefix, marker_no[0], ts, micros))

    ts = stamp(time.time())
    setup = [rewrite(l, ts) for l in lines[:a.setup_lines]]
    setup.append(b'{"id":"%smklogin","ts":"%s","type":"agent.login","agent":"bench-marker","name":"Bench Marker","team":"bench","queues":["q0"]}' % (prefix, ts))
    for i in range(0, len(setup), 5000):
        post(setup[i:i + 5000])
    stats["posted"] += len(setup)
    if a.seconds <= 0:
        print(json.dumps(stats))
        return

    rest = lines[a.setup_lines:]
    gaps = random.Random(20261202)
    per_batch = a.rate * 0.05
    start = time.monotonic()
    next_marker = start
    owed = 0.0
    cursor = 0
    tick = 0
    while True:
        tick += 1
        due = start + tick * 0.05
        now = time.monotonic()
        if now - start >= a.seconds or cursor >= len(rest):
            break
        if due > now:
            time.sleep(due - now)
        else:
            stats["late_batches"] += 1
        ts = stamp(time.time())
        owed += per_batch
        take = int(owed)
        owed -= take
        batch = [rewrite(l, ts) for l in rest[cursor:cursor + take]]
        cursor += take
        if time.monotonic() >= next_marker:
            batch.append(marker(ts))
            next_marker += gaps.uniform(0.5, 1.5) / a.marker_hz
        if batch:
            post(batch)
            stats["posted"] += len(batch)
    stats["seconds"] = time.monotonic() - start
    stats["per_second"] = stats["posted"] / stats["seconds"] if stats["seconds"] > 0 else 0
    stats["source_exhausted"] = cursor >= len(rest)
    print(json.dumps(stats))


main()
