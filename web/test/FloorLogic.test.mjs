// The big floor's decisions (order, filters, fit, pages, agents) against hand-computed values.
// Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  alertingQueueIds,
  chunk,
  filterAgentsBy,
  fitTiles,
  groupAgentsByTeam,
  isActiveQueue,
  pageAt,
  pageQueues,
  pageSections,
  pagerText,
  sortAgentsByName,
  sortAgentsLongest,
  sortQueues,
  tilesPerPage,
} from '../js/FloorLogic.js';

const GEN = '2026-12-01T10:00:00.000Z';
const NOW = Date.parse(GEN);
const ctx = { generatedAt: GEN, primaryWindow: '15m', serverNow: NOW };

function q(id, { sl, waiting = 0, oldest = null, name, offered = 0, staffed = 0, target = 0.8, threshold = 30 } = {}) {
  return {
    id, name: name || id, target, threshold_seconds: threshold, waiting_now: waiting,
    oldest_queued_at: oldest, agents: { staffed, logged_in: staffed, not_ready: 0 },
    metrics: { '15m': { service_level: sl, offered } },
  };
}

const QUEUES = [
  q('a', { sl: 0.9, waiting: 2, oldest: '2026-12-01T09:59:50.000Z', name: 'Delta' }),
  q('b', { sl: 0.5, waiting: 0, name: 'alpha' }),
  q('c', { sl: undefined, waiting: 5, oldest: '2026-12-01T09:58:00.000Z', name: 'Charlie' }),
  q('d', { sl: 0.75, waiting: 2, oldest: '2026-12-01T09:59:55.000Z', name: 'bravo' }),
];

test('sortQueues: config order by default, worst first for the figures, queues without the figure last', () => {
  const ids = (list) => list.map((x) => x.id);
  assert.deepEqual(ids(sortQueues(QUEUES, 'config', ctx)), ['a', 'b', 'c', 'd']);
  assert.deepEqual(ids(sortQueues(QUEUES, 'service_level', ctx)), ['b', 'd', 'a', 'c']);
  assert.deepEqual(ids(sortQueues(QUEUES, 'waiting', ctx)), ['c', 'a', 'd', 'b']);
  // c waits 120 s, a 10 s, d 5 s, b nobody (0).
  assert.deepEqual(ids(sortQueues(QUEUES, 'longest_wait', ctx)), ['c', 'a', 'd', 'b']);
  assert.deepEqual(ids(sortQueues(QUEUES, 'name', ctx)), ['b', 'd', 'c', 'a']);
  assert.deepEqual(ids(QUEUES), ['a', 'b', 'c', 'd'], 'the input is not reordered');
});

test('isActiveQueue: waiting, offered in the window or staffed agents', () => {
  assert.equal(isActiveQueue(q('x'), '15m'), false);
  assert.equal(isActiveQueue(q('x', { waiting: 1 }), '15m'), true);
  assert.equal(isActiveQueue(q('x', { offered: 3 }), '15m'), true);
  assert.equal(isActiveQueue(q('x', { staffed: 1 }), '15m'), true);
  const notReadyOnly = { ...q('x'), agents: { logged_in: 2, not_ready: 2 } };
  assert.equal(isActiveQueue(notReadyOnly, '15m'), false);
});

test('alertingQueueIds: red service level, wait over the threshold, or a firing alert scoped to the queue', () => {
  const alerts = [
    { id: '1', state: 'firing', severity: 'warning', scope: 'queue:a' },
    { id: '2', state: 'pending', severity: 'critical', scope: 'queue:d' },
    { id: '3', state: 'acknowledged', severity: 'info', scope: { queue: 'zz' } },
  ];
  // b: 50% < 70% (red); c: waiting 120 s ≥ 30 s; a: alert; d: pending alert only, 75% amber, 5 s wait.
  assert.deepEqual([...alertingQueueIds(QUEUES, alerts, ctx)].sort(), ['a', 'b', 'c', 'zz']);
  assert.deepEqual([...alertingQueueIds(QUEUES, null, ctx)].sort(), ['b', 'c']);
});

test('pageQueues: alerting queues head every page, the others are paged in the room left', () => {
  const list = 'abcdefghij'.split('').map((id) => ({ id }));
  const { pages, pinned } = pageQueues(list, new Set(['c', 'h']), 4);
  assert.equal(pinned, 2);
  assert.deepEqual(pages.map((p) => p.map((x) => x.id).join('')), ['chab', 'chde', 'chfg', 'chij']);
  // Everything fits: one page, nothing pinned.
  assert.deepEqual(pageQueues(list.slice(0, 3), new Set(['c']), 4), { pages: [list.slice(0, 3)], pinned: 0 });
  // More alerting queues than a page holds: they are paged first, then the rest, every queue shown once.
  const many = pageQueues(list, new Set(['a', 'b', 'c', 'd', 'e']), 3);
  assert.equal(many.pinned, 0);
  assert.deepEqual(many.pages.map((p) => p.map((x) => x.id).join('')), ['abc', 'de', 'fgh', 'ij']);
});

