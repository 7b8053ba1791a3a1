#!/usr/bin/env python3
"""Load generator for ingest: sends an NDJSON file to wallboardd and times it until every line is answered.

Python standard library only, so the sender is not the daemon's own code path.
  ingest.py http URL FILE [--batch 10000] [--timeout S]   POST /api/v1/events, one keep-alive connection
  ingest.py tcp HOST:PORT FILE [--timeout S]              the NDJSON stream (docs/ingest.md)
Prints one JSON line: lines (answered), accepted (+ duplicates/held), rejected, seconds, per_second,
complete. At --timeout the run ends where it is: the rate is then the lines answered so far over the time
so far, `complete` false (the daemon is too slow to take the whole file within the bound).
Exits 1 when the daemon failed a request or a complete run has fewer answers than lines.
"""
import argparse, http.client, json, socket, sys, threading, time, urllib.parse


def batches(data, size):
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for i in range(0, len(lines), size):
        chunk = lines[i:i + size]
        yield len(chunk), b"\n".join(chunk) + b"\n"


def run_http(url, data, batch, deadline):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=max(1.0, deadline - time.monotonic()))
    totals = {"lines": 0, "accepted": 0, "duplicates": 0, "held": 0, "rejected": 0}
    bodies = list(batches(data, batch))          # split before timing: only sending and answering count
    start = time.monotonic()
    totals["complete"] = True
    for count, body in bodies:
        if time.monotonic() > deadline:
            totals["complete"] = False
            break
        conn.request("POST", u.path or "/api/v1/events", body=body, headers={"Content-Type": "application/x-ndjson"})
        resp = conn.getresponse()
        payload = resp.read()
        if resp.status not in (200, 422):
            raise SystemExit(f"ingest http: HTTP {resp.status}: {payload[:300]!r}")
        answer = json.loads(payload)
        totals["lines"] += count
        totals["accepted"] += answer.get("accepted", 0)
        totals["duplicates"] += answer.get("duplicates", 0)
        totals["held"] += len(answer.get("held", []))
        totals["rejected"] += len(answer.get("rejected", []))
    totals["seconds"] = time.monotonic() - start
    conn.close()
    return totals


def run_tcp(address, data, deadline):
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.settimeout(1.0)
    sent_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    counts = {"accepted": 0, "duplicate": 0, "held": 0, "rejected": 0, "not_stored": 0}
    replies = [0]
    error = []
    finished = []

    def reader():
        tail = b""
        try:
            while time.monotonic() < deadline:
                try:
                    chunk = sock.recv(1 << 20)
                except socket.timeout:
                    continue
                if not chunk:
                    finished.append(True)
                    break
                buf = tail + chunk
                cut = buf.rfind(b"\n") + 1
                done, tail = buf[:cut], buf[cut:]
                replies[0] += done.count(b"\n")
                for key in counts:
                    counts[key] += done.count(b'"status":"' + key.encode() + b'"')
        except OSError as e:
            error.append(e)

    start = time.monotonic()
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    view = memoryview(data)
    step = 1 << 16
    offset = 0
    while offset < len(data) and time.monotonic() < deadline:
        try:
            offset += sock.send(view[offset:offset + step])
        except socket.timeout:
            continue              # the daemon stopped reading (backpressure): try again until the deadline
    if offset >= len(data):
        sock.shutdown(socket.SHUT_WR)
    t.join(max(0.0, deadline - time.monotonic()) + 2)
    seconds = min(time.monotonic(), deadline) - start
    if error:
        raise SystemExit(f"ingest tcp: {error[0]}")
    sock.close()
    complete = bool(finished) and replies[0] >= sent_lines
    return {"lines": sent_lines if complete else replies[0], "replies": replies[0], "complete": complete,
            "accepted": counts["accepted"],
            "duplicates": counts["duplicate"], "held": counts["held"], "rejected": counts["rejected"],
            "not_stored": counts["not_stored"], "seconds": seconds}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["http", "tcp"])
    p.add_argument("target")
    p.add_argument("file")
    p.add_argument("--batch", type=int, default=10000)
    p.add_argument("--timeout", type=float, default=300)
    a = p.parse_args()
    with open(a.file, "rb") as f:
        data = f.read()
    deadline = time.monotonic() + a.timeout
    r = run_http(a.target, data, a.batch, deadline) if a.mode == "http" else run_tcp(a.target, data, deadline)
    r["per_second"] = r["lines"] / r["seconds"] if r["seconds"] > 0 else 0
    print(json.dumps(r))
    answered = r["accepted"] + r["duplicates"] + r["held"] + r["rejected"]
    if answered < r["lines"] or (a.mode == "tcp" and r["complete"] and r["replies"] < r["lines"]):
        sys.stderr.write(f"ingest {a.mode}: {answered} of {r['lines']} lines answered\n")
        sys.exit(1)


main()
