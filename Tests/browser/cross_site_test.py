"""Real-browser checks of issue 15: what a hostile page in a supervisor's browser, a DNS-rebinding name and a
kiosk TV get from wallboardd (docs/security.md). Headless Chromium over CDP (cdp.py); the PBX is a fake Asterisk
manager here that records every action it receives.

Checks (each named; the last line says `N passed, M failed`, exit status 1 on any failure):
  quickstart   `wallboardd --ami ...` on loopback, no access section. A page on another origin
               (http://127.0.0.1:OTHER) cannot open /ws; its text/plain, form and JSON posts to /api/v1/events
               are not applied; its posts to pause, remove and monitor reach nothing (the fake manager receives
               no QueuePause, QueueRemove or Originate); it cannot read the snapshot. The board on the daemon's
               own origin opens /ws and gets the snapshot masked (no customer number).
  rebinding    the board opened as http://attacker.example:PORT (Chromium resolves the name to 127.0.0.1):
               the API answers 421 and /ws never opens.
  kiosk        with an access section, /?token=<viewer token> shows the live board with customer data masked,
               the token is gone from the address bar, a reload of the tab keeps working; the same page without
               the token is refused.
  revoked      the kiosk's token removed from the config and SIGHUP: its open board is closed (1008) and stays out.
  scoped       a supervisor token limited to `sales`, used from a page on the daemon's own origin: pausing an agent
               of `support` is refused (403) and the fake manager receives nothing; pausing one of `sales` reaches it.

Environment: WALLBOARDD (default .build/debug/wallboardd), CHROMIUM, SHOTS_DIR (logs; default .build/browser-shots).
"""

import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CDPError  # noqa: E402
from fake_ami import FakeManager  # noqa: E402
from harness import DAEMON, ROOT, check, finish, free_port, prepare, shots_dir, stop_process, wait_until_serving  # noqa: E402

SHOTS = shots_dir()
CUSTOMER = "+15550100777"
VIEWER_TOKEN = "wbt_lobby-tv-browser-test-token"
PBX_ACTIONS = {"queuepause", "queueremove", "originate", "queueadd", "redirect", "hangup"}


def brief(value):
    """A socket log entry (or list of them) for a check's detail, without the snapshots."""
    if isinstance(value, list):
        return json.dumps([{k: v for k, v in e.items() if k != "snapshot"} for e in value])[:300]
    if isinstance(value, dict):
        return json.dumps({k: v for k, v in value.items() if k != "snapshot"})[:300]
    return json.dumps(value)[:300]