test('pageAt turns on the clock, the same page on every screen', () => {
  assert.equal(pageAt(0, 15, 4), 0);
  assert.equal(pageAt(14999, 15, 4), 0);
  assert.equal(pageAt(15000, 15, 4), 1);
  assert.equal(pageAt(60000, 15, 4), 0);
  assert.equal(pageAt(75000, 15, 4), 1);
  assert.equal(pageAt(123456, 15, 1), 0);
});

test('fitTiles: the columns that give the largest font, bounded by width, height and the maximum', () => {
  // 10 tiles of 27 em × ≥ 37 em in 1872 × 520 px with 16 px gaps:
  // 5 columns × 2 rows: width (1872 − 64) / 5 / 37 = 9.77 px, height (520 − 16) / 2 / 27 = 9.33 px → 9.33 px.
  const box = { width: 1872, height: 520, gap: 16, heightEm: 27, minWidthEm: 37, maxFont: 16 };
  const fit = fitTiles(10, box);
  assert.equal(fit.cols, 5);
  assert.equal(fit.rows, 2);
  assert.ok(Math.abs(fit.font - 504 / 54) < 1e-9);
  assert.equal(fitTiles(1, box).font, Math.min(16, 1872 / 37, 520 / 27));
  // 9.6 px (0.6 rem) is the minimum: two rows never reach it ((520 − 16) / 2 / 27 = 9.33 px); one row of 5 does
  // ((1872 − 64) / 5 / 37 = 9.77 px), one row of 6 does not ((1872 − 80) / 6 / 37 = 8.07 px): 5 a page.
  assert.equal(tilesPerPage(10, box, 9.6), 5);
  assert.equal(tilesPerPage(3, box, 9.6), 3);
});

test('agents: filters by team and state, longest in state first, by name, grouped by team', () => {
  const agents = [
    { id: '1', name: 'Bea', team: 't2', state: 'not_ready', state_since: '2026-12-01T09:00:00.000Z' },
    { id: '2', name: 'Al', team: 't1', state: 'wrap_up', state_since: '2026-12-01T09:50:00.000Z' },
    { id: '3', name: 'Cy', state: 'available', state_since: '2026-12-01T08:00:00.000Z' },
    { id: '4', name: 'Di', team: 't1', state: 'not_ready', state_since: '2026-12-01T09:30:00.000Z' },
  ];
  const ids = (list) => list.map((a) => a.id).join('');
  assert.equal(ids(filterAgentsBy(agents, { teams: ['t1'], states: null })), '24');
  assert.equal(ids(filterAgentsBy(agents, { teams: null, states: ['not_ready', 'wrap_up'] })), '124');
  assert.equal(ids(filterAgentsBy(agents, { teams: ['t2'], states: ['wrap_up'] })), '');
  assert.equal(ids(sortAgentsLongest(agents)), '3142');
  assert.equal(ids(sortAgentsByName(agents)), '2134');
  const groups = groupAgentsByTeam(sortAgentsLongest(agents));
  assert.deepEqual(groups.map((g) => [g.label, ids(g.agents)]), [['t1', '42'], ['t2', '1'], ['No team', '3']]);
});

test('chunk and the page indicator text', () => {
  assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(chunk([], 3), [[]]);
  assert.equal(pagerText({ what: 'Queues', page: 1, pages: 11, from: 11, to: 20, total: 103, pinned: 0 }), 'Queues 11–20 of 103 · page 2 of 11');
  assert.equal(pagerText({ what: 'Queues', page: 0, pages: 3, from: 1, to: 6, total: 20, pinned: 2 }), 'Queues 1–6 of 20 · page 1 of 3 · 2 alerting pinned');
  assert.equal(pagerText({ what: 'Agents', page: 5, pages: 25, from: 416, to: 499, total: 2000 }), 'Agents 416–499 of 2,000 · page 6 of 25');
  assert.equal(pagerText({ what: 'Queues', page: 0, pages: 1, from: 1, to: 4, total: 4 }), '');
});

test('pageSections: a page that starts inside a team starts with its heading again; no heading ends a page', () => {
  const h = (t) => ({ id: `team:${t}`, heading: t, count: 0 });
  const items = [h('a'), { id: '1' }, { id: '2' }, { id: '3' }, h('b'), { id: '4' }, { id: '5' }];
  const pages = pageSections(items, 3).map((p) => p.map((x) => x.id).join(' '));
  assert.deepEqual(pages, ['team:a 1 2', 'team:a:continued 3', 'team:b 4 5']);
  assert.equal(pageSections(items, 3)[1][0].continued, true);
  assert.deepEqual(pageSections([{ id: '1' }, { id: '2' }, { id: '3' }], 2).map((p) => p.length), [2, 1]);
  assert.deepEqual(pageSections([], 4), [[]]);
});
