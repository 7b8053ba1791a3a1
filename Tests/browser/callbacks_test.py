"""Real-browser test of the callback and self-service figures on the kpi and queue layouts (issue 23).

A daemon without the simulator gets the documented sample day (docs/samples/callbacks-sample.ndjson), shifted so
its last event is a few seconds old, in a center time zone whose "today" holds the whole sample. Asserts:
  api       "today" of the API equals the hand computation of docs/metrics.md (sales callbacks, containment)
  kpi       the kpi layout's Callbacks and Self-service containment panels and the abandoned list's "Called back"
            cell show exactly the API's figures (formatted here independently of the board)
  queue     the queue layout's Callbacks panel for sales shows the API's figures
  console   no console errors

Environment as for board_test.py (WALLBOARDD, SHOTS_DIR, CHROMIUM).
"""

import calendar
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from board_test import SHOTS, console_errors, events_post, f_count, f_dur, f_pct, is_num  # noqa: E402
from cdp import Browser, CDPError  # noqa: E402
from harness import DAEMON, ROOT, check, finish, free_port, prepare, stop_process, wait_until_serving  # noqa: E402
import subprocess  # noqa: E402

SAMPLE = os.path.join(ROOT, "docs/samples/callbacks-sample.ndjson")

PANELS_READ = r"""(() => {
  const out = {};
  const board = document.querySelector('.kpi-board:not([hidden])');
  if (!board) return out;
  for (const t of board.querySelectorAll('.kpi-board__panel')) {
    const rows = {};
    for (const r of t.querySelectorAll('tbody tr')) {
      rows[r.dataset.key] = Object.fromEntries([...r.querySelectorAll('td')].map((c) => [c.dataset.col, c.textContent]));
    }
    out[t.dataset.id] = { rows, note: (t.querySelector('.kpi-board__panel-note') || {}).textContent || '' };
  }
  return out;
})()"""


def shifted_sample():
    """The sample's events with every `ts` moved by the same amount, the last one 3 s before now; and the shift."""
    events = [json.loads(line) for line in open(SAMPLE) if line.strip()]
    stamp = lambda e: calendar.timegm(time.strptime(e["ts"][:19], "%Y-%m-%dT%H:%M:%S"))  # noqa: E731
    shift = int(time.time()) - 3 - stamp(events[-1])
    first = stamp(events[0]) + shift
    for e in events:
        e["ts"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(stamp(e) + shift))
    return events, first


def zone_holding(first):
    """An `Etc/GMT±N` zone whose local day holds everything from `first` (the first shifted event) to now."""
    for hours in range(-12, 15):
        local_first = time.gmtime(first + hours * 3600)
        local_now = time.gmtime(time.time() + hours * 3600 + 120)
        if local_first[:3] == local_now[:3] and local_first.tm_hour >= 1:
            # Etc/GMT's sign is POSIX's: Etc/GMT-5 is five hours ahead of UTC.
            return "UTC" if hours == 0 else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    return None


def callback_cells(m):
    """The Callbacks panel's cells of one window (web/js/CallbackTables.js CALLBACK_ROWS), re-done here."""
    n = sum(v for v in (m.get("callbacks_connected"), m.get("callbacks_failed")) if is_num(v))
    level = f_pct(m.get("callback_service_level"))
    return {
        "callbacks_requested": f_count(m.get("callbacks_requested")),
        "callbacks_attempted": f_count(m.get("callbacks_attempted")),
        "callbacks_connected": f_count(m.get("callbacks_connected")),
        "callbacks_failed": f_count(m.get("callbacks_failed")),
        "callback_service_level": level if level == "—" else f"{level} ({f_count(n)})",
        "callback_wait": f_dur(m.get("callback_wait_seconds")),
        "callback_max_wait": f_dur(m.get("callback_max_wait_seconds")),
    }


def containment_cell(served, reached, rate):
    """A containment cell (web/js/CallbackTables.js containmentCell), re-done here."""
    total = sum(v for v in (served, reached) if is_num(v))
    return "—" if f_pct(rate) == "—" else f"{f_pct(rate)} ({f_count(served)}/{f_count(total)})"


def compare_panels(scope, panels, where, windows):
    diffs = []
    metrics = scope.get("metrics") or {}
    got = (panels.get("callbacks") or {})
    if got.get("note") != f"{f_count(scope.get('callbacks_pending'))} pending":
        diffs.append(f"{where} callbacks note: page {got.get('note')!r}")
    for w in windows:
        for key, want in callback_cells(metrics.get(w) or {}).items():
            shown = ((got.get("rows") or {}).get(key) or {}).get(w)
            if shown != want:
                diffs.append(f"{where} callbacks.{key}[{w}]: page {shown!r} != api {want!r}")
    return diffs