class Attacker:
    """Another origin on this machine: a page that only exists to run the attacks."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"<!doctype html><title>cat pictures</title><p>nothing to see</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class Daemon:
    def __init__(self, args, name):
        self.args = args
        self.log = open(os.path.join(SHOTS, f"wallboardd-{name}.log"), "ab")
        self.proc = None

    def start(self, port, timeout=20):
        self.proc = subprocess.Popen([DAEMON] + self.args, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        wait_until_serving(port, self.proc, timeout=timeout, log=self.log.name)

    def stop(self):
        stop_process(self.proc)


def request(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body.encode() if body is not None else None, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


# Records every WebSocket the page opens: its URL, open/close events with codes, the last snapshot.
SOCKET_SPY = r"""(() => {
  const Real = window.WebSocket;
  const log = [];
  window.__sockets = log;
  window.WebSocket = class extends Real {
    constructor(...args) {
      super(...args);
      const entry = { url: String(args[0]), events: [], snapshot: null };
      log.push(entry);
      this.addEventListener('open', () => entry.events.push('open'));
      this.addEventListener('close', (e) => entry.events.push('close:' + e.code));
      this.addEventListener('message', (e) => {
        try {
          const parsed = JSON.parse(e.data);
          // The board subscribes to its layout's topics (center, queue:<id>, agents, ...), not the whole
          // snapshot, and takes them in bundles: every whole payload is merged into one record, lists (waiting,
          // abandoned_today, agents) accumulated across topics, so the checks below see all the customer data it got.
          for (const m of parsed.type === 'bundle' && Array.isArray(parsed.messages) ? parsed.messages : [parsed]) {
            if (!(m && m.type === 'topic' && m.data && typeof m.data === 'object')) continue;
            const merged = entry.snapshot || {};
            for (const [key, value] of Object.entries(m.data)) {
              merged[key] = Array.isArray(value) ? (Array.isArray(merged[key]) ? merged[key] : []).concat(value) : value;
            }
            entry.snapshot = merged;
          }
        } catch {}
      });
    }
  };
})();"""


def attack_script(port, marker):
    """What a hostile page runs: open the board socket, post events three ways, drive the PBX, read the snapshot."""
    target = f"http://127.0.0.1:{port}"
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())

    def event(kind):
        return json.dumps({"id": f"{marker}-{kind}", "ts": now, "type": "agent.login", "agent": f"{marker}-{kind}",
                           "name": "Intruder", "queues": ["sales"]})

    return f"""(async () => {{
  const target = {json.dumps(target)};
  const out = {{}};
  out.ws = await new Promise((resolve) => {{
    const seen = [];
    const ws = new WebSocket({json.dumps(f"ws://127.0.0.1:{port}/ws")}, 'wallboard.v1');
    ws.onopen = () => {{ seen.push('open'); ws.send(JSON.stringify({{op: 'subscribe', topics: ['snapshot']}})); }};
    ws.onmessage = (e) => seen.push('message ' + String(e.data).length);
    ws.onclose = (e) => resolve({{seen, code: e.code}});
  }});
  const post = async (path, body, type, mode) => {{
    try {{
      const r = await fetch(target + path, {{method: 'POST', mode, headers: {{'Content-Type': type}}, body}});
      return {{status: r.status, type: r.type}};
    }} catch (e) {{ return {{error: String(e)}}; }}
  }};
  out.eventsPlain = await post('/api/v1/events', {json.dumps(event('plain'))}, 'text/plain', 'no-cors');
  out.eventsJSON = await post('/api/v1/events', {json.dumps(event('json'))}, 'application/json', 'cors');
  for (const [name, path, body] of [
    ['pause', '/api/v1/actions/pause', '{{"agent":"PJSIP/1001","queue":"sales","paused":true,"reason":"x"}}'],
    ['remove', '/api/v1/actions/remove', '{{"agent":"PJSIP/1001","queue":"sales"}}'],
    ['monitor', '/api/v1/interactions/c1/monitor', '{{"endpoint":"DAHDI/1/900123456","mode":"barge"}}'],
  ]) {{
    out[name + 'Plain'] = await post(path, body, 'text/plain', 'no-cors');
    out[name + 'JSON'] = await post(path, body, 'application/json', 'cors');
  }}
  // A classic cross-site form post (enctype text/plain), into a hidden frame.
  await new Promise((resolve) => {{
    const frame = document.createElement('iframe');
    frame.name = 'sink';
    frame.onload = resolve;
    document.body.appendChild(frame);
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = target + '/api/v1/events';
    form.enctype = 'text/plain';
    form.target = 'sink';
    const input = document.createElement('input');
    input.name = {json.dumps(event('form')[:-1] + ',"x":"')};
    input.value = '"}}';
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
  }});
  out.read = await fetch(target + '/api/v1/snapshot').then((r) => 'read ' + r.status).catch((e) => 'blocked ' + e);
  return out;
}})()"""


def quickstart(browser, attacker):
    manager = FakeManager()
    secret = os.path.join(SHOTS, "ami.secret")
    with open(secret, "w") as f:
        f.write("browser-test")
    port = free_port()
    daemon = Daemon(["--listen", f"127.0.0.1:{port}", "--web-root", os.path.join(ROOT, "web"),
                     "--ami", f"127.0.0.1:{manager.port}", "--ami-user", "wallboard", "--ami-secret-file", secret],
                    "quickstart")
    try:
        daemon.start(port)
        check("quickstart daemon logged in to the (fake) Asterisk manager", manager.logged_in.wait(15))
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        seed = "\n".join(json.dumps(e) for e in [
            {"id": "q1", "ts": now, "type": "agent.login", "agent": "PJSIP/1001", "name": "Ann", "queues": ["sales"]},
            {"id": "q2", "ts": now, "type": "contact.queued", "contact": "c1", "queue": "sales", "channel": "voice",
             "customer": {"id": CUSTOMER}},
        ])
        status, text = request("POST", f"http://127.0.0.1:{port}/api/v1/events", seed, {"Content-Type": "application/x-ndjson"})
        check("quickstart a local script may post events (loopback, JSON)", status == 200, text[:200])

        page = browser.new_page(1280, 800)
        page.navigate(f"http://127.0.0.1:{attacker.port}/")
        out = page.evaluate(attack_script(port, "intruder"))
        ws = out.get("ws", {})
        check("quickstart a page on another origin cannot open /ws", "open" not in ws.get("seen", []) and not any(
            s.startswith("message") for s in ws.get("seen", [])), json.dumps(ws))
        _, snap = request("GET", f"http://127.0.0.1:{port}/api/v1/snapshot")
        applied = [a.get("id") for a in json.loads(snap).get("agents", []) if str(a.get("id", "")).startswith("intruder")]
        check("quickstart its events (text/plain, form, JSON) are not applied", not applied,
              f"applied {applied}; answers {json.dumps({k: out.get(k) for k in ('eventsPlain', 'eventsJSON')})}")
        pbx = [a for a in manager.action_names() if a in PBX_ACTIONS]
        check("quickstart its pause/remove/monitor posts reach nothing: the manager received no PBX action", not pbx,
              f"received {pbx}; answers {json.dumps({k: v for k, v in out.items() if k.endswith(('Plain', 'JSON'))})}")
        check("quickstart it cannot read the snapshot", str(out.get("read", "")).startswith("blocked"), str(out.get("read")))

        board = browser.new_page(1280, 800)
        board.add_init_script(SOCKET_SPY)
        board.navigate(f"http://127.0.0.1:{port}/?layout=queue&queue=sales")
        shown = board.wait_for("(() => { const s = (window.__sockets || []).find((x) => x.snapshot); "
                               "return s && s.snapshot.waiting && s.snapshot.waiting.length && s; })()", timeout=15)
        text = json.dumps(shown or {})
        check("quickstart the board on the daemon's own origin is live and masked",
              bool(shown) and shown["snapshot"].get("masked") is True and CUSTOMER not in text
              and CUSTOMER not in (board.evaluate("document.body.innerText") or ""),
              f"{brief(shown)} masked={(shown or {}).get('snapshot', {}).get('masked')}")
    finally:
        daemon.stop()
        manager.close()


def rebinding(browser):
    port = free_port()
    daemon = Daemon(["--listen", f"127.0.0.1:{port}", "--web-root", os.path.join(ROOT, "web"), "--seed", "7"], "rebinding")
    try:
        daemon.start(port)
        page = browser.new_page(1280, 800)
        page.navigate(f"http://attacker.example:{port}/")
        out = page.evaluate(f"""(async () => {{
  const api = await fetch('/api/v1/snapshot').then((r) => r.status).catch((e) => String(e));
  const ws = await new Promise((resolve) => {{
    const seen = [];
    const s = new WebSocket('ws://attacker.example:{port}/ws', 'wallboard.v1');
    s.onopen = () => seen.push('open');
    s.onmessage = () => seen.push('message');
    s.onclose = (e) => resolve({{seen, code: e.code}});
  }});
  return {{api, ws}};
}})()""")
        check("rebinding the API answers 421 to Host attacker.example", out.get("api") == 421, json.dumps(out))
        check("rebinding /ws never opens under that name", not out.get("ws", {}).get("seen"), json.dumps(out))
    finally:
        daemon.stop()


def write_kiosk_config(path, port, with_token):
    token = (f"    - {{name: lobby-tv, role: viewer, hash: \"{hashlib.sha256(VIEWER_TOKEN.encode()).hexdigest()}\"}}\n"
             if with_token else "")
    other = f"    - {{name: someone-else, role: viewer, hash: \"{hashlib.sha256(b'wbt_other').hexdigest()}\"}}\n"
    with open(path, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nweb_root: {os.path.join(ROOT, 'web')}\nsimulator: {{enabled: true, seed: 7}}\n"
                f"access:\n  tokens:\n{token}{other}")


def kiosk(browser):
    port = free_port()
    config = os.path.join(SHOTS, "wallboardd-kiosk.yaml")
    write_kiosk_config(config, port, with_token=True)
    daemon = Daemon(["--config", config], "kiosk")
    try:
        daemon.start(port)
        page = browser.new_page(1920, 1080)
        page.add_init_script(SOCKET_SPY)
        page.navigate(f"http://127.0.0.1:{port}/?layout=kpi&token={VIEWER_TOKEN}")
        live = page.wait_for("document.querySelector('.wallboard-app').dataset.generatedAt && "
                             "(window.__sockets || []).find((s) => s.snapshot)", timeout=15)
        snap = (live or {}).get("snapshot") or {}
        customers = [c.get("customer") for c in snap.get("abandoned_today", []) + snap.get("waiting", []) if c.get("customer")]
        check("kiosk /?token=<viewer> shows the live board", bool(live), json.dumps((live or {}).get("events")))
        check("kiosk its customer data is masked", snap.get("masked") is True and not customers,
              f"masked={snap.get('masked')} customers={customers[:3]}")
        href = page.evaluate("location.href")
        check("kiosk the token is gone from the address bar", "token" not in href and "layout=kpi" in href, href)
        page.send("Page.reload", {})
        again = page.wait_for("(window.__sockets || []).find((s) => s.snapshot)", timeout=15)
        check("kiosk a reload of the tab keeps working (token kept for the tab)", bool(again))

        bare = browser.new_page(1280, 800)
        bare.add_init_script(SOCKET_SPY)
        bare.navigate(f"http://127.0.0.1:{port}/?layout=kpi")
        refused = bare.wait_for("(window.__sockets || []).find((s) => s.events.some((e) => e.startsWith('close')))", timeout=15)
        check("kiosk the same page without the token is refused", bool(refused) and "open" not in refused["events"],
              brief(refused))

        # revoked: the token leaves the config; SIGHUP closes the open board at once and it stays out.
        write_kiosk_config(config, port, with_token=False)
        daemon.proc.send_signal(signal.SIGHUP)
        closed = page.wait_for("(window.__sockets || []).find((s) => s.events.includes('close:1008'))", timeout=15)
        check("revoked the kiosk's open board is closed with 1008 on reload", bool(closed), brief(closed))
        later = page.wait_for("(() => { const l = window.__sockets || []; const i = l.findIndex((s) => "
                              "s.events.includes('close:1008')); const after = l.slice(i + 1); "
                              "return after.length && after.every((s) => !s.events.includes('open')) && "
                              "after.some((s) => s.events.some((e) => e.startsWith('close'))) && after; })()", timeout=20)
        check("revoked its reconnection is refused", bool(later), brief(later))
    finally:
        daemon.stop()


def scoped(browser):
    manager = FakeManager()
    secret = os.path.join(SHOTS, "ami.secret")
    with open(secret, "w") as f:
        f.write("browser-test")
    port = free_port()
    config = os.path.join(SHOTS, "wallboardd-scoped.yaml")
    sup, feed = "wbt_site-supervisor-sales", "wbt_feed-browser-test"
    with open(config, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nweb_root: {os.path.join(ROOT, 'web')}\n"
                f"ami:\n  - {{name: pbx, host: 127.0.0.1, port: {manager.port}, username: wallboard, secret_file: {secret}}}\n"
                f"access:\n  tokens:\n"
                f"    - {{name: site-sup, role: supervisor, queues: [sales], hash: \"{hashlib.sha256(sup.encode()).hexdigest()}\"}}\n"
                f"    - {{name: feed, role: ingest, hash: \"{hashlib.sha256(feed.encode()).hexdigest()}\"}}\n")
    daemon = Daemon(["--config", config], "scoped")
    try:
        daemon.start(port)
        check("scoped daemon logged in to the (fake) Asterisk manager", manager.logged_in.wait(15))
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        seed = "\n".join(json.dumps(e) for e in [
            {"id": "g1", "ts": now, "type": "agent.login", "agent": "PJSIP/1001", "name": "Ann", "team": "t1", "queues": ["sales"]},
            {"id": "g2", "ts": now, "type": "agent.login", "agent": "PJSIP/1002", "name": "Bob", "team": "t2", "queues": ["support"]},
        ])
        request("POST", f"http://127.0.0.1:{port}/api/v1/events", seed,
                {"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {feed}"})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            _, snap = request("GET", f"http://127.0.0.1:{port}/api/v1/snapshot", headers={"Authorization": f"Bearer {sup}"})
            if "PJSIP/1001" in snap:
                break
            time.sleep(0.1)
        page = browser.new_page(1280, 800)
        page.navigate(f"http://127.0.0.1:{port}/?layout=agents")
        pause = (f"((agent, queue) => fetch('/api/v1/actions/pause', {{method: 'POST', headers: "
                 f"{{'Content-Type': 'application/json', 'Authorization': 'Bearer {sup}'}}, body: JSON.stringify("
                 f"{{agent, queue, paused: true, reason: 'Coaching'}})}}).then(async (r) => [r.status, await r.text()]))")
        outside = page.evaluate(f"{pause}('PJSIP/1002', 'support')") or [0, ""]
        before = [a for a in manager.action_names() if a in PBX_ACTIONS]
        check("scoped pausing an agent outside the token's queues is refused, nothing reaches the PBX",
              outside[0] == 403 and not before, f"{outside} manager={before}")
        inside = page.evaluate(f"{pause}('PJSIP/1001', 'sales')") or [0, ""]
        after = [a for a in manager.action_names() if a in PBX_ACTIONS]
        check("scoped pausing an agent inside them reaches the PBX once", inside[0] == 200 and after == ["queuepause"],
              f"{inside} manager={after}")
    finally:
        daemon.stop()
        manager.close()


def main():
    if not prepare(SHOTS):
        return
    browser = None
    attacker = Attacker()
    try:
        browser = Browser(extra_args=["--host-resolver-rules=MAP attacker.example 127.0.0.1"])
        for part in (lambda: quickstart(browser, attacker), lambda: rebinding(browser), lambda: kiosk(browser),
                     lambda: scoped(browser)):
            try:
                part()
            except (CDPError, RuntimeError, OSError) as e:
                check("run", False, f"{type(e).__name__}: {e}")
    finally:
        if browser:
            browser.close()
        attacker.close()


if __name__ == "__main__":
    main()
    finish()
