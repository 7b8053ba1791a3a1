// View builders against hand-computed values from the fixture. Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { agentView, centerView, overlayView, queueView, sourceWarning } from '../js/WallboardView.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/snapshot.json', import.meta.url), 'utf8'));
const GEN = Date.parse('2026-11-23T15:30:00.123Z');
const queue = (id) => fixture.queues.find((q) => q.id === id);
const agent = (id) => fixture.agents.find((a) => a.id === id);
const ctxAt = (serverNow) => ({ generatedAt: fixture.generated_at, primaryWindow: '15m', serverNow });
const queueNames = new Map([['sales', 'Sales'], ['support', 'Support'], ['chat', 'Chat']]);

test('agent card view', () => {
  const wrap = agentView(agent('a03'), { serverNow: GEN, queueNames });
  // 15:30:00.123 - 15:27:10.000 = 170.123 s: over the 120 s wrap-up cue.
  assert.deepEqual(wrap, {
    name: 'Chloé Dubois',
    state: 'wrap_up',
    stateLabel: 'Wrap-up',
    detail: '',
    timeInState: '02:50',
    long: true,
    queues: 'Sales',
  });
  const lunch = agentView(agent('a05'), { serverNow: GEN, queueNames });
  assert.equal(lunch.detail, 'Lunch');
  assert.equal(lunch.timeInState, '28:00');
  assert.equal(lunch.long, false);
  assert.equal(lunch.queues, 'Sales · Chat');
  assert.equal(agentView(agent('a01'), { serverNow: GEN, queueNames }).detail, 'Sales');
  assert.equal(agentView(agent('a13'), { serverNow: GEN, queueNames }).detail, 'Chat');
  const email = { ...agent('a07'), contact: { id: 'c', queue: 'support', channel: 'email' } };
  assert.equal(agentView(email, { serverNow: GEN, queueNames }).detail, 'Support · email');
  const odd = agentView({ id: 'q', state: 'on_break_x', state_since: null }, { serverNow: GEN, queueNames });
  assert.equal(odd.state, 'unknown');
  assert.equal(odd.stateLabel, 'on break x');
  assert.equal(odd.timeInState, '—');
});

test('queue tile view for the fixture at generated_at', () => {
  const sales = queueView(queue('sales'), ctxAt(GEN));
  assert.equal(sales.name, 'Sales');
  assert.equal(sales.slText, '78%');
  assert.equal(sales.slClass, 'amber');
  assert.equal(sales.slIcon, '▼');
  assert.equal(sales.slCue, 'below target');
  assert.equal(sales.targetText, 'target 80% in 30 s');
  assert.equal(sales.waiting, '2');
  assert.equal(sales.waitingClass, 'active');
  assert.equal(sales.longestWait, '00:42');
  assert.equal(sales.longestWaitClass, 'red');
  assert.equal(sales.available, '1');
  assert.equal(sales.availableClass, 'none');
  assert.equal(sales.ringing, '1');
  assert.equal(sales.onContact, '2');
  assert.equal(sales.wrapUp, '1');
  assert.equal(sales.notReady, '1');
  assert.equal(sales.abandonRate, '5%');
  assert.equal(sales.asa, '00:12');
  assert.equal(sales.offered, '38');
  assert.equal(sales.answered, '36');
  assert.equal(sales.windowLabel, 'last 15 min');

  const support = queueView(queue('support'), ctxAt(GEN));
  assert.equal(support.slText, '59%');
  assert.equal(support.slClass, 'red');
  assert.equal(support.longestWait, '00:55');
  assert.equal(support.longestWaitClass, 'amber');
  assert.equal(support.targetText, 'target 80% in 60 s');
  // A queue group whose members' thresholds differ: the target alone.
  assert.equal(queueView({ ...queue('support'), threshold_seconds: null }, ctxAt(GEN)).targetText, 'target 80%');

  const chat = queueView(queue('chat'), ctxAt(GEN));
  assert.equal(chat.slText, '94%');
  assert.equal(chat.slClass, 'green');
  assert.equal(chat.slCue, 'on target');
  assert.equal(chat.longestWait, '00:00');
  assert.equal(chat.longestWaitClass, 'none');
  assert.equal(chat.waitingClass, 'none');
});

test('queue tile flags waiting contacts with nobody available, and shows dashes without metrics', () => {
  const q = { ...queue('sales'), agents: { ...queue('sales').agents, available: 0 }, metrics: {} };
  const view = queueView(q, ctxAt(GEN));
  assert.equal(view.availableClass, 'red');
  assert.equal(view.slText, '—');
  assert.equal(view.slClass, 'none');
  assert.equal(view.slCue, 'no contacts in window');
  assert.equal(view.abandonRate, '—');
  assert.equal(view.asa, '—');
  assert.equal(view.offered, '—');
});

test('center summary view', () => {
  const view = centerView(fixture.center, ctxAt(GEN));
  assert.equal(view.waiting, '6');
  assert.equal(view.longestWait, '00:55');
  assert.equal(view.serviceLevel, '75%');
  assert.equal(view.abandonRate, '8%');
  assert.equal(view.asa, '00:25');
  assert.equal(view.aht, '04:34');
  assert.equal(view.offered, '83');
  assert.equal(view.answered, '76');
  assert.equal(view.loggedIn, '16');
  assert.equal(view.notReady, '3');
  assert.equal(view.notReadyReasons, '1 break, 1 lunch, 1 training');
});

test('overlay: waiting before data, banner when not live, nothing when live', () => {
  const last = new Date(2026, 10, 23, 15, 29, 52).getTime(); // local 15:29:52, server 2 s behind
  assert.deepEqual(overlayView({ state: 'connecting' }, false, 0), {
    mode: 'waiting',
    title: 'Waiting for data…',
    detail: 'Connecting to the wallboard server',
  });
  assert.equal(overlayView({ state: 'live' }, false, 0).title, 'Waiting for data…');
  assert.equal(overlayView({ state: 'live', lastMessageAt: last }, true, 2000).mode, 'none');
  assert.deepEqual(overlayView({ state: 'stale', lastMessageAt: last }, true, 2000), {
    mode: 'stale',
    title: 'Data stale since 15:29:50',
    detail: 'No updates from the server — numbers are frozen',
  });
  assert.deepEqual(overlayView({ state: 'down', lastMessageAt: last }, true, 2000), {
    mode: 'stale',
    title: 'Connection lost — reconnecting…',
    detail: 'Data stale since 15:29:50',
  });
  assert.equal(overlayView({ state: 'connecting', lastMessageAt: last }, true, 0).title, 'Connection lost — reconnecting…');
});

test('source warning only for unhealthy sources', () => {
  assert.equal(sourceWarning(fixture.sources), null);
  assert.equal(sourceWarning(undefined), null);
  assert.equal(
    sourceWarning([{ name: 'asterisk', state: 'disconnected', detail: 'connection refused' }]),
    '⚠ asterisk disconnected (connection refused) — numbers may be incomplete',
  );
});
