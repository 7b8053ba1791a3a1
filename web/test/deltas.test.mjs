// Field deltas (docs/protocol.md "Deltas"). Run: node --test web/test/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyAgentDelta, applyListEdits, applyPayloadDelta, mergeQueue } from '../js/deltas.js';

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
  assert.deepEqual(mergeQueue(queue, { agents: { available: 0 } }).agents, { available: 0 }, 'other objects replace whole');
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
