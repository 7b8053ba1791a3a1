"""A small fake Asterisk manager on 127.0.0.1: banner, Login, QueueStatus/CoreShowChannels resync, Ping,
then a stream of queue calls on two queues; it drops every connection after about 20 s (sometimes in
the middle of a message), so the daemon reconnects and resyncs all run long."""
import random
import select
import socket
import threading
import time

QUEUES = ["pbx-sales", "pbx-support"]
MEMBERS = [("Local/%d@agents/n" % (2001 + i), "Member %d" % (i + 1)) for i in range(6)]


def block(*lines):
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class FakeAMI:
    def __init__(self, username, secret, seed, drop_every=20.0):
        self.username, self.secret = username, secret
        self.random = random.Random(seed)
        self.drop_every = drop_every
        self.stopping = threading.Event()
        self.stats = {"connections": 0, "logins": 0, "events": 0, "drops": 0, "actions": 0}
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.call_number = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=3)
        self.listener.close()

    def _serve(self):
        while not self.stopping.is_set():
            ready, _, _ = select.select([self.listener], [], [], 0.2)
            if not ready:
                continue
            connection, _ = self.listener.accept()
            self.stats["connections"] += 1
            try:
                connection.settimeout(5)
                _Session(self, connection).run()
            except OSError:
                pass
            finally:
                connection.close()


