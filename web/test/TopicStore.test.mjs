import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAYOUT_WINDOWS, TopicStore, topicFor, topicMessages, topicsForLayout } from '../js/TopicStore.js';

const center = { generated_at: '2026-11-23T15:30:00Z', primary_window: '15m', windows: ['15m'], sources: [],
  center: { name: 'c', waiting_now: 2 }, queues: [{ id: 'sales', name: 'Sales' }, { id: 'chat', name: 'Chat' }] };

test('each layout subscribes to exactly what it shows, limited to the windows it reads', () => {
  assert.deepEqual(topicsForLayout({ layout: 'tv' }, center),
    ['agents', 'alerts', 'center@primary', 'queue:chat@primary', 'queue:sales@primary']);
  assert.deepEqual(topicsForLayout({ layout: 'tv', queues: ['chat', 'nope'] }, center),
    ['agents:chat', 'alerts', 'center@primary', 'queue:chat@primary']);
  // The queue layout shows its queue's service level in every window (DETAIL_WINDOWS): the whole queue topic.
  assert.deepEqual(topicsForLayout({ layout: 'queue', queue: null }, center), ['agents:sales', 'alerts', 'center@primary', 'queue:sales']);
  assert.deepEqual(topicsForLayout({ layout: 'queue', queue: 'chat' }, center), ['agents:chat', 'alerts', 'center@primary', 'queue:chat']);
  assert.deepEqual(topicsForLayout({ layout: 'queue', queue: 'nope' }, center), ['alerts', 'center@primary']);
  assert.deepEqual(topicsForLayout({ layout: 'agents' }, center), ['agents', 'alerts', 'center@primary']);
  assert.deepEqual(topicsForLayout({ layout: 'agents', queues: ['sales'] }, center), ['agents:sales', 'alerts', 'center@primary']);
  // kpi: the center's KPI columns are the primary window and today; queues and groups the primary window.
  assert.deepEqual(topicsForLayout({ layout: 'kpi' }, center),
    ['alerts', 'center@primary,today', 'groups@primary', 'queue:chat@primary', 'queue:sales@primary']);
  assert.deepEqual(topicsForLayout({ layout: 'kpi' }, null), ['alerts', 'center@primary,today', 'groups@primary']);
  assert.deepEqual(topicsForLayout({ layout: 'table' }, center), ['alerts', 'center@primary', 'queue:chat@primary', 'queue:sales@primary']);
  assert.deepEqual(topicsForLayout({ layout: 'groups' }, center), ['alerts', 'center@primary']);
  // No layout is the tv layout.
  assert.deepEqual(topicsForLayout({}, center), topicsForLayout({ layout: 'tv' }, center));
});

test('topicFor names a topic with the windows its layout reads; without a board, the whole topic', () => {
  assert.equal(topicFor('center', { layout: 'tv' }), 'center@primary');
  assert.equal(topicFor('queue:a@b', { layout: 'table' }), 'queue:a@b@primary', 'a queue id with "@": the list follows the last one');
  assert.equal(topicFor('center', { layout: 'kpi' }), 'center@primary,today');
  assert.equal(topicFor('groups', { layout: 'kpi' }), 'groups@primary');
  assert.equal(topicFor('queue:sales', { layout: 'queue' }), 'queue:sales');
  assert.equal(topicFor('center', null), 'center');
  assert.equal(topicFor('queue:sales', undefined), 'queue:sales');
  // Every layout the board knows has its windows, and names only `primary` and `today` (always configured).
  for (const layout of ['tv', 'queue', 'agents', 'kpi', 'table', 'groups']) {
    assert.ok(LAYOUT_WINDOWS[layout], layout);
    for (const list of Object.values(LAYOUT_WINDOWS[layout])) {
      if (list) for (const w of list) assert.ok(['primary', 'today'].includes(w), `${layout}: ${w}`);
    }
  }
});

test('a group board subscribes to its group\'s queues and their agents only', () => {
  const grouped = { ...center, queues: [...center.queues, { id: 'billing', name: 'Billing' }],
    queue_groups: [{ id: 'north', name: 'North', queues: ['sales', 'billing', 'gone'] }] };
  assert.deepEqual(topicsForLayout({ layout: 'tv', group: 'north' }, grouped),
    ['agents:billing', 'agents:sales', 'alerts', 'center@primary', 'queue:billing@primary', 'queue:sales@primary']);
  assert.deepEqual(topicsForLayout({ layout: 'table', group: 'north' }, grouped),
    ['alerts', 'center@primary', 'queue:billing@primary', 'queue:sales@primary']);
  // `?group=` wins over `?queues=`, as on the board; an unknown group shows (and subscribes to) no queue.
  assert.deepEqual(topicsForLayout({ layout: 'tv', group: 'north', queues: ['chat'] }, grouped),
    ['agents:billing', 'agents:sales', 'alerts', 'center@primary', 'queue:billing@primary', 'queue:sales@primary']);
  assert.deepEqual(topicsForLayout({ layout: 'tv', group: 'south' }, grouped), ['alerts', 'center@primary']);
  assert.deepEqual(topicsForLayout({ layout: 'tv', group: 'north' }, null), ['alerts', 'center@primary']);
});

