"""Real-browser tests of the board for a big floor: 100 queues and 2,000 agents posted through the real ingest API
(`POST /api/v1/events` with an ingest token), headless Chromium at 1920x1080 and 3840x2160.

Asserts (each a named check; the last line says `N passed, M failed`, the exit status is 1 on any failure):
  fit        no visible element lies outside the viewport or outside its parent's box, and no one-line figure
             is wider than its box (tv, table, groups, group, agents layouts, both sizes)
  rotate     `?rotate=2s`: the page indicator moves through every page, the pages together show every queue, and
             the alerting queues (a 13-hour wait, service levels of 0 %) are on every page
  table      `?layout=table` shows every queue (on one page at 4K, over its pages at 1080p), sortable
  group      `?group=north` shows just the group's queues, and its roll-up equals the API's `queue_groups` entry
  groups     `?layout=groups` shows one tile per configured group
  agents     `?layout=agents&state=…&team=…` shows only those agents, pages through thousands, longest first
  durations  hours and days read "13:25:10"-like and "1 d 02:03"-like and fit their box
  console    no console errors or exceptions
Screenshots of each go to $SHOTS_DIR/floor (default .build/floor-shots, git-ignored).

Environment: WALLBOARDD (daemon binary, default .build/debug/wallboardd), SHOTS_DIR, CHROMIUM.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CDPError  # noqa: E402
from harness import DAEMON, ROOT, check, finish, free_port, prepare, shots_dir, stop_process, wait_until_serving  # noqa: E402

# Its own folder: scripts/browser-test runs board_test.py first with the same SHOTS_DIR, whose shots must stay.
SHOTS = shots_dir("floor", default=".build/floor-shots")
INGEST_TOKEN = "wbt_floor-test-ingest"
QUEUES = [f"q{i:03d}" for i in range(1, 101)]
ALERTING = ["q007", "q042", "q088"]  # service level 0 %; q007 also has a caller waiting 13 hours
AGENTS = 2000
TEAMS = [f"team{i:02d}" for i in range(1, 21)]
GROUPS = {"north": QUEUES[:50], "south": QUEUES[50:]}

def write_config(path, port):
    """100 queues (thresholds of an hour, so the waits of normal queues stay amber-free during the test), two groups."""
    queues = "".join(
        f"  - {{id: {q}, name: \"Queue {q[1:]}{' — long name for a narrow tile' if q == 'q013' else ''}\", "
        f"threshold_seconds: {20 if q in ALERTING else 3600}, target: 0.8}}\n" for q in QUEUES)
    groups = "".join(f"  - {{id: {g}, name: {g.title()}, queues: [{', '.join(members)}]}}\n" for g, members in GROUPS.items())
    digest = hashlib.sha256(INGEST_TOKEN.encode()).hexdigest()
    with open(path, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nweb_root: {os.path.join(ROOT, 'web')}\ncenter: {{name: Big floor}}\n"
                f"access:\n  loopback_without_token: true\n  tokens:\n"
                f"    - {{name: floor-ingest, role: ingest, hash: \"{digest}\"}}\n"
                # A caller really waiting 13 hours is kept: contacts expire after a day here, not the default 4 h.
                f"contacts: {{expire_after_minutes: 1440}}\n"
                f"queues:\n{queues}queue_groups:\n{groups}")


def ts(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def floor_events(now):
    """A floor at `now`: 2,000 agents (1 to 3 queues each, 20 teams, some not ready for over a day), ten
    contacts answered in time per queue in the last 15 minutes (abandoned in the alerting queues), callers waiting
    in every fifth queue, and one waiting 13 h 25 min in q007."""
    events = []
    n = 0

    def add(t, kind, **fields):
        nonlocal n
        n += 1
        events.append({"id": f"f{n}", "ts": ts(t), "type": kind, **fields})

    day_ago = now - timedelta(hours=26, minutes=3)
    for i in range(AGENTS):
        agent = f"a{i:04d}"
        queues = [QUEUES[i % 100]] if i < 100 else [QUEUES[(i * 7 + k * 31) % 100] for k in range(1 + i % 3)]
        add(day_ago if i % 97 == 5 else now - timedelta(minutes=40), "agent.login", agent=agent,
            name=f"Agent {i:04d}", team=TEAMS[i % 20], queues=sorted(set(queues)))
    for i in range(100, AGENTS):
        agent = f"a{i:04d}"
        if i % 97 == 5:
            add(day_ago + timedelta(seconds=1), "agent.state", agent=agent, state="not_ready", reason="training")
        elif i % 5 == 1:
            add(now - timedelta(minutes=30 - i % 20), "agent.state", agent=agent, state="not_ready", reason="break")
        elif i % 5 == 2:
            add(now - timedelta(seconds=30 + i % 90), "agent.state", agent=agent, state="wrap_up")
        elif i % 5 == 3:
            add(now - timedelta(minutes=5, seconds=i % 60), "agent.state", agent=agent, state="on_contact")
    for qi, queue in enumerate(QUEUES):
        answerer = f"a{qi:04d}"
        start = now - timedelta(minutes=12)
        for k in range(10):
            t = start + timedelta(seconds=50 * k)
            contact = f"c{queue}-{k}"
            add(t, "contact.queued", contact=contact, queue=queue, channel="voice")
            if queue in ALERTING:
                add(t + timedelta(seconds=40), "contact.abandoned", contact=contact)
                continue
            add(t + timedelta(seconds=3 + qi % 7), "contact.answered", contact=contact, agent=answerer)
            add(t + timedelta(seconds=30), "contact.ended", contact=contact)
            add(t + timedelta(seconds=35), "contact.wrapup_done", contact=contact, agent=answerer)
        if qi % 5 == 0:
            for k in range(1 + qi % 4):
                add(now - timedelta(seconds=60 + k), "contact.queued", contact=f"w{queue}-{k}", queue=queue, channel="chat")
    add(now - timedelta(hours=13, minutes=25, seconds=10), "contact.queued", contact="w-long", queue="q007", channel="voice")
    events.sort(key=lambda e: e["ts"])
    return events


def post_events(port, events):
    accepted = 0
    for i in range(0, len(events), 2000):
        body = "\n".join(json.dumps(e) for e in events[i:i + 2000]).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/events", data=body, method="POST", headers={
            "Content-Type": "application/x-ndjson", "Authorization": f"Bearer {INGEST_TOKEN}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            reply = json.loads(r.read())
        accepted += reply.get("accepted", 0)
        if reply.get("rejected"):
            raise RuntimeError(f"events rejected: {reply['rejected'][:3]}")
    return accepted


def snapshot(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/snapshot", timeout=10) as r:
        return json.loads(r.read())


def duration_seconds(text):
    """The board's duration text ("1 d 02:03", "13:25:10", "04:34") in seconds; None when it is not one."""
    m = re.fullmatch(r"(?:(\d+) d (\d\d):(\d\d))|(?:(?:(\d+):)?(\d\d):(\d\d))", text or "")
    if not m:
        return None
    if m.group(1):
        return int(m.group(1)) * 86400 + int(m.group(2)) * 3600 + int(m.group(3)) * 60
    return int(m.group(4) or 0) * 3600 + int(m.group(5)) * 60 + int(m.group(6))