def run(browser, port):
    events, first = shifted_sample()
    status, reply = events_post(port, events)
    check("ingest: the sample day is accepted whole",
          status == 200 and isinstance(reply, dict) and reply.get("accepted") == len(events) and not reply.get("rejected"),
          json.dumps(reply)[:300])
    time.sleep(1.5)  # one publish tick
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/snapshot", timeout=3) as r:
        snap = json.loads(r.read())
    sales = next(q for q in snap["queues"] if q["id"] == "sales")
    today = sales["metrics"]["today"]
    center_today = snap["center"]["metrics"]["today"]
    hand = {
        "callbacks_requested": 4, "callbacks_attempted": 4, "callbacks_connected": 2, "callbacks_failed": 1,
        "callback_wait_seconds": 2315, "callback_max_wait_seconds": 4120, "offered": 3, "answered": 2, "abandoned": 1,
    }
    got = {k: today.get(k) for k in hand}
    check("api: sales today equals the hand computation (docs/metrics.md)", got == hand, json.dumps(got))
    check("api: callback service level 1/3, one pending",
          abs((today.get("callback_service_level") or 0) - 1 / 3) < 5e-5 and sales.get("callbacks_pending") == 1,
          f"{today.get('callback_service_level')} {sales.get('callbacks_pending')}")
    # The API writes fractions to 4 decimals.
    check("api: containment 4/6", abs((center_today.get("containment_rate") or 0) - 2 / 3) < 5e-5,
          str(center_today.get("containment_rate")))

    page = browser.new_page(1920, 1080)
    page.navigate(f"http://127.0.0.1:{port}/?layout=kpi")
    page.wait_for("document.querySelector('.kpi-board__panel[data-id=\"containment\"]')", timeout=10)
    time.sleep(1.2)  # the queue topics' window figures follow at most every second
    panels = page.evaluate(PANELS_READ)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/snapshot", timeout=3) as r:
        snap = json.loads(r.read())  # nothing happens any more: the figures are those the page shows
    center = snap["center"]
    windows = [w for w in (snap["primary_window"], "today") if w in (center.get("metrics") or {})]
    diffs = compare_panels(center, panels, "kpi center", windows)
    rows = (panels.get("containment") or {}).get("rows") or {}
    for w in windows:
        m = center["metrics"][w]
        want = containment_cell(m.get("self_served"), m.get("self_service_reached_queue"), m.get("containment_rate"))
        if (rows.get("all") or {}).get(w) != want:
            diffs.append(f"containment all[{w}]: page {(rows.get('all') or {}).get(w)!r} != api {want!r}")
        for e in m.get("self_service_entry_points") or []:
            want = containment_cell(e.get("self_served"), e.get("reached_queue"), e.get("containment_rate"))
            shown = (rows.get(f"entry:{e['entry_point']}") or {}).get(w)
            if shown != want:
                diffs.append(f"containment {e['entry_point']}[{w}]: page {shown!r} != api {want!r}")
        for e in m.get("self_service_entry_points") or []:
            top = (e.get("top_reasons") or [None])[0]
            reason = top["reason"] if top and len(top["reason"]) <= 10 else (top["reason"][:9] + "…" if top else "")
            want = reason if top else "—"
            shown = (rows.get(f"reason:{e['entry_point']}") or {}).get(w)
            if shown != want:
                diffs.append(f"containment {e['entry_point']} top reason[{w}]: page {shown!r} != api {want!r}")
    c4 = next((e for e in snap.get("abandoned_today", []) if e.get("contact") == "c4"), {})
    mark = c4.get("called_back") or {}
    shown = (((panels.get("abandoned") or {}).get("rows") or {}).get("c4") or {}).get("called_back")
    if shown != f"✓ {mark.get('agent')}" or mark.get("state") != "connected":
        diffs.append(f"abandoned c4 called back: page {shown!r}, api {mark!r}")
    check("kpi: callbacks, containment and called-back cells equal the API", not diffs and "callbacks" in panels,
          "; ".join(diffs[:6]) or f"{len(windows)} windows")
    page.screenshot(os.path.join(SHOTS, "kpi-callbacks-1080p-dark.png"))

    page.navigate(f"http://127.0.0.1:{port}/?layout=queue&queue=sales")
    page.wait_for("document.querySelector('.kpi-board__panel[data-id=\"callbacks\"]')", timeout=10)
    time.sleep(1.2)
    panels = page.evaluate(PANELS_READ)
    sales = next(q for q in snap["queues"] if q["id"] == "sales")
    diffs = compare_panels(sales, panels, "queue sales", [w for w in windows if w in (sales.get("metrics") or {})])
    check("queue: the sales callbacks panel equals the API", not diffs, "; ".join(diffs[:6]))
    page.screenshot(os.path.join(SHOTS, "queue-callbacks-1080p-dark.png"))
    errors = console_errors(page, allow_ws_failures=False)
    check("console clean", not errors, "; ".join(errors[:3]))


def main():
    if not prepare(SHOTS):
        return
    _, first = shifted_sample()
    zone = zone_holding(first)
    if not check("setup: a center time zone whose today holds the sample", zone is not None, str(zone)):
        return
    port = free_port()
    config = os.path.join(SHOTS, "wallboardd-callbacks.yaml")
    with open(config, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nweb_root: {os.path.join(ROOT, 'web')}\n"
                f"center: {{time_zone: \"{zone}\"}}\naccess:\n  loopback_without_token: true\n")
    log = open(os.path.join(SHOTS, "wallboardd-callbacks.log"), "ab")
    proc = subprocess.Popen([DAEMON, "--config", config], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    browser = None
    try:
        wait_until_serving(port, proc, log=log.name)
        browser = Browser()
        run(browser, port)
    except (CDPError, RuntimeError, OSError, StopIteration, KeyError) as e:
        check("run", False, f"{type(e).__name__}: {e}")
    finally:
        if browser:
            browser.close()
        stop_process(proc)


if __name__ == "__main__":
    main()
    finish()