test('a board\'s store assembles its snapshot from the topics as its layout names them', () => {
  const store = TopicStore({ layout: 'kpi' });
  // The plain topics are not this board's.
  store.apply({ type: 'topic', topic: 'center', seq: 1, data: center });
  assert.equal(store.snapshot(), null);
  store.apply({ type: 'topic', topic: 'center@primary,today', seq: 1, data: center });
  store.apply({ type: 'topic', topic: 'queue:chat@primary', seq: 1, data: { queue: { id: 'chat', name: 'Chat', metrics: { '15m': { offered: 3 } } } } });
  store.apply({ type: 'topic', topic: 'groups@primary', seq: 1, data: { channels: [], segments: [{ id: 'vip' }], languages: [] } });
  const snap = store.snapshot();
  assert.equal(store.center(), store.data('center@primary,today'));
  assert.deepEqual(snap.queues, [{ id: 'sales', name: 'Sales' }, { id: 'chat', name: 'Chat', metrics: { '15m': { offered: 3 } } }]);
  assert.deepEqual(snap.segments, [{ id: 'vip' }]);
  // A delta of the limited queue topic follows as for any queue.
  store.apply({ type: 'topic', topic: 'queue:chat@primary', seq: 2, base: 1, delta: { queue: { metrics: { '15m': { offered: 4 } } } } });
  assert.equal(store.snapshot().queues[1].metrics['15m'].offered, 4);
});

test('the store assembles a snapshot-shaped model from center, queues, groups and agent topics', () => {
  const store = TopicStore();
  assert.equal(store.snapshot(), null);
  store.apply({ type: 'topic', topic: 'center', seq: 1, data: center });
  store.apply({ type: 'topic', topic: 'queue:chat', seq: 3, data: {
    queue: { id: 'chat', name: 'Chat', waiting_now: 2 },
    waiting: [{ contact: 'k2', queue: 'chat', queued_at: '2026-11-23T15:29:30Z' }, { contact: 'k1', queue: 'chat', queued_at: '2026-11-23T15:29:00Z' }],
    abandoned_today: [{ contact: 'a1', queue: 'chat', at: '2026-11-23T15:00:00Z' }], abandoned_today_count: 7 } });
  store.apply({ type: 'topic', topic: 'agents:chat', seq: 1, data: { agents: [{ id: 'b', queues: ['chat'] }] } });
  store.apply({ type: 'topic', topic: 'agents:sales', seq: 1, data: { agents: [{ id: 'a', queues: ['sales'] }, { id: 'b', queues: ['chat'] }] } });
  store.apply({ type: 'topic', topic: 'groups', seq: 1, data: { channels: [], segments: [{ id: 'vip' }], languages: [] } });
  const snap = store.snapshot();
  assert.equal(snap.generated_at, center.generated_at);
  assert.deepEqual(snap.queues, [{ id: 'sales', name: 'Sales' }, { id: 'chat', name: 'Chat', waiting_now: 2 }]);
  assert.deepEqual(snap.waiting.map((w) => w.contact), ['k1', 'k2']);
  assert.deepEqual(snap.abandoned_today_counts, { chat: 7 });
  assert.deepEqual(snap.agents.map((a) => a.id), ['a', 'b']);
  assert.deepEqual(snap.segments, [{ id: 'vip' }]);
  assert.equal(store.snapshot(), snap, 'unchanged topics give the same object');
  store.forget(['agents:sales']);
  assert.deepEqual(store.snapshot().agents.map((a) => a.id), ['b']);
});

