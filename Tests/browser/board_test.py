"""Real-browser tests of the wallboard: a daemon on the simulator, headless Chromium driven over CDP.

Asserts (each a named check; the last line says `N passed, M failed`, the exit status is 1 on any failure):
  topics    every layout subscribes to exactly the topics it shows (center, alerts, its queues, its agents), the center
            and queues limited to the windows it reads (center@primary, queue:<id>@primary)
  numbers   every layout shows the numbers of its topics as GET /api/v1/snapshot?topics= returns them (the same
            `center` generated_at), assembled here independently of the board's TopicStore
  deltas    agent deltas reach the tv board and its cards equal the API's agents afterwards
  restart   daemon killed -> stale/offline shown within the heartbeat limit -> restarted on the same port ->
            live again with a newer snapshot whose numbers match the API
  alerts    the alert banner: server-driven (the config's always-true rule fires; the banner shows its severity
            and summary; acknowledged through POST /api/v1/alerts/{id}/ack it says so; removed by SIGHUP it goes),
            and always through the socket's own message path with an injected `alerts` topic message
  cost      the kpi layout's cost rows (config `costs:`, closing the Volume panel) show the API's cost figures in the
            config's currency
  partial   a daemon without a state directory (and no simulator): the board's header says "Today since HH:MM —
            restarted without history", HH:MM being /healthz's `today_since` in the browser's local time
  shots     a PNG of each layout (1080p and 4K, dark and light, stale, alert) in $SHOTS_DIR
  console   no console errors, exceptions or error log entries, except the WebSocket connection failures while
            the daemon is down

Environment: WALLBOARDD (daemon binary, default .build/debug/wallboardd), SHOTS_DIR (default
.build/browser-shots), CHROMIUM (browser binary, default `chromium` on PATH).
"""

import hashlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CDPError  # noqa: E402
from harness import DAEMON, ROOT, check, finish, free_port, prepare, shots_dir, stop_process  # noqa: E402

SHOTS = shots_dir()
HEARTBEAT_LIMIT_S = 3 * 5 + 1  # protocol.md: stale after 3 silent heartbeats of 5 s
ALERT_SUMMARY = "Browser test: agents available >= 0 (always fires)"
ACK_TOKEN = "wbt_browser-test-supervisor"


def write_config(path, port, with_rule):
    """The daemon's config: the simulator, and (with_rule) an alert rule that holds from the first tick."""
    rule = f"""
alerts:
  rules:
    - name: browser-test-always
      metric: agents_available
      scope: center
      comparison: ">="
      threshold: 0
      for: 0s
      severity: critical
      summary: "{ALERT_SUMMARY}"
""" if with_rule else ""
    # Tokenless admin from this machine (the board and the checks' own reads), and a supervisor token for the
    # acknowledgement, named as the banner shows it (docs/security.md).
    access = (f"access:\n  loopback_without_token: true\n  tokens:\n"
              f"    - {{name: browser-test, role: supervisor, hash: \"{hashlib.sha256(ACK_TOKEN.encode()).hexdigest()}\"}}\n")
    # Costs, so the kpi layouts show their cost panel (docs/metrics.md, "Cost per contact").
    costs = "costs: {currency: EUR, decimals: 2, agent_hourly: 31.25, teams: {north: 35.10}, fixed_hourly: 12.5}\n"
    with open(path, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nweb_root: {os.path.join(ROOT, 'web')}\n"
                f"simulator: {{enabled: true, seed: 7}}\n{access}{costs}{rule}")


class Daemon:
    def __init__(self, port):
        self.port = port
        self.proc = None
        self.log = open(os.path.join(SHOTS, "wallboardd.log"), "ab")
        self.config = os.path.join(SHOTS, "wallboardd.yaml")
        write_config(self.config, port, with_rule=True)

    def reload(self, with_rule):
        """Rewrites the config and sends SIGHUP (alert rules reload live)."""
        write_config(self.config, self.port, with_rule)
        self.proc.send_signal(signal.SIGHUP)

    def start(self, timeout=20):
        self.proc = subprocess.Popen(
            [DAEMON, "--config", self.config],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wallboardd exited with {self.proc.returncode} (see {self.log.name})")
            try:
                snapshot_fetch(self.port)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"wallboardd not ready in {timeout} s")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        stop_process(self.proc)


class PlainDaemon(Daemon):
    """A daemon with no simulator and no state_dir: its "today" starts at its start (the partial-day notice)."""

    def __init__(self, port):
        super().__init__(port)
        self.config = os.path.join(SHOTS, "wallboardd-plain.yaml")
        with open(self.config, "w") as f:
            f.write(f"listen: 127.0.0.1:{port}\nweb_root: {os.path.join(ROOT, 'web')}\n"
                    f"access:\n  loopback_without_token: true\n")


