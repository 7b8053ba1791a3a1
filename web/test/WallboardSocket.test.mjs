// WallboardSocket against a fake WebSocket and a manual clock. Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WallboardSocket, socketUrl } from '../js/WallboardSocket.js';

/** Timers driven by hand: advance(ms) runs what falls due, in time order. */
function manualClock(start = 1_000_000) {
  let now = start;
  let nextId = 1;
  const timers = new Map();
  const add = (fn, ms, every) => {
    const id = nextId++;
    timers.set(id, { at: now + ms, fn, every });
    return id;
  };
  return {
    now: () => now,
    setTimeout: (fn, ms) => add(fn, ms, 0),
    setInterval: (fn, ms) => add(fn, ms, ms),
    clearTimeout: (id) => timers.delete(id),
    clearInterval: (id) => timers.delete(id),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        const [id, t] = due;
        now = t.at;
        if (t.every) t.at += t.every;
        else timers.delete(id);
        t.fn();
      }
      now = end;
    },
    pending: () => timers.size,
  };
}

function fakeWebSocketClass() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url, protocol) {
      this.url = url;
      this.protocol = protocol;
      this.sent = [];
      this.closed = false;
      sockets.push(this);
    }
    send(text) {
      this.sent.push(JSON.parse(text));
    }
    close() {
      this.closed = true;
    }
    // Test helpers: what the server side does.
    open() {
      this.onopen?.();
    }
    message(obj) {
      this.onmessage?.({ data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
    }
    drop() {
      this.onclose?.({ code: 1006 });
    }
  }
  return { FakeWebSocket, sockets };
}

function setup({ random = () => 0 } = {}) {
  const clock = manualClock();
  const { FakeWebSocket, sockets } = fakeWebSocketClass();
  const el = new EventTarget();
  const events = [];
  for (const type of ['wallboardSnapshot', 'wallboardConnection', 'wallboardClock', 'wallboardAlerts']) {
    el.addEventListener(type, (e) => events.push({ type, detail: e.detail }));
  }
  const socket = WallboardSocket(el, { url: 'ws://board.example:8080/ws', WebSocket: FakeWebSocket, clock, random });
  const states = () => events.filter((e) => e.type === 'wallboardConnection').map((e) => e.detail.state);
  return { clock, sockets, events, states, socket };
}

const HELLO = {
  type: 'hello',
  protocol: 'wallboard.v1',
  version: '0.1.0',
  server_time: '2026-11-23T15:30:00.000Z',
  topics: ['snapshot'],
  heartbeat_seconds: 5,
};

test('socket URL follows the page origin', () => {
  assert.equal(socketUrl({ protocol: 'http:', host: '10.0.0.5:8080' }), 'ws://10.0.0.5:8080/ws');
  assert.equal(socketUrl({ protocol: 'https:', host: 'board.example' }), 'wss://board.example/ws');
});

test('connects with the wallboard.v1 subprotocol and subscribes to the tv layout\'s first topics on open', () => {
  const { sockets, states } = setup();
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0].url, 'ws://board.example:8080/ws');
  assert.equal(sockets[0].protocol, 'wallboard.v1');
  assert.deepEqual(states(), ['connecting']);
  sockets[0].open();
  assert.deepEqual(sockets[0].sent, [{ op: 'subscribe', topics: ['agents', 'alerts', 'center@primary'], bundle: true }]);
});

test('hello makes the link live; the topics are assembled and dispatched as wallboardSnapshot', () => {
  const { sockets, events, states, clock } = setup();
  sockets[0].open();
  sockets[0].message(HELLO);
  assert.deepEqual(states(), ['connecting', 'live']);
  const live = events.filter((e) => e.type === 'wallboardConnection')[1].detail;
  assert.equal(live.since, clock.now());
  assert.equal(live.serverVersion, '0.1.0');
  const center = { generated_at: '2026-11-23T15:30:00.123Z', primary_window: '15m', queues: [], center: { name: 'x' } };
  sockets[0].message({ type: 'topic', topic: 'center@primary', seq: 1, data: center });
  const snaps = events.filter((e) => e.type === 'wallboardSnapshot');
  assert.equal(snaps.length, 1);
  assert.equal(snaps[0].detail.generated_at, center.generated_at);
  assert.deepEqual(snaps[0].detail.center, { name: 'x' });
  assert.deepEqual(snaps[0].detail.queues, []);
  const clocks = events.filter((e) => e.type === 'wallboardClock');
  assert.deepEqual(clocks[0].detail, { serverTime: Date.parse(HELLO.server_time), receivedAt: clock.now() });
});

test('alerts topic is dispatched as wallboardAlerts; unknown_topic for alerts says unsupported', () => {
  const { sockets, events } = setup();
  sockets[0].open();
  sockets[0].message(HELLO);
  sockets[0].message({ type: 'error', code: 'unknown_topic', message: 'unknown topics: alerts' });
  const payload = { active: [{ id: 'x', severity: 'critical', state: 'firing' }], resolved_today: [] };
  sockets[0].message({ type: 'topic', topic: 'alerts', seq: 3, data: payload });
  sockets[0].message({ type: 'error', code: 'unknown_topic', message: 'unknown topics: queue:nope' });
  const alerts = events.filter((e) => e.type === 'wallboardAlerts').map((e) => e.detail);
  assert.deepEqual(alerts, [
    { supported: false, alerts: null },
    { supported: true, alerts: payload },
  ]);
  assert.equal(events.filter((e) => e.type === 'wallboardSnapshot').length, 0);
});

