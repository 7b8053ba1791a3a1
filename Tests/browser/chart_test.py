"""Real-browser tests of the interval charts (issue 18): a daemon without the simulator whose day (08:00 local to
now, 15-minute intervals) is posted through `POST /api/v1/events` with past timestamps and then replayed from its
journal by a restart (which closes the past intervals, docs/reliability.md), and whose journal holds the same weekday
last week (08:00 to 18:00 local, segments written before the daemon starts, in the journal's own format), headless
Chromium over CDP.

Asserts (each a named check; the last line says `N passed, M failed`, the exit status is 1 on any failure):
  topics     the queue layout subscribes to its queue's interval topic, the kpi layout to every queue's, the tv
             layout to each shown queue's only with `?spark=1`
  values     the values drawn (data-* of each service-level point and each bar, and of last week's dotted line)
             equal GET /api/v1/intervals for the queue layout (also after a contact now changes the current
             interval through the topic's delta), each kpi small multiple and each tv sparkline (no last week)
  last week  the API's `last_week` is the seeded day (its date, every contact offered) and the legend names it
  injected   a whole day (30-minute intervals, a gap, yesterday, last week) handed to the board through its
             socket's own message path is drawn point for point, yesterday dashed, last week dotted
  projection the projected close shown under the queue layout's chart and each kpi small multiple equals the
             API's `projection` (figures, text, tone); the API's `projection` stands on last week's day once the
             journal's read of it is done
  shots      PNGs of the queue, kpi and tv (?spark=1) layouts at 1080p and 4K, with the API's day and with the
             injected one, in $SHOTS_DIR/charts (default .build/chart-shots)
  console    no console errors or exceptions (but the board's reconnect attempts while the daemon restarts)

Environment: WALLBOARDD (daemon binary, default .build/debug/wallboardd), SHOTS_DIR, CHROMIUM.
"""

import json
import math
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CDPError  # noqa: E402
from harness import DAEMON, ROOT, check, finish, free_port, prepare, shots_dir, stop_process, wait_until_serving  # noqa: E402

SHOTS = shots_dir("charts", default=".build/chart-shots")
QUEUES = {"sales": "Sales", "support": "Support"}
INTERVAL_MINUTES = 15

def zone_for_afternoon(now):
    """A fixed-offset zone where it is 14:xx now, so "today" cannot end during the test whenever it runs.
    Etc/GMT+N is N hours behind UTC (the sign is POSIX's)."""
    offset = 14 - now.hour  # -9 .. 14
    return ("Etc/GMT" + (f"+{-offset}" if offset < 0 else f"-{offset}")) if offset else "UTC", offset