# Every visible element inside the viewport and inside its parent's box; one-line texts not wider than their box.
# Elements hidden whole on purpose (agent cards that do not fit: visibility hidden) are skipped.
FIT_CHECK = r"""(() => {
  const vw = innerWidth, vh = innerHeight, bad = [];
  const name = (e) => e.className ? `${e.tagName.toLowerCase()}.${String(e.className).split(' ')[0]}` : e.tagName.toLowerCase();
  const visible = (e) => { const s = getComputedStyle(e); return s.display !== 'none' && s.visibility !== 'hidden' && e.getClientRects().length > 0; };
  for (const e of document.querySelectorAll('.wallboard-app *')) {
    if (e.closest('[hidden]') || e.closest('.board-overlay') || !visible(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.left < -1 || r.top < -1 || r.right > vw + 1 || r.bottom > vh + 1) { bad.push(`${name(e)} outside the viewport ${JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round))}`); continue; }
    const p = e.parentElement;
    // Inline text runs are placed by line boxes (their glyph boxes may pass a tight line-height): boxes only.
    if (p && p.closest('.wallboard-app') && getComputedStyle(p).display !== 'contents' && getComputedStyle(e).display !== 'inline') {
      const q = p.getBoundingClientRect();
      if (r.left < q.left - 1.5 || r.right > q.right + 1.5 || r.top < q.top - 1.5 || r.bottom > q.bottom + 1.5)
        bad.push(`${name(e)} "${(e.textContent || '').trim().slice(0, 20)}" outside its box ${name(p)}`);
    }
    const s = getComputedStyle(e);
    if (s.whiteSpace === 'nowrap' && s.textOverflow !== 'ellipsis' && e.children.length === 0 && e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
      bad.push(`${name(e)} "${e.textContent.trim().slice(0, 20)}" wider than its box (${e.scrollWidth} > ${e.clientWidth})`);
  }
  const doc = document.scrollingElement;
  if (doc.scrollHeight > vh + 1 || doc.scrollWidth > vw + 1) bad.push(`the page scrolls (${doc.scrollWidth}x${doc.scrollHeight})`);
  return bad;
})()"""

