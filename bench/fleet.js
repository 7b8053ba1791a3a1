#!/usr/bin/env node
// One process of the WebSocket client fleet (Debian's node-ws, not our code): opens COUNT connections to
// URL with subprotocol wallboard.v1, subscribes each to TOPICS as the board does, and counts what arrives.
//   NODE_PATH=/usr/share/nodejs node fleet.js URL COUNT TOPICS_JSON OUT_PREFIX [CAPTURE_FILE]
// Control on stdin, one word a line: "start" opens the measurement window, "stop" closes it, writes
// OUT_PREFIX.json (counts) and OUT_PREFIX.lat (latencies, float64 ms, little-endian) and exits.
// CAPTURE_FILE: every distinct topic update seen in the window, for the peer broadcasters.
// Prints "ready N" once every connection has had its first frame (or failed), "stopped" at the end.
// Latency: a frame that carries a marker "bm<16-digit microseconds since the epoch>" newer than the one this
// connection saw before is timed against the marker's own instant: the sender stamps it when it posts
// the event (or a peer broadcaster when it sends the frame). Same machine, same wall clock. The first frame of
// each topic on a connection repeats the topic's current state (its marker is old news): it is not timed.
// Every frame whose head holds "generated_at" is also timed against it (OUT_PREFIX.gen): the server's
// own frame-to-screen time, without the wait for the next publish cycle.
// FLEET_BUNDLE=1 in the environment: subscribe with "bundle": true as the board does (docs/protocol.md,
// "Bundles"): one frame per publish cycle with every changed topic; a frame is then a bundle, its topics are
// all the `"topic":"..."` it carries, and the capture keeps each distinct bundle once.
'use strict';
const fs = require('fs');
const { WebSocket } = require('ws');
const { performance } = require('perf_hooks');

const [url, countArg, topicsArg, outPrefix, captureFile] = process.argv.slice(2);
const count = Number(countArg);
const topics = JSON.parse(topicsArg);
const bundles = process.env.FLEET_BUNDLE === '1';
const nowMicros = () => (performance.timeOrigin + performance.now()) * 1000;

let measuring = false, windowStart = 0, windowEnd = 0;
let frames = 0, bytes = 0, opened = 0, readyCount = 0, failed = 0, closedEarly = 0;
const closeCodes = {};
let lat = new Float64Array(1 << 16), latN = 0;
let gen = new Float64Array(1 << 16), genN = 0;
const GEN = Buffer.from('"generated_at":"');
let capture = null, captureStart = 0;
const MARK = Buffer.from('"bm');

function pushLatency(ms) {
  if (latN === lat.length) { const bigger = new Float64Array(lat.length * 2); bigger.set(lat); lat = bigger; }
  lat[latN++] = ms;
}

function pushGen(ms) {
  if (genN === gen.length) { const bigger = new Float64Array(gen.length * 2); bigger.set(gen); gen = bigger; }
  gen[genN++] = ms;
}

function generatedAt(data) {
  // A bundle's `center` (which has it) need not be its first message.
  const at = (bundles ? data : data.subarray(0, 400)).indexOf(GEN);
  if (at < 0) return NaN;
  return Date.parse(data.toString('latin1', at + GEN.length, at + GEN.length + 24));
}

// The capture for the peers: every distinct topic update (topic, seq) that any client of this process
// received, once, at the instant it first arrived: the stream of frames the server published.
const seen = new Set();
function captureOnce(data, t) {
  // A topic frame: its (topic, seq); a bundle: every (topic, seq) it carries (found with Buffer.indexOf:
  // a regular expression over each whole bundle made this process lag behind the others).
  const pairs = [];
  let at = data.indexOf(TOPIC);
  while (at >= 0) {
    const end = data.indexOf(0x22, at + TOPIC.length);
    if (end < 0) break;
    pairs.push(data.toString('latin1', at + TOPIC.length, end + 20));
    if (!bundles) break;
    at = data.indexOf(TOPIC, end);
  }
  if (pairs.length === 0) return;
  const key = pairs.join(',');
  if (seen.has(key)) return;
  seen.add(key);
  capture.write(JSON.stringify({ t: (t - captureStart) / 1000, frame: data.toString('utf8') }) + '\n');
}