def write_config(path, port, zone, state):
    queues = "".join(f"  - {{id: {q}, name: {n}, threshold_seconds: 30, target: 0.8, warning_level: 0.7}}\n"
                     for q, n in QUEUES.items())
    with open(path, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nweb_root: {os.path.join(ROOT, 'web')}\n"
                f"center: {{name: Chart test, time_zone: '{zone}'}}\n"
                f"windows: {{interval_minutes: {INTERVAL_MINUTES}}}\nstate_dir: {state}\n"
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
    """Today's intervals of a queue as GET /api/v1/intervals serves them (docs/intervals.md)."""
    return get_json(port, f"/api/v1/intervals?scope=queue:{queue}&day=today")


# The values a chart draws: its span, its points and its bars, read from the DOM.
CHART_READ = r"""((sel) => [...document.querySelectorAll(sel)].map((c) => ({
  scope: c.dataset.scope, from: c.dataset.from, to: c.dataset.to, hidden: !!c.closest('[hidden]'),
  points: [...c.querySelectorAll('.interval-chart__point')].map((p) => [p.dataset.start, Number(p.dataset.sl)]),
  yesterday: [...c.querySelectorAll('.interval-chart__yesterday-point')].map((p) => [p.dataset.start, Number(p.dataset.sl)]),
  dashed: c.querySelectorAll('path.interval-chart__yesterday').length,
  lastWeek: [...c.querySelectorAll('.interval-chart__last-week-point')].map((p) => [p.dataset.start, Number(p.dataset.sl)]),
  dotted: c.querySelectorAll('path.interval-chart__last-week').length,
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


def last_week_points(data):
    """Last week's points a chart draws: every interval of `last_week` with a service level (its busy hours are
    always inside the span drawn)."""
    return [[e["start"], e["service_level"]] for e in (data.get("last_week") or []) if e.get("service_level") is not None]


def same_as_api(page, port, label, selector, queue_of, bars=True, count=1, attempts=40, last_week=True):
    """Every chart under `selector` draws its queue's intervals as the API serves them, and last week's (dotted)
    unless `last_week` is false (a sparkline) (retried while the board's topic and the API's answer are from
    different moments)."""
    last = ""
    for _ in range(attempts):
        charts = drawn(page, selector)
        diffs = []
        for chart in charts:
            if not chart.get("from") or not chart.get("scope"):
                diffs.append("a chart not drawn yet")
                continue
            queue = queue_of(chart)
            api = intervals_api(port, queue)
            points, bar_list, outside = expected(api, chart, bars)
            if chart["points"] != points:
                diffs.append(f"{queue} points {chart['points']} vs api {points}")
            if chart["bars"] != bar_list:
                diffs.append(f"{queue} bars {chart['bars']} vs api {bar_list}")
            week = last_week_points(api) if last_week else []
            if chart["lastWeek"] != week or (week and chart["dotted"] == 0):
                diffs.append(f"{queue} last week {chart['lastWeek'][:3]}… ({chart['dotted']} dotted) vs api {week[:3]}…")
            if outside:
                diffs.append(f"{queue}: busy intervals outside the span drawn: {outside}")
        if len(charts) != count:
            diffs.append(f"{len(charts)} charts drawn, {count} wanted")
        if charts and not diffs:
            n = sum(len(c["points"]) for c in charts)
            b = sum(len(c["bars"]) for c in charts)
            w = sum(len(c["lastWeek"]) for c in charts)
            return check(f"values[{label}] drawn values equal GET /api/v1/intervals", True,
                         f"{len(charts)} chart(s), {n} points, {b} bars, {w} last-week points")
        last = "; ".join(diffs[:4]) if charts else "no chart on the page"
        time.sleep(0.25)
    return check(f"values[{label}] drawn values equal GET /api/v1/intervals", False, last)


PROJECTION_READ = r"""((sel) => [...document.querySelectorAll(sel)].map((p) => ({
  hidden: !!p.closest('[hidden]'), text: p.querySelector('.projection-line__main').textContent,
  sl: p.dataset.sl === undefined ? null : Number(p.dataset.sl),
  abandon: p.dataset.abandon === undefined ? null : Number(p.dataset.abandon), tone: p.dataset.tone,
  scope: (p.parentElement.querySelector('.interval-chart') || {dataset: {}}).dataset.scope,
})))"""


def projection_same_as_api(page, port, label, selector, queue_of, short=False, count=1, attempts=40):
    """Every projected close under `selector` shows its queue's `projection` as GET /api/v1/intervals serves it: the
    figures (data-sl, data-abandon) and the text, "Projected close 78.4 % SL · 4.1 % abandoned" ("Close … ab." on a
    small multiple), with the service level's tone against the target (docs/metrics.md, "Projected close")."""
    last = ""
    for _ in range(attempts):
        lines = page.evaluate(f"{PROJECTION_READ}({json.dumps(selector)})") or []
        diffs = [] if len(lines) == count else [f"{len(lines)} projection lines, {count} wanted"]
        for line in lines:
            if line["hidden"] or not line.get("scope"):
                diffs.append("a projection not shown yet")
                continue
            p = intervals_api(port, queue_of(line)).get("projection") or {}
            sl, ab = p.get("service_level"), p.get("abandon_rate")
            if sl is None or ab is None:
                diffs.append(f"{line['scope']}: the API projects nothing ({p.get('reason')})")
                continue
            text = (f"Close {sl * 100:.1f} % SL · {ab * 100:.1f} % ab." if short
                    else f"Projected close {sl * 100:.1f} % SL · {ab * 100:.1f} % abandoned")
            tone = "green" if sl >= 0.8 else "amber" if sl >= 0.7 else "red"
            if [line["sl"], line["abandon"], line["text"], line["tone"]] != [sl, ab, text, tone]:
                diffs.append(f"{line['scope']}: {line['text']!r} {line['sl']} {line['abandon']} {line['tone']} vs api {text!r} {tone}")
        if lines and not diffs:
            return check(f"projection[{label}] shown projected close equals GET /api/v1/intervals", True,
                         "; ".join(line["text"] for line in lines))
        last = "; ".join(diffs[:3])
        time.sleep(0.25)
    return check(f"projection[{label}] shown projected close equals GET /api/v1/intervals", False, last)


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