test('unknown_topic says alerts unsupported only when it names alerts itself, not a queue called alerts', () => {
  const { sockets, events } = setup();
  sockets[0].open();
  sockets[0].message(HELLO);
  sockets[0].message({ type: 'error', code: 'unknown_topic', message: 'unknown topics: queue:alerts', topics: ['queue:alerts'] });
  sockets[0].message({ type: 'error', code: 'unknown_topic', message: 'unknown topics: queue:alerts@primary, team:alerts' });
  assert.deepEqual(events.filter((e) => e.type === 'wallboardAlerts').map((e) => e.detail), []);
  sockets[0].message({ type: 'error', code: 'unknown_topic', message: 'unknown topics: center, alerts' });
  sockets[0].message({ type: 'error', code: 'unknown_topic', message: 'whatever', topics: ['alerts'] });
  assert.deepEqual(events.filter((e) => e.type === 'wallboardAlerts').map((e) => e.detail), [
    { supported: false, alerts: null },
    { supported: false, alerts: null },
  ]);
});

test('stale after 3 silent heartbeats (15 s), live again on the next heartbeat', () => {
  const { sockets, states, clock, events } = setup();
  sockets[0].open();
  sockets[0].message(HELLO);
  const lastAt = clock.now();
  clock.advance(15000);
  assert.deepEqual(states(), ['connecting', 'live']);
  clock.advance(1000);
  assert.deepEqual(states(), ['connecting', 'live', 'stale']);
  const stale = events.at(-1).detail;
  assert.equal(stale.lastMessageAt, lastAt);
  sockets[0].message({ type: 'heartbeat', server_time: '2026-11-23T15:30:16.000Z' });
  assert.deepEqual(states(), ['connecting', 'live', 'stale', 'live']);
});

test('heartbeat_seconds from hello sets the stale window', () => {
  const { sockets, states, clock } = setup();
  sockets[0].open();
  sockets[0].message({ ...HELLO, heartbeat_seconds: 2 });
  clock.advance(6000);
  assert.deepEqual(states(), ['connecting', 'live']);
  clock.advance(1000);
  assert.deepEqual(states(), ['connecting', 'live', 'stale']);
});

test('reconnects with doubling backoff and resubscribes; a message resets the backoff', () => {
  const { sockets, states, clock, events } = setup({ random: () => 0 }); // jitter 0 → half of 1 s, 2 s, 4 s…
  sockets[0].open();
  sockets[0].message(HELLO);
  sockets[0].drop();
  assert.equal(states().at(-1), 'down');
  assert.equal(events.at(-1).detail.retryAt, clock.now() + 500);
  clock.advance(499);
  assert.equal(sockets.length, 1);
  clock.advance(1);
  assert.equal(sockets.length, 2);
  assert.equal(states().at(-1), 'connecting');

  sockets[1].drop(); // refused again, no message: next delay doubles
  clock.advance(999);
  assert.equal(sockets.length, 2);
  clock.advance(1);
  assert.equal(sockets.length, 3);

  sockets[2].open();
  assert.deepEqual(sockets[2].sent, [{ op: 'subscribe', topics: ['agents', 'alerts', 'center@primary'], bundle: true }]);
  sockets[2].message(HELLO);
  sockets[2].drop(); // had a message: back to the first delay
  assert.equal(events.at(-1).detail.retryAt, clock.now() + 500);
});

test('a silent socket (half-open TCP) is dropped after 6 heartbeats and replaced', () => {
  const { sockets, states, clock } = setup();
  sockets[0].open();
  sockets[0].message(HELLO);
  clock.advance(30000);
  assert.equal(sockets[0].closed, false);
  clock.advance(1000);
  assert.equal(sockets[0].closed, true);
  assert.deepEqual(states(), ['connecting', 'live', 'stale', 'down']);
  clock.advance(500);
  assert.equal(sockets.length, 2);
});

test('a connection attempt that never opens is abandoned after the stale window', () => {
  const { sockets, states, clock } = setup();
  clock.advance(16000);
  assert.equal(sockets[0].closed, true);
  assert.deepEqual(states(), ['connecting', 'down']);
});

test('non-JSON frames are ignored and do not count as messages', () => {
  const { sockets, states, clock } = setup();
  sockets[0].open();
  sockets[0].message(HELLO);
  clock.advance(10000);
  sockets[0].message('not json');
  sockets[0].message('42');
  clock.advance(6000);
  assert.deepEqual(states(), ['connecting', 'live', 'stale']);
});

test('close() stops the socket and every timer', () => {
  const { sockets, socket, clock } = setup();
  socket.close();
  assert.equal(sockets[0].closed, true);
  assert.equal(clock.pending(), 0);
  clock.advance(120000);
  assert.equal(sockets.length, 1);
});

