"""WebSocket boards churning, and the subscribe flood, with Debian's python3-websockets (not our code).

    python3 -m soaklib.clients --port P --clients N --flood K --seconds S --stats FILE

Each board connects to ws://127.0.0.1:P/ws (subprotocol wallboard.v1), waits for `hello`, subscribes
to a board's worth of topics, reads for 5-30 s (sometimes changing its topics), closes, pauses and
reconnects. Each flood connection sends `subscribe alerts` in a tight loop while draining what comes
back. Everything stops by itself after S seconds; counters go to FILE (JSON) every few seconds."""
import argparse
import asyncio
import json
import os
import random
import time

import websockets

QUEUES = ["sales", "support", "chat", "pbx-sales", "pbx-support", "billing", "tech", "retention", "vip", "chat-care"]
TEAMS = ["north", "south", "east", "fr"]


def board_topics(rng):
    queue = rng.choice(QUEUES)
    return rng.choice([
        ["center", "alerts"],
        ["center", "alerts", "queue:" + queue, "agents:" + queue],
        ["snapshot"],
        ["center", "alerts"] + ["queue:" + q for q in rng.sample(QUEUES, 4)],
        ["team:" + rng.choice(TEAMS), "agents:" + rng.choice(TEAMS), "alerts"],
    ])


class Stats(dict):
    def add(self, key, amount=1):
        self[key] = self.get(key, 0) + amount


async def board(url, rng, deadline, stats):
    await asyncio.sleep(rng.uniform(0, 5))
    while time.monotonic() < deadline - 1:
        stay = min(rng.uniform(5, 30), deadline - time.monotonic())
        try:
            async with websockets.connect(url, subprotocols=["wallboard.v1"], open_timeout=10, close_timeout=2,
                                          ping_interval=None, max_size=1 << 24) as ws:
                stats.add("board_connects")
                stats.add("boards_open")
                try:
                    hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if hello.get("type") != "hello":
                        stats.add("board_bad_hello")
                        stats["board_bad_hello_last"] = json.dumps(hello)[:200]
                    await ws.send(json.dumps({"op": "subscribe", "topics": board_topics(rng)}))
                    end = time.monotonic() + stay
                    changed = False
                    while time.monotonic() < end:
                        try:
                            message = await asyncio.wait_for(ws.recv(), end - time.monotonic())
                        except asyncio.TimeoutError:
                            break
                        stats.add("board_messages")
                        stats.add("board_bytes", len(message))
                        if not changed and rng.random() < 0.01:
                            changed = True
                            await ws.send(json.dumps({"op": "unsubscribe", "topics": ["alerts"]}))
                            await ws.send(json.dumps({"op": "subscribe", "topics": board_topics(rng)}))
                finally:
                    stats.add("boards_open", -1)
        except websockets.ConnectionClosed as closed:
            stats.add("board_closed_by_server_%s" % (closed.rcvd.code if closed.rcvd else "abnormal"))
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as error:
            stats.add("board_connect_failures")
            stats["board_last_error"] = repr(error)[:200]
        await asyncio.sleep(rng.uniform(0.1, 2))


async def flood(url, deadline, stats):
    message = json.dumps({"op": "subscribe", "topics": ["alerts"]})
    while time.monotonic() < deadline - 1:
        try:
            async with websockets.connect(url, subprotocols=["wallboard.v1"], open_timeout=10, close_timeout=2,
                                          ping_interval=None, max_size=1 << 24) as ws:
                stats.add("flood_connects")

                async def drain():
                    async for _ in ws:
                        stats.add("flood_received")

                reader = asyncio.ensure_future(drain())
                try:
                    while time.monotonic() < deadline - 1:
                        for _ in range(100):
                            await ws.send(message)
                        stats.add("flood_sent", 100)
                        await asyncio.sleep(0)
                finally:
                    reader.cancel()
        except websockets.ConnectionClosed as closed:
            stats.add("flood_closed_by_server_%s" % (closed.rcvd.code if closed.rcvd else "abnormal"))
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as error:
            stats.add("flood_connect_failures")
            stats["flood_last_error"] = repr(error)[:200]
        await asyncio.sleep(0.2)


async def report(path, stats, deadline):
    while True:
        temporary = path + ".tmp"
        with open(temporary, "w") as file:
            json.dump(stats, file)
        os.replace(temporary, path)
        if time.monotonic() >= deadline:
            return
        await asyncio.sleep(min(3, max(0, deadline - time.monotonic())))


async def main(arguments):
    url = "ws://127.0.0.1:%d/ws" % arguments.port
    deadline = time.monotonic() + arguments.seconds
    stats = Stats()
    rng = random.Random(arguments.seed)
    tasks = [board(url, random.Random(rng.random()), deadline, stats) for _ in range(arguments.clients)]
    tasks += [flood(url, deadline, stats) for _ in range(arguments.flood)]
    reporter = asyncio.ensure_future(report(arguments.stats, stats, deadline + 15))
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), arguments.seconds + 15)
    except asyncio.TimeoutError:
        stats.add("tasks_cut_at_deadline")
    reporter.cancel()
    await report(arguments.stats, stats, 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--flood", type=int, default=2)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stats", required=True)
    asyncio.run(main(parser.parse_args()))