test('deltas apply on their base only; an older whole payload is ignored', () => {
  const store = TopicStore();
  assert.deepEqual(store.apply({ type: 'topic', topic: 'agents', seq: 2, base: 1, delta: { agents: [], removed: [] } }),
    { changed: false, resync: 'agents' }, 'a delta before any whole list');
  assert.equal(store.apply({ type: 'topic', topic: 'agents', seq: 3, base: 2, delta: { agents: [], removed: [] } }).resync, null,
    'asked once until the whole list comes');
  assert.equal(store.apply({ type: 'topic', topic: 'agents', seq: 3, data: { agents: [{ id: 'a', state: 'available' }] } }).changed, true);
  assert.equal(store.apply({ type: 'topic', topic: 'agents', seq: 2, data: { agents: [] } }).changed, false);
  assert.equal(store.apply({ type: 'topic', topic: 'agents', seq: 3, base: 2, delta: { agents: [], removed: ['a'] } }).changed, false,
    'a delta already contained in the whole list');
  assert.equal(store.apply({ type: 'topic', topic: 'agents', seq: 4, base: 3, delta: { agents: [{ id: 'z', state: 'ringing' }], removed: ['a'] } }).changed, true);
  store.apply({ type: 'topic', topic: 'center', seq: 1, data: center });
  assert.deepEqual(store.snapshot().agents, [{ id: 'z', state: 'ringing' }]);
});

test('a queue delta replaces the members it has, and of `queue` only its keys', () => {
  const store = TopicStore();
  store.apply({ type: 'topic', topic: 'center', seq: 1, data: center });
  store.apply({ type: 'topic', topic: 'queue:sales', seq: 5, data: {
    queue: { id: 'sales', waiting_now: 1, metrics: { '15m': { offered: 9 } } },
    waiting: [{ contact: 'k1', queue: 'sales', queued_at: '2026-11-23T15:29:00Z' }], abandoned_today: [], abandoned_today_count: 0 } });
  assert.equal(store.apply({ type: 'topic', topic: 'queue:sales', seq: 6, base: 5,
    delta: { queue: { id: 'sales', waiting_now: 0 }, waiting: [] } }).changed, true);
  const q = store.snapshot().queues[0];
  assert.deepEqual(q, { id: 'sales', waiting_now: 0, metrics: { '15m': { offered: 9 } } });
  assert.deepEqual(store.snapshot().waiting, []);
  assert.deepEqual(store.apply({ type: 'topic', topic: 'queue:sales', seq: 8, base: 7, delta: { queue: {} } }),
    { changed: false, resync: 'queue:sales' });
});

test('center deltas (revision 3) merge into the center the store has; the snapshot shows them', () => {
  const store = TopicStore();
  store.apply({ type: 'topic', topic: 'center', seq: 4, data: { ...center,
    center: { name: 'c', waiting_now: 2, not_ready_reasons: { lunch: 1 }, metrics: { '15m': { offered: 9, asa_seconds: 3.2 } } } } });
  assert.equal(store.apply({ type: 'topic', topic: 'center', seq: 5, base: 4, delta: { generated_at: '2026-11-23T15:30:01Z',
    center: { waiting_now: 3, not_ready_reasons: { lunch: null, break: 1 }, metrics: { '15m': { asa_seconds: 3.3 } } } } }).changed, true);
  const snap = store.snapshot();
  assert.deepEqual(snap.center, { name: 'c', waiting_now: 3, not_ready_reasons: { break: 1 }, metrics: { '15m': { offered: 9, asa_seconds: 3.3 } } });
  assert.equal(snap.generated_at, '2026-11-23T15:30:01Z');
  assert.deepEqual(snap.queues.map((q) => q.id), ['sales', 'chat'], 'the queues the center lists are kept');
  assert.deepEqual(store.apply({ type: 'topic', topic: 'center', seq: 7, base: 6, delta: { center: {} } }),
    { changed: false, resync: 'center' }, 'a center delta on another base waits for the whole payload');
});

test('a bundle carries topic messages; applied in order they equal the same messages one by one', () => {
  const messages = [
    { type: 'topic', topic: 'center', seq: 1, data: center },
    { type: 'topic', topic: 'agents', seq: 4, data: { agents: [{ id: 'a', queues: [] }, { id: 'b', queues: [] }] } },
    { type: 'topic', topic: 'agents', seq: 5, base: 4, delta: { agents: [{ id: 'c', queues: [] }], removed: ['a'] } },
  ];
  assert.deepEqual(topicMessages({ type: 'bundle', messages: [...messages, { type: 'hello' }, null] }), messages);
  assert.deepEqual(topicMessages(messages[0]), [messages[0]]);
  assert.deepEqual(topicMessages({ type: 'bundle', messages: 'no' }), []);
  assert.deepEqual(topicMessages({ type: 'heartbeat' }), []);
  const bundled = TopicStore();
  assert.deepEqual(bundled.applyAll(topicMessages({ type: 'bundle', messages })),
    { changed: ['center', 'agents', 'agents'], resync: [] });
  const single = TopicStore();
  for (const m of messages) single.apply(m);
  assert.deepEqual(bundled.snapshot(), single.snapshot());
  assert.deepEqual(bundled.snapshot().agents.map((a) => a.id), ['b', 'c']);
  // A delta whose base the store does not have asks for its topic again; the rest of the bundle applies.
  const result = bundled.applyAll([
    { type: 'topic', topic: 'agents', seq: 9, base: 8, delta: { agents: [], removed: ['b'] } },
    { type: 'topic', topic: 'center', seq: 2, data: { ...center, generated_at: '2026-11-23T15:31:00Z' } },
  ]);
  assert.deepEqual(result, { changed: ['center'], resync: ['agents'] });
  assert.equal(bundled.snapshot().generated_at, '2026-11-23T15:31:00Z');
});