def partial_day_checks(browser):
    """The partial-day notice on a real board, against what /healthz says."""
    port = free_port()
    daemon = PlainDaemon(port)
    try:
        daemon.start()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as r:
            health = json.load(r)
        check("partial: /healthz says today starts at the restart without state_dir",
              health.get("today_partial_reason") == "no_state_dir" and isinstance(health.get("today_since"), str),
              json.dumps({k: health.get(k) for k in ("today_since", "today_partial_reason")}))
        page = browser.new_page(1920, 1080)
        page.navigate(f"http://127.0.0.1:{port}/")
        want = page.evaluate("(() => { const d = new Date(%s); const p = (n) => String(n).padStart(2, '0');"
                             " return `Today since ${p(d.getHours())}:${p(d.getMinutes())} — restarted without history`; })()"
                             % json.dumps(health.get("today_since")))
        shown = page.wait_for("(() => { const t = document.querySelector('.board-header__today');"
                              " return t && !t.hidden && t.getBoundingClientRect().height > 0 ? t.textContent : null; })()",
                              timeout=10)
        check("partial: the board's header shows the partial-day notice", shown == want, f"{shown!r} vs {want!r}")
        page.screenshot(os.path.join(SHOTS, "tv-partial-day.png"))
        errors = console_errors(page, allow_ws_failures=False)
        check("partial: console clean", not errors, "; ".join(errors[:3]))
    finally:
        daemon.stop()


def snapshot_fetch(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/snapshot", timeout=3) as r:
        return json.loads(r.read())


def topics_fetch(port, topics):
    names = ",".join(sorted(t for t in topics if t != "alerts"))
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/snapshot?topics={names}", timeout=3) as r:
        return json.loads(r.read())


def layout_topics(layout, query, center):
    """The topics a layout shows (docs/protocol.md, web/README.md), worked out here from the address and `center`:
    the queue layout also its queue's interval topic (the chart), the kpi layout its first six queues', the tv layout
    each shown queue's only with `?spark=1`."""
    params = dict(p.split("=", 1) for p in query.lstrip("?").split("&") if "=" in p)
    known = [q["id"] for q in center.get("queues", [])]
    picked = [q for q in params.get("queues", "").split(",") if q] or None
    shown = [q for q in picked if q in known] if picked else known
    topics = {"center", "alerts"}
    if layout == "queue":
        qid = params.get("queue") or (picked[0] if picked else None) or (known[0] if known else None)
        if qid in known:
            topics |= {f"queue:{qid}", f"agents:{qid}", f"intervals:queue:{qid}"}
    elif layout == "kpi":
        topics |= {"groups"} | {f"queue:{q}" for q in known} | {f"intervals:queue:{q}" for q in known[:6]}
    else:
        if layout == "tv":
            topics |= {f"queue:{q}" for q in shown}
            if params.get("spark") == "1":
                topics |= {f"intervals:queue:{q}" for q in shown}
        topics |= {"agents"} if not picked else {f"agents:{q}" for q in shown}
    # Each layout's center, queues and groups limited to the windows it reads (docs/protocol.md, "Window-limited
    # topics"): the kpi page's center the primary window and today, the queue layout's queue every window.
    center_windows = "primary,today" if layout == "kpi" else "primary"
    def limited(t):
        if t == "center":
            return f"center@{center_windows}"
        if t == "groups" or (t.startswith("queue:") and layout != "queue"):
            return f"{t}@primary"
        return t
    return sorted(limited(t) for t in topics)


def board_model(port, topics):
    """The snapshot-shaped model a board with these topics shows, from the REST mirrors of the same topics."""
    # Window-limited names (`center@primary`) by their topic: the REST mirror answers them as the board gets them.
    got = {(k.rsplit("@", 1)[0] if "@" in k else k): v for k, v in topics_fetch(port, topics).items()}
    center = got.get("center") or {}
    queues, waiting, abandoned, counts, agents = [], [], [], {}, {}
    for q in center.get("queues", []):
        t = got.get(f"queue:{q['id']}")
        if not t:
            queues.append({"id": q["id"], "name": q.get("name")})
            continue
        queues.append(t["queue"])
        waiting += t.get("waiting", [])
        abandoned += t.get("abandoned_today", [])
        counts[q["id"]] = t.get("abandoned_today_count")
    for name, t in got.items():
        if name == "agents" or name.startswith("agents:"):
            for a in t.get("agents", []):
                agents[a["id"]] = a
    groups = got.get("groups") or {}
    return {
        "generated_at": center.get("generated_at"), "primary_window": center.get("primary_window"),
        "center": center.get("center"), "queues": queues, "waiting": waiting, "abandoned_today": abandoned,
        "abandoned_today_counts": counts, "agents": sorted(agents.values(), key=lambda a: a["id"]),
        "segments": groups.get("segments", []), "languages": groups.get("languages", []),
        "channels": groups.get("channels", []),
    }


# --- the board's formatting, re-done here independently (WallboardLogic.js) ---------------------------------

def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def f_sl(v):
    return f"{math.floor(v * 100 + 1e-9)}%" if is_num(v) else "—"


def f_pct(v):
    return f"{math.floor(v * 100 + 0.5)}%" if is_num(v) else "—"


def f_count(v):
    return f"{math.floor(v + 0.5):,}" if is_num(v) else "—"


def f_dur(v):
    if not is_num(v):
        return "—"
    t = max(0, math.floor(v))
    h, m, s = t // 3600, (t % 3600) // 60, t % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def f_score(v):
    return f"{math.floor(v * 10 + 0.5) / 10:.1f}" if is_num(v) else "—"


def with_n(value, n):
    return value if value == "—" or not is_num(n) else f"{value} ({f_count(n)})"


def f_money(minor, currency):
    """formatMoney for EUR/USD-like currencies: en-US, the symbol, thousands separators, exactly `decimals` digits."""
    if not isinstance(minor, int) or isinstance(minor, bool) or not currency:
        return "—"
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}[currency["code"]]
    d = currency["decimals"]
    whole, frac = divmod(minor, 10 ** d)
    return f"{symbol}{whole:,}" + (f".{frac:0{d}d}" if d else "")


