"""Real-browser checks of the supervisor console (issue 17, docs/console.md): headless Chromium over CDP (cdp.py)
against wallboardd fed by a fake Asterisk manager on loopback, which plays two answered calls and records every
action it receives with its fields.

Checks (each named; the last line says `N passed, M failed`, exit status 1 on any failure):
  viewer     /supervisor with a viewer token (and with an unknown one) shows "This page needs a supervisor token".
  sign-in    jane's supervisor token typed once: the live interactions table fills over the WebSocket; the token is in
             neither the address nor a cookie, only in the tab's sessionStorage; a reload stays signed in.
  search     typing the caller's number leaves that one interaction.
  listen     Listen on it, confirmed: the fake manager receives the exact Originate (Channel PJSIP/2001, Application
             ChanSpy, Data `<agent Uniqueid>,quSE`), the page shows the answer, the audit log has the line.
  pause      Pause with reason Coaching, then Unpause: QueuePause Paused true/false with Interface, Queue and Reason
             reach the manager, both audited.
  agents     the agent table lists both agents with today's figures.
  export     Export CSV gives the searched interactions and the agent table.
  scoped     a supervisor token limited to `support` sees only support's interaction and agent.

Environment: WALLBOARDD (default .build/debug/wallboardd), CHROMIUM, SHOTS_DIR (logs; default .build/browser-shots).
"""

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CDPError  # noqa: E402
from fake_ami import FakeManager, block  # noqa: E402
from harness import DAEMON, ROOT, check, finish, free_port, prepare, shots_dir, stop_process  # noqa: E402

SHOTS = shots_dir()
JANE = "wbt_jane-console-browser-test"
SITE = "wbt_site-console-browser-test"
VIEWER = "wbt_lobby-console-browser-test"
CALLER = "5550101"
AGENT_UNIQUEID = "1795350485.2"


class ConsoleManager(FakeManager):
    """The fake manager, which after CoreShowChannels (the resync's last list) plays two members and two answered calls
    (sales: Alice on 5550101; support: Bob on 5550202), and answers an Originate with its OriginateResponse (answered)."""

    def __init__(self):
        self.played = threading.Event()
        super().__init__()

    def calls(self):
        ts = f"{time.time() - 60:.6f}"
        out = []
        for (queue, iface, name, caller, uid, dest, dest_uid) in [
            ("sales", "Local/1001@agents/n", "Alice", CALLER, "1795350484.1", "Local/1001@agents-00000001;1", AGENT_UNIQUEID),
            ("support", "Local/1002@agents/n", "Bob", "5550202", "1795350490.5", "Local/1002@agents-00000003;1", "1795350491.6"),
        ]:
            out.append(block("Event: QueueMemberAdded", "Privilege: agent,all", f"Timestamp: {ts}", f"Queue: {queue}",
                             f"MemberName: {name}", f"Interface: {iface}", f"StateInterface: {iface}", "Membership: dynamic",
                             "Penalty: 0", "CallsTaken: 0", "LastCall: 0", "LastPause: 0", "InCall: 0", "Status: 1",
                             "Paused: 0", "PausedReason: ", "Ringinuse: 0", "Wrapuptime: 0"))
            chan = f"Local/{caller}@inbound-0000000{len(out)};2"
            common = [f"Channel: {chan}", "ChannelState: 6", "ChannelStateDesc: Up", f"CallerIDNum: {caller}",
                      f"CallerIDName: Caller {caller}", "Language: en", "Context: inbound", f"Exten: {caller}", "Priority: 3",
                      f"Uniqueid: {uid}", f"Linkedid: {uid}", f"Queue: {queue}"]
            out.append(block("Event: QueueCallerJoin", "Privilege: agent,all", f"Timestamp: {ts}", *common, "Position: 1", "Count: 1"))
            out.append(block("Event: QueueCallerLeave", "Privilege: agent,all", f"Timestamp: {ts}", *common, "Position: 1", "Count: 0"))
            out.append(block("Event: AgentConnect", "Privilege: agent,all", f"Timestamp: {ts}", *common,
                             f"DestChannel: {dest}", "DestChannelState: 6", f"DestUniqueid: {dest_uid}", f"DestLinkedid: {uid}",
                             f"Interface: {iface}", f"MemberName: {name}", "HoldTime: 2", "RingTime: 2"))
        return b"".join(out)

    def answer(self, action, fields, aid):
        if action == "coreshowchannels" and not self.played.is_set():
            self.played.set()
            return super().answer(action, fields, aid) + self.calls()
        if action == "originate":
            return (block("Response: Success", f"ActionID: {aid}", "Message: Originate successfully queued")
                    + block("Event: OriginateResponse", "Privilege: call,all", f"ActionID: {aid}", "Response: Success",
                            f"Channel: {fields.get('Channel', '')}-00000042", "Context: ", "Exten: ", "Reason: 4",
                            "Uniqueid: 1795350999.9", "CallerIDNum: <unknown>", "CallerIDName: <unknown>"))
        return super().answer(action, fields, aid)


