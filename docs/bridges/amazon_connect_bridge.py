#!/usr/bin/env python3
"""Amazon Connect -> wallboardd bridge (a sketch; Python 3 standard library only).

Reads Amazon Connect records, one JSON object per line, on stdin:
  * agent event stream records (Kinesis): EventType LOGIN / LOGOUT / STATE_CHANGE / HEART_BEAT with
    CurrentAgentSnapshot / PreviousAgentSnapshot (AgentStatus, Configuration, Contacts[]);
  * contact events (EventBridge, detail-type "Amazon Connect Contact Event"): detail.eventType
    QUEUED (a second one for the same contact is a queue transfer) / CONNECTED_TO_AGENT / DISCONNECTED
    (others are ignored).
and writes wallboardd canonical events (docs/events.md) as NDJSON: to stdout (default), to the
stream ingest socket (--tcp HOST:PORT or --unix PATH, replies checked), or to POST /api/v1/events
(--http URL). The mapping table is in docs/ingest.md.

How the records reach stdin is up to you: a Kinesis consumer for the agent stream and an
EventBridge rule -> SQS/Kinesis/Firehose consumer for contact events, merged in time order.

Exit status: 0 when every record was mapped (and, when sending, every line accepted or duplicate),
1 when the daemon rejected lines or could not store them, 2 on a usage or connection error.
"""

import argparse
import datetime
import json
import socket
import sys
import threading
import urllib.request

CHANNELS = {"VOICE": "voice", "CHAT": "chat", "TASK": "email", "EMAIL": "email"}
# Contact states of the agent event stream (AWS, "About contact states"):
HANDLED = {"CONNECTED", "CONNECTED_ONHOLD", "PAUSED", "ENDED"}  # accepted by this agent
BUSY = {"CONNECTED", "CONNECTED_ONHOLD", "ENDED"}  # keep the agent on a contact or in ACW
RINGING = {"CONNECTING"}  # offered, the agent has not accepted yet
CALLBACK_OFFERS = {"INCOMING", "PENDING"}  # queued callbacks: the contact stays queued, nothing rings
FAILED_OFFERS = {"MISSED": "missed", "REJECTED": "rejected", "ERROR": "error"}  # the agent must clear these
HOLDS = {"CONNECTED_ONHOLD", "PAUSED"}  # a paused task frees the agent's slot like a hold stops talk
STATUS_STATES = ("available", "not_ready", "offline")


def parse_status(item):
    """`NAME=STATE[:REASON]` -> (name in lower case, (state, reason)); ValueError says what is wrong."""
    name, sep, target = item.partition("=")
    state, _, reason = target.partition(":")
    if not sep or not name.strip() or state not in STATUS_STATES or (reason and state != "not_ready"):
        raise ValueError("--status %r: expected NAME=STATE[:REASON], STATE one of %s, a REASON only with not_ready"
                         % (item, ", ".join(STATUS_STATES)))
    return name.strip().lower(), (state, reason or (name.strip().lower().replace(" ", "_") if state == "not_ready" else None))


