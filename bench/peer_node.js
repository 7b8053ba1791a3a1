#!/usr/bin/env node
// Peer broadcaster, Node + Debian's node-ws: replays frames captured from wallboardd to every subscriber,
// at the times they were captured, so the fan-out figures of wallboardd have a same-run reference.
//   NODE_PATH=/usr/share/nodejs node peer_node.js PORT CAPTURE_NDJSON
// Serves ws://127.0.0.1:PORT/ with subprotocol wallboard.v1. A client gets the first captured frame when it
// subscribes (as the daemon sends the current state). stdin "start" begins the replay (looping over the
// capture), "stop" ends it and exits. Each frame's markers "bm<16 digits>" are restamped with the send
// instant (microseconds), then the frame is sent to every client as is done in ws's own broadcast example.
// Latest wins, like the daemon: a client still holding more than one frame unsent is skipped.
'use strict';
const fs = require('fs');
const { WebSocketServer, WebSocket } = require('ws');
const { performance } = require('perf_hooks');

const [portArg, captureFile] = process.argv.slice(2);
const frames = fs.readFileSync(captureFile, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
if (frames.length === 0) { console.error('peer_node: empty capture'); process.exit(2); }
const nowMicros = () => Math.floor((performance.timeOrigin + performance.now()) * 1000);

const subscribers = new Set();
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(portArg), perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('wallboard.v1') ? 'wallboard.v1' : false) });
wss.on('connection', (ws) => {
  ws.once('message', () => { subscribers.add(ws); ws.send(frames[0].frame); });
  ws.on('close', () => subscribers.delete(ws));
  ws.on('error', () => subscribers.delete(ws));
});
wss.on('listening', () => process.stdout.write('listening\n'));

let sent = 0, skipped = 0, timer = null;
function play(index, startedAt, loopOffset) {
  const f = frames[index];
  const text = f.frame.replace(/"bm\d{16}/g, '"bm' + String(nowMicros()).padStart(16, '0'));
  for (const ws of subscribers) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    if (ws.bufferedAmount > text.length) { skipped += 1; continue; }
    ws.send(text);
    sent += 1;
  }
  let nextIndex = index + 1, offset = loopOffset;
  if (nextIndex === frames.length) { nextIndex = 0; offset += frames[frames.length - 1].t + 250; }
  const due = startedAt + offset + frames[nextIndex].t;
  timer = setTimeout(() => play(nextIndex, startedAt, offset), Math.max(0, due - performance.now()));
}

let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk.toString();
  let nl;
  while ((nl = input.indexOf('\n')) >= 0) {
    const word = input.slice(0, nl).trim();
    input = input.slice(nl + 1);
    if (word === 'start' && !timer) play(0, performance.now() - frames[0].t, 0);
    if (word === 'stop') {
      clearTimeout(timer);
      process.stdout.write(JSON.stringify({ sent, skipped }) + '\n');
      process.exit(0);
    }
  }
});