test('agent deltas carry only changed fields: the store merges them into the agents it has', () => {
  const store = TopicStore();
  store.apply({ type: 'topic', topic: 'center', seq: 1, data: center });
  const ann = { id: 'a', name: 'Ann', state: 'available', state_since: '2026-11-23T15:00:00Z', reason: null, queues: ['sales'] };
  store.apply({ type: 'topic', topic: 'agents', seq: 1, data: { agents: [ann] } });
  const first = store.snapshot().agents[0];
  assert.equal(store.apply({ type: 'topic', topic: 'agents', seq: 2, base: 1, delta: {
    agents: [{ id: 'a', state: 'not_ready', state_since: '2026-11-23T15:10:00Z', reason: 'lunch' },
      { id: 'b', name: 'Bo', state: 'available', state_since: '2026-11-23T15:10:00Z', reason: null, queues: [] }],
    removed: [] } }).changed, true);
  assert.deepEqual(store.snapshot().agents, [
    { ...ann, state: 'not_ready', state_since: '2026-11-23T15:10:00Z', reason: 'lunch' },
    { id: 'b', name: 'Bo', state: 'available', state_since: '2026-11-23T15:10:00Z', reason: null, queues: [] }]);
  assert.deepEqual(first, ann, 'the agent the views had before is unchanged');
  store.apply({ type: 'topic', topic: 'agents', seq: 3, base: 2, delta: { agents: [{ id: 'a', reason: null }], removed: ['b'] } });
  assert.deepEqual(store.snapshot().agents, [{ ...ann, state: 'not_ready', state_since: '2026-11-23T15:10:00Z' }]);
  assert.deepEqual(store.data('agents').agents.get('a').reason, null);
});

test('queue list edits apply on the client\'s lists; an edit past them waits for the whole payload', () => {
  const store = TopicStore();
  store.apply({ type: 'topic', topic: 'center', seq: 1, data: center });
  const k1 = { contact: 'k1', queue: 'sales', queued_at: '2026-11-23T15:29:00Z' };
  const k2 = { contact: 'k2', queue: 'sales', queued_at: '2026-11-23T15:29:30Z' };
  store.apply({ type: 'topic', topic: 'queue:sales', seq: 1, data: {
    queue: { id: 'sales', waiting_now: 1, metrics: { '15m': { offered: 9, answered: 8 } } },
    waiting: [k1], abandoned_today: [], abandoned_today_count: 0 } });
  assert.equal(store.apply({ type: 'topic', topic: 'queue:sales', seq: 2, base: 1,
    delta: { queue: { waiting_now: 2, metrics: { '15m': { offered: 10 } } }, waiting: [0, k2] } }).changed, true);
  assert.deepEqual(store.snapshot().waiting, [k1, k2]);
  assert.deepEqual(store.snapshot().queues[0].metrics, { '15m': { offered: 10, answered: 8 } });
  assert.deepEqual(store.apply({ type: 'topic', topic: 'queue:sales', seq: 3, base: 2, delta: { waiting: [5] } }),
    { changed: false, resync: 'queue:sales' });
  assert.deepEqual(store.snapshot().waiting, [k1, k2], 'nothing of the bad delta applied');
  assert.equal(store.apply({ type: 'topic', topic: 'queue:sales', seq: 3, data: {
    queue: { id: 'sales', waiting_now: 0 }, waiting: [], abandoned_today: [], abandoned_today_count: 0 } }).changed, true);
  assert.equal(store.apply({ type: 'topic', topic: 'queue:sales', seq: 4, base: 3, delta: { waiting: [k1] } }).changed, true);
  assert.deepEqual(store.snapshot().waiting, [k1]);
});
