// Pure logic of the queue and agent layouts and of the alert banner (WallboardLogic + WallboardView).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { longStateLimit, visibleAlerts, waitingInQueue } from '../js/WallboardLogic.js';
import {
  agentStateCounts,
  agentView,
  alertBannerView,
  queueDetailView,
  serviceLevelWindows,
  waitingItemView,
} from '../js/WallboardView.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/snapshot.json', import.meta.url), 'utf8'));
const NOW = Date.parse('2026-11-23T15:30:00.000Z');
const iso = (ms) => new Date(ms).toISOString();

test('stuck-state limits: snapshot limits win, a reason beats its state, defaults otherwise', () => {
  assert.equal(longStateLimit('wrap_up', null, null), 120);
  assert.equal(longStateLimit('ringing', null, undefined), 20);
  assert.equal(longStateLimit('not_ready', 'break', null), 600);
  assert.equal(longStateLimit('not_ready', 'lunch', null), 3600);
  assert.equal(longStateLimit('available', null, null), null);
  assert.equal(longStateLimit('wrap_up', null, { wrap_up: 60 }), 60);
  assert.equal(longStateLimit('not_ready', 'lunch', { not_ready: 300 }), 300);
  assert.equal(longStateLimit('not_ready', 'lunch', { 'not_ready:lunch': 1800, not_ready: 300 }), 1800);
  assert.equal(longStateLimit('wrap_up', null, { wrap_up: 0 }), 120, 'a zero limit is ignored');
});

test('agent card is flagged long at the limit, with snapshot limits', () => {
  const agent = { id: 'a', name: 'A', state: 'wrap_up', state_since: iso(NOW - 90_000), queues: [] };
  const ctx = { serverNow: NOW, queueNames: new Map() };
  assert.equal(agentView(agent, ctx).long, false);
  assert.equal(agentView(agent, { ...ctx, limits: { wrap_up: 90 } }).long, true);
  assert.equal(agentView({ ...agent, state_since: iso(NOW - 120_000) }, ctx).long, true);
});

test('agent state counts cover every state in order', () => {
  const counts = agentStateCounts(fixture.agents);
  assert.deepEqual(counts.map((c) => c.state), ['available', 'ringing', 'on_contact', 'wrap_up', 'not_ready']);
  assert.equal(counts.reduce((n, c) => n + c.count, 0), fixture.agents.filter((a) => a.state !== 'offline').length);
});

const alert = (id, severity, state, startedMin, extra = {}) => ({
  id, rule: 'sl_low', severity, state, summary: `${id} summary`, scope: { queue: 'sales' },
  value: 0.5, threshold: 0.8, started_at: iso(NOW - startedMin * 60_000), acknowledged_by: null, ...extra,
});

test('visible alerts: no pending, most severe first, firing before acknowledged, oldest first', () => {
  const list = visibleAlerts([
    alert('w1', 'warning', 'firing', 5),
    alert('p1', 'critical', 'pending', 9),
    alert('c-ack', 'critical', 'acknowledged', 30),
    alert('c-new', 'critical', 'firing', 1),
    alert('c-old', 'critical', 'firing', 10),
    alert('i1', 'info', 'firing', 50),
  ]);
  assert.deepEqual(list.map((a) => a.id), ['c-old', 'c-new', 'c-ack', 'w1', 'i1']);
  assert.deepEqual(visibleAlerts(null), []);
  assert.deepEqual(visibleAlerts('nope'), []);
});

test('alert banner view: hidden without alerts, top alert in full, others counted by severity', () => {
  assert.equal(alertBannerView(null, NOW).hidden, true);
  assert.equal(alertBannerView({ active: [alert('p', 'critical', 'pending', 1)] }, NOW).hidden, true);
  const v = alertBannerView(
    { active: [alert('w1', 'warning', 'firing', 5), alert('c1', 'critical', 'firing', 2), alert('w2', 'warning', 'firing', 1), alert('i', 'info', 'acknowledged', 1)] },
    NOW,
  );
  assert.equal(v.hidden, false);
  assert.equal(v.severity, 'critical');
  assert.equal(v.severityLabel, 'Critical');
  assert.equal(v.icon, '✖');
  assert.equal(v.summary, 'c1 summary');
  assert.match(v.detail, /^queue sales · since \d\d:\d\d \(02:00\)$/);
  assert.equal(v.others, '+3 more alerts (2 warning, 1 info)');
  assert.equal(v.count, 4);
  assert.equal(v.announce, 'Critical alert: c1 summary. +3 more alerts (2 warning, 1 info).');
  // The announcement does not change as time passes; the detail does.
  const later = alertBannerView({ active: [alert('c1', 'critical', 'firing', 2)] }, NOW + 61_000);
  assert.equal(later.announce, 'Critical alert: c1 summary.');
  assert.match(later.detail, /\(03:01\)$/);
});

