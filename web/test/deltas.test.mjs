// Field deltas (docs/protocol.md "Deltas"). Run: node --test web/test/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyAgentDelta, applyListEdits, applyMergedList, applyPayloadDelta, mergeFigures, mergeQueue } from '../js/deltas.js';

test('an agent delta takes new agents whole, merges the changed fields of known ones and drops removed ones', () => {
  const a1 = { id: 'a1', name: 'Ann', state: 'available', reason: null, contact: null, queues: ['sales'] };
  const a2 = { id: 'a2', name: 'Bo', state: 'not_ready', reason: 'lunch', contact: null, queues: ['sales'] };
  const before = new Map([['a1', a1], ['a2', a2]]);
  const after = applyAgentDelta(before, {
    agents: [
      { id: 'a1', state: 'on_contact', contact: { id: 'c1', queue: 'sales', channel: 'voice', phase: 'connected' } },
      { id: 'a3', name: 'Cy', state: 'available', reason: null, contact: null, queues: [] },
      { id: 'a2', reason: null },
    ],
    removed: [],
  });
  assert.deepEqual(after.get('a1'), { ...a1, state: 'on_contact', contact: { id: 'c1', queue: 'sales', channel: 'voice', phase: 'connected' } });
  assert.deepEqual(after.get('a2'), { ...a2, reason: null }, 'a field that became null is null');
  assert.deepEqual(after.get('a3'), { id: 'a3', name: 'Cy', state: 'available', reason: null, contact: null, queues: [] });
  assert.equal(before.get('a1'), a1, 'the given map is left as it was');
  assert.equal(a1.state, 'available', 'and so are its agents');
  const gone = applyAgentDelta(after, { agents: [], removed: ['a1', 'nobody'] });
  assert.deepEqual([...gone.keys()], ['a2', 'a3']);
  assert.equal(gone.get('a3'), after.get('a3'), 'unchanged agents are the same objects');
});

test('list edits keep the client\'s entries by index and take new entries whole; a bad index fails', () => {
  const list = [{ contact: 'k1' }, { contact: 'k2' }, { contact: 'k3' }];
  const next = applyListEdits(list, [2, { contact: 'k9' }, 0]);
  assert.deepEqual(next, [{ contact: 'k3' }, { contact: 'k9' }, { contact: 'k1' }]);
  assert.equal(next[0], list[2]);
  assert.deepEqual(applyListEdits(list, []), []);
  assert.equal(applyListEdits(list, [3]), null, 'past the end');
  assert.equal(applyListEdits(list, [-1]), null);
  assert.equal(applyListEdits(list, [0.5]), null);
  assert.equal(applyListEdits(list, ['k1']), null, 'neither an entry nor an index');
  assert.equal(applyListEdits(list, null), null);
  assert.deepEqual(applyListEdits(undefined, [{ contact: 'k1' }]), [{ contact: 'k1' }]);
});

test('a queue change replaces its keys, and of metrics only the figures it has per window', () => {
  const queue = { id: 'sales', waiting_now: 2, oldest_queued_at: 'x', agents: { available: 1 },
    metrics: { '15m': { offered: 9, answered: 7 }, today: { offered: 90, answered: 70 } } };
  const merged = mergeQueue(queue, { waiting_now: 0, oldest_queued_at: null, metrics: { '15m': { answered: 8 } } });
  assert.deepEqual(merged, { id: 'sales', waiting_now: 0, oldest_queued_at: null, agents: { available: 1 },
    metrics: { '15m': { offered: 9, answered: 8 }, today: { offered: 90, answered: 70 } } });
  assert.equal(merged.metrics.today, queue.metrics.today);
  assert.equal(queue.metrics['15m'].answered, 7, 'the given queue is left as it was');
  assert.equal(mergeQueue, mergeFigures, 'revision 2\'s name for it');
});