def kpi_rows(m, currency=None):
    """The KPI panels' rows (WallboardView.KPI_ROWS, and COST_ROWS when the scope has a currency), re-done from the
    metrics object."""
    rep = f"{f_count(m.get('repeat_contacts'))} ({f_pct(m.get('repeat_rate'))})" \
        if is_num(m.get("repeat_contacts")) and is_num(m.get("repeat_rate")) else f_count(m.get("repeat_contacts"))
    return {
        "kpi-volume": {"offered": f_count(m.get("offered")), "answered": f_count(m.get("answered")),
                       "abandoned": f_count(m.get("abandoned")), "short_abandoned": f_count(m.get("short_abandoned")),
                       "transfers": f_count(m.get("transfers")),
                       **({"cost": f_money(m.get("cost_minor"), currency),
                           "cost_per_handled": f_money(m.get("cost_per_handled_minor"), currency),
                           "cost_per_offered": f_money(m.get("cost_per_offered_minor"), currency)} if currency else {})},
        "kpi-speed": {"service_level": f_sl(m.get("service_level")), "abandon_rate": f_pct(m.get("abandon_rate")),
                      "asa": f_dur(m.get("asa_seconds")), "max_wait": f_dur(m.get("max_wait_seconds"))},
        "kpi-handling": {"aht": f_dur(m.get("aht_seconds")), "talk": f_dur(m.get("talk_seconds")),
                         "hold": f_dur(m.get("hold_seconds")), "wrap_up": f_dur(m.get("wrap_up_seconds")),
                         "occupancy": f_pct(m.get("occupancy")), "utilization": f_pct(m.get("utilization"))},
        "kpi-quality": {"repeat": rep, "fcr": with_n(f_pct(m.get("fcr_rate")), m.get("surveys_resolved")),
                        "csat": with_n(f_score(m.get("csat_average")), m.get("surveys_csat")),
                        "ces": with_n(f_score(m.get("ces_average")), m.get("surveys_ces"))},
    }


def kpi_diffs(scope, win, tables, cmp, where):
    """Every KPI panel cell against the scope's metrics for that window (primary and today)."""
    metrics = scope.get("metrics") or {}
    cols = [w for w in dict.fromkeys([win, "today"]) if w in metrics]
    for col in cols:
        for table, rows in kpi_rows(metrics[col], scope.get("currency")).items():
            for key, want in rows.items():
                cmp(f"{where} {table}.{key}[{col}]", ((tables.get(table) or {}).get(key) or {}).get(col), want)
    return cols


def mix_diffs(scope, win, tables, cmp, where):
    metrics = scope.get("metrics") or {}
    for table, key in (("channels", "channel_mix"), ("reasons", "reason_mix")):
        mix = (metrics.get(win) or {}).get(key) or {}
        total = sum(v for v in mix.values() if is_num(v))
        ranked = sorted(mix.items(), key=lambda kv: (-kv[1], kv[0]))
        for name, n in (ranked if where == "queue" else ranked[:6]):
            cmp(f"{where} {table}.{name}[{win}]", ((tables.get(table) or {}).get(name) or {}).get(win),
                f"{f_count(n)} · {f_pct(n / total if total else None)}")


def abandoned_diffs(snap, tables, cmp, queue=None, limit=8):
    if not isinstance(snap.get("abandoned_today"), list):
        return
    rows = [e for e in snap["abandoned_today"] if queue is None or e.get("queue") == queue]
    rows.sort(key=lambda e: e.get("at") or "", reverse=True)
    shown = (tables.get("abandoned") or {})
    cmp("abandoned rows", sorted(shown), sorted(e["contact"] for e in rows[:limit]))
    for e in rows[:limit]:
        cells = shown.get(e["contact"]) or {}
        cmp(f"abandoned {e['contact']}.waited", cells.get("waited"), f_dur(e.get("wait_seconds")))
        cmp(f"abandoned {e['contact']}.customer", cells.get("customer"), e.get("customer") or "—")