function newestMarker(data) {
  let best = 0, at = data.indexOf(MARK);
  while (at >= 0) {
    const digits = data.toString('latin1', at + 3, at + 19);
    if (digits.length === 16 && /^\d{16}$/.test(digits)) { const v = Number(digits); if (v > best) best = v; }
    at = data.indexOf(MARK, at + 19);
  }
  return best;
}

// The topic a frame is about, from its head: `{"type":"topic","topic":"<name>",...`; null for other messages.
const TOPIC = Buffer.from('"topic":"');
function topicOf(data) {
  const at = data.subarray(0, 200).indexOf(TOPIC);
  if (at < 0) return null;
  const end = data.indexOf(0x22, at + TOPIC.length);
  return end < 0 ? null : data.toString('latin1', at + TOPIC.length, end);
}

// The topics of a frame: its one topic, or every topic a bundle carries. (A payload never holds the text
// `"topic":"`: topic names appear only as message heads.)
function topicsOf(data) {
  if (!bundles) { const t = topicOf(data); return t === null ? [] : [t]; }
  const names = [];
  let at = data.indexOf(TOPIC);
  while (at >= 0) {
    const end = data.indexOf(0x22, at + TOPIC.length);
    if (end < 0) break;
    names.push(data.toString('latin1', at + TOPIC.length, end));
    at = data.indexOf(TOPIC, end);
  }
  return names;
}

function markReady(c) {
  if (c.ready) return;
  c.ready = true;
  readyCount += 1;
  if (readyCount === count) process.stdout.write(`ready ${opened}\n`);
}

function connect(i) {
  const ws = new WebSocket(url, 'wallboard.v1', { perMessageDeflate: false, maxPayload: 64 << 20 });
  const c = { ready: false, last: -1, topics: new Set() };
  ws.on('open', () => {
    opened += 1;
    ws.send(JSON.stringify(bundles ? { op: 'subscribe', topics, bundle: true } : { op: 'subscribe', topics }));
  });
  ws.on('message', (data, isBinary) => {
    const t = nowMicros();
    const marker = newestMarker(data);
    let repeat = false;
    for (const topic of topicsOf(data)) {
      if (!c.topics.has(topic)) { repeat = true; c.topics.add(topic); }
    }
    if (measuring) {
      frames += 1;
      bytes += data.length;
      // The first frame after subscribing repeats the current state: its marker is old news, not a delivery.
      if (marker > 0 && c.last >= 0 && marker > c.last && !repeat) pushLatency((t - marker) / 1000);
      const g = generatedAt(data);
      if (!Number.isNaN(g)) pushGen(t / 1000 - g);
      if (capture) captureOnce(data, t);
    }
    if (marker > c.last) c.last = marker; else if (c.last < 0) c.last = 0;
    markReady(c);
  });
  ws.on('error', () => { if (!c.ready) { failed += 1; markReady(c); } });
  ws.on('close', (code) => {
    closeCodes[code] = (closeCodes[code] || 0) + 1;
    if (measuring) closedEarly += 1;
    markReady(c);
  });
}

// Open connections in steps of 100 a tick so the handshakes do not all land at once.
let next = 0;
function openSome() {
  for (let k = 0; k < 100 && next < count; k++) connect(next++);
  if (next < count) setTimeout(openSome, 20);
}
openSome();

let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk.toString();
  let nl;
  while ((nl = input.indexOf('\n')) >= 0) {
    const word = input.slice(0, nl).trim();
    input = input.slice(nl + 1);
    if (word === 'start') {
      frames = 0; bytes = 0; latN = 0; genN = 0; closedEarly = 0;
      windowStart = nowMicros();
      if (captureFile) { capture = fs.createWriteStream(captureFile); captureStart = windowStart; }
      measuring = true;
    } else if (word === 'stop') {
      measuring = false;
      windowEnd = nowMicros();
      fs.writeFileSync(outPrefix + '.lat', Buffer.from(lat.buffer, 0, latN * 8));
      fs.writeFileSync(outPrefix + '.gen', Buffer.from(gen.buffer, 0, genN * 8));
      fs.writeFileSync(outPrefix + '.json', JSON.stringify({
        clients: count, opened, failed, closed_during_window: closedEarly, close_codes: closeCodes,
        frames, bytes, latency_samples: latN, seconds: (windowEnd - windowStart) / 1e6,
      }));
      const finish = () => { process.stdout.write('stopped\n'); process.exit(0); };
      if (capture) capture.end(finish); else finish();
    }
  }
});
