"""Orchestrates one soak run; `scripts/soak --help` lists the options."""
import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from . import sampler
from .fake_ami import FakeAMI
from .generator import Generator
from .webhook import FailingWebhook

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(path, state_dir, port, ingest_port, ami_port, secret_file, webhook_port):
    with open(path, "w") as file:
        file.write(f"""# Written by scripts/soak for one run.
listen: 127.0.0.1:{port}
state_dir: {state_dir}
log_level: notice
simulator:
  enabled: true
  seed: 7
ingest:
  stream:
    tcp: 127.0.0.1:{ingest_port}
ami:
  - name: soak-pbx
    host: 127.0.0.1
    port: {ami_port}
    username: wallboard
    secret_file: {secret_file}
alerts:
  notifiers:
    - name: failing-hook
      kind: webhook
      url: http://127.0.0.1:{webhook_port}/hook
  delivery:
    max_attempts: 8
    initial_backoff: 1s
    max_backoff: 4s
    jitter: 0.2
  rules:
    - name: soak-always
      metric: waiting_now
      scope: center
      comparison: ">="
      threshold: 0
      renotify_every: 1m
      notifiers: [failing-hook]
    - name: soak-flapping
      metric: agents_available
      scope: queue:*
      comparison: "<"
      threshold: 2
      refire_after: 10s
      notifiers: [failing-hook]
""")


