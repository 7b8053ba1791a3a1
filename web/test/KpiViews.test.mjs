// The full KPI set (queue layout, ?layout=kpi) against hand-computed values. Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatScore, parseBoardOptions } from '../js/WallboardLogic.js';
import {
  abandonedTableView,
  centerKpiTables,
  centerView,
  groupTableView,
  kpiColumns,
  kpiTableView,
  mixTableView,
  queueKpiTables,
} from '../js/WallboardView.js';

const m15 = {
  offered: 40, answered: 36, abandoned: 2, short_abandoned: 1, transfers: 3, service_level: 0.7895,
  abandon_rate: 0.0526, asa_seconds: 12.4, max_wait_seconds: 61, aht_seconds: 187.2, talk_seconds: 150.9,
  hold_seconds: 6.5, wrap_up_seconds: 29.8, occupancy: 0.874, utilization: 0.725, repeat_contacts: 4,
  repeat_rate: 0.1, surveys_resolved: 8, fcr_rate: 0.75, surveys_csat: 12, csat_average: 4.25, surveys_ces: 0,
  ces_average: null, channel_mix: { voice: 30, chat: 8, email: 2 }, reason_mix: { billing: 10, outage: 10, new_order: 20 },
};
const today = { ...m15, offered: 400, service_level: 0.9, channel_mix: { voice: 300, sms: 100 } };
const queue = { id: 'sales', name: 'Sales', target: 0.8, metrics: { '15m': m15, today }, agents: { staffed: 9 } };

test('layout=kpi is a layout', () => {
  assert.equal(parseBoardOptions('?layout=kpi').layout, 'kpi');
  assert.equal(parseBoardOptions('?layout=KPI').layout, 'kpi');
});

test('formatScore: one decimal, half up, — for null', () => {
  assert.equal(formatScore(4.25), '4.3');
  assert.equal(formatScore(4), '4.0');
  assert.equal(formatScore(null), '—');
  assert.equal(formatScore(undefined), '—');
});

test('kpi columns: primary then today, only windows the snapshot has', () => {
  assert.deepEqual(kpiColumns(queue.metrics, '15m'), [{ id: '15m', label: '15 min' }, { id: 'today', label: 'Today' }]);
  assert.deepEqual(kpiColumns({ '15m': {} }, '15m'), [{ id: '15m', label: '15 min' }]);
  assert.deepEqual(kpiColumns({ today: {} }, 'today'), [{ id: 'today', label: 'Today' }]);
});

test('kpi table: every figure, hand-formatted; null stays —', () => {
  const t = kpiTableView(queue, kpiColumns(queue.metrics, '15m'));
  const v = Object.fromEntries(t.rows.map((r) => [r.key, r.values[0]]));
  assert.deepEqual(v, {
    offered: '40', answered: '36', abandoned: '2', short_abandoned: '1', transfers: '3',
    service_level: '78%', // 78.95 truncated
    abandon_rate: '5%', asa: '00:12', max_wait: '01:01', aht: '03:07', talk: '02:30', hold: '00:06',
    wrap_up: '00:29', occupancy: '87%', utilization: '73%', // 72.5 rounds up
    repeat: '4 (10%)', fcr: '75% (8)', csat: '4.3 (12)', ces: '—',
  });
  const sl = t.rows.find((r) => r.key === 'service_level');
  assert.deepEqual(sl.values, ['78%', '90%']);
  assert.deepEqual(sl.tones, ['amber', 'green']);
  assert.equal(t.rows.find((r) => r.key === 'offered').values[1], '400');
  assert.equal(t.rows.find((r) => r.key === 'talk').sub, true);
  // An older server (no new keys): "—", never 0.
  const old = kpiTableView({ metrics: { '15m': { offered: 5 } } }, [{ id: '15m', label: '15 min' }]);
  const ov = Object.fromEntries(old.rows.map((r) => [r.key, r.values[0]]));
  assert.equal(ov.offered, '5');
  for (const k of ['transfers', 'occupancy', 'utilization', 'talk', 'repeat', 'fcr', 'csat', 'ces']) assert.equal(ov[k], '—', k);
});

test('mix table: count · share of the window total, biggest first, missing → —', () => {
  const t = mixTableView(queue, kpiColumns(queue.metrics, '15m'), 'channel_mix');
  assert.deepEqual(
    t.rows.map((r) => [r.key, r.label, ...r.values]),
    [
      ['voice', 'Voice', '30 · 75%', '300 · 75%'],
      ['chat', 'Chat', '8 · 20%', '—'],
      ['email', 'Email', '2 · 5%', '—'],
      ['sms', 'Sms', '—', '100 · 25%'],
    ],
  );
  const reasons = mixTableView(queue, [{ id: '15m', label: '15 min' }], 'reason_mix', 2);
  // 20/40 = 50%, 10/40 = 25%; ties by name (billing before outage); the third is counted, not shown.
  assert.deepEqual(reasons.rows.map((r) => [r.label, r.values[0]]), [['New order', '20 · 50%'], ['Billing', '10 · 25%']]);
  assert.equal(reasons.more, '+1 more');
  assert.deepEqual(mixTableView({ metrics: {} }, [{ id: '15m' }], 'channel_mix').rows, []);
});

