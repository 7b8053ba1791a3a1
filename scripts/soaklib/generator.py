"""Canonical events at a few hundred per second over the NDJSON stream ingest (`ingest.stream.tcp`):
a realistic floor (queues, teams, agents in several queues) in compressed time. Contacts arrive, wait,
ring, are answered, held, ended, wrapped up, surveyed or abandoned; agents take breaks. Replies are
read on a second thread and counted by status."""
import heapq
import json
import random
import socket
import threading
import time
from datetime import datetime, timezone

QUEUES = ["billing", "tech", "sales", "sales-fr", "retention", "vip", "claims", "orders", "chat-care", "email-care"]
CHANNELS = {"chat-care": "chat", "email-care": "email"}
# Lines sent but not answered yet: beyond this the floor takes no new contacts (what is already under
# way still happens), so a daemon slower than the target rate is fed at its own pace.
MAX_UNANSWERED = 2000
# Lines unanswered this long: the daemon's ingest (or the engine behind it) is stuck.
STALL_SECONDS = 30
TEAMS = ["north", "south", "east", "west", "night", "fr", "tier2", "backoffice"]


def stamp():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Generator:
    def __init__(self, port, rate, agents, seed, deadline):
        self.port, self.rate, self.deadline = port, rate, deadline
        self.random = random.Random(seed)
        self.run_id = "%x" % int(time.time() * 1000)
        self.sequence = 0
        self.contact_sequence = 0
        self.replies = {}
        self.first_rejections = []
        self.sent = 0
        self.answered = 0
        self.stalled = False
        self.errors = []
        self.lock = threading.Lock()
        self.agents = {}
        for index in range(agents):
            queues = self.random.sample(QUEUES, self.random.choice([1, 2, 2, 3]))
            self.agents["g%03d" % index] = {"queues": queues, "team": TEAMS[index % len(TEAMS)], "state": "offline",
                                            "contact": None}
        self.waiting = {queue: [] for queue in QUEUES}  # contact ids, oldest first
        self.contacts = {}  # id -> {"queue", "agent", "phase"}
        self.timers = []  # (at, n, action, args)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def join(self, timeout):
        self.thread.join(timeout)

    # -- output

    def emit(self, kind, **fields):
        self.sequence += 1
        event = {"id": "soak-%s-%d" % (self.run_id, self.sequence), "ts": stamp(), "type": kind}
        event.update(fields)
        self.out.append(json.dumps(event, separators=(",", ":")))

    def later(self, seconds, action, *args):
        self.sequence += 1
        heapq.heappush(self.timers, (time.monotonic() + seconds, self.sequence, action, args))

    # -- the floor

    def set_state(self, agent, state, reason=None):
        self.agents[agent]["state"] = state
        fields = {"agent": agent, "state": state}
        if reason:
            fields["reason"] = reason
        self.emit("agent.state", **fields)

    def arrive(self):
        self.contact_sequence += 1
        contact = "sc-%s-%d" % (self.run_id, self.contact_sequence)
        queue = self.random.choice(QUEUES)
        customer = {"id": "cust%05d" % self.random.randrange(20000),
                    "segment": self.random.choice(["standard", "standard", "gold"])}
        self.emit("contact.queued", contact=contact, queue=queue, channel=CHANNELS.get(queue, "voice"),
                  priority=self.random.choice([0, 0, 0, 5]), customer=customer,
                  language=self.random.choice(["en", "en", "fr", "de"]), reason=self.random.choice(["billing", "outage", "order"]))
        self.contacts[contact] = {"queue": queue, "agent": None, "phase": "waiting"}
        self.waiting[queue].append(contact)
        self.later(self.random.uniform(4, 40), self.give_up, contact)
        self.offer(queue)

    def offer(self, queue):
        """Rings an available agent of `queue` for its oldest waiting contact."""
        if not self.waiting[queue]:
            return
        for agent, info in self.agents.items():
            if info["state"] == "available" and queue in info["queues"]:
                contact = self.waiting[queue].pop(0)
                self.contacts[contact]["phase"] = "ringing"
                self.contacts[contact]["agent"] = agent
                info["contact"] = contact
                self.set_state(agent, "ringing")
                self.later(self.random.uniform(0.2, 1.5), self.answer, contact)
                return

    def give_up(self, contact):
        info = self.contacts.get(contact)
        if info and info["phase"] == "waiting":
            self.waiting[info["queue"]].remove(contact)
            del self.contacts[contact]
            self.emit("contact.abandoned", contact=contact)

    def answer(self, contact):
        info = self.contacts[contact]
        info["phase"] = "talking"
        self.agents[info["agent"]]["state"] = "on_contact"
        self.emit("contact.answered", contact=contact, agent=info["agent"])
        talk = self.random.uniform(2, 10)
        if self.random.random() < 0.2:
            self.later(talk / 3, self.hold, contact)
        self.later(talk, self.end, contact)

    def hold(self, contact):
        self.emit("contact.held", contact=contact)
        self.later(self.random.uniform(0.3, 1.0), lambda: self.emit("contact.resumed", contact=contact))

    def end(self, contact):
        info = self.contacts[contact]
        self.emit("contact.ended", contact=contact)
        self.agents[info["agent"]]["state"] = "wrap_up"
        self.later(self.random.uniform(0.5, 3), self.wrap_up_done, contact)

    def wrap_up_done(self, contact):
        info = self.contacts.pop(contact)
        agent = info["agent"]
        self.emit("contact.wrapup_done", contact=contact, agent=agent)
        self.agents[agent]["contact"] = None
        self.agents[agent]["state"] = "available"
        if self.random.random() < 0.3:
            self.emit("survey.completed", contact=contact, csat=self.random.randint(1, 5),
                      resolved=self.random.random() < 0.7)
        if self.random.random() < 0.04:
            self.set_state(agent, "not_ready", self.random.choice(["break", "lunch", "training"]))
            self.later(self.random.uniform(5, 30), self.back, agent)
        else:
            self.serve_next(agent)

    def back(self, agent):
        self.set_state(agent, "available")
        self.serve_next(agent)

    def serve_next(self, agent):
        for queue in self.agents[agent]["queues"]:
            if self.waiting[queue] and self.agents[agent]["state"] == "available":
                self.offer(queue)

    # -- the loop

    def _read_replies(self, sock):
        buffer = b""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            with self.lock:
                for line in lines:
                    try:
                        reply = json.loads(line)
                    except ValueError:
                        continue
                    status = reply.get("status", "?")
                    self.answered += 1
                    self.replies[status] = self.replies.get(status, 0) + 1
                    if status == "rejected" and len(self.first_rejections) < 5:
                        self.first_rejections.append(reply)

    def _run(self):
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        except OSError as error:
            self.errors.append("cannot connect to the stream ingest: %s" % error)
            return
        reader = threading.Thread(target=self._read_replies, args=(sock,), daemon=True)
        reader.start()
        self.out = []
        for agent, info in self.agents.items():
            self.emit("agent.login", agent=agent, name="Soak agent " + agent, team=info["team"], queues=info["queues"],
                      languages=["en"])
            self.set_state(agent, "available")
        # Events per contact average about 5.5 (queued, state ringing, answered, ended, wrap-up done, some
        # holds, surveys, breaks): arrivals are steered each second towards the target event rate.
        arrivals_per_second = self.rate / 5.5
        window_start, window_sent, credit = time.monotonic(), self.sent, 0.0
        last = answered_at = time.monotonic()
        answered_before = 0
        try:
            while time.monotonic() < self.deadline:
                now = time.monotonic()
                credit += (now - last) * arrivals_per_second
                last = now
                if self.sent - self.answered > MAX_UNANSWERED:
                    credit = 0  # the daemon is behind: no new contacts until it catches up
                if self.answered != answered_before or self.sent == self.answered:
                    answered_before, answered_at = self.answered, now
                elif now - answered_at > STALL_SECONDS and not self.stalled:
                    self.stalled = True
                    self.errors.append("the stream ingest answered nothing for %d s with %d lines unanswered "
                                       "(after %d answers)" % (STALL_SECONDS, self.sent - self.answered, self.answered))
                while credit >= 1:
                    credit -= 1
                    self.arrive()
                while self.timers and self.timers[0][0] <= now:
                    _, _, action, args = heapq.heappop(self.timers)
                    action(*args)
                if self.out:
                    sock.sendall(("\n".join(self.out) + "\n").encode())
                    self.sent += len(self.out)
                    self.out = []
                if now - window_start >= 1:
                    achieved = (self.sent - window_sent) / (now - window_start)
                    if achieved > 0:
                        arrivals_per_second = min(max(arrivals_per_second * self.rate / achieved, 1), self.rate)
                    window_start, window_sent = now, self.sent
                time.sleep(0.02)
            sock.shutdown(socket.SHUT_WR)
            reader.join(timeout=5)
        except OSError as error:
            self.errors.append("the stream ingest took no line for 30 s (or failed) after %d events: %s" % (self.sent, error))
        finally:
            sock.close()
