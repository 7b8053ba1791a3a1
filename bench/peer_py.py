#!/usr/bin/python3
"""Peer broadcaster, Python + Debian's python3-websockets: replays frames captured from wallboardd.

  /usr/bin/python3 peer_py.py PORT CAPTURE_NDJSON
Same contract as peer_node.js: ws://127.0.0.1:PORT/, subprotocol wallboard.v1, the first captured frame
on subscribe, stdin "start" replays the capture (looping) at its recorded times with markers restamped
with the send instant, "stop" exits. Frames go out through websockets.broadcast (encoded once); a client
still holding more than one frame unsent is skipped (latest wins, like the daemon).
"""
import asyncio, json, re, sys, threading, time

import websockets

MARK = re.compile(r'"bm\d{16}')


def main():
    port, capture = int(sys.argv[1]), sys.argv[2]
    with open(capture, encoding="utf-8") as f:
        frames = [json.loads(line) for line in f if line.strip()]
    if not frames:
        sys.exit("peer_py: empty capture")
    subscribers = set()
    stats = {"sent": 0, "skipped": 0}

    async def handler(ws, path=None):
        try:
            await ws.recv()
            subscribers.add(ws)
            await ws.send(frames[0]["frame"])
            async for _ in ws:
                pass
        except websockets.ConnectionClosed:
            pass
        finally:
            subscribers.discard(ws)

    async def play():
        loop = asyncio.get_running_loop()
        started = loop.time() - frames[0]["t"] / 1000
        offset, index = 0.0, 0
        while True:
            frame = frames[index]
            due = started + offset + frame["t"] / 1000
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            text = MARK.sub('"bm%016d' % (time.time_ns() // 1000), frame["frame"])
            ready = []
            for ws in subscribers:
                transport = ws.transport
                if transport is not None and transport.get_write_buffer_size() > len(text):
                    stats["skipped"] += 1
                else:
                    ready.append(ws)
            websockets.broadcast(ready, text)
            stats["sent"] += len(ready)
            index += 1
            if index == len(frames):
                index = 0
                offset += frames[-1]["t"] / 1000 + 0.25

    async def serve():
        loop = asyncio.get_running_loop()
        commands = asyncio.Queue()

        def read_stdin():
            for line in sys.stdin:
                loop.call_soon_threadsafe(commands.put_nowait, line.strip())
            loop.call_soon_threadsafe(commands.put_nowait, "stop")

        async with websockets.serve(handler, "127.0.0.1", port, subprotocols=["wallboard.v1"],
                                    compression=None, max_size=None, ping_interval=None):
            print("listening", flush=True)
            threading.Thread(target=read_stdin, daemon=True).start()
            task = None
            while True:
                word = await commands.get()
                if word == "start" and task is None:
                    task = asyncio.create_task(play())
                elif word == "stop":
                    if task:
                        task.cancel()
                    print(json.dumps(stats), flush=True)
                    return

    asyncio.run(serve())


main()
