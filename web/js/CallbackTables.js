import { formatCount, formatDuration, formatPercent } from './WallboardLogic.js';

/**
 * The kpi layout's callback and self-service panels (docs/metrics.md, "Callbacks", "Self-service containment"),
 * as KpiBoard tables: pure, from a scope's `metrics` (window name → figures) and the columns of `kpiColumns`.
 */

/** The callback rows, in reading order; each formats one window's metrics object (missing → "—"). */
export const CALLBACK_ROWS = [
  { key: 'callbacks_requested', label: 'Requested', format: (m) => formatCount(m.callbacks_requested) },
  { key: 'callbacks_attempted', label: 'Attempts', format: (m) => formatCount(m.callbacks_attempted) },
  { key: 'callbacks_connected', label: 'Connected', format: (m) => formatCount(m.callbacks_connected) },
  { key: 'callbacks_failed', label: 'Failed', format: (m) => formatCount(m.callbacks_failed) },
  {
    key: 'callback_service_level',
    label: 'Callback SL (n)',
    format: (m) => withCount(formatPercent(m.callback_service_level), sum(m.callbacks_connected, m.callbacks_failed)),
  },
  { key: 'callback_wait', label: 'Mean wait', format: (m) => formatDuration(m.callback_wait_seconds) },
  { key: 'callback_max_wait', label: 'Max wait', format: (m) => formatDuration(m.callback_max_wait_seconds) },
];

/**
 * The callbacks panel of one scope: a row per CALLBACK_ROWS entry, a column per window, and the callbacks pending
 * now in the note. Null for a scope with no callback in any column and none pending (a center without callbacks keeps
 * its layout).
 * @param {object|null|undefined} scope `snapshot.center` or one of `snapshot.queues`
 * @param {Array<{id: string, label: string}>} columns
 */
export function callbackTableView(scope, columns) {
  const metrics = (scope && scope.metrics) || {};
  const active = columns.some((c) => {
    const m = metrics[c.id] || {};
    return sum(m.callbacks_requested, m.callbacks_attempted) + sum(m.callbacks_connected, m.callbacks_failed) > 0;
  });
  if (!active && !(scope && scope.callbacks_pending > 0)) return null;
  return {
    id: 'callbacks',
    title: 'Callbacks',
    note: `${formatCount(scope && scope.callbacks_pending)} pending`,
    columns,
    rows: CALLBACK_ROWS.map((row) => ({
      key: row.key,
      label: row.label,
      values: columns.map((c) => row.format(metrics[c.id] || {})),
      tones: columns.map(() => null),
    })),
  };
}

/**
 * The self-service panel of the center: a row for all entry points, then one per entry point, each cell
 * "containment (self-served/ended)" per window, and under each entry point a sub-row with its most frequent
 * self-served reason per window. Null when no window has any self-service.
 * @param {object|null|undefined} center `snapshot.center`
 * @param {Array<{id: string, label: string}>} columns
 */
export function containmentTableView(center, columns) {
  const metrics = (center && center.metrics) || {};
  const perWindow = columns.map((c) => (metrics[c.id] || {}).self_service_entry_points || []);
  const ids = [...new Set(perWindow.flat().map((e) => e.entry_point))].sort();
  if (!ids.length) return null;
  const none = columns.map(() => null);
  const rows = [{
    key: 'all',
    label: 'All',
    values: columns.map((c) => {
      const m = metrics[c.id] || {};
      return containmentCell(m.self_served, m.self_service_reached_queue, m.containment_rate);
    }),
    tones: none,
  }];
  for (const id of ids) {
    const entries = perWindow.map((list) => list.find((e) => e.entry_point === id) || {});
    rows.push({
      key: `entry:${id}`,
      label: id,
      values: entries.map((e) => containmentCell(e.self_served, e.reached_queue, e.containment_rate)),
      tones: none,
    });
    rows.push({
      key: `reason:${id}`,
      label: '  top reason',
      sub: true,
      values: entries.map((e) => {
        const top = (e.top_reasons || [])[0];
        return top ? reasonCell(top.reason) : '—';
      }),
      tones: none,
    });
  }
  return { id: 'containment', title: 'Self-service', note: 'self-served/ended', columns, rows };
}

/** A top reason, cut to 10 characters so the panel keeps its width (its count is in the API's `top_reasons`). */
export function reasonCell(reason) {
  const text = String(reason ?? '');
  return text.length > 10 ? `${text.slice(0, 9)}…` : text;
}

/** "67% (4/6)": containment with self-served and ended (self-served + reached a queue); "—" with none ended. */
export function containmentCell(served, reached, rate) {
  const pct = formatPercent(rate);
  return pct === '—' ? pct : `${pct} (${formatCount(served)}/${formatCount(sum(served, reached))})`;
}

/**
 * The abandoned list's "Called" cell of one `abandoned_today` entry, short enough for the panel: "✓ a1"
 * (connected, by whom), "✗ busy" (failed, why), "2× tried" (attempted), "—" (not yet).
 */
export function calledBackLabel(entry) {
  const mark = entry && entry.called_back;
  if (!mark || typeof mark !== 'object') return '—';
  if (mark.state === 'connected') return mark.agent ? `✓ ${mark.agent}` : '✓';
  if (mark.state === 'failed') return `✗ ${mark.reason || 'failed'}`;
  return `${formatCount(mark.attempts)}× tried`;
}

function sum(a, b) {
  return (Number.isFinite(a) ? a : 0) + (Number.isFinite(b) ? b : 0);
}

// "value (n)": a rate with the count it rests on; just "—" while the value is undefined.
function withCount(value, n) {
  return value === '—' ? value : `${value} (${formatCount(n)})`;
}
