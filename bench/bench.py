#!/usr/bin/python3
"""The benchmark driver behind bench/run (see bench/README.md). Loopback only; every step has a count and
a time limit; a step that breaks is reported and makes the exit status 1, a slow figure never does.

Steps: ingest (HTTP and TCP, with and without the journal, against json-c's parse rate of the same file),
restart (RSS after the ingest, stop time, restart to /readyz with the journal), replay, fanout (wallboardd,
then the Node and Python peers replaying the frames captured from it, to the same client counts).
Results: OUT/results.json, OUT/summary.md (the table printed at the end), OUT/latency.png.
"""
import argparse, json, os, platform, re, shutil, signal, socket, subprocess, sys, tempfile, time
import urllib.request
from array import array
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NODE_ENV = dict(os.environ, NODE_PATH="/usr/share/nodejs")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(msg):
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of a process, from /proc/PID/stat (fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def http_status(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (OSError, ValueError):
        return None


class Daemon:
    """One wallboardd on loopback, started fresh for a step."""

    def __init__(self, binary, workdir, name, state_dir=None, ingest_tcp=False, config=None):
        self.binary, self.name = binary, name
        self.port = free_port()
        self.tcp_port = free_port() if ingest_tcp else None
        self.url = f"http://127.0.0.1:{self.port}"
        args = [binary, "--listen", f"127.0.0.1:{self.port}", "--log-level", "warning",
                "--web-root", os.path.join(ROOT, "web")]
        if config:
            args += ["--config", config]
        else:
            args += ["--no-simulator"]
        if state_dir:
            args += ["--state-dir", state_dir]
        if self.tcp_port:
            args += ["--ingest-tcp", f"127.0.0.1:{self.tcp_port}"]
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(self.log_path, "ab"))
        self.pid = self.proc.pid

    def wait_ready(self, timeout):
        """Seconds from process start to /readyz 200 (polled every 10 ms)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: exited with {self.proc.returncode} before ready (see {self.log_path})")
            if http_status(self.url + "/readyz", timeout=1.0) == 200:
                return time.monotonic() - self.started
            time.sleep(0.01)
        raise RuntimeError(f"{self.name}: not ready within {timeout} s (see {self.log_path})")

    def cpu(self):
        return cpu_seconds(self.pid)

    def rss_mb(self):
        kb = status_kb(self.pid, "VmRSS")
        return None if kb is None else kb / 1024

    def hwm_mb(self):
        kb = status_kb(self.pid, "VmHWM")
        return None if kb is None else kb / 1024

    def stop(self, timeout=30):
        """SIGTERM, then seconds until the process exits (SIGKILL after `timeout`: reported as None)."""
        if self.proc.poll() is not None:
            return 0.0
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
            return time.monotonic() - t0
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            log(f"{self.name}: did not stop within {timeout} s of SIGTERM; killed")
            return None


def run_json(args, timeout, env=None):
    """Runs a helper that prints one JSON line; raises with its stderr when it fails or overruns."""
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{os.path.basename(args[1] if len(args) > 1 else args[0])}: over the {timeout} s limit")
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])}: exit {r.returncode}: {r.stderr.strip()[-500:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def generate(path, agents, queues, events, start=None):
    if os.path.exists(path):
        return
    args = [sys.executable, os.path.join(HERE, "gen_day.py"), "--agents", str(agents), "--queues", str(queues),
            "--events", str(events)]
    if start:
        args += ["--start", start]
    log(f"generating {os.path.basename(path)} ({agents} agents, {queues} queues, ~{events} events)")
    with open(path + ".tmp", "wb") as out:
        subprocess.run(args, stdout=out, stderr=subprocess.DEVNULL, check=True, timeout=600)
    os.rename(path + ".tmp", path)


def count_lines(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


# ---------------------------------------------------------------------------------------------- steps

def step_ingest(cfg, out, results):
    """json-c's parse rate, then HTTP and TCP ingest with and without the journal; RSS, stop and restart."""
    # Stamped 17 h ago: the generated day spans 16 h, so every event is in the past and under the 36 h limit.
    start = (datetime.now(timezone.utc) - timedelta(hours=17)).replace(microsecond=0).isoformat()
    data = os.path.join(out, f"ingest-{cfg.ingest_events}.ndjson")
    generate(data, cfg.ingest_agents, cfg.ingest_queues, cfg.ingest_events, start)
    lines = count_lines(data)
    parser = os.path.join(out, "jsonc_parse")
    subprocess.run(["sh", "-c", f"cc -O2 -o '{parser}' '{HERE}/jsonc_parse.c' $(pkg-config --cflags --libs json-c)"],
                   check=True, timeout=120)
    jc = run_json([parser, data], timeout=300)
    results["ingest"] = {"file": os.path.basename(data), "lines": lines, "agents": cfg.ingest_agents,
                         "queues": cfg.ingest_queues, "jsonc": jc, "load_before": loadavg(), "runs": {}}
    log(f"json-c: {jc['per_second']:.0f} lines/s")
    for mode in ("http", "tcp"):
        for journal in (False, True):
            name = f"{mode}{'-journal' if journal else ''}"
            state = tempfile.mkdtemp(prefix="state-", dir=out) if journal else None
            d = Daemon(cfg.binary, out, f"ingest-{name}", state_dir=state, ingest_tcp=(mode == "tcp"))
            try:
                d.wait_ready(60)
                cpu0 = d.cpu()
                target = d.url + "/api/v1/events" if mode == "http" else f"127.0.0.1:{d.tcp_port}"
                limit = cfg.ingest_timeout if mode == "http" else cfg.ingest_tcp_timeout
                r = run_json([sys.executable, os.path.join(HERE, "ingest.py"), mode, target, data,
                              "--timeout", str(limit)], timeout=limit + 60)
                r["daemon_cpu_s"] = d.cpu() - cpu0
                r["ratio_to_jsonc"] = r["per_second"] / jc["per_second"]
                r["load"] = loadavg()
                if mode == "http":
                    time.sleep(2)   # let the publish cycle after the last batch run before reading memory
                    r["rss_mb"], r["hwm_mb"] = d.rss_mb(), d.hwm_mb()
                note = "" if r["complete"] else f" (time limit: {r['lines']:,} lines answered in {limit} s)"
                log(f"ingest {name}: {r['per_second']:.0f} events/s = {r['ratio_to_jsonc']:.3f} x json-c{note}")
                results["ingest"]["runs"][name] = r
                if mode == "http" and journal:
                    step_restart(cfg, out, results, d, state, lines)
            finally:
                d.stop()
                if state:
                    shutil.rmtree(state, ignore_errors=True)


def step_restart(cfg, out, results, d, state, lines):
    """After the journaled HTTP ingest: stop time, then a restart on the same journal to /readyz 200."""
    r = {"journaled_events": results["ingest"]["runs"]["http-journal"]["lines"], "rss_before_mb": d.rss_mb()}
    r["stop_s"] = d.stop(timeout=60)
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(state) for f in fs)
    r["state_dir_mb"] = size / 1e6
    d2 = Daemon(cfg.binary, out, "restart", state_dir=state)
    try:
        r["ready_s"] = d2.wait_ready(cfg.restart_timeout)
        time.sleep(1)
        r["rss_after_restart_mb"], r["hwm_after_restart_mb"] = d2.rss_mb(), d2.hwm_mb()
    finally:
        r["stop_after_restart_s"] = d2.stop(timeout=60)
    r["load"] = loadavg()
    log(f"restart: ready in {r['ready_s']:.2f} s, stop {r['stop_s']} s / {r['stop_after_restart_s']} s")
    results["restart"] = r