def request(url, token):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except OSError as e:  # not listening yet
        return 0, str(e)


def audit_lines(state_dir):
    folder = os.path.join(state_dir, "audit")
    lines = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name)) as f:
            lines += [json.loads(line) for line in f if line.strip()]
    return lines


def wait_audit(state_dir, keep, count, timeout=5):
    """The audit lines `keep` accepts, once there are `count` of them (they are written on their own queue)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [a for a in audit_lines(state_dir) if keep(a)]
        if len(lines) >= count or time.monotonic() >= deadline:
            return lines
        time.sleep(0.1)


def sign_in(page, token):
    page.wait_for("!document.querySelector('.console-signin').hidden")
    page.evaluate("document.querySelector('.console-signin input[name=token]').focus()")
    page.send("Input.insertText", {"text": token})
    page.evaluate("document.querySelector('.console-signin form').requestSubmit()")


def confirm(page, reason=None):
    page.wait_for("document.querySelector('.console-confirm').open")
    if reason is not None:
        page.evaluate("document.querySelector('.console-confirm input[name=reason]').focus()")
        page.send("Input.insertText", {"text": reason})
    page.evaluate("document.querySelector('.console-confirm__ok').click()")


def row_buttons(contact_customer):
    return ("[...document.querySelectorAll('.console-interactions tbody tr')].find((r) => "
            f"r.querySelector('[data-col=customer]').textContent === {json.dumps(contact_customer)})")


def run(browser):
    manager = ConsoleManager()
    port = free_port()
    state_dir = os.path.join(SHOTS, f"console-state-{os.getpid()}")
    os.makedirs(state_dir, exist_ok=True)
    secret = os.path.join(SHOTS, "console-ami.secret")
    with open(secret, "w") as f:
        f.write("browser-test")
    config = os.path.join(SHOTS, "wallboardd-console.yaml")
    h = lambda t: hashlib.sha256(t.encode()).hexdigest()  # noqa: E731
    with open(config, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nweb_root: {os.path.join(ROOT, 'web')}\nstate_dir: {state_dir}\n"
                f"ami:\n  - {{name: pbx, host: 127.0.0.1, port: {manager.port}, username: wallboard, secret_file: {secret}}}\n"
                f"access:\n  tokens:\n"
                f"    - {{name: jane, role: supervisor, hash: \"{h(JANE)}\", monitor_endpoint: \"PJSIP/2001\"}}\n"
                f"    - {{name: site, role: supervisor, queues: [support], hash: \"{h(SITE)}\", monitor_endpoint: \"PJSIP/2002\"}}\n"
                f"    - {{name: lobby, role: viewer, hash: \"{h(VIEWER)}\"}}\n")
    log = open(os.path.join(SHOTS, "wallboardd-console.log"), "ab")
    proc = subprocess.Popen([DAEMON, "--config", config], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        ready = False
        while time.monotonic() < deadline and not ready:
            if proc.poll() is not None:
                raise RuntimeError(f"wallboardd exited with {proc.returncode} (see {log.name})")
            # The snapshot, not the (audited) lookups: the agents on a call.
            status, body = request(f"http://127.0.0.1:{port}/api/v1/snapshot", JANE)
            ready = status == 200 and sum(1 for a in json.loads(body).get("agents", []) if a.get("contact")) == 2
            if not ready:
                time.sleep(0.2)
        if not check("daemon has both calls from the fake manager", ready,
                     "" if ready else f"{status} {body[:200]} manager got {[a.get('Action') for a in manager.actions]}"):
            return

        page = browser.new_page(1600, 1000)
        page.navigate(f"http://127.0.0.1:{port}/supervisor")
        check("viewer /supervisor lands on the page", page.evaluate("location.pathname") == "/supervisor.html",
              page.evaluate("location.href"))
        sign_in(page, VIEWER)
        refused = page.wait_for("(() => { const m = document.querySelector('.console-signin__message'); "
                                "return !m.hidden && m.textContent; })()")
        check("viewer token gets 'This page needs a supervisor token'",
              refused and "needs a supervisor token" in refused and page.evaluate("document.querySelector('.console-main').hidden"),
              str(refused))
        sign_in(page, "wbt_not-a-configured-token")
        unknown = page.wait_for("(() => { const m = document.querySelector('.console-signin__message'); "
                                "return !m.hidden && m.textContent.includes('not known') && m.textContent; })()")
        check("viewer an unknown token is refused too", unknown and "needs a supervisor token" in unknown, str(unknown))

        sign_in(page, JANE)
        rows = page.wait_for("document.querySelectorAll('.console-interactions tbody tr').length === 2 && "
                             "[...document.querySelectorAll('.console-interactions [data-col=customer]')].map((c) => c.textContent)",
                             timeout=15)
        check("sign-in live interactions arrive over the WebSocket", rows and sorted(rows) == [CALLER, "5550202"], str(rows))
        where = page.evaluate("[location.href, document.cookie, sessionStorage.getItem('wallboard_console_token')]")
        check("sign-in token is not in the address or a cookie, only in sessionStorage",
              JANE not in where[0] and JANE not in where[1] and where[2] == JANE, json.dumps(where[:2]))
        page.navigate(f"http://127.0.0.1:{port}/supervisor.html")
        again = page.wait_for("document.querySelectorAll('.console-interactions tbody tr').length === 2 && "
                              "document.querySelector('.console-signin').hidden", timeout=15)
        check("sign-in a reload stays signed in (typed once)", again)
        who = page.evaluate("document.querySelector('.console-who').textContent")
        check("sign-in the header names the token and its phone", "jane" in who and "PJSIP/2001" in who, who)

        page.evaluate("document.querySelector('.console-search').focus()")
        page.send("Input.insertText", {"text": "555 0101"})
        found = page.wait_for("document.querySelectorAll('.console-interactions tbody tr').length === 1 && "
                              "document.querySelector('.console-interactions [data-col=customer]').textContent")
        check("search the caller's number leaves one interaction", found == CALLER, str(found))

        originates_before = len(manager.pbx("originate"))
        page.evaluate(f"{row_buttons(CALLER)}.querySelector('[data-action=listen]').click()")
        question = page.wait_for("document.querySelector('.console-confirm').open && "
                                 "document.querySelector('.console-confirm__question').textContent")
        check("listen asks for confirmation first", question and "PJSIP/2001" in question and not manager.pbx("originate")[originates_before:],
              str(question))
        confirm(page)
        shown = page.wait_for("(() => { const r = document.querySelector('.console-result'); "
                              "return r.dataset.tone && !r.textContent.endsWith('…') && [r.dataset.tone, r.textContent]; })()", timeout=20)
        check("listen the page shows the answer", shown and shown[0] == "ok" and "Monitoring" in shown[1], str(shown))
        originates = manager.pbx("originate")[originates_before:]
        o = originates[0] if originates else {}
        check("listen the exact Originate reaches the manager",
              len(originates) == 1 and o.get("Channel") == "PJSIP/2001" and o.get("Application") == "ChanSpy"
              and o.get("Data") == f"{AGENT_UNIQUEID},quSE" and o.get("Async", "").lower() == "true",
              json.dumps({k: v for k, v in o.items() if k != "ActionID"}))
        monitors = wait_audit(state_dir, lambda a: a.get("action") == "interaction.monitor", 1)
        check("listen the audit line is written", monitors and monitors[-1].get("who") == "jane"
              and monitors[-1].get("status") == 200 and monitors[-1].get("query", {}).get("mode") == "listen"
              and monitors[-1].get("query", {}).get("endpoint") == "PJSIP/2001", json.dumps(monitors[-1:]))

        page.evaluate(f"{row_buttons(CALLER)}.querySelector('[data-action=pause]').click()")
        confirm(page, reason="Coaching")
        paused = page.wait_for("(() => { const r = document.querySelector('.console-result'); "
                               "return r.textContent.startsWith('Done') && r.textContent; })()", timeout=15)
        pauses = manager.pbx("queuepause")
        p = pauses[-1] if pauses else {}
        check("pause QueuePause with the reason reaches the manager", paused and len(pauses) == 1
              and p.get("Interface") == "Local/1001@agents/n" and p.get("Paused", "").lower() == "true"
              and p.get("Reason") == "Coaching", json.dumps(p))
        page.evaluate("document.querySelector('.console-result').textContent = ''")
        page.evaluate(f"{row_buttons(CALLER)}.querySelector('[data-action=unpause]').click()")
        confirm(page)
        unpaused = page.wait_for("document.querySelector('.console-result').textContent.startsWith('Done')", timeout=15)
        pauses = manager.pbx("queuepause")
        u = pauses[-1] if pauses else {}
        check("pause unpause reaches the manager", unpaused and len(pauses) == 2 and u.get("Paused", "").lower() == "false"
              and u.get("Interface") == "Local/1001@agents/n", json.dumps(u))
        audited = wait_audit(state_dir, lambda a: a.get("action") == "member.pause" and a.get("who") == "jane", 2)
        check("pause both are audited", len(audited) == 2 and all(a.get("status") == 200 for a in audited), json.dumps(audited))

        agents = page.wait_for("document.querySelectorAll('.console-agents tbody tr').length === 2 && "
                               "[...document.querySelectorAll('.console-agents tbody tr')].map((r) => "
                               "r.querySelector('[data-col=name]').textContent + '|' + r.querySelector('[data-col=state]').textContent)",
                               timeout=20)
        check("agents the agent table lists each agent with its state", agents and len(agents) == 2
              and any(a.startswith("Alice|On contact") for a in agents), str(agents))
        page.screenshot(os.path.join(SHOTS, "console-jane.png"))
        page.evaluate("(() => { window.__csv = []; const real = URL.createObjectURL; "
                      "URL.createObjectURL = (blob) => { window.__csv.push(blob); return real(blob); }; })()")
        page.evaluate("document.querySelector('.console-export-interactions').click(); "
                      "document.querySelector('.console-export-agents').click()")
        csv = page.wait_for("window.__csv.length === 2 && Promise.all(window.__csv.map((b) => b.text()))")
        check("export the searched interactions and the agent table as CSV",
              csv and csv[0].startswith("contact,agent,") and csv[0].count("\r\n") == 2 and CALLER in csv[0]
              and csv[1].startswith("period,agent,") and csv[1].count("\r\n") == 3, json.dumps(csv)[:300])

        scoped = browser.new_page(1600, 1000)
        scoped.navigate(f"http://127.0.0.1:{port}/supervisor.html")
        sign_in(scoped, SITE)
        seen = scoped.wait_for("document.querySelectorAll('.console-interactions tbody tr').length > 0 && "
                               "document.querySelectorAll('.console-agents tbody tr').length > 0 && "
                               "[[...document.querySelectorAll('.console-interactions [data-col=queue]')].map((c) => c.textContent), "
                               "[...document.querySelectorAll('.console-agents [data-col=name]')].map((c) => c.textContent)]",
                               timeout=15)
        seen = scoped.evaluate("[[...document.querySelectorAll('.console-interactions [data-col=queue]')].map((c) => c.textContent), "
                               "[...document.querySelectorAll('.console-agents [data-col=name]')].map((c) => c.textContent)]")
        check("scoped a support-only token sees only support's interaction and agent",
              seen and seen[0] == ["support"] and seen[1] == ["Bob"], str(seen))
    finally:
        stop_process(proc)
        manager.close()


def main():
    if not prepare(SHOTS):
        return
    browser = None
    try:
        browser = Browser()
        run(browser)
    except (CDPError, RuntimeError, OSError) as e:
        check("run", False, f"{type(e).__name__}: {e}")
    finally:
        if browser:
            browser.close()


if __name__ == "__main__":
    main()
    finish()