READY = ("document.querySelector('.wallboard-app').dataset.generatedAt && "
         "document.querySelector('.connection-badge').dataset.state === 'live'")
TILE_IDS = "[...document.querySelectorAll('.queue-tiles > .queue-tile')].map((t) => t.dataset.id)"
PAGE = "document.querySelector('.wallboard-app').dataset.page || ''"


def open_board(page, url, settle=0.6):
    page.navigate(url)
    ok = page.wait_for(READY, timeout=15)
    time.sleep(settle)  # the fit is measured after the first tiles are drawn (one more frame)
    return ok


def fit_check(page, label):
    bad = page.evaluate(FIT_CHECK)
    return check(f"fit[{label}] nothing outside the viewport or its box, nothing scrolls", not bad, "; ".join(bad[:4]))


def rotation_check(page, base, label, size):
    """Samples the board until every page was seen (bounded): pages, queues shown and the alerting ones on each."""
    open_board(page, base + "?rotate=2s")
    # The queues' topics come one by one after `center`: sample once all three alerting queues are known.
    page.wait_for(f"document.querySelector('.board-pager').textContent.includes('{len(ALERTING)} alerting pinned')", timeout=10)
    first = page.wait_for(PAGE, timeout=5) or ""
    pages = int(first.split("/")[1]) if "/" in first else 1
    check(f"rotate[{label}] 100 queues do not fit one screen: the board pages ({first})", pages > 1)
    seen, shown, without_alerting = {}, set(), []
    deadline = time.monotonic() + 2 * pages + 6
    while time.monotonic() < deadline and len(seen) < pages:
        state = page.evaluate(f"({{page: {PAGE}, tiles: {TILE_IDS}, pager: document.querySelector('.board-pager').textContent}})")
        if state["page"] and state["page"] not in seen:
            seen[state["page"]] = state
            shown.update(state["tiles"])
            missing = [q for q in ALERTING if q not in state["tiles"]]
            if missing:
                without_alerting.append(f"{state['page']} lacks {missing}")
            if len(seen) == 2:
                fit_check(page, f"tv {label} page {state['page']}")
                page.screenshot(os.path.join(SHOTS, f"tv-rotate-{size}-page2.png"))
        time.sleep(0.25)
    check(f"rotate[{label}] the indicator visits every page", len(seen) == pages, f"{sorted(seen)} of {pages}")
    check(f"rotate[{label}] every queue is on some page", shown == set(QUEUES), f"{len(shown)} of 100")
    check(f"rotate[{label}] the alerting queues are pinned on every page", not without_alerting and seen,
          "; ".join(without_alerting[:3]) or next(iter(seen.values()), {}).get("pager", ""))


