"""A fake Asterisk manager (AMI) on 127.0.0.1 for the browser suites: the banner, the login accepted, the daemon's
resync lists answered empty, every other action answered `Success`, and every action recorded with its fields.

A suite that needs more (calls played after the resync, an Originate's OriginateResponse) subclasses it and
overrides `answer`.
"""

import socket
import threading


def block(*lines):
    """One AMI message: its lines, CRLF-separated, ended by an empty line."""
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


LIST_DONE = {"queuestatus": "QueueStatusComplete", "coreshowchannels": "CoreShowChannelsComplete",
             "status": "StatusComplete"}


class FakeManager:
    """Listens on a free 127.0.0.1 port (`port`); `actions` holds each action's fields as sent (first value of each
    key, names as the client spelt them); `logged_in` is set at the first login."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.actions = []
        self.lock = threading.Lock()
        self.logged_in = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        conn.sendall(b"Asterisk Call Manager/7.0.3\r\n")
        buf = b""
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\r\n\r\n" in buf:
                raw, buf = buf.split(b"\r\n\r\n", 1)
                fields = {}
                for line in raw.decode(errors="replace").split("\r\n"):
                    if ":" in line:
                        k, v = line.split(":", 1)
                        fields.setdefault(k.strip(), v.strip())
                action = self.field(fields, "Action").lower()
                with self.lock:
                    self.actions.append(fields)
                conn.sendall(self.answer(action, fields, self.field(fields, "ActionID")))
                if action == "login":
                    self.logged_in.set()

    @staticmethod
    def field(fields, name):
        """A field's value whatever the case of its name (AMI names are case-insensitive), or ''."""
        wanted = name.lower()
        return next((v for k, v in fields.items() if k.lower() == wanted), "")

    def answer(self, action, fields, aid):
        """The bytes sent back for one action (`action` lower-cased)."""
        if action == "login":
            return block("Response: Success", f"ActionID: {aid}", "Message: Authentication accepted")
        if action in LIST_DONE:
            return (block("Response: Success", f"ActionID: {aid}", "EventList: start", "Message: List will follow")
                    + block(f"Event: {LIST_DONE[action]}", f"ActionID: {aid}", "EventList: Complete", "ListItems: 0"))
        return block("Response: Success", f"ActionID: {aid}", "Message: ok")

    def pbx(self, name):
        """The fields of every action named `name` (lower case) received so far."""
        with self.lock:
            return [a for a in self.actions if self.field(a, "Action").lower() == name]

    def action_names(self):
        """Every action's name received so far, lower case, in order."""
        with self.lock:
            return [self.field(a, "Action").lower() for a in self.actions]

    def close(self):
        self.sock.close()