test('group table (segments, languages, queues) and null arrays', () => {
  assert.equal(groupTableView(undefined, '15m'), null);
  const t = groupTableView([{ id: 'vip', waiting_now: 2, metrics: { '15m': m15 } }, { id: 'standard', metrics: {} }], '15m');
  assert.deepEqual(t.rows[0].label, 'VIP');
  assert.deepEqual(t.rows[0].values, ['2', '40', '78%', '5%', '00:12', '03:07', '4.3']);
  assert.deepEqual(t.rows[1].values, ['—', '—', '—', '—', '—', '—', '—']);
});

test('abandoned today: newest first, filtered by queue, masked customers read —', () => {
  const list = [
    { contact: 'c1', customer: 'cust-1', segment: 'vip', queue: 'sales', channel: 'voice', wait_seconds: 47.9, at: '2026-11-23T15:10:00.000Z' },
    { contact: 'c2', customer: null, segment: null, queue: 'support', channel: 'chat', wait_seconds: 8, at: '2026-11-23T15:20:00.000Z' },
    { contact: 'c3', queue: 'sales', channel: 'email', wait_seconds: 125, at: '2026-11-23T15:25:00.000Z' },
  ];
  const names = new Map([['sales', 'Sales'], ['support', 'Support']]);
  const all = abandonedTableView(list, { queueNames: names, limit: 2 });
  assert.deepEqual(all.rows.map((r) => r.key), ['c3', 'c2']);
  assert.equal(all.total, 3);
  assert.equal(all.more, '+1 earlier');
  const [c3, c2] = all.rows;
  assert.deepEqual([c3.values[1], c3.values[2], c3.values[3], c3.values[4], c3.values[5]], ['Sales', 'Email', '—', '02:05', '—']);
  assert.deepEqual([c2.values[1], c2.values[4], c2.values[5]], ['Support', '00:08', '—']);
  assert.match(c3.values[0], /^\d\d:\d\d:\d\d$/);
  const sales = abandonedTableView(list, { queueId: 'sales' });
  assert.deepEqual(sales.rows.map((r) => [r.key, r.values[3], r.values[5], r.tones[3]]), [
    ['c3', '—', '—', null],
    ['c1', 'VIP', 'cust-1', 'vip'],
  ]);
  assert.equal(abandonedTableView(undefined), null);
  // The server lists only each queue's newest; its counts give the day's total.
  const counted = abandonedTableView(list, { queueNames: names, limit: 2, counts: { sales: 40, support: 7 } });
  assert.equal(counted.total, 47);
  assert.equal(counted.more, '+45 earlier');
  assert.equal(abandonedTableView(list, { queueId: 'sales', limit: 1, counts: { sales: 40, support: 7 } }).more, '+39 earlier');
});

test('page tables: kpi layout and queue layout', () => {
  const snap = {
    primary_window: '15m',
    center: { metrics: { '15m': m15 } },
    queues: [queue],
    segments: [{ id: 'vip', metrics: {} }],
    languages: [{ id: 'fr', metrics: {} }],
    abandoned_today: [{ contact: 'c1', queue: 'sales', channel: 'voice', wait_seconds: 3, at: '2026-11-23T15:10:00.000Z' }],
  };
  const ids = centerKpiTables(snap).map((t) => t.id);
  assert.deepEqual(ids, ['kpi-volume', 'kpi-speed', 'kpi-handling', 'kpi-quality', 'queues', 'breakdown', 'channels', 'reasons', 'abandoned']);
  const center = centerKpiTables(snap);
  const queues = center.find((t) => t.id === 'queues');
  assert.deepEqual(queues.columns.map((c) => c.id).slice(-4), ['erlang_sl', 'erlang_agents', 'staffed', 'erlang_wait']);
  assert.deepEqual(queues.rows[0].values.slice(-4), ['—', '—', '9', '—']);
  assert.deepEqual(center.find((t) => t.id === 'breakdown').rows.map((r) => [r.key, r.label]), [['segment:vip', 'VIP'], ['language:fr', 'FR']]);
  // No segments/languages/abandoned arrays (older server): those panels are left out.
  assert.deepEqual(centerKpiTables({ primary_window: '15m', center: {}, queues: [] }).map((t) => t.id),
    ['kpi-volume', 'kpi-speed', 'kpi-handling', 'kpi-quality', 'queues', 'channels', 'reasons']);
  const q = queueKpiTables(snap, queue);
  const ab = q.find((t) => t.id === 'abandoned');
  assert.deepEqual(ab.columns.map((c) => c.id), ['time', 'channel', 'segment', 'waited', 'customer', 'called_back']);
  assert.deepEqual(ab.rows[0].values.slice(1), ['Voice', '—', '00:03', '—', '—']);
});

test('center strip: the second row of figures', () => {
  const v = centerView({ metrics: { '15m': m15 }, agents: { available: 3 } }, { generatedAt: null, primaryWindow: '15m', serverNow: 0 });
  assert.deepEqual(
    [v.abandoned, v.shortAbandoned, v.maxWait, v.occupancy, v.utilization, v.transfers, v.fcr, v.csat, v.ces, v.available],
    ['2', '1', '01:01', '87%', '73%', '3', '75%', '4.3', '—', '3'],
  );
});
