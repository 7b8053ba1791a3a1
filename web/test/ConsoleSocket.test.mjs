// The console's socket against a fake WebSocket: it follows `agents` and `interactions` through their deltas.
// Run: node --test web/test/
import assert from 'node:assert/strict';
import { test } from 'node:test';

const sockets = [];
globalThis.location = { protocol: 'http:', host: 'board.example:8080', search: '', pathname: '/console' };
globalThis.WebSocket = class {
  constructor(url, protocol) {
    this.url = url;
    this.protocol = protocol;
    this.sent = [];
    sockets.push(this);
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() {}
  message(obj) { this.onmessage?.({ data: JSON.stringify(obj) }); }
};
const { ConsoleSocket } = await import('../js/console/ConsoleSocket.js');

test('agents and interactions arrive whole, then as deltas merged into what the console has', () => {
  const states = [];
  const socket = ConsoleSocket({ token: 'wbt_x', onChange: (s) => states.push({ interactions: s.interactions, agents: [...s.agents.values()] }) });
  const ws = sockets.at(-1);
  ws.message({ type: 'hello', protocol: 'wallboard.v1', server_time: '2026-11-23T15:30:00Z' });
  assert.deepEqual(ws.sent, [{ op: 'subscribe', topics: ['interactions', 'agents'] }]);
  const k1 = { contact: 'k1', queue: 'sales', phase: 'waiting', customer: 'cust-1' };
  const k2 = { contact: 'k2', queue: 'sales', phase: 'waiting', customer: 'cust-2' };
  ws.message({ type: 'topic', topic: 'interactions', seq: 4, data: { interactions: [k1, k2] } });
  ws.message({ type: 'topic', topic: 'agents', seq: 7, data: { agents: [{ id: 'a1', state: 'available', reason: null }] } });
  ws.message({ type: 'topic', topic: 'interactions', seq: 5, base: 4,
    delta: { interactions: [1, { ...k1, phase: 'connected', agent: 'a1' }] } });
  ws.message({ type: 'topic', topic: 'agents', seq: 8, base: 7, delta: { agents: [{ id: 'a1', state: 'on_contact' }], removed: [] } });
  assert.deepEqual(states.at(-1), {
    interactions: [k2, { ...k1, phase: 'connected', agent: 'a1' }],
    agents: [{ id: 'a1', state: 'on_contact', reason: null }],
  });
  // A delta that does not follow: subscribe again for the whole payload; nothing changes meanwhile.
  const count = states.length;
  ws.message({ type: 'topic', topic: 'agents', seq: 10, base: 9, delta: { agents: [{ id: 'a1', state: 'wrap_up' }], removed: [] } });
  assert.deepEqual(ws.sent.at(-1), { op: 'subscribe', topics: ['agents'] });
  assert.equal(states.length, count);
  ws.message({ type: 'topic', topic: 'agents', seq: 10, data: { agents: [{ id: 'a1', state: 'wrap_up', reason: null }] } });
  assert.deepEqual(states.at(-1).agents, [{ id: 'a1', state: 'wrap_up', reason: null }]);
  socket.close();
});