def demo_day(day, zone, zone_offset, queue, shift):
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

    sl_today = lambda k: min(1.0, max(0.35, 0.93 - 0.45 * math.exp(-((k - 5 - shift) ** 2) / 3.0) + 0.03 * math.sin(k)))
    sl_yesterday = lambda k: min(1.0, max(0.4, 0.88 - 0.3 * math.exp(-((k - 8) ** 2) / 5.0) + 0.04 * math.cos(k)))
    offered_today = lambda k: 0 if k == 6 else int(18 + 22 * math.exp(-((k - 4) ** 2) / 8.0) + 3 * (k % 3))
    offered_yesterday = lambda k: int(16 + 20 * math.exp(-((k - 5) ** 2) / 10.0))
    sl_last_week = lambda k: min(1.0, max(0.45, 0.9 - 0.25 * math.exp(-((k - 12) ** 2) / 4.0) + 0.03 * math.sin(2 * k)))
    offered_last_week = lambda k: int(14 + 18 * math.exp(-((k - 6) ** 2) / 12.0))
    yesterday_day = (datetime.fromisoformat(day) - timedelta(days=1)).date().isoformat()
    last_week_day = (datetime.fromisoformat(day) - timedelta(days=7)).date().isoformat()
    intervals = [entry(day, k, sl_today, offered_today, complete=k < 11) for k in range(12)]
    return {
        "scope": f"queue:{queue}", "day": day, "time_zone": zone,
        "interval_minutes": 30, "target": {"service_level": 0.8, "threshold_seconds": 30},
        "intervals": intervals,
        "yesterday": [entry(yesterday_day, k, sl_yesterday, offered_yesterday) for k in range(20)],
        "last_week": [entry(last_week_day, k, sl_last_week, offered_last_week) for k in range(20)],
        "last_week_day": last_week_day, "last_week_reason": None,
    }


def day_events(now, offset):
    """A morning and early afternoon of two queues, 08:00 local to two minutes ago: six agents each, contacts every
    few minutes with waits that vary by the hour (a bad spell in sales around 10:00, answered late or abandoned),
    nothing offered to sales between 11:00 and 11:30 (a gap in its line), and support opening at 09:00."""
    ev = Events()
    local = timezone(timedelta(hours=offset))
    day = now.astimezone(local).replace(hour=0, minute=0, second=0, microsecond=0)
    for qi, q in enumerate(QUEUES):
        for a in range(6):
            ev.add(day + timedelta(hours=7, minutes=45), "agent.login", agent=f"{q}-a{a}", name=f"{q.title()} {a + 1}",
                   team=q, queues=[q])
    stop = now - timedelta(minutes=2)
    for qi, q in enumerate(QUEUES):
        t = day + timedelta(hours=8 + qi, minutes=1)
        k = 0
        while t < stop:
            hour = (t - day).total_seconds() / 3600
            if q == "sales" and 11 <= hour < 11.5:
                t += timedelta(minutes=4)
                continue
            bad = q == "sales" and 9.5 <= hour < 10.75
            wait = [4, 9, 22, 48, 75][k % 5] if bad else [3, 6, 11, 17, 26, 41][k % 6]
            abandoned = (bad and k % 4 == 1) or k % 11 == 7
            if t + timedelta(seconds=wait + 3) < now:
                ev.contact(t, q, f"{q}-a{k % 6}", wait=wait, abandoned=abandoned)
            k += 1
            t += timedelta(seconds=[170, 230, 140, 260][k % 4] + (60 if q == "support" else 0))
    return ev.take()