def step_replay(cfg, out, results):
    ctl = os.path.join(os.path.dirname(cfg.binary), "wallboardctl")
    results["replay"] = {}
    for events in cfg.replay_events:
        data = os.path.join(out, f"replay-{events}.ndjson")
        generate(data, cfg.ingest_agents, cfg.ingest_queues, events)
        lines = count_lines(data)
        t0 = time.monotonic()
        try:
            p = subprocess.run([ctl, "replay", data, "--instant", "--json"], capture_output=True,
                               timeout=cfg.replay_timeout)
        except subprocess.TimeoutExpired:
            results["replay"][str(events)] = {"lines": lines, "finished": False, "limit_s": cfg.replay_timeout}
            log(f"replay {lines}: did not finish in {cfg.replay_timeout} s")
            continue
        seconds = time.monotonic() - t0
        if p.returncode != 0:
            raise RuntimeError(f"wallboardctl replay {data}: exit {p.returncode}: {p.stderr.decode()[-400:]}")
        json.loads(p.stdout)   # the output must be the JSON report
        results["replay"][str(events)] = {"lines": lines, "finished": True, "seconds": seconds,
                                          "per_second": lines / seconds, "load": loadavg()}
        log(f"replay {lines}: {seconds:.2f} s, {lines / seconds:.0f} events/s")
        stages = replay_stages(ctl, data, p.stdout, cfg.replay_timeout)
        if stages:
            results["replay"][str(events)]["stages"] = stages
            log(f"replay {lines} in stages (CPU s): parse {stages['parse']:.2f}, parse+decode {stages['decode']:.2f} "
                f"({lines / stages['decode']:.0f}/s: no replay can be faster), engine {stages['engine']:.2f} "
                f"({lines / stages['engine']:.0f}/s), windows {stages['windows']:.2f}")