PAGE_READ = r"""(() => {
  const app = document.querySelector('.wallboard-app');
  const fields = (root) => Object.fromEntries([...root.querySelectorAll('[data-field]')]
      .map((n) => [n.dataset.field, n.textContent]));
  const tiles = {};
  for (const t of document.querySelectorAll('.queue-tiles:not([hidden]) .queue-tile')) tiles[t.dataset.id] = fields(t);
  const windows = {};
  for (const w of document.querySelectorAll('.queue-detail:not([hidden]) .queue-detail__window')) windows[w.dataset.id] = fields(w);
  const detail = document.querySelector('.queue-detail:not([hidden])');
  const agents = {};
  for (const a of document.querySelectorAll('.agent-board__list .agent-card')) agents[a.dataset.key] = a.dataset.state;
  const summary = document.querySelector('.center-summary:not([hidden])');
  const kpi = document.querySelector('.kpi-board:not([hidden])');
  const kpiTables = {};
  if (kpi) for (const t of kpi.querySelectorAll('.kpi-board__panel')) {
    const rows = {};
    for (const r of t.querySelectorAll('tbody tr')) {
      rows[r.dataset.key] = Object.fromEntries([...r.querySelectorAll('td')].map((c) => [c.dataset.col, c.textContent]));
    }
    kpiTables[t.dataset.id] = rows;
  }
  return {
    generatedAt: app.dataset.generatedAt || null,
    layout: app.dataset.layout,
    tiles, windows, agents, kpiTables,
    center: summary ? fields(summary) : null,
    detailId: detail ? detail.dataset.id : null,
    subscribed: window.__wbTest ? [...window.__wbTest.subscribed].sort() : [],
    detail: detail ? fields(detail.querySelector('.queue-detail__body')) : null,
    waitingRows: detail ? detail.querySelectorAll('.queue-detail__waiting-item').length : null,
    badge: document.querySelector('.connection-badge').dataset.state,
  };
})()"""


def expected_for(snap, page):
    """The strings the page must show for this snapshot, keyed like the page read-out; plus the diffs."""
    win = snap.get("primary_window")
    diffs = []

    def cmp(where, got, want):
        if got != want:
            diffs.append(f"{where}: page {got!r} != api {want!r}")

    queues = {q["id"]: q for q in snap.get("queues", [])}
    for qid, tile in page["tiles"].items():
        q = queues.get(qid)
        if q is None:
            diffs.append(f"tile {qid}: not in the snapshot")
            continue
        m = (q.get("metrics") or {}).get(win) or {}
        a = q.get("agents") or {}
        want = {
            "slText": f_sl(m.get("service_level")), "waiting": f_count(q.get("waiting_now")),
            "available": f_count(a.get("available")), "ringing": f_count(a.get("ringing")),
            "onContact": f_count(a.get("on_contact")), "wrapUp": f_count(a.get("wrap_up")),
            "notReady": f_count(a.get("not_ready")), "offered": f_count(m.get("offered")),
            "answered": f_count(m.get("answered")), "abandonRate": f_pct(m.get("abandon_rate")),
            "asa": f_dur(m.get("asa_seconds")),
        }
        for k, v in want.items():
            cmp(f"tile {qid}.{k}", tile.get(k), v)
    if page["layout"] == "tv":
        cmp("tile ids", sorted(page["tiles"]), sorted(queues))
        c = snap.get("center") or {}
        m = (c.get("metrics") or {}).get(win) or {}
        a = c.get("agents") or {}
        want = {
            "waiting": f_count(c.get("waiting_now")), "serviceLevel": f_sl(m.get("service_level")),
            "offered": f_count(m.get("offered")), "answered": f_count(m.get("answered")),
            "abandonRate": f_pct(m.get("abandon_rate")), "asa": f_dur(m.get("asa_seconds")),
            "aht": f_dur(m.get("aht_seconds")), "loggedIn": f_count(a.get("logged_in")),
            "notReady": f_count(a.get("not_ready")), "abandoned": f_count(m.get("abandoned")),
            "shortAbandoned": f_count(m.get("short_abandoned")), "maxWait": f_dur(m.get("max_wait_seconds")),
            "occupancy": f_pct(m.get("occupancy")), "utilization": f_pct(m.get("utilization")),
            "transfers": f_count(m.get("transfers")), "fcr": f_pct(m.get("fcr_rate")),
            "csat": f_score(m.get("csat_average")), "ces": f_score(m.get("ces_average")),
            "available": f_count(a.get("available")),
        }
        for k, v in want.items():
            cmp(f"center.{k}", (page["center"] or {}).get(k), v)
    if page["layout"] == "queue":
        q = queues.get(page["detailId"])
        if q is None:
            diffs.append(f"queue detail {page['detailId']}: not in the snapshot")
        else:
            for w, fields in page["windows"].items():
                cmp(f"window {w}.slText", fields.get("slText"), f_sl(((q.get("metrics") or {}).get(w) or {}).get("service_level")))
            cmp("window ids", sorted(page["windows"]), sorted(w for w in ("15m", "30m", "60m", "interval", "today") if w in (q.get("metrics") or {})))
            m = (q.get("metrics") or {}).get(win) or {}
            want = {
                "waiting": f_count(q.get("waiting_now")), "offered": f_count(m.get("offered")),
                "answered": f_count(m.get("answered")), "abandonRate": f_pct(m.get("abandon_rate")),
                "asa": f_dur(m.get("asa_seconds")), "aht": f_dur(m.get("aht_seconds")),
                "available": f_count((q.get("agents") or {}).get("available")),
            }
            for k, v in want.items():
                cmp(f"detail.{k}", (page["detail"] or {}).get(k), v)
            kpi_diffs(q, win, page["kpiTables"], cmp, "queue")
            mix_diffs(q, win, page["kpiTables"], cmp, "queue")
            abandoned_diffs(snap, page["kpiTables"], cmp, queue=q["id"], limit=4)
            if isinstance(snap.get("waiting"), list):
                cmp("waiting rows", page["waitingRows"], sum(1 for w in snap["waiting"] if w.get("queue") == q["id"]))
    if page["layout"] == "kpi":
        c = snap.get("center") or {}
        cols = kpi_diffs(c, win, page["kpiTables"], cmp, "center")
        if not cols:
            diffs.append("kpi: no window columns")
        mix_diffs(c, win, page["kpiTables"], cmp, "center")
        abandoned_diffs(snap, page["kpiTables"], cmp, limit=4)
        for table, kind, groups in (("queues", None, snap.get("queues")), ("breakdown", "segment", snap.get("segments")),
                                    ("breakdown", "language", snap.get("languages"))):
            if not isinstance(groups, list):
                continue
            rows = page["kpiTables"].get(table) or {}
            key = (lambda g: g["id"]) if kind is None else (lambda g, k=kind: f"{k}:{g['id']}")
            cmp(f"{table} {kind} rows", sorted(r for r in rows if kind is None or r.startswith(kind + ":")),
                sorted(key(g) for g in groups))
            for g in groups:
                m = (g.get("metrics") or {}).get(win) or {}
                want = {"waiting": f_count(g.get("waiting_now")), "offered": f_count(m.get("offered")),
                        "sl": f_sl(m.get("service_level")), "abandon_rate": f_pct(m.get("abandon_rate")),
                        "asa": f_dur(m.get("asa_seconds")), "aht": f_dur(m.get("aht_seconds")),
                        "csat": f_score(m.get("csat_average"))}
                for k, v in want.items():
                    cmp(f"{table} {key(g)}.{k}", (rows.get(key(g)) or {}).get(k), v)
        for q in snap.get("queues", []):
            m = (q.get("metrics") or {}).get(win) or {}
            a = q.get("agents") or {}
            want = {"erlang_sl": f_sl(m.get("erlang_service_level")), "erlang_agents": f_count(m.get("erlang_agents_required")),
                    "staffed": f_count(a.get("staffed", a.get("logged_in"))),
                    "erlang_wait": f_dur(m.get("erlang_expected_wait_seconds"))}
            for k, v in want.items():
                cmp(f"erlang {q['id']}.{k}", ((page["kpiTables"].get("queues") or {}).get(q["id"]) or {}).get(k), v)
    # Agents: every card is an agent of the snapshot in the same state; the right set of agents is shown.
    agents = {a["id"]: a for a in snap.get("agents", [])}
    if page["layout"] == "kpi":
        wanted = set()  # the management page has no agent cards
    elif page["layout"] == "queue" and page["detailId"]:
        wanted = {i for i, a in agents.items() if page["detailId"] in (a.get("queues") or [])}
    else:
        wanted = set(agents)
    cmp("agent ids", sorted(page["agents"]), sorted(wanted))
    for aid, state in page["agents"].items():
        if aid in agents:
            cmp(f"agent {aid}.state", state, agents[aid].get("state"))
    return diffs


