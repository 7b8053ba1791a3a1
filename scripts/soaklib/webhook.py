"""A webhook receiver that never accepts: answers 500, 503 with Retry-After, or hangs, so the daemon's
alert outbox retries for the whole run."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20
HANG_SECONDS = 15


class FailingWebhook:
    """Listens on 127.0.0.1 (a free port); `requests` counts what arrived, by answer."""

    def __init__(self):
        self.counts = {"500": 0, "503": 0, "hang": 0}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
                if length > 0:
                    self.rfile.read(length)
                with owner.lock:
                    total = sum(owner.counts.values())
                    kind = "hang" if total % 10 == 9 else "503" if total % 5 == 4 else "500"
                    owner.counts[kind] += 1
                if kind == "hang":
                    owner.stopping.wait(HANG_SECONDS)
                    kind = "500"
                self.send_response(int(kind))
                if kind == "503":
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        self.thread.start()

    @property
    def total(self):
        with self.lock:
            return sum(self.counts.values())

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