class _Session:
    """One manager connection: a fresh PBX session (no call survives a drop, as after an Asterisk restart)."""

    def __init__(self, server, connection):
        self.server, self.connection = server, connection
        self.random = server.random
        self.buffer = b""
        self.free = [m for m in MEMBERS]
        self.paused = set()
        self.waiting = {}  # uniqueid -> (queue, give up at)
        self.talking = {}  # uniqueid -> (queue, member, ends at)
        self.next_call = time.monotonic() + 0.5
        self.deadline = time.monotonic() + server.drop_every * self.random.uniform(0.8, 1.2)

    def send(self, data):
        self.connection.sendall(data)

    def event(self, name, *fields):
        self.server.stats["events"] += 1
        self.send(block("Event: " + name, "Privilege: agent,all", "Timestamp: %.6f" % time.time(), *fields))

    def actions(self, timeout):
        """Reads and returns complete actions (dicts) that arrived within `timeout` s."""
        ready, _, _ = select.select([self.connection], [], [], timeout)
        if ready:
            data = self.connection.recv(65536)
            if not data:
                raise EOFError
            self.buffer += data
        found = []
        while b"\r\n\r\n" in self.buffer:
            raw, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            fields = {}
            for line in raw.decode("utf-8", "replace").split("\r\n"):
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
            found.append(fields)
        return found

    def run(self):
        self.send(b"Asterisk Call Manager/11.0.0\r\n")
        try:
            while not self.server.stopping.is_set() and time.monotonic() < self.deadline:
                for action in self.actions(0.05):
                    if not self.answer(action):
                        return
                self.play()
            self.server.stats["drops"] += 1
            if self.random.random() < 0.5:  # cut in the middle of a message, like a crash
                self.send(b"Event: QueueCallerJoin\r\nPrivilege: agent,all\r\nQueue: pbx-")
        except (EOFError, OSError):
            return

    def answer(self, action):
        self.server.stats["actions"] += 1
        name, action_id = action.get("Action", "").lower(), action.get("ActionID", "")
        reply = lambda *lines: block(lines[0], "ActionID: " + action_id, *lines[1:])
        if name == "login":
            ok = action.get("Username") == self.server.username and action.get("Secret") == self.server.secret
            self.send(reply("Response: " + ("Success" if ok else "Error"),
                            "Message: Authentication " + ("accepted" if ok else "failed")))
            self.server.stats["logins"] += ok
            return ok
        if name == "queuestatus":
            self.send(reply("Response: Success", "EventList: start", "Message: Queue status will follow"))
            items = 0
            for queue in QUEUES:
                items += 1
                self.send(block("Event: QueueParams", "Queue: " + queue, "Max: 0", "Strategy: ringall", "Calls: 0",
                                "Holdtime: 0", "TalkTime: 0", "Completed: 0", "Abandoned: 0", "ServiceLevel: 20",
                                "ServicelevelPerf: 0.0", "ServicelevelPerf2: 0.0", "Weight: 0", "ActionID: " + action_id))
                for interface, member in MEMBERS:
                    items += 1
                    self.send(block("Event: QueueMember", "Queue: " + queue, "Name: " + member, "Location: " + interface,
                                    "StateInterface: Custom:" + interface[6:10], "Membership: dynamic", "Penalty: 0",
                                    "CallsTaken: 0", "LastCall: 0", "LastPause: 0", "LoginTime: %d" % time.time(),
                                    "InCall: 0", "Status: 1", "Paused: 0", "PausedReason: ", "Wrapuptime: 0",
                                    "ActionID: " + action_id))
            self.send(block("Event: QueueStatusComplete", "ActionID: " + action_id, "EventList: Complete",
                            "ListItems: %d" % items))
        elif name == "coreshowchannels":
            self.send(reply("Response: Success", "EventList: start", "Message: Channels will follow"))
            self.send(block("Event: CoreShowChannelsComplete", "ActionID: " + action_id, "EventList: Complete",
                            "ListItems: 0"))
        elif name == "ping":
            self.send(reply("Response: Success", "Ping: Pong", "Timestamp: %.6f" % time.time()))
        elif name == "logoff":
            self.send(reply("Response: Goodbye", "Message: Thanks for all the fish."))
            return False
        else:
            self.send(reply("Response: Error", "Message: Invalid/unknown command"))
        return True

    def caller(self, uniqueid, queue):
        number = "555%04d" % (int(uniqueid.split(".")[1]) % 10000)
        return ["Channel: Local/%s@inbound-%08x;2" % (number, int(uniqueid.split(".")[1])), "CallerIDNum: " + number,
                "CallerIDName: Soak caller", "Uniqueid: " + uniqueid, "Linkedid: " + uniqueid, "Queue: " + queue]

    def play(self):
        now = time.monotonic()
        if now >= self.next_call:
            self.next_call = now + self.random.uniform(0.2, 1.0)
            self.server.call_number += 1
            uniqueid = "%d.%d" % (time.time(), self.server.call_number)
            queue = self.random.choice(QUEUES)
            self.waiting[uniqueid] = (queue, now + self.random.uniform(3, 15))
            self.event("QueueCallerJoin", *self.caller(uniqueid, queue), "Position: 1", "Count: %d" % len(self.waiting))
        for uniqueid, (queue, give_up) in list(self.waiting.items()):
            ready = [m for m in self.free if m[0] not in self.paused]
            if ready:
                interface, member = ready[0]
                self.free.remove(ready[0])
                del self.waiting[uniqueid]
                agent = ["DestChannel: %s-%08x;1" % (interface[:-2], self.server.call_number), "Interface: " + interface,
                         "MemberName: " + member]
                self.event("AgentCalled", *self.caller(uniqueid, queue), *agent)
                self.event("AgentConnect", *self.caller(uniqueid, queue), *agent, "HoldTime: 1", "RingTime: 1")
                self.talking[uniqueid] = (queue, (interface, member), now + self.random.uniform(1, 6), agent)
            elif now >= give_up:
                del self.waiting[uniqueid]
                self.event("QueueCallerAbandon", "Queue: " + queue, "Uniqueid: " + uniqueid, "Position: 1",
                           "OriginalPosition: 1", "HoldTime: 5")
        for uniqueid, (queue, member, ends, agent) in list(self.talking.items()):
            if now >= ends:
                del self.talking[uniqueid]
                self.event("AgentComplete", *self.caller(uniqueid, queue), *agent, "HoldTime: 1", "TalkTime: 3",
                           "Reason: caller")
                self.free.append(member)
        if self.random.random() < 0.01:
            interface, member = self.random.choice(MEMBERS)
            paused = interface not in self.paused
            (self.paused.add if paused else self.paused.discard)(interface)
            for queue in QUEUES:
                self.event("QueueMemberPause", "Queue: " + queue, "MemberName: " + member, "Interface: " + interface,
                           "Paused: %d" % paused, "PausedReason: " + ("Break" if paused else ""), "InCall: 0",
                           "Status: 1", "Wrapuptime: 0")