def numbers_match(page, port, label, attempts=40):
    """Reads the page, then the API's copy of the page's topics, until both are the same state (same `center`
    generated_at, and every number equal: the simulator keeps changing queues and agents, so a read can fall
    between two payloads); reports the differences of the last same-generated_at read otherwise."""
    last = "no snapshot on the page"
    for _ in range(attempts):
        shown = page.evaluate(PAGE_READ)
        if shown and shown["generatedAt"]:
            api = board_model(port, shown["subscribed"])
            if api.get("generated_at") == shown["generatedAt"]:
                diffs = expected_for(api, shown)
                detail = f"generated_at {api['generated_at']}, {len(shown['tiles'])} tiles, " \
                         f"{len(shown['windows'])} windows, {len(shown['agents'])} agents"
                if not diffs:
                    return check(f"numbers[{label}] equal the API's topics", True, detail), shown
                last = "; ".join(diffs[:6])
            else:
                last = f"page {shown['generatedAt']} vs api {api.get('generated_at')}"
        time.sleep(0.1)
    return check(f"numbers[{label}] equal the API's topics", False, f"never the same state ({last})"), None


SPY = r"""(() => {
  // Test only: records what the board's socket receives (not the snapshots) and lets the test hand a message to
  // the board's own onmessage handler, i.e. through WallboardSocket's real receive path.
  const Real = window.WebSocket;
  const wb = { sockets: [], received: [], subscribed: new Set(), deltas: 0 };
  window.__wbTest = wb;
  window.WebSocket = class extends Real {
    constructor(...args) {
      super(...args);
      wb.sockets.push(this);
      wb.subscribed = new Set();
      if (wb.sockets.length > 20) wb.sockets.shift();
      this.addEventListener('message', (e) => {
        try {
          const parsed = JSON.parse(e.data);
          // A bundle's topic messages are recorded one by one, as if they had come alone.
          for (const m of parsed.type === 'bundle' && Array.isArray(parsed.messages) ? parsed.messages : [parsed]) {
            if (m.type === 'topic' && m.delta) wb.deltas += 1;
            // Big payloads are kept as their headers only.
            const kept = m.type === 'topic' && m.topic !== 'alerts'
              ? { type: m.type, topic: m.topic, seq: m.seq, base: m.base, delta: !!m.delta } : m;
            wb.received.push(kept);
            if (wb.received.length > 100) wb.received.shift();
          }
        } catch {}
      });
    }
    send(text) {
      try {
        const m = JSON.parse(text);
        for (const t of m.topics || []) {
          if (m.op === 'subscribe') wb.subscribed.add(t);
          if (m.op === 'unsubscribe') wb.subscribed.delete(t);
        }
      } catch {}
      super.send(text);
    }
  };
  wb.inject = (msg) => {
    const ws = wb.sockets[wb.sockets.length - 1];
    ws.onmessage({ data: JSON.stringify(msg) });
  };
})();"""


