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
 * The self-service panel of the center: a row for all entry points, then one per entry point; each cell is
 * "containment (self-served/reached a queue)"; the top reason of each entry point in the primary window goes in its
 * row's last column. Null when no window has any self-service.
 * @param {object|null|undefined} center `snapshot.center`
 * @param {Array<{id: string, label: string}>} columns
 */
export function containmentTableView(center, columns) {
  const metrics = (center && center.metrics) || {};
  const perWindow = columns.map((c) => (metrics[c.id] || {}).self_service_entry_points || []);
  const ids = [...new Set(perWindow.flat().map((e) => e.entry_point))].sort();
  if (!ids.length) return null;
  const cell = (served, reached, rate) => `${formatPercent(rate)} (${formatCount(served)}/${formatCount(sum(served, reached))})`;
  const rows = [{
    key: 'all',
    label: 'All entry points',
    values: [
      ...columns.map((c) => {
        const m = metrics[c.id] || {};
        return cell(m.self_served, m.self_service_reached_queue, m.containment_rate);
      }),
      '',
    ],
    tones: [...columns.map(() => null), null],
  }];
  for (const id of ids) {
    const entries = perWindow.map((list) => list.find((e) => e.entry_point === id) || {});
    const top = (entries[0].top_reasons || [])[0];
    rows.push({
      key: `entry:${id}`,
      label: id,
      values: [
        ...entries.map((e) => cell(e.self_served, e.reached_queue, e.containment_rate)),
        top ? `${top.reason} (${formatCount(top.count)})` : '—',
      ],
      tones: [...columns.map(() => null), null],
    });
  }
  return {
    id: 'containment',
    title: 'Self-service containment',
    note: 'contained (self-served/ended)',
    columns: [...columns, { id: 'top_reason', label: 'Top reason' }],
    rows,
  };
}

/** The abandoned list's "Called back" cell of one `abandoned_today` entry. */
export function calledBackLabel(entry) {
  const mark = entry && entry.called_back;
  if (!mark || typeof mark !== 'object') return '—';
  if (mark.state === 'connected') return mark.agent ? `connected · ${mark.agent}` : 'connected';
  if (mark.state === 'failed') return mark.reason ? `failed · ${mark.reason}` : 'failed';
  return `attempted ×${formatCount(mark.attempts)}`;
}

function sum(a, b) {
  return (Number.isFinite(a) ? a : 0) + (Number.isFinite(b) ? b : 0);
}

// "value (n)": a rate with the count it rests on; just "—" while the value is undefined.
function withCount(value, n) {
  return value === '—' ? value : `${value} (${formatCount(n)})`;
}