test('revision 3: objects merge at any depth, count maps name by name with null for a name that went', () => {
  const queue = { id: 'sales', agents: { available: 1, on_contact: 2 }, not_ready_reasons: { lunch: 1, break: 2 },
    metrics: { '15m': { offered: 9, asa_seconds: 12.3, channel_mix: { voice: 8, chat: 1 }, erlang_traffic: null } } };
  const merged = mergeFigures(queue, { agents: { available: 0 }, not_ready_reasons: { lunch: null, training: 1 },
    metrics: { '15m': { asa_seconds: 12.4, channel_mix: { chat: null, email: 2 }, erlang_traffic: 1.25 } } });
  assert.deepEqual(merged, { id: 'sales', agents: { available: 0, on_contact: 2 }, not_ready_reasons: { break: 2, training: 1 },
    metrics: { '15m': { offered: 9, asa_seconds: 12.4, channel_mix: { voice: 8, email: 2 }, erlang_traffic: 1.25 } } });
  assert.equal(queue.not_ready_reasons.lunch, 1, 'the given object is left as it was');
  assert.deepEqual(queue.metrics['15m'].channel_mix, { voice: 8, chat: 1 });
  assert.deepEqual(mergeFigures(queue, { metrics: { '15m': { service_level: null } } }).metrics['15m'].service_level, null,
    'null outside a count map is the value null');
  assert.deepEqual(mergeFigures({ contact: null }, { contact: { id: 'c1' } }), { contact: { id: 'c1' } }, 'an object where the client has none comes whole');
  assert.deepEqual(mergeFigures({ oldest_queued_at: 'x' }, { oldest_queued_at: null }), { oldest_queued_at: null });
});

test('a merged list (queue_groups) changes element by element; another length resyncs', () => {
  const groups = [{ id: 'g1', waiting_now: 1, metrics: { '15m': { offered: 3 } } }, { id: 'g2', waiting_now: 0 }];
  const next = applyMergedList(groups, [{ metrics: { '15m': { offered: 4 } } }, {}]);
  assert.deepEqual(next, [{ id: 'g1', waiting_now: 1, metrics: { '15m': { offered: 4 } } }, { id: 'g2', waiting_now: 0 }]);
  assert.equal(next[1], groups[1], 'an unchanged group is the same object');
  assert.equal(applyMergedList(groups, [{}]), null);
  assert.equal(applyMergedList(groups, [{}, 3]), null);
  assert.equal(applyMergedList(undefined, []), null);
});

test('a center delta merges center and queue_groups and replaces the rest; a group list of another length gives null', () => {
  const data = { generated_at: 't1', queues: [{ id: 'sales', name: 'Sales' }],
    center: { name: 'HQ', waiting_now: 1, agents: { available: 2 }, metrics: { '15m': { offered: 5, reason_mix: { billing: 5 } } } },
    queue_groups: [{ id: 'g1', waiting_now: 1 }] };
  const next = applyPayloadDelta(data, { generated_at: 't2', center: { agents: { available: 1 },
    metrics: { '15m': { offered: 6, reason_mix: { sales: 1 } } } }, queue_groups: [{ waiting_now: 0 }] });
  assert.deepEqual(next, { generated_at: 't2', queues: [{ id: 'sales', name: 'Sales' }],
    center: { name: 'HQ', waiting_now: 1, agents: { available: 1 }, metrics: { '15m': { offered: 6, reason_mix: { billing: 5, sales: 1 } } } },
    queue_groups: [{ id: 'g1', waiting_now: 0 }] });
  assert.equal(next.queues, data.queues);
  assert.equal(applyPayloadDelta(data, { queue_groups: [] }), null);
});

test('a payload delta merges queue, edits lists and replaces the rest; an edit that does not fit gives null', () => {
  const data = { queue: { id: 'sales', waiting_now: 1 }, waiting: [{ contact: 'k1' }],
    abandoned_today: [{ contact: 'x1' }], abandoned_today_count: 1 };
  assert.deepEqual(applyPayloadDelta(data, { queue: { waiting_now: 2 }, waiting: [0, { contact: 'k2' }],
    abandoned_today: [{ contact: 'x2' }, 0], abandoned_today_count: 2 }),
  { queue: { id: 'sales', waiting_now: 2 }, waiting: [{ contact: 'k1' }, { contact: 'k2' }],
    abandoned_today: [{ contact: 'x2' }, { contact: 'x1' }], abandoned_today_count: 2 });
  assert.equal(applyPayloadDelta(data, { waiting: [1] }), null);
  assert.deepEqual(applyPayloadDelta({ interactions: [{ contact: 'k1' }] }, { interactions: [{ contact: 'k0' }, 0] }),
    { interactions: [{ contact: 'k0' }, { contact: 'k1' }] });
});
