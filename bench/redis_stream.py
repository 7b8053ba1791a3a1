#!/usr/bin/env python3
"""Redis Streams throughput: HTTP ingest into a daemon without Redis and into a bridge with a sink
(apply_and_forward), a live replica's delay, and a fresh replica reading the whole stream; then checks
the three agree. Starts its own redis-server and daemons on loopback; every wait is bounded.

    python3 bench/redis_stream.py .build/release/wallboardd 50000   # contacts (two events each)
"""
import json, os, socket, subprocess, sys, time, urllib.request, tempfile, datetime
BIN = sys.argv[1]; N_CONTACTS = int(sys.argv[2])
def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def post(port, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/events", data=body.encode(), headers={"content-type": "application/x-ndjson"})
    return json.load(urllib.request.urlopen(req, timeout=120))
def get(port, path):
    return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read().decode()
def wait_healthy(port):
    for _ in range(200):
        try: get(port, "/healthz"); return
        except Exception: time.sleep(0.05)
    raise SystemExit("not healthy")
now = datetime.datetime.now(datetime.timezone.utc)
def ts(sec): return (now - datetime.timedelta(minutes=50) + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
lines = []
for i in range(N_CONTACTS):
    t = i * 0.05; q = f"q{i % 20}"
    lines.append(json.dumps({"id": f"c{i}-q", "ts": ts(t), "type": "contact.queued", "contact": f"c{i}", "queue": q, "channel": "voice"}))
    lines.append(json.dumps({"id": f"c{i}-x", "ts": ts(t + 7), "type": "contact.abandoned", "contact": f"c{i}"}))
lines.sort(key=lambda l: json.loads(l)["ts"])
batches = ["\n".join(lines[i:i + 5000]) for i in range(0, len(lines), 5000)]
d = tempfile.mkdtemp(prefix="wbbench-")
rport = free()
redis = subprocess.Popen(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--dir", d, "--save", "", "--appendonly", "no", "--logfile", d + "/redis.log"])
time.sleep(0.5)
procs = [redis]
try:
    def daemon(name, yaml):
        path = f"{d}/{name}.yaml"; open(path, "w").write(yaml); port = free()
        p = subprocess.Popen([BIN, "--config", path, "--listen", f"127.0.0.1:{port}", "--log-level", "error"], stderr=subprocess.DEVNULL)
        procs.append(p); wait_healthy(port); return port
    plain = daemon("plain", "simulator: {enabled: false}\n")
    bridge = daemon("bridge", f"redis:\n  url: redis://127.0.0.1:{rport}\n  sink: {{stream: ev, on_unavailable: refuse}}\n")
    replica = daemon("replica", f"redis:\n  url: redis://127.0.0.1:{rport}\n  source: {{stream: ev}}\n")
    for name, port in [("no redis", plain), ("apply_and_forward", bridge)]:
        t0 = time.time(); acc = 0
        for b in batches: acc += post(port, b)["accepted"]
        dt = time.time() - t0
        print(f"{name}: {acc} events in {dt:.2f} s = {acc / dt:.0f} events/s")
    t0 = time.time()
    while True:
        m = get(replica, "/metrics")
        read = next((float(l.split()[-1]) for l in m.splitlines() if l.startswith("wallboardd_redis_entries_read_total")), 0)
        if read >= len(lines) or time.time() - t0 > 300: break
        time.sleep(0.05)
    print(f"replica caught up {int(read)} entries {time.time() - t0:.2f} s after the bridge's last answer")
    # A fresh replica reading the whole stream from the day's start.
    t0 = time.time(); fresh = daemon("fresh", f"redis:\n  url: redis://127.0.0.1:{rport}\n  source: {{stream: ev}}\n")
    while True:
        m = get(fresh, "/metrics")
        read = next((float(l.split()[-1]) for l in m.splitlines() if l.startswith("wallboardd_redis_entries_read_total")), 0)
        if read >= len(lines) or time.time() - t0 > 300: break
        time.sleep(0.05)
    dt = time.time() - t0
    print(f"fresh replica read {int(read)} entries in {dt:.2f} s (start included) = {read / dt:.0f} entries/s")
    time.sleep(3)  # the last batches' publish
    snaps = [json.loads(get(p, "/api/v1/snapshot"))["center"]["metrics"]["today"] for p in (bridge, replica, fresh)]
    print("today offered/abandoned:", [(s["offered"], s["abandoned"]) for s in snaps])
    print("redis used_memory:", subprocess.run(["redis-cli", "-p", str(rport), "memory", "usage", "ev", "samples", "0"], capture_output=True, text=True).stdout.strip())
finally:
    for p in procs: p.terminate()
    for p in procs: p.wait(timeout=10)
    subprocess.run(["rm", "-rf", d])