def ts(text):
    """Connect timestamps (ISO 8601, with or without fractions) -> RFC 3339 UTC with milliseconds."""
    value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (value.microsecond // 1000)


def arn_tail(arn):
    return (arn or "").rstrip("/").rsplit("/", 1)[-1]


def pick(obj, *names):
    """The first present key of `names` (Connect's samples mix agentInfo/AgentInfo casing)."""
    for name in names:
        if isinstance(obj, dict) and obj.get(name) is not None:
            return obj[name]
    return None


class Mapper:
    def __init__(self, queue_names=None, statuses=None):
        self.queue_names = dict(queue_names or {})  # queue ARN tail -> our queue id
        self.statuses = dict(statuses or {})  # status name (lower case) -> (state, reason), from --status
        self.agent_ids = {}  # agent ARN tail -> our agent id (the Connect username)
        self.logged_in = set()  # agents we told wallboardd are logged in
        self.queued = set()  # contacts sent as contact.queued
        self.queue_of = {}  # contact -> the queue it was last queued in
        self.answered = set()  # contacts sent as contact.answered
        self.skipped = 0

    # -- names ------------------------------------------------------------------------------
    def queue_id(self, arn, name=None):
        tail = arn_tail(arn)
        if tail not in self.queue_names:  # sticky: the first name learned for an ARN stays
            self.queue_names[tail] = name or tail
        return self.queue_names[tail]

    def agent_id(self, arn):
        return self.agent_ids.get(arn_tail(arn), arn_tail(arn))

    def learn(self, agent_arn, snapshot):
        config = (snapshot or {}).get("Configuration") or {}
        if config.get("Username"):
            self.agent_ids[arn_tail(agent_arn)] = config["Username"]
        profile = config.get("RoutingProfile") or {}
        for queue in profile.get("InboundQueues") or []:
            if queue.get("ARN"):
                self.queue_id(queue["ARN"], queue.get("Name"))

    # -- dispatch ---------------------------------------------------------------------------
    def map(self, record):
        if record.get("detail-type") == "Amazon Connect Contact Event":
            return self.contact_event(record)
        if "EventType" in record and "AgentARN" in record:
            return self.agent_event(record)
        self.skipped += 1
        return []

    # -- contact events (EventBridge) -------------------------------------------------------
    def contact_event(self, record):
        detail = record.get("detail") or {}
        kind = detail.get("eventType")
        contact = detail.get("contactId")
        base = "ac.%s" % record.get("id")
        queue_info = pick(detail, "queueInfo", "QueueInfo") or {}
        agent_info = pick(detail, "agentInfo", "AgentInfo") or {}
        if kind == "QUEUED":
            queue_arn = pick(queue_info, "queueArn", "QueueArn")
            if not queue_arn:
                return []
            queue = self.queue_id(queue_arn)
            at = ts(pick(queue_info, "enqueueTimestamp", "EnqueueTimestamp") or record["time"])
            if contact in self.queued:
                # Queued again (a transfer-to-queue flow keeps the contact id): moved, unless nothing changed.
                if self.queue_of.get(contact) == queue and contact not in self.answered:
                    return []
                self.queue_of[contact] = queue
                self.answered.discard(contact)
                return [{"id": base + ".transferred", "ts": at, "type": "contact.transferred", "contact": contact,
                         "to_queue": queue}]
            self.queued.add(contact)
            self.queue_of[contact] = queue
            event = {
                "id": base + ".queued", "ts": at, "type": "contact.queued", "contact": contact, "queue": queue,
                "channel": CHANNELS.get(str(detail.get("channel", "VOICE")).upper(), "voice"),
            }
            if str(detail.get("initiationMethod", "")).upper() == "CALLBACK":
                event["reason"] = "callback"
            return [event]
        if kind == "CONNECTED_TO_AGENT" and contact in self.queued and contact not in self.answered:
            agent_arn = pick(agent_info, "agentArn", "AgentArn")
            if not agent_arn:
                return []
            self.answered.add(contact)
            return [{
                "id": base + ".answered",
                "ts": ts(pick(agent_info, "connectedToAgentTimestamp", "ConnectedToAgentTimestamp") or record["time"]),
                "type": "contact.answered", "contact": contact, "agent": self.agent_id(agent_arn),
                "monitor": {"kind": "amazon_connect.contact", "target": contact},
            }]
        if kind == "DISCONNECTED" and contact in self.queued:
            at = ts(detail.get("disconnectTimestamp") or record["time"])
            self.queued.discard(contact)
            self.queue_of.pop(contact, None)
            if contact in self.answered:
                return [{"id": base + ".ended", "ts": at, "type": "contact.ended", "contact": contact}]
            return [{"id": base + ".abandoned", "ts": at, "type": "contact.abandoned", "contact": contact}]
        return []  # INITIATED, CONNECTED_TO_SYSTEM, CONTACT_DATA_UPDATED, COMPLETED, outbound/IVR-only contacts...

    # -- agent event stream (Kinesis) -------------------------------------------------------
    def status_state(self, snapshot):
        """AgentStatus -> (state, reason): a name given with --status as given; else by Type (the stream's
        ROUTABLE available, OFFLINE offline, CUSTOM not_ready with the name as reason), by name without one."""
        status = (snapshot or {}).get("AgentStatus") or {}
        mapped = self.statuses.get(str(status.get("Name") or "").strip().lower())
        if mapped:
            return mapped
        kind = status.get("Type") or {"Available": "ROUTABLE", "Offline": "OFFLINE"}.get(status.get("Name"), "CUSTOM")
        if kind == "ROUTABLE":
            return ("available", None)
        if kind == "OFFLINE":
            return ("offline", None)
        return ("not_ready", (status.get("Name") or "not_ready").strip().lower().replace(" ", "_"))

    @staticmethod
    def contact_states(snapshot):
        return {c.get("ContactId"): c.get("State") for c in ((snapshot or {}).get("Contacts") or [])}

    def agent_event(self, record):
        kind = record["EventType"]
        if kind == "HEART_BEAT":
            return []
        agent_arn = record["AgentARN"]
        current = record.get("CurrentAgentSnapshot")
        previous = record.get("PreviousAgentSnapshot")
        self.learn(agent_arn, current or previous)
        agent = self.agent_id(agent_arn)
        at = ts(record["EventTimestamp"])
        base = "ac.%s" % record["EventId"]
        out = []

        def emit(suffix, body):
            out.append(dict({"id": "%s.%s" % (base, suffix), "ts": at}, **body))

        if kind == "LOGOUT":
            if agent in self.logged_in:
                self.logged_in.discard(agent)
                emit("logout", {"type": "agent.logout", "agent": agent})
            return out

        before, after = self.contact_states(previous), self.contact_states(current)
        resumed_work = False
        for contact, state in after.items():
            was = before.get(contact)
            if was == "CONNECTED" and state in HOLDS:
                emit("held." + contact, {"type": "contact.held", "contact": contact})
            elif was in HOLDS and state == "CONNECTED":
                emit("resumed." + contact, {"type": "contact.resumed", "contact": contact})
                resumed_work = resumed_work or was == "PAUSED"
        finished = False
        for contact, was in before.items():
            if contact not in after and was in HANDLED:
                # Gone from the snapshot after ENDED (or paused): after-contact work is over.
                finished = True
                emit("wrapup." + contact, {"type": "contact.wrapup_done", "contact": contact, "agent": agent})

        state, reason = self.status_state(current)
        busy = any(s in BUSY for s in after.values())
        was_busy = any(s in BUSY for s in before.values())
        ringing = any(s in RINGING for s in after.values())
        was_ringing = any(s in RINGING for s in before.values())
        failed = next((FAILED_OFFERS[s] for s in after.values() if s in FAILED_OFFERS), None)
        was_failed = next((FAILED_OFFERS[s] for s in before.values() if s in FAILED_OFFERS), None)
        if agent not in self.logged_in:
            if state == "offline":
                return out
            config = (current or {}).get("Configuration") or {}
            profile = config.get("RoutingProfile") or {}
            name = " ".join(x for x in (config.get("FirstName"), config.get("LastName")) if x)
            login = {"type": "agent.login", "agent": agent, "name": name or agent,
                     "queues": [self.queue_id(q["ARN"], q.get("Name")) for q in profile.get("InboundQueues") or [] if q.get("ARN")]}
            team = ((config.get("AgentHierarchyGroups") or {}).get("Level1") or {}).get("Name")
            if team:
                login["team"] = team
            emit("login", login)
            self.logged_in.add(agent)
            if state != "available" and not busy:
                emit("state", dict({"type": "agent.state", "agent": agent, "state": state}, **({"reason": reason} if reason else {})))
            return out
        if busy:
            if resumed_work and not was_busy:  # back from a paused task the agent had left for other work
                emit("state", {"type": "agent.state", "agent": agent, "state": "on_contact"})
            return out  # on_contact / wrap_up follow from contact.answered / contact.ended
        if ringing:
            if not was_ringing:
                emit("state", {"type": "agent.state", "agent": agent, "state": "ringing"})
            return out
        if failed:
            # A missed, rejected or failed offer leaves the agent unroutable until they clear it.
            if failed != was_failed:
                emit("state", {"type": "agent.state", "agent": agent, "state": "not_ready", "reason": failed})
            return out
        status_changed = self.status_state(previous) != (state, reason)
        paused_away = was_busy and not finished  # the last busy contact was paused: its slot is free
        if status_changed or was_ringing or was_failed or paused_away or (finished and state != "available"):
            if state == "offline":
                self.logged_in.discard(agent)
            emit("state", dict({"type": "agent.state", "agent": agent, "state": state}, **({"reason": reason} if reason else {})))
        return out


# -- outputs ------------------------------------------------------------------------------------
def send_stream(sock, lines):
    """Streams lines to the NDJSON socket while a thread reads the replies; returns bad replies."""
    problems = []

    def read_replies():
        buffer = b""
        with sock.makefile("rb") as replies:
            for raw in replies:
                reply = json.loads(raw)
                if reply.get("status") not in ("accepted", "duplicate"):
                    problems.append(reply)
                    print("wallboardd: %s" % json.dumps(reply), file=sys.stderr)

    reader = threading.Thread(target=read_replies)
    reader.start()
    for line in lines:
        sock.sendall(line.encode() + b"\n")
    sock.shutdown(socket.SHUT_WR)
    reader.join()
    sock.close()
    return problems


def send_http(url, lines, batch=500):
    problems = []
    for start in range(0, len(lines), batch):
        body = ("\n".join(lines[start:start + batch]) + "\n").encode()
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/x-ndjson"})
        try:
            with urllib.request.urlopen(request) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            answer = json.load(error)
            problems.append(answer)
        for rejected in answer.get("rejected", []):
            rejected["line"] += start  # batch line -> line of this run's output
            problems.append(rejected)
            print("wallboardd: %s" % json.dumps(rejected), file=sys.stderr)
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--tcp", metavar="HOST:PORT", help="stream to wallboardd's NDJSON TCP ingest")
    target.add_argument("--unix", metavar="PATH", help="stream to wallboardd's NDJSON Unix socket")
    target.add_argument("--http", metavar="URL", help="POST batches, e.g. http://127.0.0.1:8080/api/v1/events")
    parser.add_argument("--queue", action="append", default=[], metavar="ARN_ID=NAME",
                        help="name a queue (the last segment of its ARN) instead of learning it")
    parser.add_argument("--status", action="append", default=[], metavar="NAME=STATE[:REASON]",
                        help="map an agent status by name, e.g. Lunch=not_ready:meal or Training=offline "
                             "(STATE: available, not_ready, offline); others go by their Type")
    args = parser.parse_args(argv)
    try:
        statuses = dict(parse_status(item) for item in args.status)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    mapper = Mapper(dict(item.split("=", 1) for item in args.queue), statuses)

    lines = []
    for number, raw in enumerate(sys.stdin, 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as error:
            print("input line %d: not JSON: %s" % (number, error), file=sys.stderr)
            continue
        for event in mapper.map(record):
            lines.append(json.dumps(event, separators=(",", ":")))
    if mapper.skipped:
        print("skipped %d records that are neither agent nor contact events" % mapper.skipped, file=sys.stderr)

    try:
        if args.tcp:
            host, port = args.tcp.rsplit(":", 1)
            problems = send_stream(socket.create_connection((host.strip("[]"), int(port))), lines)
        elif args.unix:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(args.unix)
            problems = send_stream(sock, lines)
        elif args.http:
            problems = send_http(args.http, lines)
        else:
            for line in lines:
                sys.stdout.write(line + "\n")
            return 0
    except OSError as error:
        print("cannot send to wallboardd: %s" % error, file=sys.stderr)
        return 2
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