def replay_stages(ctl, data, report, timeout):
    """`wallboardctl replay --timings`: CPU seconds of json-c's parse alone, parse and decode, the engine and
    the final read, each run on its own; its report must be the plain replay's. None if it did not finish."""
    try:
        p = subprocess.run([ctl, "replay", data, "--instant", "--json", "--timings"], capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0 or p.stdout != report:
        raise RuntimeError(f"wallboardctl replay --timings {data}: exit {p.returncode} or a report that differs "
                           f"from the plain replay's: {p.stderr.decode()[-400:]}")
    stages = {}
    for line in p.stderr.decode().splitlines():
        m = re.match(r"\s+(parse|decode|engine|windows)\s+([0-9.]+) s", line)
        if m:
            stages[m.group(1)] = float(m.group(2))
    if set(stages) != {"parse", "decode", "engine", "windows"}:
        raise RuntimeError(f"wallboardctl replay --timings printed no stages: {p.stderr.decode()[-400:]}")
    return stages


def board_topics(url):
    """The topics the default (tv) board subscribes to on this daemon: web/js/TopicStore.js's own
    topicsForLayout run on the daemon's `center` payload, so the fleet subscribes as the board does. The tv
    board shows every queue and every agent, so its `agents` topic carries the marker agent `bench-marker`
    (as a delta each time it changes)."""
    with urllib.request.urlopen(url + "/api/v1/snapshot?topics=center", timeout=10) as r:
        center = json.loads(r.read())["center"]
    store = os.path.join(ROOT, "web", "js", "TopicStore.js")
    script = ("import(process.argv[1]).then((m) => process.stdout.write(JSON.stringify("
              "m.topicsForLayout({layout: 'tv', queues: null, queue: null}, JSON.parse(process.argv[2])))))")
    p = subprocess.run(["node", "-e", script, store, json.dumps(center)], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError(f"web/js/TopicStore.js topicsForLayout: {p.stderr[-400:]}")
    topics = json.loads(p.stdout)
    if "agents" not in topics:
        raise RuntimeError(f"the tv board's topics {topics} carry no agent list: the marker could not be seen")
    return topics


class Fleet:
    """The client fleet: several node fleet.js processes sharing the clients."""

    def __init__(self, url, clients, procs, topics, out, tag, capture=None, bundles=True):
        self.procs, self.prefixes = [], []
        per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
        for i, n in enumerate(per):
            prefix = os.path.join(out, f"fleet-{tag}-{i}")
            args = ["node", os.path.join(HERE, "fleet.js"), url, str(n), json.dumps(topics), prefix]
            if capture and i == 0:
                args.append(capture)
            env = dict(NODE_ENV, FLEET_BUNDLE="1" if bundles else "0")
            self.procs.append(subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                               stderr=open(prefix + ".err", "wb"), env=env, text=True))
            self.prefixes.append(prefix)

    def wait(self, word, timeout):
        deadline = time.monotonic() + timeout
        for p in self.procs:
            import select
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"fleet: no '{word}' within {timeout} s")
                ready, _, _ = select.select([p.stdout], [], [], left)
                if ready:
                    line = p.stdout.readline()
                    if not line:
                        raise RuntimeError(f"fleet process exited before '{word}'")
                    if line.startswith(word):
                        break

    def send(self, word):
        for p in self.procs:
            p.stdin.write(word + "\n")
            p.stdin.flush()

    def cpu(self):
        return sum(cpu_seconds(p.pid) or 0 for p in self.procs)

    def collect(self):
        total = {"clients": 0, "opened": 0, "failed": 0, "closed_during_window": 0, "frames": 0, "bytes": 0,
                 "seconds": 0.0, "close_codes": {}}
        lat, gen = array("d"), array("d")
        for prefix in self.prefixes:
            with open(prefix + ".json") as f:
                r = json.load(f)
            for k in ("clients", "opened", "failed", "closed_during_window", "frames", "bytes"):
                total[k] += r[k]
            total["seconds"] = max(total["seconds"], r["seconds"])
            for code, n in r["close_codes"].items():
                total["close_codes"][code] = total["close_codes"].get(code, 0) + n
            with open(prefix + ".lat", "rb") as f:
                lat.frombytes(f.read())
            with open(prefix + ".gen", "rb") as f:
                gen.frombytes(f.read())
        return total, sorted(lat), sorted(gen)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def measure(cfg, server_pid, url, clients, out, tag, window, capture=None, starter=None):
    """Connects the fleet, runs `starter` (feed or peer replay), measures `window` seconds after a warm-up."""
    procs = max(1, min(cfg.fleet_procs, (clients + 249) // 250))
    fleet = Fleet(url, clients, procs, cfg.topics, out, tag, capture, bundles=cfg.bundles)
    try:
        fleet.wait("ready", cfg.connect_timeout + clients / 200)
        stopper = starter()
        try:
            time.sleep(cfg.warmup)
            fleet.send("start")
            cpu0, fcpu0, t0 = cpu_seconds(server_pid), fleet.cpu(), time.monotonic()
            # Sample the server's memory twice a second; past the cap the window ends early (the machine is
            # shared: a server that buffers per client must not take it down).
            peak, aborted = 0, None
            while time.monotonic() - t0 < window:
                time.sleep(min(0.5, max(0.0, window - (time.monotonic() - t0))))
                kb = status_kb(server_pid, "VmRSS")
                if kb is None:
                    aborted = "server gone"
                    break
                peak = max(peak, kb)
                if kb > cfg.rss_cap_mb * 1024:
                    aborted = f"server RSS over {cfg.rss_cap_mb} MB"
                    break
            cpu1, fcpu1, t1 = cpu_seconds(server_pid), fleet.cpu(), time.monotonic()
            rss = status_kb(server_pid, "VmRSS")
            fleet.send("stop")
            fleet.wait("stopped", 60)
        finally:
            extra = stopper()
        total, lat, gen = fleet.collect()
    finally:
        fleet.close()
    elapsed = t1 - t0
    frames = total["frames"]
    r = dict(total)
    r.update({
        "fleet_processes": procs,
        "frames_per_s": frames / elapsed, "bytes_per_s": total["bytes"] / elapsed,
        "mean_frame_bytes": total["bytes"] / frames if frames else None,
        "latency_samples": len(lat), "p50_ms": percentile(lat, 0.50), "p99_ms": percentile(lat, 0.99),
        "max_ms": lat[-1] if lat else None,
        "gen_samples": len(gen), "gen_p50_ms": percentile(gen, 0.50), "gen_p99_ms": percentile(gen, 0.99),
        "gen_max_ms": gen[-1] if gen else None,
        "server_cpu_s": None if cpu0 is None or cpu1 is None else cpu1 - cpu0, "server_window_s": elapsed,
        "server_rss_mb": None if rss is None else rss / 1024,
        "server_peak_rss_mb": peak / 1024, "window_aborted": aborted,
        "fleet_cpu_s": fcpu1 - fcpu0,
        "fleet_cpu_share": (fcpu1 - fcpu0) / (elapsed * os.cpu_count()),
        "load": loadavg(),
    })
    if r["server_cpu_s"] is not None and frames:
        r["server_cpu_s_per_1m_frames"] = r["server_cpu_s"] / frames * 1e6
    if extra:
        r.update(extra)
    return r


def name_latencies(r, server):
    """wallboardd: event-to-screen from the markers, frame-to-screen from `generated_at`. A peer has no
    events: its markers are stamped when it sends the frame, so they give its frame-to-screen time."""
    for q in ("p50", "p99", "max"):
        if server == "wallboardd":
            r[f"event_{q}_ms"], r[f"frame_{q}_ms"] = r[f"{q}_ms"], r[f"gen_{q}_ms"]
        else:
            r[f"event_{q}_ms"], r[f"frame_{q}_ms"] = None, r[f"{q}_ms"]
    return r


def step_fanout(cfg, out, results):
    src = os.path.join(out, f"fanout-{cfg.fanout_agents}a.ndjson")
    events_needed = int(cfg.rate * (cfg.window + cfg.warmup + 10)) + cfg.fanout_agents * 2
    generate(src, cfg.fanout_agents, cfg.fanout_queues, events_needed)
    setup_lines = cfg.fanout_agents * 2   # gen_day.py writes each agent's login and first state first
    config = os.path.join(out, "fanout.yaml")
    with open(config, "w") as f:
        f.write(f"websocket:\n  max_clients: {max(cfg.clients) + 100}\nlog_level: warning\n")
    cfg.topics = None
    results["fanout"] = {"topics": None, "bundles": cfg.bundles, "agents": cfg.fanout_agents, "queues": cfg.fanout_queues,
                         "rate": cfg.rate, "window_s": cfg.window, "runs": []}
    for clients in cfg.clients:
        capture = os.path.join(out, f"capture-{clients}.ndjson")
        d = Daemon(cfg.binary, out, f"fanout-{clients}", config=config)
        try:
            d.wait_ready(60)
            run_json([sys.executable, os.path.join(HERE, "feed.py"), d.url, src, "--setup-lines", str(setup_lines),
                      "--seconds", "0", "--prefix", "s"], timeout=120)
            if cfg.topics is None:
                cfg.topics = board_topics(d.url)
                results["fanout"]["topics"] = cfg.topics
            feed_holder = {}

            def start_feed():
                seconds = cfg.warmup + cfg.window + 5
                feed_holder["p"] = subprocess.Popen(
                    [sys.executable, os.path.join(HERE, "feed.py"), d.url, src, "--setup-lines", str(setup_lines),
                     "--rate", str(cfg.rate), "--seconds", str(seconds), "--prefix", "r"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

                def stop_feed():
                    p = feed_holder["p"]
                    p.send_signal(signal.SIGTERM)
                    try:
                        _, err = p.communicate(timeout=10)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.communicate()
                        err = ""
                    if p.returncode not in (0, -signal.SIGTERM):
                        raise RuntimeError(f"feed.py: exit {p.returncode}: {err.strip()[-400:]}")
                    return {}
                return stop_feed

            ws = f"ws://127.0.0.1:{d.port}/ws"
            r = measure(cfg, d.pid, ws, clients, out, f"wallboardd-{clients}", cfg.window, capture, start_feed)
            r.update({"server": "wallboardd", "clients": clients})
            name_latencies(r, "wallboardd")
            if d.proc.poll() is None:
                add_marginal(r, measure_idle(cfg, d, src, setup_lines))
            if d.proc.poll() is not None:
                r["server_exit"] = d.proc.returncode
                cfg.failures.append(f"fanout wallboardd {clients}: the daemon exited with {d.proc.returncode} "
                                    f"during the run (see {d.log_path})")
            log(f"fanout wallboardd {clients}: {r['frames_per_s']:.0f} frames/s, event p50 {fmt(r['event_p50_ms'], 1)} "
                f"p99 {fmt(r['event_p99_ms'], 1)} ms, frame p50 {fmt(r['frame_p50_ms'], 1)} p99 {fmt(r['frame_p99_ms'], 1)} ms")
            results["fanout"]["runs"].append(r)
        except RuntimeError as e:
            results["fanout"]["runs"].append({"server": "wallboardd", "clients": clients, "error": str(e)})
            log(f"fanout wallboardd {clients}: {e}")
            cfg.failures.append(f"fanout wallboardd {clients}: {e}")
            continue
        finally:
            d.stop()
        capture_used = capture
        if not os.path.exists(capture) or os.path.getsize(capture) == 0:
            # The daemon delivered nothing at this size (a figure, not a broken step): the peers then replay
            # the frames captured at the largest client count that had any, the same center at the same rate.
            found = sorted((int(n[len("capture-"):-len(".ndjson")]), n) for n in os.listdir(out)
                           if n.startswith("capture-") and n.endswith(".ndjson") and os.path.getsize(os.path.join(out, n)) > 0)
            if not found:
                log(f"fanout {clients}: no frames captured from the daemon; no peer runs")
                continue
            capture_used = os.path.join(out, found[-1][1])
            log(f"fanout {clients}: the daemon delivered no frame; the peers replay {found[-1][1]}")
        for peer in ("node", "python"):
            try:
                r = run_peer(cfg, peer, capture_used, clients, out)
                r["capture"] = os.path.basename(capture_used)
                results["fanout"]["runs"].append(r)
                log(f"fanout {peer} {clients}: {r['frames_per_s']:.0f} frames/s, frame p50 {fmt(r['frame_p50_ms'], 1)} "
                    f"p99 {fmt(r['frame_p99_ms'], 1)} ms")
            except RuntimeError as e:
                results["fanout"]["runs"].append({"server": peer, "clients": clients, "error": str(e)})
                log(f"fanout {peer} {clients}: {e}")
                cfg.failures.append(f"fanout {peer} {clients}: {e}")


def measure_idle(cfg, d, src, setup_lines):
    """The daemon's CPU with the same feed and no clients, right after the fleet has gone (same daemon,
    same engine state): a fresh feed (ids prefixed `i`) for the warm-up, then `cfg.window` seconds
    measured. What the daemon spends here is the engine's own (ingest, expiry, publish cycles that
    build nothing nobody subscribes to); the rest of the CPU with clients is the broadcast's."""
    time.sleep(1)   # let the fleet's closes drain
    seconds = cfg.warmup + cfg.window + 1
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "feed.py"), d.url, src, "--setup-lines", str(setup_lines),
                          "--rate", str(cfg.rate), "--seconds", str(seconds), "--prefix", "i"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(cfg.warmup)
        cpu0, t0 = d.cpu(), time.monotonic()
        time.sleep(cfg.window)
        cpu1, t1 = d.cpu(), time.monotonic()
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
    if cpu0 is None or cpu1 is None:
        return None
    return {"idle_cpu_s": cpu1 - cpu0, "idle_window_s": t1 - t0, "idle_cpu_s_per_s": (cpu1 - cpu0) / (t1 - t0),
            "idle_load": loadavg()}


def add_marginal(r, idle):
    """CPU-s per 1M frames minus what the engine spends without clients over the same time: the broadcast's
    share of the daemon's CPU (`server_cpu_s_per_1m_frames_marginal`)."""
    if not idle:
        return
    r.update(idle)
    if r.get("server_cpu_s") is None or not r.get("frames"):
        return
    engine = idle["idle_cpu_s_per_s"] * r["server_window_s"]
    r["server_cpu_s_marginal"] = max(0.0, r["server_cpu_s"] - engine)
    r["server_cpu_s_per_1m_frames_marginal"] = r["server_cpu_s_marginal"] / r["frames"] * 1e6
    log(f"fanout wallboardd {r['clients']}: engine without clients {idle['idle_cpu_s_per_s']:.3f} CPU-s/s; "
        f"{r['server_cpu_s_per_1m_frames']:.0f} CPU-s per 1M frames, {r['server_cpu_s_per_1m_frames_marginal']:.0f} marginal")


def marginal_lines(fo):
    """The summary's lines for the marginal figure: wallboardd's CPU-s per 1M frames whole and minus its
    engine's idle-of-clients CPU, each against the peers (which have no engine: their figure is the same)."""
    by = {(r["server"], r["clients"]): r for r in fo["runs"] if "error" not in r}
    lines = ["", "CPU-s per 1M frames, marginal (minus the engine's idle-of-clients CPU), and ÷ peer:", "",
             "| clients | engine without clients, CPU-s/s | whole | × node | × python | marginal | × node | × python |",
             "|---|---|---|---|---|---|---|---|"]
    rows = 0
    for (server, clients), r in sorted(by.items()):
        if server != "wallboardd" or r.get("server_cpu_s_per_1m_frames_marginal") is None:
            continue
        whole, marginal = r["server_cpu_s_per_1m_frames"], r["server_cpu_s_per_1m_frames_marginal"]

        def ratio(value, peer):
            p = by.get((peer, clients), {}).get("server_cpu_s_per_1m_frames")
            return f"{value / p:.2f}" if p else "-"
        lines.append(f"| {clients:,} | {r['idle_cpu_s_per_s']:.3f} | {whole:.0f} | {ratio(whole, 'node')} | "
                     f"{ratio(whole, 'python')} | {marginal:.0f} | {ratio(marginal, 'node')} | {ratio(marginal, 'python')} |")
        rows += 1
    return lines if rows else []


def run_peer(cfg, peer, capture, clients, out):
    port = free_port()
    args = (["node", os.path.join(HERE, "peer_node.js"), str(port), capture] if peer == "node"
            else ["/usr/bin/python3", os.path.join(HERE, "peer_py.py"), str(port), capture])
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=open(os.path.join(out, f"peer-{peer}-{clients}.err"), "wb"), env=NODE_ENV, text=True)
    try:
        import select
        ready, _, _ = select.select([p.stdout], [], [], 30)
        if not ready or not p.stdout.readline().startswith("listening"):
            raise RuntimeError(f"peer {peer}: not listening within 30 s")

        def start():
            p.stdin.write("start\n")
            p.stdin.flush()

            def stop():
                p.stdin.write("stop\n")
                p.stdin.flush()
                ready, _, _ = select.select([p.stdout], [], [], 30)
                line = p.stdout.readline() if ready else ""
                return {"peer_" + k: v for k, v in json.loads(line).items()} if line.strip() else {}
            return stop

        r = measure(cfg, p.pid, f"ws://127.0.0.1:{port}/", clients, out, f"{peer}-{clients}", cfg.window, None, start)
        r.update({"server": peer, "clients": clients})
        return name_latencies(r, peer)
    finally:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# ---------------------------------------------------------------------------------------------- output

def fmt(v, digits=0):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return f"{v:,}"


def summary(results):
    lines = [f"# Benchmark run {results['started']} ({results['mode']})", "",
             f"machine: {results['machine']['nproc']} cores, {results['machine']['cpu']}, "
             f"{results['machine']['mem_gb']:.1f} GB; commit {results['commit']}", ""]
    ing = results.get("ingest")
    if ing:
        jc = ing["jsonc"]["per_second"]
        lines += [f"## Ingest ({ing['lines']:,} events, {ing['agents']:,} agents, {ing['queues']} queues)", "",
                  "| path | events/s | × json-c | daemon CPU-s | load |", "|---|---|---|---|---|",
                  f"| json-c json_tokener_parse | {fmt(jc)} | 1.00 | - | {ing['load_before']} |"]
        for name, r in ing["runs"].items():
            partial = "" if r.get("complete", True) else f" (time limit: {r['lines']:,} events answered in {r['seconds']:.0f} s)"
            lines.append(f"| {name}{partial} | {fmt(r['per_second'])} | {r['ratio_to_jsonc']:.3f} | {fmt(r['daemon_cpu_s'], 1)} | {r['load']} |")
        http = ing["runs"].get("http")
        if http:
            lines += ["", f"RSS after {http['lines']:,} events over HTTP: {fmt(http.get('rss_mb'))} MB "
                      f"(peak {fmt(http.get('hwm_mb'))} MB)"]
        lines.append("")
    rs = results.get("restart")
    if rs:
        lines += [f"## Restart with {rs['journaled_events']:,} journaled events", "",
                  f"stop (SIGTERM to exit) {fmt(rs['stop_s'], 2)} s; start to /readyz 200 {fmt(rs['ready_s'], 2)} s; "
                  f"RSS after restart {fmt(rs['rss_after_restart_mb'])} MB (peak {fmt(rs['hwm_after_restart_mb'])}); "
                  f"stop again {fmt(rs['stop_after_restart_s'], 2)} s; state dir {fmt(rs['state_dir_mb'])} MB; load {rs['load']}", ""]
    rp = results.get("replay")
    if rp:
        lines += ["## Replay (`wallboardctl replay FILE --instant --json`)", "",
                  "Stages from `--timings`, CPU-s each run on its own; parse and decode bound any replay of the file.", "",
                  "| events | seconds | events/s | parse alone /s | parse and decode /s | engine /s |", "|---|---|---|---|---|---|"]
        for r in rp.values():
            st = r.get("stages")
            rates = (f"{fmt(r['lines'] / st['parse'])} | {fmt(r['lines'] / st['decode'])} | {fmt(r['lines'] / st['engine'])}"
                     if st and min(st["parse"], st["decode"], st["engine"]) > 0 else "- | - | -")
            if r["finished"]:
                lines.append(f"| {r['lines']:,} | {r['seconds']:.2f} | {fmt(r['per_second'])} | {rates} |")
            else:
                lines.append(f"| {r['lines']:,} | did not finish in {r['limit_s']} s | - | - | - | - |")
        lines.append("")
    fo = results.get("fanout")
    if fo:
        lines += [f"## Fan-out ({fo['agents']} agents, {fo['queues']} queues, {fo['rate']:.0f} events/s, "
                  f"topics {', '.join(fo['topics'])}, {'bundles' if fo.get('bundles') else 'one frame per topic update'}, "
                  f"{fo['window_s']} s window)", "",
                  "| server | clients | frames/s | MB/s | frame KB | event→screen p50 / p99 / max ms | frame→screen p50 / p99 / max ms | server CPU-s / 1M frames | peak RSS MB | fleet CPU | closed | load |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in fo["runs"]:
            if "error" in r:
                lines.append(f"| {r['server']} | {r['clients']} | failed: {r['error']} |" + " |" * 9)
                continue
            lines.append(
                f"| {r['server']} | {r['clients']:,} | {fmt(r['frames_per_s'])} | {fmt(r['bytes_per_s'] / 1e6, 1)} | "
                f"{fmt((r['mean_frame_bytes'] or 0) / 1e3, 1)} | "
                f"{fmt(r['event_p50_ms'], 1)} / {fmt(r['event_p99_ms'], 1)} / {fmt(r['event_max_ms'], 1)} | "
                f"{fmt(r['frame_p50_ms'], 1)} / {fmt(r['frame_p99_ms'], 1)} / {fmt(r['frame_max_ms'], 1)} | "
                f"{fmt(r.get('server_cpu_s_per_1m_frames'), 0)} | {fmt(r['server_peak_rss_mb'])} | "
                f"{r['fleet_cpu_share'] * 100:.0f}% | {r['closed_during_window']}"
                f"{' (' + r['window_aborted'] + ')' if r.get('window_aborted') else ''} | {r['load']} |")
        lines += ["", "Ratios (wallboardd ÷ peer, same clients, same frames): CPU-s per frame"]
        by = {(r["server"], r["clients"]): r for r in fo["runs"] if "error" not in r}
        for (server, clients), r in sorted(by.items()):
            if server != "wallboardd":
                continue
            for peer in ("node", "python"):
                p = by.get((peer, clients))
                if p and r.get("server_cpu_s_per_1m_frames") and p.get("server_cpu_s_per_1m_frames"):
                    lines.append(f"- {clients:,} clients: {r['server_cpu_s_per_1m_frames'] / p['server_cpu_s_per_1m_frames']:.2f} × {peer}")
        lines += marginal_lines(fo)
        lines.append("")
    if results["failures"]:
        lines += ["## Failed steps", ""] + [f"- {f}" for f in results["failures"]] + [""]
    return "\n".join(lines)


def plot(results, path):
    fo = results.get("fanout")
    if not fo:
        return
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing (apt-get install python3-matplotlib): no plot")
        return
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=100)
    series = [("wallboardd", "event", "tab:red", "wallboardd event→screen"),
              ("wallboardd", "frame", "tab:orange", "wallboardd frame→screen"),
              ("node", "frame", "tab:green", "Node ws frame→screen"),
              ("python", "frame", "tab:blue", "Python websockets frame→screen")]
    styles = (("p50", "o-"), ("p99", "s--"), ("max", "^:"))
    for server, kind, color, label in series:
        runs = sorted((r for r in fo["runs"] if r["server"] == server and "error" not in r
                       and r.get(f"{kind}_p50_ms") is not None), key=lambda r: r["clients"])
        if not runs:
            continue
        for q, style in styles:
            ax.plot([r["clients"] for r in runs], [max(r[f"{kind}_{q}_ms"], 0.01) for r in runs], style,
                    color=color, label=f"{label} {q}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("WebSocket clients")
    ax.set_ylabel("latency, ms (log)")
    ax.set_title(f"Event/frame to client, {fo['rate']:.0f} events/s, {results['commit']} ({results['mode']})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path)
    log(f"plot: {path}")


def machine():
    cpu = platform.processor()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30}


def plot_only(paths, png):
    """`bench.py --plot PNG RESULTS.json...`: one plot from the fan-out runs of several runs (e.g. a full run
    and a later run of one client count)."""
    merged = None
    for path in paths:
        with open(path) as f:
            r = json.load(f)
        if merged is None:
            merged = r
        elif r.get("fanout"):
            merged.setdefault("fanout", r["fanout"])
            if merged["fanout"] is not r["fanout"]:
                merged["fanout"]["runs"] += r["fanout"]["runs"]
    plot(merged, png)


def main():
    if len(sys.argv) > 3 and sys.argv[1] == "--plot":
        return plot_only(sys.argv[3:], sys.argv[2])
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds a step")
    p.add_argument("--binary", required=True, help="the wallboardd binary (wallboardctl next to it)")
    p.add_argument("--out", required=True)
    p.add_argument("--steps", default="ingest,replay,fanout")
    p.add_argument("--clients", help="comma-separated client counts for fan-out")
    p.add_argument("--window", type=float, help="fan-out measurement seconds per run")
    p.add_argument("--ingest-events", type=int)
    p.add_argument("--ingest-agents", dest="ingest_agents_option", type=int, help="agents of the ingest and replay files (queues: one per 100 agents, at least 10)")
    p.add_argument("--replay-events", help="comma-separated sizes")
    p.add_argument("--fleet-procs", type=int, default=None)
    p.add_argument("--fanout-queues", type=int, help="queues of the fan-out center (default 20; the boards subscribe to each)")
    p.add_argument("--fanout-agents", type=int, help="agents of the fan-out center (default 300)")
    p.add_argument("--no-bundles", dest="bundles", action="store_false",
                   help="fan-out clients take one frame per topic update instead of one bundle per publish cycle")
    cfg = p.parse_args()
    smoke = cfg.smoke
    cfg.ingest_agents, cfg.ingest_queues = (100, 10) if smoke else (10000, 100)
    if cfg.ingest_agents_option:
        cfg.ingest_agents, cfg.ingest_queues = cfg.ingest_agents_option, max(10, cfg.ingest_agents_option // 100)
    cfg.ingest_events = cfg.ingest_events or (4000 if smoke else 1000000)
    cfg.replay_events = [int(x) for x in (cfg.replay_events or ("2000,5000" if smoke else "100000,1000000")).split(",")]
    cfg.clients = [int(x) for x in (cfg.clients or ("10,50" if smoke else "100,1000,10000")).split(",")]
    cfg.window = cfg.window or (4 if smoke else 20)
    cfg.fleet_procs = cfg.fleet_procs or (1 if smoke else 4)
    cfg.fanout_agents, cfg.fanout_queues = (
        cfg.fanout_agents or (60 if smoke else 300), cfg.fanout_queues or (6 if smoke else 20))
    cfg.rate = 1000
    cfg.rss_cap_mb = 6000
    cfg.warmup = 1 if smoke else 3
    cfg.connect_timeout = 30 if smoke else 60
    cfg.ingest_timeout = 60 if smoke else 180
    cfg.ingest_tcp_timeout = 30 if smoke else 60
    cfg.replay_timeout = 60 if smoke else 150
    cfg.restart_timeout = 60 if smoke else 120
    cfg.failures = []
    os.makedirs(cfg.out, exist_ok=True)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "Sources"], capture_output=True, text=True).stdout.strip()
    results = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "mode": "smoke" if smoke else "full",
               "commit": commit + ("+dirty" if dirty else ""), "machine": machine(), "binary": cfg.binary,
               "load_at_start": loadavg()}
    steps = cfg.steps.split(",")
    for step in steps:
        fn = {"ingest": step_ingest, "replay": step_replay, "fanout": step_fanout}.get(step)
        if not fn:
            sys.exit(f"bench: unknown step {step!r} (ingest, replay, fanout)")
        log(f"step {step} (load {loadavg()})")
        try:
            fn(cfg, cfg.out, results)
        except (RuntimeError, subprocess.SubprocessError, OSError, ValueError, KeyError) as e:
            log(f"step {step} failed: {e}")
            cfg.failures.append(f"{step}: {e}")
    results["failures"] = cfg.failures
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with open(os.path.join(cfg.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    text = summary(results)
    with open(os.path.join(cfg.out, "summary.md"), "w") as f:
        f.write(text)
    plot(results, os.path.join(cfg.out, "latency.png"))
    print(text)
    sys.exit(1 if cfg.failures else 0)


main()
