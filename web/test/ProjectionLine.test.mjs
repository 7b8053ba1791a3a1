// The projected close's line (ProjectionLine.js): text, tone against the target, basis in the center's time zone,
// null projections with their reason, and the delta that replaces the projection. Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyIntervalMessage } from '../js/IntervalChart.js';
import { projectionView } from '../js/ProjectionLine.js';

const payload = (projection, target = 0.8) => ({
  scope: 'queue:sales', time_zone: 'Europe/Paris', target: { service_level: target, threshold_seconds: 20 }, intervals: [],
  projection,
});
const p = {
  service_level: 0.784, abandon_rate: 0.041, reason: null, pattern: 'yesterday', pattern_day: '2026-11-30', agents: 8,
  aht_seconds: 180, close: '2026-12-01T19:00:00.000Z', expected_offered: 150,
};

test('figures, tone and basis', () => {
  const v = projectionView(payload(p), 0.7);
  assert.equal(v.text, 'Projected close 78.4 % SL · 4.1 % abandoned');
  assert.equal(v.short, 'Close 78.4 % SL · 4.1 % ab.');
  assert.equal(v.tone, 'amber');
  // 19:00 UTC is 20:00 in Paris in winter.
  assert.equal(v.basis, 'yesterday’s pattern · 8 agents · AHT 03:00 · to 20:00');
  assert.equal(projectionView(payload({ ...p, service_level: 0.8 }), 0.7).tone, 'green');
  assert.equal(projectionView(payload({ ...p, service_level: 0.5 }), 0.7).tone, 'red');
  assert.equal(projectionView(payload({ ...p, service_level: 1, abandon_rate: 0 })).text, 'Projected close 100.0 % SL · 0.0 % abandoned');
});

test('a null projection says why, untoned', () => {
  const v = projectionView(payload({ ...p, service_level: null, abandon_rate: null, reason: 'no_agents_staffed', agents: 0, pattern: 'today_rate' }));
  assert.equal(v.text, 'Projected close: nobody staffed');
  assert.equal(v.tone, 'none');
  assert.equal(v.sl, null);
  assert.equal(v.basis, 'today’s rate · 0 agents · AHT 03:00 · to 20:00');
  assert.equal(projectionView(payload({ ...p, service_level: null, reason: 'something new' })).text, 'Projected close: not known');
});

test('no projection, no line', () => {
  assert.equal(projectionView(payload(undefined)), null);
  assert.equal(projectionView(null), null);
});

test('a delta replaces the projection and keeps it when it did not move', () => {
  const have = { seq: 1, data: payload(p) };
  const moved = applyIntervalMessage(have, { seq: 2, base: 1, delta: { projection: { ...p, agents: 7 } } });
  assert.equal(moved.have.data.projection.agents, 7);
  const kept = applyIntervalMessage(moved.have, { seq: 3, base: 2, delta: { intervals: [] } });
  assert.equal(kept.have.data.projection.agents, 7);
});
