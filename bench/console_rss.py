#!/usr/bin/env python3
"""RSS of wallboardd after a 10,000-agent day, and what `GET /api/v1/console/agents` costs (docs/benchmarks.md,
"Supervisor console"). Loopback only, bounded: one ingest, one request per binary.

  bench/console_rss.py DAY.ndjson BINARY [BINARY ...]     (DAY from gen_day.py --agents 10000)

For each binary: a fresh daemon (no journal, no simulator, tokenless local admin), the file posted over HTTP
(ingest.py), 2 s idle, VmRSS/VmHWM; then, if the binary serves it, one GET /api/v1/console/agents: its
seconds, size and the RSS after it. Prints one JSON line per binary.
"""
import json, os, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def measure(binary, day):
    port = free_port()
    folder = tempfile.mkdtemp(prefix="console-rss-")
    config = os.path.join(folder, "wallboardd.yaml")
    with open(config, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\naccess:\n  loopback_without_token: true\n  tokens:\n"
                f"    - {{name: bench, role: admin, hash: \"{'0' * 64}\"}}\n")
    proc = subprocess.Popen([binary, "--config", config, "--log-level", "error"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2).read()
                break
            except (OSError, urllib.error.HTTPError):
                time.sleep(0.2)
        ingest = subprocess.run([sys.executable, os.path.join(HERE, "ingest.py"), "http", f"http://127.0.0.1:{port}", day,
                                 "--timeout", "600"], capture_output=True, timeout=700)
        sent = json.loads(ingest.stdout.decode().strip().splitlines()[-1])
        time.sleep(2)
        result = {"binary": binary, "lines": sent.get("lines"), "rss_mb": status_kb(proc.pid, "VmRSS") / 1024,
                  "hwm_mb": status_kb(proc.pid, "VmHWM") / 1024}
        start = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/console/agents", timeout=60) as r:
                body = r.read()
            result.update(agents_seconds=round(time.monotonic() - start, 3), agents_bytes=len(body),
                          agents=len(json.loads(body)["agents"]))
            time.sleep(2)
            result.update(rss_after_agents_mb=status_kb(proc.pid, "VmRSS") / 1024,
                          hwm_after_agents_mb=status_kb(proc.pid, "VmHWM") / 1024)
        except urllib.error.HTTPError as e:
            result["agents_status"] = e.code
        return result
    finally:
        proc.terminate()
        proc.wait(20)


if __name__ == "__main__":
    for binary in sys.argv[2:]:
        print(json.dumps(measure(os.path.abspath(binary), sys.argv[1])), flush=True)
