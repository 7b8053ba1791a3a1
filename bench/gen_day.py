#!/usr/bin/env python3
"""Writes a synthetic contact-center day as canonical NDJSON (docs/events.md), for the benchmarks.

Independent of the daemon's own simulator on purpose: a plain generator, seeded, so every run of the
suite feeds the same bytes. `gen_day.py --agents 10000 --queues 100 --events 1000000 > day.ndjson`.
Each contact: queued, then answered (agent on_contact), ended, wrap-up done (agent available), or
abandoned; agents log in at the start and take breaks now and then.
"""
import argparse, json, random, sys
from datetime import datetime, timedelta, timezone

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agents", type=int, default=10000)
    p.add_argument("--queues", type=int, default=100)
    p.add_argument("--events", type=int, default=1000000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", default=None, help="RFC 3339 start (default: today 08:00 UTC)")
    a = p.parse_args()
    rnd = random.Random(a.seed)
    start = datetime.fromisoformat(a.start) if a.start else datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    out = sys.stdout
    n = 0
    def emit(t, typ, **fields):
        nonlocal n
        n += 1
        ev = {"id": f"e{n}", "ts": (start + timedelta(milliseconds=int(t))).isoformat(timespec="milliseconds").replace("+00:00", "Z"), "type": typ}
        ev.update(fields)
        out.write(json.dumps(ev, separators=(",", ":")) + "\n")
    queues = [f"q{i}" for i in range(a.queues)]
    free = []
    for i in range(a.agents):
        qs = rnd.sample(queues, k=min(3, len(queues)))
        emit(0, "agent.login", agent=f"a{i}", name=f"Agent {i}", team=f"t{i % 50}", queues=qs)
        emit(0, "agent.state", agent=f"a{i}", state="available")
        free.append(f"a{i}")
    # A day's worth of contacts spread so the total lands near --events (about 4.3 events per contact).
    contacts = max(1, (a.events - n) * 10 // 43)
    day_ms = 16 * 3600 * 1000
    gap = day_ms / contacts
    pending = []  # (time, kind, contact, agent)
    import heapq
    t = 0.0
    c = 0
    while c < contacts or pending:
        if c < contacts and (not pending or t <= pending[0][0]):
            cid = f"c{c}"; c += 1
            q = rnd.choice(queues)
            emit(t, "contact.queued", contact=cid, queue=q, channel="voice" if rnd.random() < 0.8 else "chat",
                 customer={"id": f"cust{rnd.randrange(200000)}"}, reason=rnd.choice(["billing", "support", "sales"]))
            wait = rnd.expovariate(1 / 25000)
            if rnd.random() < 0.08 or not free:
                heapq.heappush(pending, (t + wait, 0, cid, ""))
            else:
                agent = free.pop(rnd.randrange(len(free)))
                heapq.heappush(pending, (t + wait, 1, cid, agent))
            t += rnd.expovariate(1 / gap)
        else:
            when, kind, cid, agent = heapq.heappop(pending)
            if kind == 0:
                emit(when, "contact.abandoned", contact=cid)
            elif kind == 1:
                emit(when, "contact.answered", contact=cid, agent=agent)
                heapq.heappush(pending, (when + rnd.expovariate(1 / 240000), 2, cid, agent))
            elif kind == 2:
                emit(when, "contact.ended", contact=cid)
                heapq.heappush(pending, (when + rnd.expovariate(1 / 30000), 3, cid, agent))
            else:
                emit(when, "contact.wrapup_done", contact=cid, agent=agent)
                free.append(agent)
    sys.stderr.write(f"{n} events, {contacts} contacts, {a.agents} agents, {a.queues} queues\n")

main()