def crc32c(data):
    """CRC-32C (Castagnoli), as the journal's frames carry it."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def write_segments(directory, events):
    """`events` as journal segments (Sources/WallboardJournal/SegmentFormat.swift: "WBJRNL01", then per record the
    magic FF 57 42 52, the payload's length and CRC-32C, the CRC-32C of those 12 bytes, the payload), each in the
    segment of its UTC day as the daemon stores what it receives. Returns the days written."""
    os.makedirs(directory, exist_ok=True)
    by_day = {}
    for e in events:
        by_day.setdefault(e["ts"][:10], []).append(e)
    for day, day_events in by_day.items():
        with open(os.path.join(directory, f"journal-{day}.wbj"), "wb") as f:
            f.write(b"WBJRNL01")
            for e in day_events:
                payload = json.dumps(e, separators=(",", ":")).encode()
                header = b"\xffWBR" + struct.pack("<II", len(payload), crc32c(payload))
                f.write(header + struct.pack("<I", crc32c(header)) + payload)
    return sorted(by_day)


def last_week_events(now, offset):
    """The same weekday last week, 08:00 to 18:00 local: five agents a queue from 07:45 to 18:15, contacts every
    few minutes, a bad hour in sales around 15:00 (late answers, abandons), support quieter in the morning.
    Returns the events, per queue how many contacts were offered (left the queue, short abandons under 5 s aside)
    and how many abandoned short, and the day's date."""
    ev = Events()
    ev.n = 5 * 10**6
    local = timezone(timedelta(hours=offset))
    day = now.astimezone(local).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=7)
    for q in QUEUES:
        for a in range(5):
            ev.add(day + timedelta(hours=7, minutes=45), "agent.login", agent=f"lw-{q}-a{a}", name=f"{q.title()} {a + 1}",
                   team=q, queues=[q])
            ev.add(day + timedelta(hours=18, minutes=15), "agent.logout", agent=f"lw-{q}-a{a}")
    left = {q: [0, 0] for q in QUEUES}
    for qi, q in enumerate(QUEUES):
        t = day + timedelta(hours=8, minutes=3 + qi)
        k = 0
        while t < day + timedelta(hours=17, minutes=55):
            hour = (t - day).total_seconds() / 3600
            bad = q == "sales" and 14.5 <= hour < 15.75
            wait = [6, 14, 38, 52, 80][k % 5] if bad else [4, 8, 13, 19, 24, 35][k % 6]
            abandoned = (bad and k % 3 == 1) or k % 13 == 5
            ev.contact(t, q, f"lw-{q}-a{k % 5}", wait=wait, abandoned=abandoned)
            left[q][1 if abandoned and wait < 5 else 0] += 1
            k += 1
            t += timedelta(seconds=[200, 260, 170, 300][k % 4] + (240 if q == "support" and hour < 11 else 0))
    return ev.take(), left, day.date().isoformat()