test('alert banner view: acknowledged, string scope, no summary, unknown severity', () => {
  const v = alertBannerView(
    { active: [alert('x', 'major', 'acknowledged', 1, { summary: '', scope: 'queue:chat', acknowledged_by: 'sam' })] },
    NOW,
  );
  assert.equal(v.severity, 'warning');
  assert.equal(v.summary, 'sl low: 0.5 (threshold 0.8)');
  assert.match(v.detail, /^queue chat · since .* · acknowledged by sam$/);
  assert.match(v.announce, /^Warning alert \(acknowledged\): /);
});

test('service level per window, in the detail order, only windows the snapshot has', () => {
  const q = {
    id: 'sales', target: 0.8, abandon_treatment: 'negative',
    metrics: {
      '5m': { service_level: 1 },
      today: { service_level: 0.75, answered_within_threshold: 30, answered: 36, abandoned: 4 },
      '15m': { service_level: 0.8, answered_within_threshold: 8, answered: 10, abandoned: 0 },
      '60m': { service_level: null, answered_within_threshold: 0, answered: 0, abandoned: 0 },
    },
  };
  const w = serviceLevelWindows(q);
  assert.deepEqual(w.map((x) => x.id), ['15m', '60m', 'today']);
  assert.deepEqual(w.map((x) => x.label), ['15 min', '60 min', 'Today']);
  assert.deepEqual(w.map((x) => x.slText), ['80%', '—', '75%']);
  assert.deepEqual(w.map((x) => x.slClass), ['green', 'none', 'amber']);
  assert.equal(w[2].counts, '30 of 40 in time');
});

test('queue detail view adds AHT and Erlang C only when present', () => {
  const q = fixture.queues[0];
  const ctx = { generatedAt: fixture.generated_at, primaryWindow: fixture.primary_window, serverNow: Date.parse(fixture.generated_at) };
  const v = queueDetailView(q, ctx);
  assert.equal(typeof v.aht, 'string');
  const m = { ...q.metrics[fixture.primary_window], erlang_service_level: 0.91, erlang_agents_required: 7, erlang_expected_wait_seconds: 12.5 };
  const e = queueDetailView({ ...q, metrics: { [fixture.primary_window]: m } }, ctx);
  assert.equal(e.erlang, true);
  assert.equal(e.erlangSl, '91%');
  assert.equal(e.erlangAgents, '7');
  assert.equal(e.erlangWait, '00:12');
  const none = { ...q.metrics[fixture.primary_window], erlang_service_level: null, erlang_agents_required: null, erlang_expected_wait_seconds: null };
  assert.equal(queueDetailView({ ...q, metrics: { [fixture.primary_window]: none } }, ctx).erlang, false);
});

test('waiting list: one queue, longest first; rows tick and never show customer ids', () => {
  const waiting = [
    { contact: 'c1', queue: 'sales', channel: 'voice', customer: 'cust-9', segment: 'vip', queued_at: iso(NOW - 40_000), wait_seconds: 40 },
    { contact: 'c2', queue: 'chat', channel: 'chat', queued_at: iso(NOW - 90_000), wait_seconds: 90 },
    { contact: 'c3', queue: 'sales', channel: 'chat', language: 'fr', reason: 'billing_issue', priority: 2, queued_at: iso(NOW - 70_000) },
  ];
  assert.deepEqual(waitingInQueue(waiting, 'sales').map((w) => w.contact), ['c3', 'c1']);
  assert.deepEqual(waitingInQueue(null, 'sales'), []);
  const vip = waitingItemView(waiting[0], { generatedAt: iso(NOW), serverNow: NOW + 5000, thresholdSeconds: 30 });
  assert.deepEqual(vip, { wait: '00:45', waitClass: 'red', channel: 'Voice', detail: 'VIP', vip: true });
  const other = waitingItemView(waiting[2], { generatedAt: iso(NOW), serverNow: NOW, thresholdSeconds: 120 });
  assert.equal(other.detail, 'fr · billing issue · priority 2');
  assert.equal(other.waitClass, 'ok');
  assert.ok(!JSON.stringify([vip, other]).includes('cust-9'));
  // No queued_at: ages wait_seconds from generated_at.
  const aged = waitingItemView({ queue: 'sales', channel: 'email', wait_seconds: 10 }, { generatedAt: iso(NOW), serverNow: NOW + 3000 });
  assert.equal(aged.wait, '00:13');
});
