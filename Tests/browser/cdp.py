"""A tiny Chrome DevTools Protocol client over `chromium --remote-debugging-pipe` (Python standard library only).

Chromium reads commands from fd 3 and writes replies and events to fd 4, each message one JSON object ending in a
NUL byte. One `Browser` owns the process; `Page` is one tab attached in flat mode (commands carry `sessionId`).
"""

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time


class CDPError(Exception):
    pass


class Browser:
    def __init__(self, binary=None, extra_args=()):
        self.binary = binary or os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
        if not self.binary:
            raise CDPError("chromium not found (apt-get install -y chromium, or set CHROMIUM)")
        self.profile = tempfile.mkdtemp(prefix="wallboard-chromium-")
        cmd_r, self._cmd_w = os.pipe()
        self._res_r, res_w = os.pipe()

        def wire_fds():
            os.dup2(cmd_r, 3)
            os.dup2(res_w, 4)
            # dup2 onto itself (the pipe already was fd 3, as when nothing else is open yet) keeps close-on-exec.
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        args = [
            self.binary, "--headless", "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
            "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", "--force-color-profile=srgb",
            "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows",
        ]
        if os.geteuid() == 0:
            args.append("--no-sandbox")
        args += list(extra_args)
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=wire_fds,
        )
        os.close(cmd_r)
        os.close(res_w)
        self._next_id = 0
        self._lock = threading.Lock()
        self._waiting = {}
        self._listeners = []
        self._closed = False
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    def _read_loop(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._res_r, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if "id" in msg:
                    with self._lock:
                        slot = self._waiting.pop(msg["id"], None)
                    if slot:
                        slot[1] = msg
                        slot[0].set()
                else:
                    for listener in list(self._listeners):
                        try:
                            listener(msg)
                        except Exception:  # a listener bug must not kill the reader
                            pass
        self._closed = True
        with self._lock:
            for slot in self._waiting.values():
                slot[0].set()

    def on_event(self, listener):
        self._listeners.append(listener)

    def send(self, method, params=None, session_id=None, timeout=30):
        with self._lock:
            self._next_id += 1
            msg_id = self._next_id
            slot = [threading.Event(), None]
            self._waiting[msg_id] = slot
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session_id:
            msg["sessionId"] = session_id
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        if not slot[0].wait(timeout):
            raise CDPError(f"{method}: no reply in {timeout} s")
        reply = slot[1]
        if reply is None:
            raise CDPError(f"{method}: browser closed")
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def new_page(self, width=1920, height=1080):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session, width, height)

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except CDPError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser, session_id, width, height):
        self.browser = browser
        self.session = session_id
        self.events = []  # (method, params) of this tab, in arrival order
        browser.on_event(self._event)
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.resize(width, height)

    def _event(self, msg):
        if msg.get("sessionId") == self.session:
            self.events.append((msg.get("method"), msg.get("params", {})))

    def send(self, method, params=None, timeout=30):
        return self.browser.send(method, params, session_id=self.session, timeout=timeout)

    def resize(self, width, height):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def add_init_script(self, source):
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})

    def navigate(self, url, timeout=15):
        start = len(self.events)
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(m == "Page.loadEventFired" for m, _ in self.events[start:]):
                return
            time.sleep(0.05)
        raise CDPError(f"{url}: not loaded in {timeout} s")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise CDPError(f"evaluate: {result['exceptionDetails'].get('text')} "
                           f"{result['exceptionDetails'].get('exception', {}).get('description', '')}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression, timeout=10, interval=0.1):
        """Polls a JS expression until it is truthy; returns its value, or None after the timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() >= deadline:
                return None
            time.sleep(interval)

    def screenshot(self, path):
        import base64
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
