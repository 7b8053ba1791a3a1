"""What every browser suite shares: the daemon binary, the screenshot folder, named checks with the summary line
`scripts/browser-test` reads, a free loopback port, waiting until a daemon serves and stopping a daemon.

Each suite keeps what is its own (its config, its fake PBX, its checks); this module holds only what they did alike.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DAEMON = os.path.abspath(os.environ.get("WALLBOARDD") or os.path.join(ROOT, ".build/debug/wallboardd"))
T0 = time.monotonic()

results = []


def shots_dir(folder=None, default=".build/browser-shots"):
    """Where a suite writes its screenshots and logs: `$SHOTS_DIR` (its `folder` inside, so suites that run one after
    another with the same SHOTS_DIR keep each other's shots), else `default` under the repository."""
    base = os.environ.get("SHOTS_DIR")
    if base:
        return os.path.abspath(os.path.join(base, folder) if folder else base)
    return os.path.abspath(os.path.join(ROOT, default))


def prepare(shots, clear_screenshots=False):
    """Makes the screenshot folder (emptied of PNGs with `clear_screenshots`) and checks the daemon binary; returns
    False, with a failed `setup` check, when there is no daemon to run."""
    os.makedirs(shots, exist_ok=True)
    if clear_screenshots:
        for f in os.listdir(shots):
            if f.endswith(".png"):
                os.remove(os.path.join(shots, f))
    if not os.access(DAEMON, os.X_OK):
        return check("setup", False, f"{DAEMON} not found: swift build --product wallboardd, or set WALLBOARDD")
    return True


def check(name, ok, detail=""):
    """Records one named check and prints it at once (`ok  name` or `FAIL name: detail`); returns `ok`."""
    results.append((name, bool(ok), detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{(': ' + detail) if detail else ''}", flush=True)
    return ok


def finish(note=""):
    """Prints `N passed, M failed (S s[; note])` and exits 1 when a check failed or none ran."""
    failed = sum(1 for _, ok, _ in results if not ok)
    tail = f"; {note}" if note else ""
    print(f"{len(results) - failed} passed, {failed} failed ({time.monotonic() - T0:.0f} s{tail})", flush=True)
    sys.exit(1 if failed or not results else 0)


def free_port():
    """A TCP port free on 127.0.0.1 at this instant."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(port, proc=None, timeout=20, log=None, path="/healthz"):
    """Waits until the daemon on 127.0.0.1:`port` answers `path`; raises RuntimeError when `proc` exits first (naming
    `log`) or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            where = f" (see {log})" if log else ""
            raise RuntimeError(f"wallboardd exited with {proc.returncode}{where}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"wallboardd not ready in {timeout} s")
            time.sleep(0.1)


def stop_process(proc, grace=10):
    """SIGTERM, then SIGKILL after `grace` seconds; waits for the exit either way. Nothing when it has exited."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
