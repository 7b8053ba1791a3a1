// The kpi layout's callback and self-service panels against the hand-computed sample day
// (docs/samples/callbacks-sample.ndjson, docs/metrics.md). Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calledBackLabel, callbackTableView, containmentCell, containmentTableView, reasonCell } from '../js/CallbackTables.js';
import { abandonedTableView, centerKpiTables, queueKpiTables } from '../js/WallboardView.js';

// Sales "today" of the sample day, as the snapshot carries it.
const salesToday = {
  callbacks_requested: 4, callbacks_attempted: 4, callbacks_connected: 2, callbacks_failed: 1,
  callback_service_level: 1 / 3, callback_wait_seconds: 2315, callback_max_wait_seconds: 4120,
};
const columns = [{ id: '15m', label: '15 min' }, { id: 'today', label: 'Today' }];

test('callback panel: one row per figure, pending in the note', () => {
  const table = callbackTableView({ callbacks_pending: 1, metrics: { today: salesToday, '15m': {} } }, columns);
  assert.equal(table.note, '1 pending');
  const today = Object.fromEntries(table.rows.map((r) => [r.key, r.values[1]]));
  assert.deepEqual(today, {
    callbacks_requested: '4', callbacks_attempted: '4', callbacks_connected: '2', callbacks_failed: '1',
    callback_service_level: '33% (3)', callback_wait: '38:35', callback_max_wait: '1:08:40',
  });
  assert.equal(table.rows.find((r) => r.key === 'callback_service_level').values[0], '—');
});

test('callback panel: left out without callbacks', () => {
  assert.equal(callbackTableView({ callbacks_pending: 0, metrics: { today: { callbacks_requested: 0 } } }, columns), null);
  assert.notEqual(callbackTableView({ callbacks_pending: 2, metrics: {} }, columns), null);
});

test('containment panel: all entry points, then each with its top reason', () => {
  const center = {
    metrics: {
      today: {
        self_served: 4, self_service_reached_queue: 2, containment_rate: 2 / 3,
        self_service_entry_points: [
          { entry_point: 'chatbot', self_served: 1, reached_queue: 1, containment_rate: 0.5, top_reasons: [{ reason: 'faq', count: 1 }] },
          { entry_point: 'ivr-main', self_served: 2, reached_queue: 1, containment_rate: 2 / 3, top_reasons: [{ reason: 'balance', count: 2 }] },
        ],
      },
    },
  };
  const table = containmentTableView(center, [{ id: 'today', label: 'Today' }]);
  assert.deepEqual(table.rows.map((r) => [r.key, ...r.values]), [
    ['all', '67% (4/6)'],
    ['entry:chatbot', '50% (1/2)'],
    ['reason:chatbot', 'faq'],
    ['entry:ivr-main', '67% (2/3)'],
    ['reason:ivr-main', 'balance'],
  ]);
  assert.ok(table.rows.find((r) => r.key === 'reason:chatbot').sub);
  assert.equal(containmentCell(undefined, 0, null), '—');
  assert.equal(reasonCell('opening-hours'), 'opening-h…');
  assert.equal(containmentTableView({ metrics: { today: {} } }, [{ id: 'today', label: 'Today' }]), null);
});

test('abandoned list marks contacts already called back', () => {
  assert.equal(calledBackLabel({ called_back: null }), '—');
  assert.equal(calledBackLabel({ called_back: { state: 'connected', agent: 'a1', attempts: 1 } }), '✓ a1');
  assert.equal(calledBackLabel({ called_back: { state: 'failed', reason: 'busy', attempts: 2 } }), '✗ busy');
  assert.equal(calledBackLabel({ called_back: { state: 'failed', attempts: 2 } }), '✗ failed');
  assert.equal(calledBackLabel({ called_back: { state: 'attempted', attempts: 2 } }), '2× tried');
  const view = abandonedTableView([{ contact: 'c4', queue: 'sales', at: '2026-11-23T09:11:00Z', wait_seconds: 60,
    called_back: { state: 'connected', agent: 'a1', attempts: 1 } }]);
  assert.equal(view.columns.at(-1).id, 'called_back');
  assert.equal(view.rows[0].values.at(-1), '✓ a1');
});

test('the kpi and queue layouts add the panels only with callbacks or self-service', () => {
  const snap = {
    primary_window: '15m',
    center: { callbacks_pending: 1, metrics: { '15m': {}, today: salesToday } },
    queues: [{ id: 'sales', name: 'Sales', callbacks_pending: 1, metrics: { '15m': {}, today: salesToday } }],
  };
  assert.ok(centerKpiTables(snap).some((t) => t.id === 'callbacks'));
  assert.ok(!centerKpiTables(snap).some((t) => t.id === 'containment'));
  assert.ok(queueKpiTables(snap, snap.queues[0]).some((t) => t.id === 'callbacks'));
});