def run(browser, daemon, port, zone, offset):
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
        got = page.wait_for(f"(() => {{ const s = [...window.__wbTest.subscribed].filter((t) => t.startsWith('intervals:')); "
                            f"return s.length === {len(want)} && document.querySelector('.wallboard-app').dataset.generatedAt ? s : null; }})()",
                            timeout=3)
        got = set(got or page.evaluate("[...window.__wbTest.subscribed].filter((t) => t.startsWith('intervals:'))") or [])
        check(f"topics[{query}] interval topics as the layout shows", got == want, f"{sorted(got)} vs {sorted(want)}")

    # --- values: today from 08:00, posted now with their past timestamps, then replayed from the journal --------
    events = day_events(datetime.now(timezone.utc), offset)
    accepted = sum(post_events(port, events[i:i + 2000]) for i in range(0, len(events), 2000))
    check("setup a day's events posted through POST /api/v1/events", accepted == len(events), f"{accepted} of {len(events)}")
    # Posted late, those intervals were before the first one this daemon saw: a restart replays the journal with
    # the engine advancing at each interval boundary, which closes them with their figures (docs/reliability.md).
    daemon.restart_from_journal()
    data = intervals_api(port, "sales")
    busy = [e for e in data["intervals"] if (e.get("offered") or 0) > 0]
    check("setup the API serves the replayed intervals, a gap included",
          len(busy) >= 12 and any(e["service_level"] is None for e in data["intervals"] if e["start"] > busy[0]["start"])
          and data["intervals"][-1]["complete"] is False, f"{len(data['intervals'])} intervals, {len(busy)} with contacts")

    # Last week: read from the seeded segments off the engine queue, once; served with today's report.
    for _ in range(100):
        data = intervals_api(port, "sales")
        if data.get("last_week") is not None:
            break
        time.sleep(0.1)
    for q in QUEUES:
        got = intervals_api(port, q)
        week = got.get("last_week") or []
        offered, short = daemon.last_week_left[q]
        served = (sum(e["offered"] for e in week), sum(e["short_abandoned"] for e in week))
        check(f"last week[{q}] the API serves the seeded day", got.get("last_week_day") == daemon.last_week_day
              and served == (offered, short) and short > 0 and len(last_week_points(got)) >= 30,
              f"{got.get('last_week_day')} ({got.get('last_week_reason')}): offered and short abandons {served}, seeded "
              f"{(offered, short)}, {len(last_week_points(got))} intervals with a service level")
        projection = got.get("projection") or {}
        check(f"projection[{q}] stands on last week's day once it is read", projection.get("pattern") == "last_week"
              and projection.get("pattern_day") == daemon.last_week_day, json.dumps(projection))

    open_board(page, base + "?layout=queue&queue=sales")
    same_as_api(page, port, "queue sales", ".queue-chart .interval-chart", lambda c: "sales")
    check("last week: the legend names it", page.evaluate(
        "(() => { const li = document.querySelector('.queue-chart__legend [data-key=\"last-week\"]'); "
        "return li && !li.hidden && li.textContent === 'Last week' && li.title; })()") == daemon.last_week_day)
    projection_same_as_api(page, port, "queue sales", ".queue-chart .projection-line", lambda p: "sales")
    page.screenshot(os.path.join(SHOTS, "queue-1080p.png"))
    shown = drawn(page, ".queue-chart .interval-chart")
    check("yesterday: none after a replay without a checkpoint, no dashed line and no legend entry",
          shown and shown[0]["dashed"] == 0 and page.evaluate(
              "document.querySelector('.queue-chart__legend [data-key=yesterday]').hidden"), str(shown[0]["dashed"] if shown else None))
    # A contact now: the current interval changes on the open board (the topic's delta).
    before = intervals_api(port, "sales")["intervals"][-1].get("offered") or 0
    ev = Events()
    ev.n = 10**6
    ev.contact(datetime.now(timezone.utc) - timedelta(seconds=2), "sales", "sales-a5", wait=1.0)
    post_events(port, ev.take())
    check("setup a contact in the current interval", page.wait_for(
        f"(() => {{ const b = [...document.querySelectorAll('.queue-chart .interval-chart__bar')].pop(); "
        f"return b && Number(b.dataset.offered) === {before + 1}; }})()", timeout=5), f"offered {before} + 1")
    same_as_api(page, port, "queue sales after a live update", ".queue-chart .interval-chart", lambda c: "sales")
    open_board(page, base + "?layout=queue&queue=support")
    same_as_api(page, port, "queue support", ".queue-chart .interval-chart", lambda c: "support")
    open_board(page, base + "?layout=kpi")
    same_as_api(page, port, "kpi small multiples", ".kpi-board__chart .interval-chart", lambda c: c["scope"].split(":", 1)[1],
                count=len(QUEUES))
    projection_same_as_api(page, port, "kpi small multiples", ".kpi-board__chart .projection-line",
                           lambda p: p["scope"].split(":", 1)[1], short=True, count=len(QUEUES))
    page.screenshot(os.path.join(SHOTS, "kpi-1080p.png"))
    open_board(page, base + "?spark=1")
    same_as_api(page, port, "tv sparklines", ".queue-tile__spark", lambda c: c["scope"].split(":", 1)[1], bars=False,
                count=len(QUEUES), last_week=False)
    page.wait_for("document.querySelector('.agent-card')", timeout=5)
    page.screenshot(os.path.join(SHOTS, "tv-spark-1080p.png"))
    open_board(page, base)
    check("tv without ?spark=1 draws no sparkline", page.evaluate("document.querySelectorAll('.queue-tile__spark svg').length") == 0)

    page.resize(3840, 2160)
    for name, query in [("queue", "?layout=queue&queue=sales"), ("kpi", "?layout=kpi"), ("tv-spark", "?spark=1")]:
        open_board(page, base + query)
        page.wait_for("document.querySelector('.interval-chart[data-from]')", timeout=5)
        time.sleep(0.3)  # the redraw at the new size (ResizeObserver) before the picture
        page.screenshot(os.path.join(SHOTS, f"{name}-4k.png"))
    page.resize(1920, 1080)

    # A whole day with yesterday, handed to the board through its socket's own path.
    day = data["day"]
    demos = {q: demo_day(day, zone, offset, q, shift) for q, shift in (("sales", 0), ("support", 3))}
    for size, (w, h) in (("1080p", (1920, 1080)), ("4k", (3840, 2160))):
        page.resize(w, h)
        inject_and_shoot(page, base, demos, size)
    page.resize(1920, 1080)

    errors = [p.get("exceptionDetails", {}).get("text", "") for m, p in page.events if m == "Runtime.exceptionThrown"]
    errors += [p["entry"]["text"] for m, p in page.events if m == "Log.entryAdded" and p["entry"]["level"] == "error"]
    # The open board's reconnect attempts while the daemon restarted are expected.
    errors = [e for e in errors if not re.search(r"WebSocket connection to .* failed", e)]
    check("console clean (but the reconnects during the restart)", not errors, "; ".join(errors[:3]))


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
        want = len(demos) if layout != "queue" else 1
        for _ in range(40):  # the board draws at its next frame
            charts = drawn(page, selector)
            diffs = [] if len(charts) == want else [f"{len(charts)} charts, {want} wanted"]
            for c in charts:
                if not c.get("scope"):
                    diffs.append("a chart not drawn yet")
                    continue
                data = demos[c["scope"].split(":", 1)[1]]
                points, bar_list, _ = expected(data, c, bars)
                if c["points"] != points or c["bars"] != bar_list:
                    diffs.append(f"{c['scope']}: {c['points'][:2]}… vs {points[:2]}…")
                # Yesterday is drawn except on a sparkline (today alone).
                want_y = [] if layout == "tv-spark" else [
                    [e["start"], e["service_level"]] for e in data["yesterday"] if e["service_level"] is not None]
                if c["yesterday"] != want_y or (want_y and c["dashed"] == 0):
                    diffs.append(f"{c['scope']} yesterday {c['yesterday'][:2]}… ({c['dashed']} dashed) vs {want_y[:2]}…")
                want_w = [] if layout == "tv-spark" else last_week_points(data)
                if c["lastWeek"] != want_w or (want_w and c["dotted"] == 0):
                    diffs.append(f"{c['scope']} last week {c['lastWeek'][:2]}… ({c['dotted']} dotted) vs {want_w[:2]}…")
            if not diffs:
                break
            time.sleep(0.1)
        check(f"injected[{layout} {size}] a whole day drawn point for point" + ("" if layout == "tv-spark" else ", yesterday dashed, last week dotted"),
              not diffs, "; ".join(diffs[:3]) or f"{len(charts)} chart(s)")
        time.sleep(0.3)  # let the ResizeObserver's redraw settle before the picture
        page.screenshot(os.path.join(SHOTS, f"{layout}-day-with-yesterday-{size}.png"))