def main():
    parser = argparse.ArgumentParser(prog="scripts/soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=3, help="length of the load phase (default 3)")
    parser.add_argument("--binary", required=True, help="the wallboardd to run")
    parser.add_argument("--results", required=True, help="folder for the CSV, the log and the summary")
    parser.add_argument("--clients", type=int, default=200, help="churning WebSocket boards (default 200)")
    parser.add_argument("--no-flood", action="store_true", help="leave out the subscribe flood")
    parser.add_argument("--flood-connections", type=int, default=2)
    parser.add_argument("--rate", type=int, default=300, help="generated events per second (default 300)")
    parser.add_argument("--agents", type=int, default=400, help="generated agents (default 400)")
    parser.add_argument("--interval", type=float, default=2, help="seconds between samples (default 2)")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    if not 0.5 <= arguments.minutes <= 24 * 60:
        parser.error("--minutes must be between 0.5 and 1440")
    return Soak(arguments).run()


class Soak:
    def __init__(self, arguments):
        self.a = arguments
        self.results = arguments.results
        os.makedirs(self.results, exist_ok=True)
        self.children = []
        self.samples = []
        self.started = time.monotonic()
        self.messages = []

    def say(self, text):
        line = "[soak %6.1fs] %s" % (time.monotonic() - self.started, text)
        print(line, flush=True)
        self.messages.append(line)

    def spawn_clients(self, name, clients, flood, seconds):
        stats = os.path.join(self.results, name + ".json")
        command = [sys.executable, "-m", "soaklib.clients", "--port", str(self.port), "--clients", str(clients),
                   "--flood", str(flood), "--seconds", "%.1f" % seconds, "--seed", str(self.a.seed), "--stats", stats]
        log = open(os.path.join(self.results, name + ".log"), "w")
        child = subprocess.Popen(command, cwd=os.path.dirname(HERE), stdout=log, stderr=subprocess.STDOUT)
        self.children.append(child)
        return stats

    def sample(self, phase, extra):
        figures = sampler.proc_figures(self.daemon.pid)
        if figures is None or self.daemon.poll() is not None:
            return None
        status, _, health_ms = sampler.http_get(self.port, "/healthz", timeout=2)
        # /readyz asks the engine's queue: it shows an engine that is stuck while the HTTP thread still serves.
        ready, _, ready_ms = sampler.http_get(self.port, "/readyz", timeout=5)
        metrics_status, body, _ = sampler.http_get(self.port, "/metrics", timeout=2)
        sums = sampler.metric_sums(body.decode("utf-8", "replace")) if metrics_status == 200 else {}
        row = {"t_s": round(time.monotonic() - self.started, 1), "phase": phase, "rss_kib": figures[0],
               "fds": figures[1], "threads": figures[2], "healthz_ms": round(health_ms, 1), "healthz": status or 0,
               "readyz_ms": round(ready_ms, 1), "readyz": ready or 0,
               "ws_clients": int(sums.get("wallboardd_websocket_clients", -1)),
               "events_applied": int(sums.get("wallboardd_events_applied_total", -1)),
               "alert_deliveries": int(sums.get("wallboardd_alert_deliveries_total", -1))}
        row.update(extra())
        self.samples.append(row)
        self.csv.writerow(row)
        self.csv_file.flush()
        return row

    def run(self):
        self.port = free_port()
        self.ingest_port = ingest_port = free_port()
        state_dir = os.path.join(self.results, "state")
        os.makedirs(state_dir, exist_ok=True)
        secret_file = os.path.join(self.results, "ami.secret")
        with open(secret_file, "w") as file:
            file.write("soak-secret\n")
        self.ami = FakeAMI("wallboard", "soak-secret", self.a.seed)
        self.webhook = FailingWebhook()
        config = os.path.join(self.results, "wallboardd.yaml")
        write_config(config, state_dir, self.port, ingest_port, self.ami.port, secret_file, self.webhook.port)
        self.csv_file = open(os.path.join(self.results, "samples.csv"), "w", newline="")
        self.csv = csv.DictWriter(self.csv_file, fieldnames=sampler.COLUMNS)
        self.csv.writeheader()
        self.daemon_log = open(os.path.join(self.results, "daemon.log"), "w")
        self.daemon = subprocess.Popen([self.a.binary, "--config", config], stdout=self.daemon_log,
                                       stderr=subprocess.STDOUT)
        self.generator = None
        failures = []
        try:
            failures = self.drive()
        except KeyboardInterrupt:
            failures = ["interrupted"]
        finally:
            self.stop_everything()
        return self.report(failures)

    def extra(self):
        return {"generator_sent": self.generator.sent if self.generator else 0,
                "generator_answered": self.generator.answered if self.generator else 0,
                "ami_connections": self.ami.stats["connections"], "webhook_requests": self.webhook.total}

    def drive(self):
        deadline = time.monotonic() + 30
        while sampler.http_get(self.port, "/healthz", timeout=1)[0] != 200:
            if self.daemon.poll() is not None:
                return [self.death("before it answered /healthz")]
            if time.monotonic() > deadline:
                return ["the daemon did not answer /healthz within 30 s of its start"]
            time.sleep(0.2)
        self.say("daemon pid %d on 127.0.0.1:%d; fake AMI :%d, failing webhook :%d"
                 % (self.daemon.pid, self.port, self.ami.port, self.webhook.port))
        time.sleep(3)  # the AMI login and the simulator's start settle
        idle = []
        for _ in range(3):
            time.sleep(1)
            idle.append(self.sample("baseline", self.extra))
        if any(row is None for row in idle):
            return [self.death("while idle")]
        self.baseline = {key: max(row[key] for row in idle) for key in ("rss_kib", "fds", "threads")}
        self.say("baseline: RSS %.1f MiB, %d fds, %d threads" % (self.baseline["rss_kib"] / 1024,
                                                                   self.baseline["fds"], self.baseline["threads"]))
        seconds = self.a.minutes * 60
        load_end = time.monotonic() + seconds
        self.generator = Generator(self.ingest_port, self.a.rate, self.a.agents, self.a.seed, load_end)
        self.generator.start()
        self.stats_files = {"boards": self.spawn_clients("boards", self.a.clients, 0, seconds)}
        if not self.a.no_flood:
            self.stats_files["flood"] = self.spawn_clients("flood", 0, self.a.flood_connections, seconds)
        self.say("load: %d boards churning, %s, %d events/s over %d agents, AMI drops every ~20 s, webhook failing; "
                 "%.1f min" % (self.a.clients, "no flood" if self.a.no_flood else
                               "%d flood connections" % self.a.flood_connections, self.a.rate, self.a.agents,
                               self.a.minutes))
        next_report = time.monotonic() + 30
        while time.monotonic() < load_end:
            time.sleep(min(self.a.interval, max(0, load_end - time.monotonic())))
            row = self.sample("load", self.extra)
            if row is None:
                return [self.death("under load")]
            if time.monotonic() >= next_report:
                next_report += 30
                self.say("RSS %.1f MiB, %d fds, %d threads, %d stream events answered, healthz %d in %.0f ms, readyz %d in %.0f ms"
                         % (row["rss_kib"] / 1024, row["fds"], row["threads"], row["generator_answered"],
                            row["healthz"], row["healthz_ms"], row["readyz"], row["readyz_ms"]))
        self.load_samples = [s for s in self.samples if s["phase"] == "load"]
        self.generator.join(10)
        for child in self.children:
            try:
                child.wait(timeout=25)
            except subprocess.TimeoutExpired:
                child.kill()
        # Settle: the boards and the stream are gone; descriptors and threads must come back.
        settled = None
        settle_end = time.monotonic() + 20
        while time.monotonic() < settle_end:
            time.sleep(1)
            settled = self.sample("settle", self.extra)
            if settled is None:
                return [self.death("after the load")]
            if (settled["fds"] <= self.baseline["fds"] + sampler.FD_BASELINE_SLACK and
                    settled["threads"] <= self.baseline["threads"] + sampler.THREAD_BASELINE_SLACK):
                break
        self.settled = settled
        failures = []
        for endpoint in ("healthz", "readyz"):
            failed, streak, worst = 0, 0, 0
            for row in self.load_samples:
                streak = streak + 1 if row[endpoint] != 200 else 0
                failed += row[endpoint] != 200
                worst = max(worst, streak)
            if worst >= 3 or failed > 0.05 * len(self.load_samples):
                failures.append("/%s failed %d times in %d samples (at worst %d in a row)"
                                % (endpoint, failed, len(self.load_samples), worst))
        if self.generator.errors:
            failures.extend("generator: " + error for error in self.generator.errors)
        failures += sampler.judge(self.load_samples, self.baseline, settled, self.events_in_last_third())
        failures += self.protocol_failures()
        return failures

    def protocol_failures(self):
        """docs/protocol.md: `hello` is a connection's first message; a board that saw another first fails."""
        try:
            with open(self.stats_files["boards"]) as file:
                boards = json.load(file)
        except (OSError, ValueError, KeyError, AttributeError):
            return []
        bad = boards.get("board_bad_hello", 0)
        if not bad:
            return []
        return ["%d board(s) got another message before hello, e.g. %s" % (bad, boards.get("board_bad_hello_last", "?"))]

    def events_in_last_third(self):
        load = self.load_samples
        start, end = load[0]["t_s"], load[-1]["t_s"]
        last = [s for s in load if s["t_s"] >= start + 2 * (end - start) / 3]
        return max(0, last[-1]["generator_answered"] - last[0]["generator_answered"]) if last else 0

    def death(self, when):
        code = self.daemon.wait(timeout=5)
        how = ("killed by %s" % signal.Signals(-code).name) if code < 0 else "exited with status %d" % code
        self.died = True
        return "the daemon DIED %s: %s, %.0f s after its start" % (when, how, time.monotonic() - self.started)

    def stop_everything(self):
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
        self.clean_exit = None
        if self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.clean_exit = self.daemon.wait(timeout=15) == 0
            except subprocess.TimeoutExpired:
                self.clean_exit = False
                self.daemon.kill()
                self.daemon.wait()
        self.ami.stop()
        self.webhook.stop()
        self.csv_file.close()
        self.daemon_log.close()

    def report(self, failures):
        if self.clean_exit is False:
            failures.append("the daemon did not exit 0 within 15 s of SIGTERM")
        lines = ["", "== soak summary (%s)" % self.results]
        load = [s for s in self.samples if s["phase"] == "load"]
        if load:
            lines.append("samples: %d under load every %.0f s, %d in all" % (len(load), self.a.interval, len(self.samples)))
            for key, unit, scale in (("rss_kib", "MiB", 1024), ("fds", "", 1), ("threads", "", 1)):
                values = [s[key] / scale for s in load]
                slope = sampler.slope_per_minute([(s["t_s"], s[key] / scale) for s in load[len(load) // 3:]])
                lines.append("%-8s min %8.1f  max %8.1f  last %8.1f  slope after warm-up %+.2f%s/min"
                             % (key.split("_")[0], min(values), max(values), values[-1], slope, " " + unit if unit else ""))
            for endpoint in ("healthz", "readyz"):
                lines.append("%s: %d of %d load samples failed; slowest %.0f ms" % (
                    endpoint, sum(1 for s in load if s[endpoint] != 200), len(load), max(s[endpoint + "_ms"] for s in load)))
        if getattr(self, "settled", None):
            lines.append("after the load: %d fds, %d threads (baseline %d, %d)"
                         % (self.settled["fds"], self.settled["threads"], self.baseline["fds"], self.baseline["threads"]))
        if self.generator:
            load_seconds = (load[-1]["t_s"] - load[0]["t_s"]) if len(load) > 1 else 0
            lines.append("generator: %d events sent, %.0f/s answered, replies %s%s" % (
                self.generator.sent, self.generator.answered / load_seconds if load_seconds else 0, json.dumps(self.generator.replies, sort_keys=True),
                ("; first rejections: " + json.dumps(self.generator.first_rejections)) if self.generator.first_rejections else ""))
        lines.append("fake AMI: %s" % json.dumps(self.ami.stats, sort_keys=True))
        lines.append("webhook: %s" % json.dumps(self.webhook.counts, sort_keys=True))
        for name, path in getattr(self, "stats_files", {}).items():
            try:
                with open(path) as file:
                    lines.append("%s: %s" % (name, json.dumps(json.load(file), sort_keys=True)))
            except (OSError, ValueError):
                lines.append("%s: no statistics" % name)
        if getattr(self, "died", False):
            with open(os.path.join(self.results, "daemon.log"), errors="replace") as file:
                tail = file.readlines()[-15:]
            lines.append("last lines of daemon.log:")
            lines.extend("  " + line.rstrip()[:300] for line in tail)
        lines.append("")
        if failures:
            lines.append("SOAK FAILED:")
            lines.extend("  - " + failure for failure in failures)
        else:
            lines.append("SOAK PASSED: the daemon lived, /healthz and /readyz answered, the stream flowed, RSS, descriptors and threads stayed flat")
        if not failures:  # a passing run's journal (about 200 bytes an event) is not worth keeping
            shutil.rmtree(os.path.join(self.results, "state", "journal"), ignore_errors=True)
        text = "\n".join(lines)
        print(text, flush=True)
        with open(os.path.join(self.results, "summary.txt"), "w") as file:
            file.write("\n".join(self.messages) + "\n" + text + "\n")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