BANNER_READ = r"""(() => { const b = document.querySelector('.alert-banner');
    const box = b.querySelector('.alert-banner__box');
    return { hidden: box.hidden || getComputedStyle(box).display === 'none', severity: b.dataset.severity,
             count: b.dataset.count, text: box.innerText,
             live: (b.querySelector('[aria-live=polite]') || {}).textContent || '' }; })()"""


def api_post(port, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {ACK_TOKEN}"},
                                 method="POST")
    try:
        with urllib.request.urlopen(req, timeout=3) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def utc_now():
    """Now as the events' `ts`: UTC with milliseconds."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def events_post(port, events):
    """`POST /api/v1/events` as NDJSON from loopback without a token (admin in this config)."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/events",
                                 data="\n".join(json.dumps(e) for e in events).encode(),
                                 headers={"Content-Type": "application/x-ndjson"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def server_alert_checks(page, daemon, port):
    """The config's always-true rule: its alert fires on the server, the banner shows it (severity, summary);
    acknowledged through the API, the banner says so; the rule removed (SIGHUP), the banner goes."""
    want = (f"(() => {{ const r = {BANNER_READ}; return !r.hidden && r.severity === 'critical' && "
            f"r.text.includes({json.dumps(ALERT_SUMMARY)}) && r; }})()")
    banner = page.wait_for(want, timeout=10)
    alerts = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/alerts", timeout=3).read())
    mine = [a for a in alerts.get("active", []) if a.get("rule") == "browser-test-always"]
    ok = bool(banner) and len(mine) == 1 and mine[0]["state"] == "firing" and "CRITICAL" in banner["text"].upper() \
        and "acknowledged" not in banner["text"] and "Critical alert" in banner["live"]
    check("alerts[server] firing rule from the config shows on the banner (severity, summary)", ok,
          json.dumps(banner)[:300] if not ok else f"alert {mine[0]['id']}: {banner['text']!r}".replace("\n", " / "))
    if not mine:
        return
    time.sleep(0.3)
    page.screenshot(os.path.join(SHOTS, "tv-1080p-alert-server.png"))
    status, body = api_post(port, f"/api/v1/alerts/{mine[0]['id']}/ack", {"by": "browser-test"})
    check("alerts[server] POST /api/v1/alerts/{id}/ack accepted", 200 <= status < 300, f"{status} {str(body)[:200]}")
    acked = page.wait_for(f"(() => {{ const r = {BANNER_READ}; return !r.hidden && "
                          "r.text.includes('acknowledged by browser-test') && "
                          f"r.text.includes({json.dumps(ALERT_SUMMARY)}) && r.live.includes('(acknowledged)') && r; }})()",
                          timeout=10)
    check("alerts[server] banner shows the alert acknowledged by browser-test", acked,
          (acked or {}).get("text", "").replace("\n", " / ") if acked else json.dumps(page.evaluate(BANNER_READ))[:300])
    time.sleep(0.3)
    page.screenshot(os.path.join(SHOTS, "tv-1080p-alert-acked.png"))
    daemon.reload(with_rule=False)
    gone = page.wait_for(f"(() => {{ const r = {BANNER_READ}; return r.hidden; }})()", timeout=10)
    check("alerts[server] rule removed (SIGHUP) -> alert resolved, banner hidden", gone)


def console_errors(page, allow_ws_failures):
    bad = []
    for method, p in page.events:
        text = None
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            text = d.get("exception", {}).get("description") or d.get("text")
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            text = p["entry"].get("text", "")
            if allow_ws_failures and re.search(r"WebSocket connection to 'ws://127\.0\.0\.1:\d+/ws' failed", text):
                continue
        if text is not None:
            bad.append(text[:200])
    return bad


def main():
    if not prepare(SHOTS, clear_screenshots=True):
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    daemon = Daemon(port)
    browser = None
    try:
        daemon.start()
        browser = Browser()
        run(browser, daemon, base, port)
        partial_day_checks(browser)
    except (CDPError, RuntimeError, OSError) as e:
        check("run", False, f"{type(e).__name__}: {e}")
    finally:
        if browser:
            browser.close()
        daemon.stop()


def run(browser, daemon, base, port):
    page = browser.new_page(1920, 1080)
    page.add_init_script(SPY)

    # --- (a) numbers, per layout, and (d) screenshots -------------------------------------------------------
    layouts = [
        ("tv", ""), ("queue", "?layout=queue&queue=sales"), ("agents", "?layout=agents"), ("kpi", "?layout=kpi"),
    ]
    for name, query in layouts:
        page.navigate(base + query)
        live = page.wait_for("document.querySelector('.wallboard-app').dataset.generatedAt && "
                             "document.querySelector('.connection-badge').dataset.state === 'live'", timeout=10)
        if not check(f"live[{name}] first snapshot shown", live):
            continue
        center = topics_fetch(port, ["center"])["center"]
        subscribed = page.wait_for("[...window.__wbTest.subscribed].sort()", timeout=3) or []
        want = layout_topics(name, query, center)
        check(f"topics[{name}] the board subscribes to exactly its layout's topics", subscribed == want,
              f"{subscribed} vs {want}" if subscribed != want else ", ".join(subscribed))
        numbers_match(page, port, name)
        time.sleep(0.3)
        page.screenshot(os.path.join(SHOTS, f"{name}-1080p-dark.png"))
    page.navigate(base + "?theme=light")
    page.wait_for("document.querySelector('.wallboard-app').dataset.generatedAt", timeout=10)
    page.screenshot(os.path.join(SHOTS, "tv-1080p-light.png"))
    busiest = max(snapshot_fetch(port)["queues"], key=lambda q: q.get("waiting_now") or 0)["id"]
    page.navigate(base + f"?layout=queue&queue={busiest}&theme=light")
    page.wait_for("document.querySelector('.wallboard-app').dataset.generatedAt", timeout=10)
    numbers_match(page, port, f"queue {busiest} light")
    page.screenshot(os.path.join(SHOTS, "queue-1080p-light.png"))
    page.navigate(base + "?layout=kpi&theme=light")
    page.wait_for("document.querySelector('.wallboard-app').dataset.generatedAt", timeout=10)
    _, shown = numbers_match(page, port, "kpi light")
    # The numbers check above compared every cost cell with the API's figures; here: the rows are there and priced.
    volume = ((shown or {}).get("kpiTables") or {}).get("kpi-volume") or {}
    cost = {k: v for k, v in volume.items() if k.startswith("cost")}
    priced = [v for row in cost.values() for v in row.values() if v.startswith("€")]
    check("cost[kpi] the cost rows show the API's cost figures in EUR", len(cost) == 3 and len(priced) >= 2,
          json.dumps(cost, ensure_ascii=False))
    page.screenshot(os.path.join(SHOTS, "kpi-1080p-light.png"))

    page.resize(3840, 2160)
    for name, query in layouts:
        page.navigate(base + query)
        page.wait_for("document.querySelector('.wallboard-app').dataset.generatedAt", timeout=10)
        time.sleep(0.3)
        page.screenshot(os.path.join(SHOTS, f"{name}-4k-dark.png"))
    page.resize(1920, 1080)

    errors = console_errors(page, allow_ws_failures=False)
    check("console clean while live (all layouts)", not errors, "; ".join(errors[:3]))

    # --- agent deltas: the tv board gets agent changes as deltas and shows the API's agents after them ---------
    # The simulator's own changes come at its pace (a quiet spell can last longer than any timeout), so the check
    # drives its own: an extra agent logs in, changes state twice and logs out, each change in its own publish cycle.
    page.navigate(base)
    page.wait_for("document.querySelector('.wallboard-app').dataset.generatedAt && "
                  "window.__wbTest.received.some((m) => m.topic === 'agents')", timeout=10)
    agent = {"agent": "zz-delta-check", "name": "Delta Check", "team": "north", "queues": ["sales"]}
    for i, (kind, extra) in enumerate([("agent.login", agent), ("agent.state", {"state": "not_ready", "reason": "break"}),
                                       ("agent.state", {"state": "available"}), ("agent.logout", {})]):
        status, reply = events_post(port, [dict({"id": f"delta-check-{i}", "ts": utc_now(), "type": kind,
                                                 "agent": agent["agent"]}, **extra)])
        if status != 200 or (isinstance(reply, dict) and reply.get("rejected")):
            check("deltas[tv] the check's own agent events accepted", False, f"{status} {reply}")
        time.sleep(0.8)
    deltas = page.wait_for("window.__wbTest.received.filter((m) => m.topic === 'agents' && m.delta).length >= 3 && "
                           "window.__wbTest.received.filter((m) => m.topic === 'agents' && m.delta).length", timeout=20)
    check("deltas[tv] agent changes arrive as deltas after one whole list", deltas and page.evaluate(
        "window.__wbTest.received.filter((m) => m.topic === 'agents' && !m.delta).length") <= 1, f"{deltas} deltas" if deltas else
        "received: " + page.evaluate("window.__wbTest.received.slice(-12).map((m) => `${m.type}:${m.topic}:${m.seq}:${m.delta}`).join(' ')"))
    numbers_match(page, port, "tv after agent deltas")

    # --- (c) alerts --------------------------------------------------------------------------------------------
    page.navigate(base)
    page.wait_for("document.querySelector('.wallboard-app').dataset.generatedAt", timeout=10)
    hello = page.wait_for("window.__wbTest.received.find((m) => m.type === 'hello')", timeout=5) or {}
    offered = "alerts" in (hello.get("topics") or [])
    if offered:
        payload = page.wait_for("[...window.__wbTest.received].reverse().find((m) => m.type === 'topic' && "
                                "m.topic === 'alerts')", timeout=5)
        active = [a for a in ((payload or {}).get("data") or {}).get("active", [])
                  if a.get("state") in ("firing", "acknowledged")]
        shown = page.evaluate("Number(document.querySelector('.alert-banner').dataset.count || 0)")
        check("alerts[server] banner count equals the alerts topic", payload and shown == len(active),
              f"banner {shown}, topic {len(active)} firing/acknowledged")
        server_alert_checks(page, daemon, port)
    else:
        refused = page.wait_for("window.__wbTest.received.some((m) => m.type === 'error' && "
                                "m.code === 'unknown_topic')", timeout=3)
        hidden = page.evaluate("document.querySelector('.alert-banner__box').hidden")
        check("alerts[server] no alerts topic: unknown_topic answered, banner hidden", refused and hidden,
              "server-driven alerts PENDING: the daemon does not offer the `alerts` topic yet")
    now_iso = page.evaluate("new Date(Date.now() - 125000).toISOString()")
    inject = {
        "type": "topic", "topic": "alerts", "seq": 999,
        "data": {"active": [
            {"id": "t-1", "rule": "queue_waiting", "severity": "warning", "state": "firing",
             "summary": "Support: 9 contacts waiting (limit 8)", "scope": {"queue": "support"}, "value": 9,
             "threshold": 8, "started_at": now_iso, "acknowledged_by": None},
            {"id": "t-2", "rule": "service_level_low", "severity": "critical", "state": "firing",
             "summary": "Sales service level 61% below 80%", "scope": {"queue": "sales"}, "value": 0.61,
             "threshold": 0.8, "started_at": now_iso, "acknowledged_by": None},
            {"id": "t-3", "rule": "agent_stuck_wrap_up", "severity": "info", "state": "pending",
             "summary": "pending, not shown", "scope": {"agent": "a03"}, "value": 300, "threshold": 240,
             "started_at": now_iso, "acknowledged_by": None},
        ], "resolved_today": []},
    }
    nodes_before = page.evaluate("document.querySelectorAll('*').length")
    page.evaluate(f"window.__wbTest.inject({json.dumps(inject)})")
    banner = page.wait_for(r"""(() => { const b = document.querySelector('.alert-banner');
        const box = b.querySelector('.alert-banner__box');
        return !box.hidden && getComputedStyle(box).display !== 'none' && {
          severity: b.dataset.severity, count: b.dataset.count, text: box.innerText,
          live: b.querySelector('[aria-live=polite]').textContent }; })()""", timeout=3)
    ok = bool(banner) and banner["severity"] == "critical" and banner["count"] == "2" \
        and "Sales service level 61% below 80%" in banner["text"] and "CRITICAL" in banner["text"].upper() \
        and "+1 more alert (1 warning)" in banner["text"] and "Critical alert" in banner["live"]
    check("alerts[injected] banner shows the most severe first, its severity in words, the count of others",
          ok, json.dumps(banner)[:300] if not ok else "")
    time.sleep(0.3)
    page.screenshot(os.path.join(SHOTS, "tv-1080p-alert.png"))
    for i in range(20):  # same alert set again and again: the nodes are reused, nothing grows
        inject["seq"] += 1
        page.evaluate(f"window.__wbTest.inject({json.dumps(inject)})")
    nodes_after = page.evaluate("document.querySelectorAll('*').length")
    check("alerts[injected] repeated updates add no nodes", abs(nodes_after - nodes_before) <= 2,
          f"{nodes_before} -> {nodes_after}")
    inject["seq"] += 1
    inject["data"]["active"] = []
    page.evaluate(f"window.__wbTest.inject({json.dumps(inject)})")
    check("alerts[injected] banner hides when no alert is active",
          page.wait_for("document.querySelector('.alert-banner__box').hidden", timeout=3))

    # --- (b) restart ------------------------------------------------------------------------------------------
    numbers_match(page, port, "tv before restart")
    before = page.evaluate("document.querySelector('.wallboard-app').dataset.generatedAt")
    daemon.kill()
    killed_at = time.monotonic()
    shown = page.wait_for(r"""(() => { const b = document.querySelector('.connection-badge').dataset.state;
        const o = document.querySelector('.board-overlay');
        return (b === 'down' || b === 'stale') && !o.hidden && o.dataset.mode === 'stale' && o.innerText; })()""",
                          timeout=HEARTBEAT_LIMIT_S)
    took = time.monotonic() - killed_at
    check("restart: killed daemon -> board shows stale/offline within the heartbeat limit", shown,
          f"after {took:.1f} s: {shown!r}".replace("\n", " / ") if shown else f"nothing after {took:.1f} s")
    time.sleep(0.5)
    page.screenshot(os.path.join(SHOTS, "tv-1080p-down.png"))
    daemon.start()
    live = page.wait_for(f"""(() => {{ const app = document.querySelector('.wallboard-app');
        return document.querySelector('.connection-badge').dataset.state === 'live' &&
          document.querySelector('.board-overlay').hidden && app.dataset.generatedAt > {json.dumps(before)}; }})()""",
                         timeout=35)
    check("restart: same port again -> board live with a newer snapshot", live,
          f"after {time.monotonic() - killed_at:.1f} s since the kill")
    numbers_match(page, port, "tv after restart")
    resub = page.evaluate("window.__wbTest.sockets.length")
    check("restart: reconnected on a new socket and resubscribed", resub >= 2, f"{resub} sockets opened")

    errors = console_errors(page, allow_ws_failures=True)
    check("console clean (except WebSocket failures while the daemon was down)", not errors, "; ".join(errors[:3]))
    check("screenshots written", len([f for f in os.listdir(SHOTS) if f.endswith(".png")]) >= 10, SHOTS)


if __name__ == "__main__":
    main()
    finish(f"screenshots in {SHOTS}")