class Daemon:
    """wallboardd on a config of its own with a state directory (its journal), started and restarted on one port."""

    def __init__(self, port, zone, offset):
        self.port = port
        self.state = os.path.join(SHOTS, "state")
        shutil.rmtree(self.state, ignore_errors=True)
        # The same weekday last week, in the journal before the daemon first starts (keep_days left at its default).
        events, self.last_week_left, self.last_week_day = last_week_events(datetime.now(timezone.utc), offset)
        self.last_week_segments = write_segments(os.path.join(self.state, "journal"), events)
        self.config = os.path.join(SHOTS, "wallboardd.yaml")
        write_config(self.config, port, zone, self.state)
        self.log = open(os.path.join(SHOTS, "wallboardd.log"), "wb")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([DAEMON, "--config", self.config], stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        wait_until_serving(self.port, self.proc, timeout=30, log=self.log.name, path="/api/v1/snapshot?topics=center")

    def restart_from_journal(self):
        """Killed (no checkpoint at exit), its checkpoints removed, started again: today comes from the journal."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        for root, _, files in os.walk(self.state):
            for f in files:
                if f.startswith("checkpoint-"):
                    os.remove(os.path.join(root, f))
        self.start()

    def stop(self):
        stop_process(self.proc)


def main():
    if not prepare(SHOTS, clear_screenshots=True):
        return
    zone, offset = zone_for_afternoon(datetime.now(timezone.utc))
    daemon = Daemon(free_port(), zone, offset)
    browser = None
    try:
        daemon.start()
        browser = Browser()
        run(browser, daemon, daemon.port, zone, offset)
    except (CDPError, RuntimeError, OSError, KeyError) as e:
        check("run", False, f"{type(e).__name__}: {e}")
    finally:
        if browser:
            browser.close()
        daemon.stop()


if __name__ == "__main__":
    main()
    finish()
