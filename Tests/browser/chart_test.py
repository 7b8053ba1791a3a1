"""Real-browser tests of the interval charts (issue 18): a daemon without the simulator, contacts posted through
`POST /api/v1/events`, headless Chromium over CDP.

Asserts (each a named check; the last line says `N passed, M failed`, the exit status is 1 on any failure):
  topics     the queue layout subscribes to its queue's interval topic, the kpi layout to every queue's, the tv
             layout to each shown queue's only with `?spark=1`
  values     the values drawn (data-* of each service-level point and each bar) equal GET /api/v1/intervals for
             the queue layout, each kpi small multiple and each tv sparkline, before and after an interval
             boundary (the daemon runs 5-minute intervals; the test waits for one boundary, at most 5 minutes)
  injected   a whole day (30-minute intervals, a gap, yesterday) handed to the board through its socket's own
             message path is drawn point for point, yesterday dashed
  shots      PNGs of the queue, kpi and tv (?spark=1) layouts at 1080p and 4K in $SHOTS_DIR/charts
  console    no console errors or exceptions

Environment: WALLBOARDD (daemon binary, default .build/debug/wallboardd), SHOTS_DIR, CHROMIUM.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CDPError  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DAEMON = os.path.abspath(os.environ.get("WALLBOARDD") or os.path.join(ROOT, ".build/debug/wallboardd"))
SHOTS = os.path.abspath(os.path.join(os.environ["SHOTS_DIR"], "charts") if os.environ.get("SHOTS_DIR")
                        else os.path.join(ROOT, ".build/chart-shots"))
QUEUES = {"sales": "Sales", "support": "Support"}
INTERVAL_MINUTES = 5

results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{(': ' + detail) if detail else ''}", flush=True)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zone_for_afternoon(now):
    """A fixed-offset zone where it is 14:xx now, so "today" cannot end during the test whenever it runs.
    Etc/GMT+N is N hours behind UTC (the sign is POSIX's)."""
    offset = 14 - now.hour  # -9 .. 14
    return ("Etc/GMT" + (f"+{-offset}" if offset < 0 else f"-{offset}")) if offset else "UTC", offset


def write_config(path, port, zone):
    queues = "".join(f"  - {{id: {q}, name: {n}, threshold_seconds: 30, target: 0.8, warning_level: 0.7}}\n"
                     for q, n in QUEUES.items())
    with open(path, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nweb_root: {os.path.join(ROOT, 'web')}\n"
                f"center: {{name: Chart test, time_zone: '{zone}'}}\n"
                f"windows: {{interval_minutes: {INTERVAL_MINUTES}}}\n"
                f"access:\n  loopback_without_token: true\nqueues:\n{queues}")


def ts(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def get_json(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        return json.loads(r.read())


def post_events(port, events):
    """NDJSON through the ingest API (loopback without a token is admin in this config)."""
    body = "\n".join(json.dumps(e) for e in events).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/events", data=body, method="POST",
                                 headers={"Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(req, timeout=10) as r:
        reply = json.loads(r.read())
    if reply.get("rejected"):
        raise RuntimeError(f"events rejected: {reply['rejected'][:3]}")
    return reply.get("accepted", 0)


class Events:
    """Contacts with known outcomes, stamped in the past seconds (all within the interval running now)."""

    def __init__(self):
        self.n = 0
        self.list = []

    def add(self, t, kind, **fields):
        self.n += 1
        self.list.append({"id": f"ct{self.n}", "ts": ts(t), "type": kind, **fields})

    def contact(self, t, queue, agent, wait, abandoned=False):
        cid = f"c{self.n}-{queue}"
        self.add(t, "contact.queued", contact=cid, queue=queue, channel="voice")
        if abandoned:
            self.add(t + timedelta(seconds=wait), "contact.abandoned", contact=cid)
            return
        self.add(t + timedelta(seconds=wait), "contact.answered", contact=cid, agent=agent)
        self.add(t + timedelta(seconds=wait + 1), "contact.ended", contact=cid)
        self.add(t + timedelta(seconds=wait + 1.5), "contact.wrapup_done", contact=cid, agent=agent)

    def take(self):
        out = sorted(self.list, key=lambda e: e["ts"])
        self.list = []
        return out


def intervals_api(port, queue):
    return get_json(port, f"/api/v1/intervals?scope=queue:{queue}&day=today")["data"]


# The values a chart draws: its span, its points and its bars, read from the DOM.
CHART_READ = r"""((sel) => [...document.querySelectorAll(sel)].map((c) => ({
  scope: c.dataset.scope, from: c.dataset.from, to: c.dataset.to, hidden: !!c.closest('[hidden]'),
  points: [...c.querySelectorAll('.interval-chart__point')].map((p) => [p.dataset.start, Number(p.dataset.sl)]),
  yesterday: [...c.querySelectorAll('.interval-chart__yesterday-point')].map((p) => [p.dataset.start, Number(p.dataset.sl)]),
  dashed: c.querySelectorAll('path.interval-chart__yesterday').length,
  bars: [...c.querySelectorAll('.interval-chart__bar')].map((b) => [b.dataset.start,
    b.dataset.offered === '' ? null : Number(b.dataset.offered), b.dataset.abandoned === '' ? null : Number(b.dataset.abandoned)]),
})))"""


def drawn(page, selector):
    return page.evaluate(f"{CHART_READ}({json.dumps(selector)})") or []


def expected(data, chart, bars=True):
    """What a chart of `data` must draw over the span it shows: a point per interval with a service level, a bar
    per interval (offered and abandoned as the API has them)."""
    lo, hi = parse(chart["from"]), parse(chart["to"])
    shown = [e for e in data["intervals"] if parse(e["end"]) > lo and parse(e["start"]) < hi]
    points = [[e["start"], e["service_level"]] for e in shown if e.get("service_level") is not None]
    bar_list = [[e["start"], e.get("offered"), e.get("abandoned")] for e in shown
                if e.get("offered") is not None or e.get("abandoned") is not None] if bars else []
    busy_outside = [e["start"] for e in data["intervals"] if (e.get("offered") or 0) > 0 and e not in shown]
    return points, bar_list, busy_outside


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def same_as_api(page, port, label, selector, queue_of, bars=True, attempts=40):
    """Every chart under `selector` draws its queue's intervals as the API serves them (retried while the board's
    topic and the API's answer are from different moments)."""
    last = ""
    for _ in range(attempts):
        charts = drawn(page, selector)
        diffs = []
        for chart in charts:
            queue = queue_of(chart)
            api = intervals_api(port, queue)
            if not chart["from"]:
                diffs.append(f"{queue}: not drawn")
                continue
            points, bar_list, outside = expected(api, chart, bars)
            if chart["points"] != points:
                diffs.append(f"{queue} points {chart['points']} vs api {points}")
            if chart["bars"] != bar_list:
                diffs.append(f"{queue} bars {chart['bars']} vs api {bar_list}")
            if outside:
                diffs.append(f"{queue}: busy intervals outside the span drawn: {outside}")
        if charts and not diffs:
            n = sum(len(c["points"]) for c in charts)
            b = sum(len(c["bars"]) for c in charts)
            return check(f"values[{label}] drawn values equal GET /api/v1/intervals", True,
                         f"{len(charts)} chart(s), {n} points, {b} bars")
        last = "; ".join(diffs[:4]) if charts else "no chart on the page"
        time.sleep(0.25)
    return check(f"values[{label}] drawn values equal GET /api/v1/intervals", False, last)


SPY = r"""(() => {
  const Real = window.WebSocket;
  const wb = { sockets: [], subscribed: new Set() };
  window.__wbTest = wb;
  window.WebSocket = class extends Real {
    constructor(...args) { super(...args); wb.sockets.push(this); wb.subscribed = new Set(); }
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
  // Hands a message to the board's own onmessage handler: WallboardSocket's real receive path.
  wb.inject = (msg) => wb.sockets[wb.sockets.length - 1].onmessage({ data: JSON.stringify(msg) });
})();"""


def open_board(page, url):
    page.navigate(url)
    return page.wait_for("document.querySelector('.wallboard-app').dataset.generatedAt && "
                         "document.querySelector('.connection-badge').dataset.state === 'live'", timeout=10)


def demo_day(day, zone_offset, queue, shift):
    """A whole day of 30-minute intervals from 08:00 to 14:00 local (today, the last one running) and 08:00 to
    18:00 yesterday, with a gap (no contact offered) at 11:00 today: what a manager sees on an ordinary day."""
    def at(d, minutes):
        local = datetime.fromisoformat(d).replace(tzinfo=timezone(timedelta(hours=zone_offset)))
        return local + timedelta(minutes=minutes)

    def entry(d, k, sl_curve, offered_curve, complete=True):
        start = at(d, 8 * 60 + 30 * k)
        offered = offered_curve(k)
        sl = None if offered == 0 else round(sl_curve(k), 4)
        abandoned = 0 if offered == 0 else max(0, round(offered * (1 - (sl or 0)) * 0.4))
        return {"start": ts(start), "end": ts(start + timedelta(minutes=30)), "complete": complete,
                "offered": offered, "answered": offered - abandoned, "abandoned": abandoned, "short_abandoned": 0,
                "answered_within": None if sl is None else round(sl * offered), "service_level": sl,
                "abandon_rate": None if offered == 0 else round(abandoned / offered, 4),
                "asa_seconds": None if offered == 0 else 12.5, "aht_seconds": None if offered == 0 else 210.0,
                "max_wait_seconds": None if offered == 0 else 61.0, "staffed": 8}

    import math
    sl_today = lambda k: min(1.0, max(0.35, 0.93 - 0.45 * math.exp(-((k - 5 - shift) ** 2) / 3.0) + 0.03 * math.sin(k)))
    sl_yesterday = lambda k: min(1.0, max(0.4, 0.88 - 0.3 * math.exp(-((k - 8) ** 2) / 5.0) + 0.04 * math.cos(k)))
    offered_today = lambda k: 0 if k == 6 else int(18 + 22 * math.exp(-((k - 4) ** 2) / 8.0) + 3 * (k % 3))
    offered_yesterday = lambda k: int(16 + 20 * math.exp(-((k - 5) ** 2) / 10.0))
    yesterday_day = (datetime.fromisoformat(day) - timedelta(days=1)).date().isoformat()
    intervals = [entry(day, k, sl_today, offered_today, complete=k < 11) for k in range(12)]
    return {
        "scope": f"queue:{queue}", "day": day, "time_zone": "UTC" if zone_offset == 0 else
        ("Etc/GMT" + (f"+{-zone_offset}" if zone_offset < 0 else f"-{zone_offset}")),
        "interval_minutes": 30, "target": {"service_level": 0.8, "threshold_seconds": 30},
        "intervals": intervals,
        "yesterday": [entry(yesterday_day, k, sl_yesterday, offered_yesterday) for k in range(20)],
    }


def run(browser, port, zone, offset):
    page = browser.new_page(1920, 1080)
    page.add_init_script(SPY)
    base = f"http://127.0.0.1:{port}/"

    # --- topics ------------------------------------------------------------------------------------------------
    for query, want in [
        ("?layout=queue&queue=support", {"intervals:queue:support"}),
        ("?layout=kpi", {f"intervals:queue:{q}" for q in QUEUES}),
        ("?layout=tv", set()),
        ("?layout=tv&spark=1&queues=sales", {"intervals:queue:sales"}),
    ]:
        if not check(f"live[{query}]", open_board(page, base + query)):
            continue
        got = set(page.wait_for("[...window.__wbTest.subscribed].filter((t) => t.startsWith('intervals:'))", timeout=3) or [])
        if want:
            got = set(page.wait_for(f"(() => {{ const s = [...window.__wbTest.subscribed].filter((t) => t.startsWith('intervals:')); "
                                    f"return s.length === {len(want)} ? s : null; }})()", timeout=3) or got)
        check(f"topics[{query}] interval topics as the layout shows", got == want, f"{sorted(got)} vs {sorted(want)}")

    # --- values: contacts in the interval running now, then again after its end ---------------------------------
    ev = Events()
    now = datetime.now(timezone.utc)
    for i, q in enumerate(QUEUES):
        ev.add(now - timedelta(seconds=3), "agent.login", agent=f"a{i}", name=f"Agent {i}", team="t", queues=[q])
    post_events(port, ev.take())
    now = datetime.now(timezone.utc)
    t0 = now - timedelta(seconds=2)
    # sales: 3 answered in time, 1 abandoned; support: nothing yet (its service level undefined: no point).
    for k in range(3):
        ev.contact(t0, "sales", "a0", wait=0.5 + k * 0.2)
    ev.contact(t0, "sales", "a0", wait=1.0, abandoned=True)
    post_events(port, ev.take())
    first = intervals_api(port, "sales")
    check("setup the API serves today's intervals of a queue",
          first.get("scope") == "queue:sales" and first["intervals"] and first["intervals"][-1]["complete"] is False,
          json.dumps(first)[:300])

    open_board(page, base + "?layout=queue&queue=sales")
    same_as_api(page, port, "queue sales, one interval", ".queue-chart .interval-chart", lambda c: "sales")

    # Rich days injected through the socket's own path: drawn point for point, then photographed.
    day = first["day"]
    demos = {q: demo_day(day, offset, q, shift) for q, shift in (("sales", 0), ("support", 3))}
    inject_and_shoot(page, base, demos, "1080p")

    # Wait for the running interval to close (5-minute intervals: at most 5 minutes), then a late answer and a
    # new interval's contacts.
    end = parse(first["intervals"][-1]["end"])
    wait_s = (end - datetime.now(timezone.utc)).total_seconds() + 1.5
    if wait_s > 0:
        time.sleep(wait_s)  # setup: the clock must pass the boundary; nothing is asserted on time
    now = datetime.now(timezone.utc)
    ev.contact(now - timedelta(seconds=1.5), "sales", "a0", wait=1.0)
    ev.contact(now - timedelta(seconds=1.5), "support", "a1", wait=0.4)
    ev.contact(now - timedelta(seconds=1.4), "support", "a1", wait=0.9, abandoned=True)
    post_events(port, ev.take())
    closed = [e for e in intervals_api(port, "sales")["intervals"] if e["complete"]]
    check("setup the first interval closed with its contacts", any((e.get("offered") or 0) >= 4 for e in closed),
          json.dumps(closed)[:300])

    page.resize(1920, 1080)
    open_board(page, base + "?layout=queue&queue=sales")
    same_as_api(page, port, "queue sales, across a boundary", ".queue-chart .interval-chart", lambda c: "sales")
    open_board(page, base + "?layout=queue&queue=support")
    same_as_api(page, port, "queue support (a gap before its first contact)", ".queue-chart .interval-chart", lambda c: "support")
    page.screenshot(os.path.join(SHOTS, "queue-api-1080p.png"))
    shown = drawn(page, ".queue-chart .interval-chart")
    check("yesterday: none in a fresh daemon, no dashed line and no legend entry",
          shown and shown[0]["dashed"] == 0 and page.evaluate(
              "document.querySelector('.queue-chart__legend [data-key=yesterday]').hidden"), str(shown[:1]))
    open_board(page, base + "?layout=kpi")
    same_as_api(page, port, "kpi small multiples", ".kpi-board__chart .interval-chart",
                lambda c: c["scope"].split(":", 1)[1])
    page.screenshot(os.path.join(SHOTS, "kpi-api-1080p.png"))
    open_board(page, base + "?spark=1")
    same_as_api(page, port, "tv sparklines", ".queue-tile__spark", lambda c: c["scope"].split(":", 1)[1], bars=False)
    open_board(page, base)
    check("tv without ?spark=1 draws no sparkline",
          page.evaluate("document.querySelectorAll('.queue-tile__spark svg').length") == 0)

    page.resize(3840, 2160)
    inject_and_shoot(page, base, demos, "4k")
    page.resize(1920, 1080)

    errors = [p.get("exceptionDetails", {}).get("text", "") for m, p in page.events if m == "Runtime.exceptionThrown"]
    errors += [p["entry"]["text"] for m, p in page.events if m == "Log.entryAdded" and p["entry"]["level"] == "error"]
    check("console clean", not errors, "; ".join(errors[:3]))


def inject_and_shoot(page, base, demos, size):
    """Hands each demo day to the board as its interval topic (a seq far above the server's) and checks that what
    is drawn is that day, then photographs the queue, kpi and tv layouts."""
    def inject():
        for q, data in demos.items():
            page.evaluate(f"window.__wbTest.inject({json.dumps({'type': 'topic', 'topic': f'intervals:queue:{q}', 'seq': 10**9, 'data': data})})")

    for layout, query, selector, bars in [
        ("queue", "?layout=queue&queue=sales", ".queue-chart .interval-chart", True),
        ("kpi", "?layout=kpi", ".kpi-board__chart .interval-chart", True),
        ("tv-spark", "?spark=1", ".queue-tile__spark", False),
    ]:
        open_board(page, base + query)
        # The server's own payloads come first (a lower seq); the injected ones then win.
        page.wait_for(f"document.querySelector({json.dumps(selector)}) && document.querySelector({json.dumps(selector)}).dataset.from", timeout=5)
        inject()
        ok = page.wait_for(f"[...document.querySelectorAll({json.dumps(selector)})].every((c) => c.querySelectorAll('.interval-chart__point').length >= 10)", timeout=5)
        charts = drawn(page, selector)
        diffs = []
        for c in charts:
            data = demos[c["scope"].split(":", 1)[1]]
            points, bar_list, _ = expected(data, c, bars)
            if c["points"] != points or c["bars"] != bar_list:
                diffs.append(f"{c['scope']}: {c['points'][:2]}… vs {points[:2]}…")
            want_y = [[e["start"], e["service_level"]] for e in data["yesterday"] if e["service_level"] is not None
                      and parse(e["start"]) + timedelta(days=1) < parse(c["to"])]
            if c["yesterday"] != want_y or (want_y and c["dashed"] == 0):
                diffs.append(f"{c['scope']} yesterday {c['yesterday'][:2]}… ({c['dashed']} dashed) vs {want_y[:2]}…")
        check(f"injected[{layout} {size}] a whole day drawn point for point, yesterday dashed",
              ok and charts and not diffs, "; ".join(diffs[:3]) or f"{len(charts)} chart(s)")
        time.sleep(0.3)  # let the ResizeObserver's redraw settle before the picture
        page.screenshot(os.path.join(SHOTS, f"{layout}-{size}.png"))


def main():
    os.makedirs(SHOTS, exist_ok=True)
    for f in os.listdir(SHOTS):
        if f.endswith(".png"):
            os.remove(os.path.join(SHOTS, f))
    if not os.access(DAEMON, os.X_OK):
        check("setup", False, f"{DAEMON} not found: swift build --product wallboardd, or set WALLBOARDD")
        return
    port = free_port()
    zone, offset = zone_for_afternoon(datetime.now(timezone.utc))
    config = os.path.join(SHOTS, "wallboardd.yaml")
    write_config(config, port, zone)
    log = open(os.path.join(SHOTS, "wallboardd.log"), "wb")
    proc = subprocess.Popen([DAEMON, "--config", config], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    browser = None
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                get_json(port, "/api/v1/snapshot?topics=center")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"wallboardd did not start (see {log.name})")
                time.sleep(0.1)
        browser = Browser()
        run(browser, port, zone, offset)
    except (CDPError, RuntimeError, OSError, KeyError) as e:
        check("run", False, f"{type(e).__name__}: {e}")
    finally:
        if browser:
            browser.close()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
    failed = [r for r in results if not r[1]]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)