test('follows the center\'s queue list: subscribes to the shown queues, drops a queue that is gone', () => {
  const clock = manualClock();
  const { FakeWebSocket, sockets } = fakeWebSocketClass();
  const el = new EventTarget();
  WallboardSocket(el, { url: 'ws://x/ws', WebSocket: FakeWebSocket, clock, random: () => 0,
    board: { layout: 'tv', queues: ['sales', 'support'], queue: 'sales' } });
  sockets[0].open();
  assert.deepEqual(sockets[0].sent, [{ op: 'subscribe', topics: ['alerts', 'center@primary'], bundle: true }]);
  const center = (ids) => ({ type: 'topic', topic: 'center@primary', data: { generated_at: '2026-11-23T15:30:00Z',
    queues: ids.map((id) => ({ id, name: id })) } });
  sockets[0].message({ ...center(['sales', 'support', 'chat']), seq: 1 });
  assert.deepEqual(sockets[0].sent[1], { op: 'subscribe', topics: ['agents:sales', 'agents:support', 'queue:sales@primary', 'queue:support@primary'], bundle: true });
  sockets[0].message({ ...center(['sales', 'chat']), seq: 2 });
  assert.deepEqual(sockets[0].sent[2], { op: 'unsubscribe', topics: ['agents:support', 'queue:support@primary'] });
  assert.equal(sockets[0].sent.length, 3);
});

test('an agent delta that does not follow what the board has asks for the whole list again', () => {
  const { sockets, events } = setup();
  sockets[0].open();
  sockets[0].message(HELLO);
  sockets[0].message({ type: 'topic', topic: 'center@primary', seq: 1, data: { generated_at: '2026-11-23T15:30:00Z', queues: [] } });
  const agent = (id, state) => ({ id, name: id, state, queues: [], state_since: '2026-11-23T15:29:00Z' });
  sockets[0].message({ type: 'topic', topic: 'agents', seq: 4, data: { agents: [agent('a1', 'available'), agent('a2', 'available')] } });
  sockets[0].message({ type: 'topic', topic: 'agents', seq: 5, base: 4, delta: { agents: [agent('a2', 'on_contact')], removed: ['a1'] } });
  let snap = events.filter((e) => e.type === 'wallboardSnapshot').at(-1).detail;
  assert.deepEqual(snap.agents.map((a) => [a.id, a.state]), [['a2', 'on_contact']]);
  const sent = sockets[0].sent.length;
  sockets[0].message({ type: 'topic', topic: 'agents', seq: 7, base: 6, delta: { agents: [agent('a3', 'available')], removed: [] } });
  assert.deepEqual(sockets[0].sent.slice(sent), [{ op: 'subscribe', topics: ['agents'], bundle: true }]);
  sockets[0].message({ type: 'topic', topic: 'agents', seq: 7, data: { agents: [agent('a3', 'available')] } });
  snap = events.filter((e) => e.type === 'wallboardSnapshot').at(-1).detail;
  assert.deepEqual(snap.agents.map((a) => a.id), ['a3']);
});

test('a bundle is one update: its topics applied together, one snapshot, alerts dispatched, one resubscribe', () => {
  const { sockets, events } = setup();
  sockets[0].open();
  sockets[0].message(HELLO);
  const agent = (id, state) => ({ id, name: id, state, queues: [], state_since: '2026-11-23T15:29:00Z' });
  const alerts = { active: [], resolved_today: [] };
  sockets[0].message({ type: 'bundle', messages: [
    { type: 'topic', topic: 'center@primary', seq: 1, data: { generated_at: '2026-11-23T15:30:00Z', queues: [] } },
    { type: 'topic', topic: 'alerts', seq: 2, data: alerts },
    { type: 'topic', topic: 'agents', seq: 4, data: { agents: [agent('a1', 'available')] } },
  ] });
  let snaps = events.filter((e) => e.type === 'wallboardSnapshot');
  assert.equal(snaps.length, 1, 'one snapshot for the whole bundle');
  assert.deepEqual(snaps[0].detail.agents.map((a) => a.id), ['a1']);
  assert.deepEqual(events.filter((e) => e.type === 'wallboardAlerts').map((e) => e.detail), [{ supported: true, alerts }]);
  const sent = sockets[0].sent.length;
  sockets[0].message({ type: 'bundle', messages: [
    { type: 'topic', topic: 'center@primary', seq: 2, data: { generated_at: '2026-11-23T15:30:01Z', queues: [] } },
    { type: 'topic', topic: 'agents', seq: 6, base: 5, delta: { agents: [agent('a2', 'available')], removed: [] } },
  ] });
  snaps = events.filter((e) => e.type === 'wallboardSnapshot');
  assert.equal(snaps.length, 2);
  assert.equal(snaps[1].detail.generated_at, '2026-11-23T15:30:01Z', 'the center of the bundle applies');
  assert.deepEqual(snaps[1].detail.agents.map((a) => a.id), ['a1'], 'a delta off its base does not');
  assert.deepEqual(sockets[0].sent.slice(sent), [{ op: 'subscribe', topics: ['agents'], bundle: true }]);
});
