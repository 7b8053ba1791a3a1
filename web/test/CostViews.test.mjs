// The cost panel of the KPI layouts (config `costs:`; docs/metrics.md, "Cost per contact").
// Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centerKpiTables, costTableView, formatMoney, queueKpiTables } from '../js/WallboardView.js';

const eur = { code: 'EUR', decimals: 2 };
const m60 = { offered: 4, handled: 3, cost_minor: 2698, cost_per_handled_minor: 899, cost_per_offered_minor: 675 };
const m5 = { offered: 0, handled: 1, cost_minor: 500, cost_per_handled_minor: 500, cost_per_offered_minor: null };

test('formatMoney: minor units at exactly the currency decimals, — when undefined', () => {
  assert.equal(formatMoney(2698, eur), '€26.98');
  assert.equal(formatMoney(123456789, eur), '€1,234,567.89');
  assert.equal(formatMoney(5, eur), '€0.05');
  assert.equal(formatMoney(2500, { code: 'JPY', decimals: 0 }), '¥2,500');
  assert.equal(formatMoney(105, { code: 'BHD', decimals: 3 }), 'BHD\u00a00.105');
  assert.equal(formatMoney(null, eur), '—');
  assert.equal(formatMoney(undefined, eur), '—');
  assert.equal(formatMoney(10, null), '—');
  assert.equal(formatMoney(1234, { code: 'ZZ', decimals: 2 }), '12.34 ZZ');
});

test('cost panel: a row per figure, a column per window; none without a currency', () => {
  const columns = [{ id: '60m', label: '60 min' }, { id: '5m', label: '5 min' }];
  const table = costTableView({ currency: eur, metrics: { '60m': m60, '5m': m5 } }, columns);
  assert.equal(table.id, 'kpi-cost');
  assert.equal(table.note, 'EUR');
  assert.deepEqual(table.rows.map((r) => [r.key, r.values]), [
    ['cost', ['€26.98', '€5.00']],
    ['cost_per_handled', ['€8.99', '€5.00']],
    ['cost_per_offered', ['€6.75', '—']],
  ]);
  assert.equal(costTableView({ metrics: { '60m': m60 } }, columns), null);
  assert.equal(costTableView(null, columns), null);
});

test('kpi and queue layouts close the Volume panel with the cost rows only when costs are configured', () => {
  const center = { currency: eur, metrics: { '15m': m60, today: m60 } };
  const queue = { id: 'sales', name: 'Sales', currency: eur, metrics: { '15m': m60, today: m5 } };
  const snap = { primary_window: '15m', center, queues: [queue], abandoned_today: [] };
  const tables = centerKpiTables(snap);
  assert.deepEqual(tables.map((t) => t.id).slice(0, 5), ['kpi-volume', 'kpi-speed', 'kpi-handling', 'kpi-quality', 'queues']);
  const volume = tables[0];
  assert.equal(volume.title, 'Volume & cost');
  assert.equal(volume.note, 'EUR');
  assert.deepEqual(volume.rows.map((r) => r.key).slice(-4), ['transfers', 'cost', 'cost_per_handled', 'cost_per_offered']);
  assert.deepEqual(volume.rows.at(-1).values, ['€6.75', '€6.75']);
  const queueVolume = queueKpiTables(snap, queue).find((t) => t.id === 'kpi-volume');
  assert.deepEqual(queueVolume.rows.find((r) => r.key === 'cost').values, ['€26.98', '€5.00']);
  const plain = { primary_window: '15m', center: { metrics: { '15m': m60 } }, queues: [], abandoned_today: [] };
  const plainVolume = centerKpiTables(plain)[0];
  assert.equal(plainVolume.title, 'Volume');
  assert.ok(!plainVolume.rows.some((r) => r.key.startsWith('cost')));
});