def run(browser, port):
    base = f"http://127.0.0.1:{port}/"
    page = browser.new_page(1920, 1080)
    snap = snapshot(port)
    check("setup 100 queues and 2,000 agents in the daemon",
          len(snap["queues"]) == 100 and len(snap["agents"]) == AGENTS, f"{len(snap['queues'])} queues, {len(snap['agents'])} agents")

    for size, (w, h) in (("1080p", (1920, 1080)), ("4k", (3840, 2160))):
        page.resize(w, h)
        if open_board(page, base):
            fit_check(page, f"tv {size}")
            page.screenshot(os.path.join(SHOTS, f"tv-{size}.png"))
        rotation_check(page, base, size, size)

        open_board(page, base + "?layout=table")
        fit_check(page, f"table {size}")
        page.screenshot(os.path.join(SHOTS, f"table-{size}.png"))
        rows = page.evaluate("[...document.querySelectorAll('.queue-table tbody tr')].map((r) => r.dataset.key)")
        pages = page.evaluate(PAGE)
        if size == "4k":
            check("table[4k] every queue on one screen", sorted(rows) == QUEUES and not pages, f"{len(rows)} rows, page {pages or '1/1'}")
            font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.queue-table tbody td')).fontSize)")
            check("table[4k] rows at a readable size (≥ 24 px)", font >= 24, f"{font:.1f} px")
        else:
            seen = set(rows)
            if pages:
                open_board(page, base + "?layout=table&rotate=2s")
                total = int(page.evaluate(PAGE).split("/")[1])
                deadline = time.monotonic() + 2 * total + 5
                while time.monotonic() < deadline and len(seen) < 100:
                    seen.update(page.evaluate("[...document.querySelectorAll('.queue-table tbody tr')].map((r) => r.dataset.key)"))
                    time.sleep(0.3)
            check(f"table[{size}] shows every queue", seen == set(QUEUES), f"{len(seen)} of 100 ({pages or 'one page'})")

        open_board(page, base + "?layout=agents&state=not_ready,wrap_up&agent_sort=longest")
        fit_check(page, f"agents {size}")
        page.screenshot(os.path.join(SHOTS, f"agents-not-ready-{size}.png"))

    # Sorting and the table's order: worst service level first puts the alerting queues on top.
    page.resize(3840, 2160)
    open_board(page, base + "?layout=table&sort=service_level")
    # Every queue's topic has come once no row lacks its service level (each queue had contacts in the window).
    page.wait_for("[...document.querySelectorAll('.queue-table tbody td[data-col=\"slText\"]')].every((c) => c.textContent !== '—')", timeout=10)
    top = page.evaluate("[...document.querySelectorAll('.queue-table tbody tr')].slice(0, 3).map((r) => r.dataset.key)")
    sls = {q["id"]: q["metrics"][q_win]["service_level"] for q in snapshot(port)["queues"] for q_win in [snap["primary_window"]]}
    check("table sort=service_level: the 0 % queues first", sorted(top) == ALERTING, f"{top}: {[sls.get(q) for q in top]}")
    open_board(page, base + "?layout=table&sort=longest_wait")
    # The 100 queue topics arrive over a few frames after load: wait (bounded) for the one with the long wait.
    page.wait_for("document.querySelector('.queue-table tbody tr')?.dataset.key === 'q007'", timeout=10)
    first = page.evaluate("document.querySelector('.queue-table tbody tr')?.dataset.key")
    check("table sort=longest_wait: the 13-hour wait first", first == "q007", str(first))
    long_wait = page.evaluate("document.querySelector('.queue-table tbody tr [data-col=\"longestWait\"]').textContent")
    check("durations: a 13-hour wait reads h:mm:ss", re.fullmatch(r"13:2\d:\d\d", long_wait or ""), long_wait)

    # A group's board: its queues only, with its roll-up in the strip.
    page.resize(1920, 1080)
    open_board(page, base + "?group=north&rotate=2s")
    fit_check(page, "group north 1080p")
    page.screenshot(os.path.join(SHOTS, "group-north-1080p.png"))
    shown = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        shown.update(page.evaluate(TILE_IDS))
        if shown >= set(GROUPS["north"]):
            break
        time.sleep(0.3)
    check("group[north] shows just its queues", shown == set(GROUPS["north"]), f"{len(shown)} shown, {len(shown - set(GROUPS['north']))} foreign")
    title = page.evaluate("document.querySelector('.center-summary__scope').textContent")
    strip = page.evaluate("[...document.querySelectorAll('.center-summary__items dd')].slice(0, 1).map((d) => d.textContent)")
    api = next(g for g in snapshot(port)["queue_groups"] if g["id"] == "north")
    check("group[north] the strip shows the group's roll-up", title == "North" and strip == [f"{api['waiting_now']:,}"],
          f"{title}: waiting {strip} vs API {api['waiting_now']}")

    open_board(page, base + "?layout=groups")
    groups = page.evaluate(TILE_IDS)
    check("groups[overview] one tile per group", groups == list(GROUPS), str(groups))
    fit_check(page, "groups 1080p")
    page.screenshot(os.path.join(SHOTS, "groups-1080p.png"))

    # Agents at size: filters, longest first, pages.
    open_board(page, base + "?layout=agents&team=team03&agent_sort=longest")
    cards = page.evaluate("[...document.querySelectorAll('.agent-board__list .agent-card:not([data-overflow])')]"
                          ".map((c) => c.dataset.key)")
    want = sorted(a["id"] for a in snapshot(port)["agents"] if a.get("team") == "team03")
    check("agents[team] only the team's agents", cards and set(cards) <= set(want), f"{len(cards)} of {len(want)}")
    # team03: one agent not ready for 26 hours, the others in wrap-up for a minute or two, on a few pages: read every
    # page (they turn every 2 s) and put them in page order.
    open_board(page, base + "?layout=agents&team=team03&state=not_ready,wrap_up&agent_sort=longest&rotate=2s")
    by_page, total = {}, None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (total is None or len(by_page) < total):
        got = page.evaluate(f"({{page: {PAGE}, cards: [...document.querySelectorAll('.agent-card:not([data-overflow])')]"
                            ".map((c) => [c.dataset.key, c.querySelector('.agent-card__time').textContent])})")
        number, _, count = (got["page"] or "1/1").partition("/")
        total = int(count or 1)
        by_page.setdefault(int(number), got["cards"])
        time.sleep(0.25)
    cards = [c for n in sorted(by_page) for c in by_page[n]]
    want = [a["id"] for a in sorted((a for a in snapshot(port)["agents"] if a.get("team") == "team03"
                                     and a["state"] in ("not_ready", "wrap_up")), key=lambda a: (a["state_since"], a["name"]))]
    check("agents[longest] every page in order: longest in state first, whatever the state",
          [c[0] for c in cards] == want, f"{len(by_page)} pages, {len(cards)} cards, {len(want)} agents"
          + "".join([f"; #{i}: {c} vs {w}" for i, (c, w) in enumerate(zip(cards, want)) if c[0] != w][:3]))
    check("durations: an agent not ready for over a day reads 'N d hh:mm'",
          cards and re.fullmatch(r"1 d 02:0\d", cards[0][1]) and all(duration_seconds(c[1]) is not None for c in cards),
          str([c[1] for c in cards[:4]]))
    fit_check(page, "agents team03 1080p")
    page.screenshot(os.path.join(SHOTS, "agents-team03-longest-1080p.png"))
    open_board(page, base + "?layout=agents&state=not_ready&agent_sort=longest")
    states = page.evaluate("[...new Set([...document.querySelectorAll('.agent-card')].map((c) => c.dataset.state))]")
    check("agents[state] only not-ready agents", states == ["not_ready"], str(states))
    pager = page.evaluate("document.querySelector('.board-pager').hidden ? '' : document.querySelector('.board-pager').textContent")
    open_board(page, base + "?layout=agents&agent_group=team&rotate=2s")
    fit_check(page, "agents by team 1080p")
    page.screenshot(os.path.join(SHOTS, "agents-by-team-1080p.png"))
    check("agents[paging] 2,000 agents page with an indicator", "of 2,000" in (page.evaluate(
        "document.querySelector('.board-pager').textContent") or ""), page.evaluate("document.querySelector('.board-pager').textContent"))

    errors = [p.get("exceptionDetails", {}).get("text", "") for m, p in page.events if m == "Runtime.exceptionThrown"]
    errors += [p["entry"]["text"] for m, p in page.events if m == "Log.entryAdded" and p["entry"]["level"] == "error"]
    check("console clean", not errors, "; ".join(errors[:3]))
    del pager


def main():
    if not prepare(SHOTS, clear_screenshots=True):
        return
    port = free_port()
    config = os.path.join(SHOTS, "wallboardd.yaml")
    write_config(config, port)
    log = open(os.path.join(SHOTS, "wallboardd.log"), "wb")
    proc = subprocess.Popen([DAEMON, "--config", config], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    browser = None
    try:
        wait_until_serving(port, proc, log=log.name, path="/api/v1/snapshot")
        events = floor_events(datetime.now(timezone.utc))
        accepted = post_events(port, events)
        check("setup events posted through the ingest API with a token", accepted == len(events), f"{accepted} of {len(events)}")
        browser = Browser()
        run(browser, port)
    except (CDPError, RuntimeError, OSError) as e:
        check("run", False, f"{type(e).__name__}: {e}")
    finally:
        if browser:
            browser.close()
        stop_process(proc)


if __name__ == "__main__":
    main()
    finish()
