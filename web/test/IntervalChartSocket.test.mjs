// The board's socket and the interval topics: which it subscribes to, what it dispatches to the charts, and the
// resubscribe when a delta does not follow. Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topicFor } from '../js/TopicStore.js';
import { WallboardSocket } from '../js/WallboardSocket.js';

/** A clock whose timers never fire: these tests send every message by hand. */
const stillClock = { now: () => 1_000_000, setTimeout: () => 0, clearTimeout() {}, setInterval: () => 0, clearInterval() {} };

function connect(board) {
  const sockets = [];
  class FakeWebSocket {
    constructor() {
      this.sent = [];
      sockets.push(this);
    }
    send(text) {
      this.sent.push(JSON.parse(text));
    }
    close() {}
  }
  const el = new EventTarget();
  const events = [];
  for (const type of ['wallboardSnapshot', 'wallboardIntervals']) el.addEventListener(type, (e) => events.push({ type, detail: e.detail }));
  WallboardSocket(el, { url: 'ws://x/ws', WebSocket: FakeWebSocket, clock: stillClock, random: () => 0, board });
  const ws = sockets[0];
  ws.onopen();
  const send = (msg) => ws.onmessage({ data: JSON.stringify(msg) });
  send({ type: 'hello', heartbeat_seconds: 5 });
  // The center as the layout names it (center@primary, center@primary,today for kpi).
  send({ type: 'topic', topic: topicFor('center', board), seq: 1, data: { generated_at: '2026-12-01T13:00:00Z', queues: [{ id: 'sales' }, { id: 'support' }] } });
  return { ws, send, events };
}

const entry = (start, sl) => ({ start, end: start.replace(':00:', ':30:'), complete: true, offered: 2, abandoned: 0, service_level: sl });
const payload = (intervals) => ({ scope: 'queue:sales', day: '2026-12-01', time_zone: 'UTC', target: { service_level: 0.8 }, intervals });

test('the queue layout subscribes to its queue\'s interval topic with its other topics', () => {
  const { ws } = connect({ layout: 'queue', queue: 'sales', queues: null });
  assert.deepEqual(ws.sent[1], { op: 'subscribe', topics: ['agents:sales', 'intervals:queue:sales', 'queue:sales'], bundle: true });
});

test('the kpi layout subscribes to its queues\' (the first six); tv only with spark', () => {
  // `groups` (kpi) and `agents` (tv) came with the first subscribe, before the center's queue list.
  assert.deepEqual(connect({ layout: 'kpi', queues: null }).ws.sent[1].topics,
    ['intervals:queue:sales', 'intervals:queue:support', 'queue:sales@primary', 'queue:support@primary']);
  assert.deepEqual(connect({ layout: 'tv', queues: null }).ws.sent[1].topics, ['queue:sales@primary', 'queue:support@primary']);
  assert.deepEqual(connect({ layout: 'tv', queues: null, spark: true }).ws.sent[1].topics,
    ['intervals:queue:sales', 'intervals:queue:support', 'queue:sales@primary', 'queue:support@primary']);
});

test('interval payloads go to the charts (wallboardIntervals), not into the snapshot; deltas merge, a gap resubscribes once', () => {
  const { ws, send, events } = connect({ layout: 'queue', queue: 'sales', queues: null });
  const snapshots = () => events.filter((e) => e.type === 'wallboardSnapshot').length;
  const before = snapshots();
  const charts = () => events.filter((e) => e.type === 'wallboardIntervals').map((e) => e.detail);
  send({ type: 'bundle', messages: [{ type: 'topic', topic: 'intervals:queue:sales', seq: 3, data: payload([entry('2026-12-01T08:00:00Z', 1)]) }] });
  assert.equal(snapshots(), before, 'no snapshot for a chart topic alone');
  assert.equal(charts().at(-1).topic, 'intervals:queue:sales');
  assert.equal(charts().at(-1).data.intervals.length, 1);
  send({ type: 'topic', topic: 'intervals:queue:sales', seq: 4, base: 3, delta: { intervals: [entry('2026-12-01T08:30:00Z', 0.5)] } });
  assert.deepEqual(charts().at(-1).data.intervals.map((e) => e.service_level), [1, 0.5]);
  const sent = ws.sent.length;
  send({ type: 'topic', topic: 'intervals:queue:sales', seq: 7, base: 6, delta: { intervals: [] } });
  send({ type: 'topic', topic: 'intervals:queue:sales', seq: 8, base: 7, delta: { intervals: [] } });
  assert.deepEqual(ws.sent.slice(sent), [{ op: 'subscribe', topics: ['intervals:queue:sales'], bundle: true }], 'asked once');
  send({ type: 'topic', topic: 'intervals:queue:sales', seq: 8, data: payload([]) });
  assert.deepEqual(charts().at(-1).data.intervals, []);
  // A topic the board does not show is ignored.
  const count = charts().length;
  send({ type: 'topic', topic: 'intervals:queue:support', seq: 1, data: payload([]) });
  assert.equal(charts().length, count);
});

test('a queue gone from the center: its interval topic is dropped and the chart told', () => {
  const { ws, send, events } = connect({ layout: 'kpi', queues: null });
  send({ type: 'topic', topic: 'intervals:queue:support', seq: 1, data: payload([]) });
  send({ type: 'topic', topic: 'center@primary,today', seq: 2, data: { generated_at: '2026-12-01T13:00:01Z', queues: [{ id: 'sales' }] } });
  assert.deepEqual(ws.sent.at(-1), { op: 'unsubscribe', topics: ['intervals:queue:support', 'queue:support@primary'] });
  assert.deepEqual(events.filter((e) => e.type === 'wallboardIntervals').at(-1).detail, { topic: 'intervals:queue:support', data: null });
});
