import {
  AGENT_STATES,
  agentStateLabel,
  alertSince,
  longStateLimit,
  parseTime,
  severityRank,
  visibleAlerts,
  elapsedSeconds,
  formatClock,
  formatCount,
  formatDuration,
  formatPercent,
  formatScore,
  formatServiceLevel,
  longestWaitSeconds,
  serviceLevelClass,
  serviceLevelCue,
  waitClass,
  windowLabel,
} from './WallboardLogic.js';
import { loadLabel } from './AgentCard.js';
import { calledBackLabel, callbackTableView, containmentTableView } from './CallbackTables.js';

/**
 * Pure view builders: turn snapshot parts into the display strings and tone classes each component shows.
 * No DOM and no clock of their own: time comes in as `serverNow` (see WallboardLogic's clock model).
 */

/**
 * Everything a queue tile shows, as display strings and classes.
 * @param {object} queue one entry of `snapshot.queues`
 * @param {{generatedAt: string, primaryWindow: string, serverNow: number}} ctx
 * @returns {object}
 */
export function queueView(queue, ctx) {
  const m = (queue.metrics || {})[ctx.primaryWindow] || {};
  const agents = queue.agents || {};
  const wait = longestWaitSeconds(queue, ctx.generatedAt, ctx.serverNow);
  const cue = serviceLevelCue(m.service_level, queue.target, queue.warning_level);
  return {
    name: queue.name || queue.id,
    slText: formatServiceLevel(m.service_level),
    slClass: serviceLevelClass(m.service_level, queue.target, queue.warning_level),
    slIcon: cue.icon,
    slCue: cue.text,
    // A queue group whose members have different thresholds has none of its own (threshold_seconds null).
    targetText: Number.isFinite(queue.threshold_seconds)
      ? `target ${formatPercent(queue.target)} in ${formatThreshold(queue.threshold_seconds)}`
      : `target ${formatPercent(queue.target)}`,
    waiting: formatCount(queue.waiting_now),
    waitingClass: queue.waiting_now > 0 ? 'active' : 'none',
    longestWait: formatDuration(wait),
    longestWaitClass: waitClass(wait, queue.threshold_seconds),
    available: formatCount(agents.available),
    availableClass: queue.waiting_now > 0 && agents.available === 0 ? 'red' : 'none',
    ringing: formatCount(agents.ringing),
    onContact: formatCount(agents.on_contact),
    wrapUp: formatCount(agents.wrap_up),
    notReady: formatCount(agents.not_ready),
    loggedIn: formatCount(agents.logged_in),
    abandonRate: formatPercent(m.abandon_rate),
    asa: formatDuration(m.asa_seconds),
    offered: formatCount(m.offered),
    answered: formatCount(m.answered),
    abandoned: formatCount(m.abandoned),
    windowLabel: windowLabel(ctx.primaryWindow),
  };
}

/**
 * Everything the center summary strip shows.
 * @param {object} center `snapshot.center`
 * @param {{generatedAt: string, primaryWindow: string, serverNow: number}} ctx
 * @returns {object}
 */
export function centerView(center, ctx) {
  const c = center || {};
  const m = (c.metrics || {})[ctx.primaryWindow] || {};
  const agents = c.agents || {};
  const reasons = Object.entries(c.not_ready_reasons || {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([r, n]) => `${n} ${r.replace(/_/g, ' ')}`)
    .join(', ');
  return {
    waiting: formatCount(c.waiting_now),
    longestWait: formatDuration(longestWaitSeconds(c, ctx.generatedAt, ctx.serverNow)),
    serviceLevel: formatServiceLevel(m.service_level),
    abandonRate: formatPercent(m.abandon_rate),
    asa: formatDuration(m.asa_seconds),
    aht: formatDuration(m.aht_seconds),
    offered: formatCount(m.offered),
    answered: formatCount(m.answered),
    abandoned: formatCount(m.abandoned),
    shortAbandoned: formatCount(m.short_abandoned),
    maxWait: formatDuration(m.max_wait_seconds),
    occupancy: formatPercent(m.occupancy),
    utilization: formatPercent(m.utilization),
    transfers: formatCount(m.transfers),
    fcr: formatPercent(m.fcr_rate),
    csat: formatScore(m.csat_average),
    ces: formatScore(m.ces_average),
    loggedIn: formatCount(agents.logged_in),
    available: formatCount(agents.available),
    notReady: formatCount(agents.not_ready),
    notReadyReasons: reasons,
    windowLabel: windowLabel(ctx.primaryWindow),
  };
}

/**
 * Everything one agent card shows.
 * @param {object} agent one entry of `snapshot.agents`
 * @param {{serverNow: number, queueNames: Map<string, string>, limits?: object}} ctx `limits` =
 *   `snapshot.agent_state_limits` when the server sends them
 * @returns {object}
 */
export function agentView(agent, ctx) {
  const seconds = elapsedSeconds(agent.state_since, ctx.serverNow);
  const limit = longStateLimit(agent.state, agent.reason, ctx.limits);
  const name = (id) => ctx.queueNames.get(id) || id;
  const contact = agent.contact;
  let detail = '';
  if (agent.state === 'not_ready') detail = agent.reason ? capitalize(agent.reason.replace(/_/g, ' ')) : 'No reason';
  else if (contact && contact.queue) detail = contactDetail(name(contact.queue), contact.channel);
  return {
    name: agent.name || agent.id,
    state: AGENT_STATES.includes(agent.state) ? agent.state : 'unknown',
    stateLabel: agentStateLabel(agent.state),
    detail,
    timeInState: formatDuration(seconds),
    long: Number.isFinite(limit) && Number.isFinite(seconds) && seconds >= limit,
    queues: (agent.queues || []).map(name).join(' · '),
    ...(loadLabel(agent.load) ? { load: loadLabel(agent.load) } : {}),
  };
}

/**
 * What the full-board overlay says: "Waiting for data…" before the first snapshot, a stale/lost banner when the
 * link is not live (the board underneath is dimmed), nothing while live.
 * @param {{state: string, lastMessageAt?: number|null}|null} connection
 * @param {boolean} hasData whether a snapshot was ever received
 * @param {number} offsetMs clock offset `local − server`, so times read like the header clock
 * @returns {{mode: 'none'|'waiting'|'stale', title: string, detail: string}}
 */
export function overlayView(connection, hasData, offsetMs) {
  const state = connection ? connection.state : 'connecting';
  if (!hasData) {
    const detail = {
      connecting: 'Connecting to the wallboard server',
      live: 'Connected — waiting for the first snapshot',
      stale: 'Connected, but the server is not sending anything',
      down: 'Cannot reach the wallboard server — retrying',
    }[state];
    return { mode: 'waiting', title: 'Waiting for data…', detail: detail || '' };
  }
  if (state === 'live') return { mode: 'none', title: '', detail: '' };
  const last = Number.isFinite(connection && connection.lastMessageAt) ? formatClock(connection.lastMessageAt - offsetMs) : null;
  const since = last ? `Data stale since ${last}` : 'Data may be out of date';
  if (state === 'stale') return { mode: 'stale', title: since, detail: 'No updates from the server — numbers are frozen' };
  return { mode: 'stale', title: 'Connection lost — reconnecting…', detail: since };
}

/** Source states that mean "feeding events normally". */
export const HEALTHY_SOURCE_STATES = ['running', 'connected', 'ok', 'up', 'live'];

/**
 * A warning line when any event source is not healthy (the socket can be live while the phone system feed is
 * down, which would freeze the numbers just the same); null when all are healthy.
 * @param {Array<{name: string, state: string, detail?: string|null}>|undefined} sources
 * @returns {string|null}
 */
export function sourceWarning(sources) {
  const bad = (sources || []).filter((s) => !HEALTHY_SOURCE_STATES.includes(s.state));
  if (!bad.length) return null;
  const parts = bad.map((s) => `${s.name} ${s.state}${s.detail ? ` (${s.detail})` : ''}`);
  return `⚠ ${parts.join('; ')} — numbers may be incomplete`;
}

function contactDetail(queueName, channel) {
  const showChannel = channel && channel !== 'voice' && channel.toLowerCase() !== queueName.toLowerCase();
  return showChannel ? `${queueName} · ${channel}` : queueName;
}

function formatThreshold(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds >= 180 && seconds % 60 === 0) return `${seconds / 60} min`;
  return seconds < 180 ? `${seconds} s` : formatDuration(seconds);
}

function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Windows the queue layout shows as big service levels, in this order, when the snapshot has them. */
export const DETAIL_WINDOWS = ['15m', '30m', '60m', 'interval', 'today'];

/**
 * Service level of one queue in each of the detail windows the snapshot has.
 * @param {object} queue one entry of `snapshot.queues`
 * @param {string[]} [windows] names to show, default DETAIL_WINDOWS
 * @returns {Array<{id: string, label: string, slText: string, slClass: string, slIcon: string, slCue: string,
 *   counts: string}>}
 */
export function serviceLevelWindows(queue, windows = DETAIL_WINDOWS) {
  const metrics = (queue && queue.metrics) || {};
  return windows
    .filter((w) => metrics[w])
    .map((w) => {
      const m = metrics[w];
      const cue = serviceLevelCue(m.service_level, queue.target, queue.warning_level);
      return {
        id: w,
        label: w === 'interval' || w === 'today' ? capitalize(windowLabel(w)) : windowLabel(w).replace(/^last /, ''),
        slText: formatServiceLevel(m.service_level),
        slClass: serviceLevelClass(m.service_level, queue.target, queue.warning_level),
        slIcon: cue.icon,
        slCue: cue.text,
        counts: `${formatCount(m.answered_within_threshold)} of ${formatCount(
          (m.answered ?? 0) + (queue.abandon_treatment === 'ignore' ? 0 : m.abandoned ?? 0),
        )} in time`,
      };
    });
}

/**
 * Everything the queue layout shows beside its service levels: the queue tile's figures plus AHT, Erlang C and the
 * window the figures are for (the primary window).
 * @param {object} queue one entry of `snapshot.queues`
 * @param {{generatedAt: string, primaryWindow: string, serverNow: number}} ctx
 * @returns {object}
 */
export function queueDetailView(queue, ctx) {
  const base = queueView(queue, ctx);
  const m = (queue.metrics || {})[ctx.primaryWindow] || {};
  const hasErlang = [m.erlang_service_level, m.erlang_agents_required, m.erlang_expected_wait_seconds].some(
    (v) => typeof v === 'number' && Number.isFinite(v),
  );
  return {
    ...base,
    aht: formatDuration(m.aht_seconds),
    abandonedCount: formatCount(m.abandoned),
    erlang: hasErlang,
    erlangSl: formatServiceLevel(m.erlang_service_level),
    erlangSlClass: serviceLevelClass(m.erlang_service_level, queue.target, queue.warning_level),
    erlangAgents: formatCount(m.erlang_agents_required),
    erlangWait: formatDuration(m.erlang_expected_wait_seconds),
    staffed: formatCount((queue.agents || {}).staffed ?? (queue.agents || {}).logged_in),
  };
}

/**
 * One row of the queue layout's waiting list. The wait ticks from `queued_at` (else ages `wait_seconds` from
 * `generated_at`); customer identifiers are never shown on a wall.
 * @param {object} entry one entry of `snapshot.waiting`
 * @param {{generatedAt: string, serverNow: number, thresholdSeconds?: number}} ctx
 * @returns {{wait: string, waitClass: string, channel: string, detail: string, vip: boolean}}
 */
export function waitingItemView(entry, ctx) {
  let seconds = elapsedSeconds(entry.queued_at, ctx.serverNow);
  if (seconds === null && typeof entry.wait_seconds === 'number') {
    const gen = parseTime(ctx.generatedAt);
    seconds = entry.wait_seconds + (gen === null ? 0 : Math.max(0, (ctx.serverNow - gen) / 1000));
  }
  const segment = entry.segment || (entry.customer && entry.customer.segment) || '';
  const segmentText = /^vip$/i.test(segment) ? 'VIP' : /^(standard|default|)$/i.test(segment) ? '' : capitalize(segment);
  const parts = [segmentText, entry.language, entry.reason && entry.reason.replace(/_/g, ' ')];
  if (typeof entry.priority === 'number' && entry.priority > 0) parts.push(`priority ${entry.priority}`);
  return {
    wait: formatDuration(seconds),
    waitClass: waitClass(seconds, ctx.thresholdSeconds),
    channel: capitalize(entry.channel || 'contact'),
    detail: parts.filter(Boolean).join(' · '),
    vip: /^vip$/i.test(segment),
  };
}

/**
 * Count of agents per state for the agent layout's header, from the agents shown.
 * @param {Array<{state: string}>} agents
 * @returns {Array<{state: string, label: string, count: number}>} every state of AGENT_STATES, in order
 */
export function agentStateCounts(agents) {
  const counts = new Map(AGENT_STATES.map((s) => [s, 0]));
  for (const a of agents || []) if (counts.has(a.state)) counts.set(a.state, counts.get(a.state) + 1);
  return AGENT_STATES.map((state) => ({ state, label: agentStateLabel(state), count: counts.get(state) }));
}

const SEVERITY_ICONS = { critical: '✖', warning: '⚠', info: 'ℹ' };

/**
 * What the alert banner shows: the most important alert in full, and how many others there are by severity.
 * `announce` changes only when the set of alerts or their state changes (not every second), so the polite live
 * region never chatters.
 * @param {{active?: Array<object>}|null|undefined} payload the `alerts` topic payload; null when the server has none
 * @param {number} serverNow server time in ms
 * @param {number} [offsetMs] clock offset `local − server`, so start times read like the header clock
 * @returns {{hidden: boolean, severity: string, icon: string, severityLabel: string, summary: string,
 *   detail: string, others: string, announce: string, count: number}}
 */
export function alertBannerView(payload, serverNow, offsetMs = 0) {
  const alerts = visibleAlerts(payload && payload.active);
  if (!alerts.length) {
    return { hidden: true, severity: 'none', icon: '', severityLabel: '', summary: '', detail: '', others: '', announce: '', count: 0 };
  }
  const top = alerts[0];
  const severity = ALERT_SEVERITY_LABELS[top.severity] ? top.severity : 'warning';
  const summary = top.summary || alertFallbackSummary(top);
  const started = alertSince(top);
  const detail = [
    scopeText(top.scope),
    started === null ? '' : `since ${formatClock(started - offsetMs).slice(0, 5)} (${formatDuration((serverNow - started) / 1000)})`,
    top.state === 'acknowledged' ? `acknowledged${top.acknowledged_by ? ` by ${top.acknowledged_by}` : ''}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const rest = alerts.slice(1);
  let others = '';
  if (rest.length) {
    const bySeverity = new Map();
    for (const a of rest) bySeverity.set(a.severity, (bySeverity.get(a.severity) || 0) + 1);
    const parts = [...bySeverity.entries()]
      .sort((a, b) => severityRank(a[0]) - severityRank(b[0]))
      .map(([s, n]) => `${n} ${s}`);
    others = `+${rest.length} more alert${rest.length === 1 ? '' : 's'} (${parts.join(', ')})`;
  }
  const label = ALERT_SEVERITY_LABELS[severity];
  const ack = top.state === 'acknowledged' ? ' (acknowledged)' : '';
  return {
    hidden: false,
    severity,
    icon: SEVERITY_ICONS[severity],
    severityLabel: label,
    summary,
    detail,
    others,
    announce: `${label} alert${ack}: ${summary}.${others ? ` ${others}.` : ''}`,
    count: alerts.length,
  };
}

const ALERT_SEVERITY_LABELS = { critical: 'Critical', warning: 'Warning', info: 'Info' };

function scopeText(scope) {
  if (!scope) return '';
  if (typeof scope === 'string') return scope.replace(/:/, ' ');
  if (typeof scope === 'object') return Object.entries(scope).map(([k, v]) => `${k} ${v}`).join(', ');
  return String(scope);
}

function alertFallbackSummary(a) {
  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? String(Math.round(v * 100) / 100) : null);
  const value = num(a.value);
  const threshold = num(a.threshold);
  const rule = String(a.rule || 'alert').replace(/[_-]/g, ' ');
  if (value === null) return rule;
  return `${rule}: ${value}${threshold === null ? '' : ` (threshold ${threshold})`}`;
}

// --- The full KPI set (queue layout and `?layout=kpi`) ------------------------------------------------------------

/**
 * The windows a KPI table has as columns: the primary window, then `today` when the snapshot has it (and it is not
 * the primary one). Windows missing from `metrics` are left out.
 * @param {Record<string, object>|null|undefined} metrics a `metrics` object (window name → figures)
 * @param {string} primaryWindow
 * @param {string[]} [extra] further windows, default ['today']
 * @returns {Array<{id: string, label: string}>}
 */
export function kpiColumns(metrics, primaryWindow, extra = ['today']) {
  const have = metrics || {};
  return [primaryWindow, ...extra]
    .filter((w, i, all) => w && have[w] && all.indexOf(w) === i)
    .map((w) => ({ id: w, label: w === 'today' || w === 'interval' ? capitalize(windowLabel(w)) : windowLabel(w).replace(/^last /, '') }));
}

// "value (n)": a rate or average with the count it rests on; just "—" while the value is undefined.
const withCount = (value, n) => (value === '—' || !isFiniteNumber(n) ? value : `${value} (${formatCount(n)})`);

/** The KPI rows in four panels, in this order. */
export const KPI_GROUPS = [
  { id: 'volume', title: 'Volume' },
  { id: 'speed', title: 'Speed of answer' },
  { id: 'handling', title: 'Handling' },
  { id: 'quality', title: 'Quality', note: 'CSAT 1–5, CES 1–7, n surveys' },
];

/**
 * The KPI_GROUPS panels of one scope, as KpiBoard tables with ids `kpi-<group>`. With costs configured the cost rows
 * (costTableView) close the Volume panel, "Volume & cost": a fifth panel did not fit the queue layout's row of four
 * and pushed the kpi layout's abandoned list off the screen.
 */
function kpiGroupTables(scope, columns) {
  const tables = KPI_GROUPS.map((g) => ({ id: `kpi-${g.id}`, title: g.title, note: g.note || '', ...kpiTableView(scope, columns, g.id) }));
  const cost = costTableView(scope, columns);
  const volume = tables.find((t) => t.id === 'kpi-volume');
  if (cost && volume) {
    volume.title = 'Volume & cost';
    volume.note = cost.note;
    volume.rows = [...volume.rows, ...cost.rows];
  }
  return tables;
}

// --- Cost per contact (config `costs:`; docs/metrics.md, "Cost per contact") -------------------------------------

/**
 * An amount of minor units (cents) in the scope's currency, e.g. 2698 with {code: 'EUR', decimals: 2} → "€26.98";
 * "—" when undefined. Formatted with Intl.NumberFormat (en-US, like the board's counts) at exactly `decimals` digits.
 * @param {number|null|undefined} minor
 * @param {{code: string, decimals: number}|null|undefined} currency the scope's `currency` object
 * @returns {string}
 */
export function formatMoney(minor, currency) {
  if (!isFiniteNumber(minor) || !currency || !currency.code) return '—';
  const decimals = Number.isInteger(currency.decimals) ? currency.decimals : 2;
  try {
    const format = new Intl.NumberFormat('en-US', {
      style: 'currency', currency: currency.code, minimumFractionDigits: decimals, maximumFractionDigits: decimals,
    });
    return format.format(minor / 10 ** decimals);
  } catch {
    // A currency code this browser does not know: the amount and the code.
    return `${(minor / 10 ** decimals).toFixed(decimals)} ${currency.code}`;
  }
}

/** The cost rows: what the window cost, and that per handled and per offered contact. */
export const COST_ROWS = [
  { key: 'cost', label: 'Cost', field: 'cost_minor' },
  { key: 'cost_per_handled', label: 'Cost/handled', field: 'cost_per_handled_minor' },
  { key: 'cost_per_offered', label: 'Cost/offered', field: 'cost_per_offered_minor' },
];

/**
 * The cost panel (`kpi-cost`) of one scope, a column per window; null when the scope has no `currency` (no `costs:`).
 * @param {object|null|undefined} scope center or queue, with `metrics` and `currency`
 * @param {Array<{id: string, label: string}>} columns from kpiColumns
 */
export function costTableView(scope, columns) {
  const currency = scope && scope.currency;
  if (!currency) return null;
  const metrics = scope.metrics || {};
  return {
    id: 'kpi-cost',
    title: 'Cost',
    note: currency.code,
    columns,
    rows: COST_ROWS.map((row) => ({
      key: row.key,
      label: row.label,
      values: columns.map((c) => formatMoney((metrics[c.id] || {})[row.field], currency)),
      tones: columns.map(() => null),
    })),
  };
}

/**
 * The KPI rows, in the order supervisors read them. Each formats one window's metrics object; null/missing → "—".
 * `tone(m, target)` gives an optional colour class per cell.
 */
export const KPI_ROWS = [
  { key: 'offered', group: 'volume', label: 'Offered', format: (m) => formatCount(m.offered) },
  { key: 'answered', group: 'volume', label: 'Answered', format: (m) => formatCount(m.answered) },
  { key: 'abandoned', group: 'volume', label: 'Abandoned', format: (m) => formatCount(m.abandoned) },
  { key: 'short_abandoned', group: 'volume', label: 'Short abandons', format: (m) => formatCount(m.short_abandoned) },
  { key: 'transfers', group: 'volume', label: 'Transfers', format: (m) => formatCount(m.transfers) },
  {
    key: 'service_level',
    group: 'speed',
    label: 'Service level',
    format: (m) => formatServiceLevel(m.service_level),
    tone: (m, target) => serviceLevelClass(m.service_level, target),
  },
  { key: 'abandon_rate', group: 'speed', label: 'Abandon rate', format: (m) => formatPercent(m.abandon_rate) },
  { key: 'asa', group: 'speed', label: 'ASA', format: (m) => formatDuration(m.asa_seconds) },
  { key: 'max_wait', group: 'speed', label: 'Max wait', format: (m) => formatDuration(m.max_wait_seconds) },
  { key: 'aht', group: 'handling', label: 'AHT', format: (m) => formatDuration(m.aht_seconds) },
  { key: 'talk', group: 'handling', label: '  mean talk', format: (m) => formatDuration(m.talk_seconds) },
  { key: 'hold', group: 'handling', label: '  mean hold', format: (m) => formatDuration(m.hold_seconds) },
  { key: 'wrap_up', group: 'handling', label: '  mean wrap-up', format: (m) => formatDuration(m.wrap_up_seconds) },
  { key: 'occupancy', group: 'handling', label: 'Occupancy', format: (m) => formatPercent(m.occupancy) },
  { key: 'utilization', group: 'handling', label: 'Utilization', format: (m) => formatPercent(m.utilization) },
  {
    key: 'repeat',
    group: 'quality',
    label: 'Repeat (%)',
    format: (m) => (isFiniteNumber(m.repeat_contacts) && isFiniteNumber(m.repeat_rate)
      ? `${formatCount(m.repeat_contacts)} (${formatPercent(m.repeat_rate)})`
      : formatCount(m.repeat_contacts)),
  },
  { key: 'fcr', group: 'quality', label: 'FCR (n)', format: (m) => withCount(formatPercent(m.fcr_rate), m.surveys_resolved) },
  { key: 'csat', group: 'quality', label: 'CSAT (n)', format: (m) => withCount(formatScore(m.csat_average), m.surveys_csat) },
  { key: 'ces', group: 'quality', label: 'CES (n)', format: (m) => withCount(formatScore(m.ces_average), m.surveys_ces) },
];

/**
 * The KPI table of one scope (the center or a queue): a row per KPI_ROWS entry, a column per window.
 * @param {object|null|undefined} scope `snapshot.center` or one of `snapshot.queues` (its `metrics`, `target`)
 * @param {Array<{id: string, label: string}>} columns from kpiColumns
 * @param {string|null} [group] only the rows of this KPI_GROUPS id
 * @returns {{columns: Array<{id: string, label: string}>, rows: Array<{key: string, label: string,
 *   values: string[], tones: Array<string|null>}>}}
 */
export function kpiTableView(scope, columns, group = null) {
  const metrics = (scope && scope.metrics) || {};
  return {
    columns,
    rows: KPI_ROWS.filter((row) => !group || row.group === group).map((row) => ({
      key: row.key,
      label: row.label.trim(),
      sub: row.label.startsWith(' '),
      values: columns.map((c) => row.format(metrics[c.id] || {})),
      tones: columns.map((c) => (row.tone ? row.tone(metrics[c.id] || {}, scope && scope.target) : null)),
    })),
  };
}

/**
 * A mix (`channel_mix` or `reason_mix`) per window: a row per key seen in any column, "count · share" where the
 * share is of that window's mix total; most frequent in the first column first, then by name. Empty when no window has a mix.
 * @param {object|null|undefined} scope center or queue
 * @param {Array<{id: string, label: string}>} columns
 * @param {'channel_mix'|'reason_mix'} key
 * @param {number} [limit] most rows shown; the rest are counted in `more`
 */
export function mixTableView(scope, columns, key, limit = Infinity) {
  const metrics = (scope && scope.metrics) || {};
  const mixes = columns.map((c) => {
    const mix = (metrics[c.id] || {})[key];
    return mix && typeof mix === 'object' ? mix : {};
  });
  const totals = mixes.map((mix) => Object.values(mix).reduce((a, n) => a + (isFiniteNumber(n) ? n : 0), 0));
  const names = [...new Set(mixes.flatMap((mix) => Object.keys(mix)))];
  const count = (i, name) => (isFiniteNumber(mixes[i][name]) ? mixes[i][name] : 0);
  names.sort((a, b) => count(0, b) - count(0, a) || (a < b ? -1 : a > b ? 1 : 0));
  const hidden = Math.max(0, names.length - limit);
  return {
    columns,
    more: hidden ? `+${hidden} more` : '',
    moreWord: 'more',
    total: names.length,
    rows: names.slice(0, names.length - hidden).map((name) => ({
      key: name,
      label: humanize(name),
      values: mixes.map((mix, i) =>
        isFiniteNumber(mix[name]) ? `${formatCount(mix[name])} · ${formatPercent(totals[i] ? mix[name] / totals[i] : null)}` : '—',
      ),
      tones: mixes.map(() => null),
    })),
  };
}

/** Columns of a breakdown table (queues, segments, languages), all for the primary window except "waiting". */
export const GROUP_COLUMNS = [
  { id: 'waiting', label: 'Waiting' },
  { id: 'offered', label: 'Offered' },
  { id: 'sl', label: 'SL' },
  { id: 'abandon_rate', label: 'Aband.' },
  { id: 'asa', label: 'ASA' },
  { id: 'aht', label: 'AHT' },
  { id: 'csat', label: 'CSAT' },
];

/**
 * A breakdown table: one row per group (`snapshot.queues`, `segments`, `languages`, ...), the GROUP_COLUMNS figures
 * for the primary window. Segment ids read "VIP" for vip; other ids are humanized unless the group has a name.
 * @param {Array<object>|null|undefined} groups
 * @param {string} primaryWindow
 * @returns {{columns: Array<{id: string, label: string}>, rows: Array<object>}|null} null when the snapshot has no
 *   such array (an older server), so the panel can be left out
 */
export function groupTableView(groups, primaryWindow) {
  if (!Array.isArray(groups)) return null;
  return {
    columns: GROUP_COLUMNS,
    rows: groups.map((g) => {
      const m = (g.metrics || {})[primaryWindow] || {};
      return {
        key: g.id,
        label: g.name || segmentLabel(g.id),
        values: [
          formatCount(g.waiting_now),
          formatCount(m.offered),
          formatServiceLevel(m.service_level),
          formatPercent(m.abandon_rate),
          formatDuration(m.asa_seconds),
          formatDuration(m.aht_seconds),
          formatScore(m.csat_average),
        ],
        tones: [null, null, serviceLevelClass(m.service_level, g.target), null, null, null, null],
      };
    }),
  };
}

/** Columns of the Erlang C table (queues only: the server computes it per queue). */
export const ERLANG_COLUMNS = [
  { id: 'erlang_sl', label: 'Pred. SL' },
  { id: 'erlang_agents', label: 'Need' },
  { id: 'staffed', label: 'Staff' },
  { id: 'erlang_wait', label: 'Exp. wait' },
];

/**
 * Erlang C per queue for the primary window: predicted service level (coloured against the queue's target), agents
 * required for the target, agents staffed now, expected wait of a new contact. "—" where the server sends null.
 * @param {Array<object>|null|undefined} queues
 * @param {string} primaryWindow
 */
export function erlangTableView(queues, primaryWindow) {
  return {
    columns: ERLANG_COLUMNS,
    rows: (queues || []).map((q) => {
      const m = (q.metrics || {})[primaryWindow] || {};
      const agents = q.agents || {};
      return {
        key: q.id,
        label: q.name || q.id,
        values: [
          formatServiceLevel(m.erlang_service_level),
          formatCount(m.erlang_agents_required),
          formatCount(agents.staffed ?? agents.logged_in),
          formatDuration(m.erlang_expected_wait_seconds),
        ],
        tones: [serviceLevelClass(m.erlang_service_level, q.target, q.warning_level), null, null, null],
      };
    }),
  };
}

/** Columns of today's abandoned list (for call-backs). */
export const ABANDONED_COLUMNS = [
  { id: 'time', label: 'Time' },
  { id: 'queue', label: 'Queue' },
  { id: 'channel', label: 'Channel' },
  { id: 'segment', label: 'Segment' },
  { id: 'waited', label: 'Waited' },
  { id: 'customer', label: 'Customer' },
  { id: 'called_back', label: 'Called' },
];

/**
 * Today's abandoned contacts, newest first, for call-backs: time (display clock), queue, channel, segment, how
 * long they waited and the customer id — "—" when the server masks it (viewer tokens) or has none.
 * The server lists only the newest of each queue's abandons; `counts` (`snapshot.abandoned_today_counts`) says
 * how many there were, so "+N earlier" counts the whole day.
 * @param {Array<object>|null|undefined} list `snapshot.abandoned_today`
 * @param {{queueId?: string|null, queueNames?: Map<string, string>, limit?: number,
 *   counts?: Object<string, number>|null}} [opts]
 * @returns {{columns: Array<object>, rows: Array<object>, total: number, more: string}|null} null when the snapshot
 *   has no list
 */
export function abandonedTableView(list, opts = {}) {
  if (!Array.isArray(list)) return null;
  const names = opts.queueNames || new Map();
  const at = (e) => parseTime(e.at) ?? -Infinity;
  const mine = list.filter((e) => e && (!opts.queueId || e.queue === opts.queueId)).sort((a, b) => at(b) - at(a));
  const limit = Number.isFinite(opts.limit) ? opts.limit : mine.length;
  const rows = mine.slice(0, limit).map((e, i) => {
    const time = parseTime(e.at);
    return {
      key: e.contact || `#${i}`,
      label: '',
      values: [
        time === null ? '—' : formatClock(time),
        names.get(e.queue) || e.queue || '—',
        e.channel ? capitalize(e.channel) : '—',
        e.segment ? segmentLabel(e.segment) : '—',
        formatDuration(e.wait_seconds),
        typeof e.customer === 'string' && e.customer ? e.customer : '—',
        calledBackLabel(e),
      ],
      tones: [null, null, null, /^vip$/i.test(e.segment || '') ? 'vip' : null, null, null, null],
    };
  });
  const counts = opts.counts && typeof opts.counts === 'object' ? opts.counts : null;
  const counted = counts
    ? (opts.queueId ? [counts[opts.queueId]] : Object.values(counts)).reduce((sum, n) => sum + (Number.isFinite(n) ? n : 0), 0)
    : 0;
  const total = Math.max(mine.length, counted);
  const hidden = total - rows.length;
  return {
    columns: ABANDONED_COLUMNS,
    rows,
    total,
    more: hidden > 0 ? `+${hidden} earlier` : '',
    moreWord: 'earlier',
  };
}

function languageLabel(id) {
  return /^[a-z]{2,3}(-[a-z]{2})?$/i.test(id || '') ? String(id).toUpperCase() : humanize(id);
}

function segmentLabel(id) {
  if (/^vip$/i.test(id || '')) return 'VIP';
  return humanize(id);
}

function humanize(id) {
  return capitalize(String(id ?? '').replace(/_/g, ' '));
}

function isFiniteNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * The tables of the `?layout=kpi` management page: the center's KPIs (primary window and today), the queues side by
 * side, segments (VIP) and languages when the snapshot has them, channel and contact-reason mixes, and today's
 * abandoned contacts (newest `abandonedLimit`).
 * @param {object} snap a snapshot
 * @param {{abandonedLimit?: number}} [opts]
 * @returns {Array<object>} tables for the KpiBoard component
 */
export function centerKpiTables(snap, opts = {}) {
  const center = snap.center || {};
  const pw = snap.primary_window;
  const columns = kpiColumns(center.metrics, pw);
  const windowNote = windowLabel(pw);
  const queueNames = new Map((snap.queues || []).map((q) => [q.id, q.name || q.id]));
  const queues = groupTableView(snap.queues || [], pw);
  const erlang = erlangTableView(snap.queues, pw);
  const tables = [
    ...kpiGroupTables(center, columns),
    {
      id: 'queues',
      title: 'Queues',
      note: `${windowNote} · Erlang C prediction`,
      columns: [...queues.columns, ...erlang.columns],
      rows: queues.rows.map((r, i) => ({
        ...r,
        values: [...r.values, ...erlang.rows[i].values],
        tones: [...r.tones, ...erlang.rows[i].tones],
      })),
    },
  ];
  const breakdown = [
    ['segment', groupTableView(snap.segments, pw)],
    ['language', groupTableView(snap.languages, pw)],
  ].filter(([, t]) => t);
  if (breakdown.length) {
    tables.push({
      id: 'breakdown',
      title: breakdown.length === 2 ? 'Segments & languages' : breakdown[0][0] === 'segment' ? 'Segments' : 'Languages',
      note: windowNote,
      columns: GROUP_COLUMNS,
      rows: breakdown.flatMap(([kind, t]) =>
        t.rows.map((r) => ({ ...r, key: `${kind}:${r.key}`, label: kind === 'language' ? languageLabel(r.key) : r.label })),
      ),
    });
  }
  tables.push({ id: 'channels', title: 'Channel mix', note: '', ...mixTableView(center, columns, 'channel_mix', 6) });
  tables.push({ id: 'reasons', title: 'Contact reasons', note: '', ...mixTableView(center, columns, 'reason_mix', 6) });
  // CallbackTables.js: only with callbacks or self-service to show.
  for (const table of [callbackTableView(center, columns), containmentTableView(center, columns)]) {
    if (table) tables.push(table);
  }
  const abandoned = abandonedTableView(snap.abandoned_today, {
    queueNames, limit: opts.abandonedLimit ?? 4, counts: snap.abandoned_today_counts,
  });
  if (abandoned) {
    tables.push({ id: 'abandoned', title: 'Abandoned today', note: `${formatCount(abandoned.total)} · call back`, ...abandoned });
  }
  return tables;
}

/**
 * The tables of the queue layout below its service levels: the queue's KPIs (primary window and today), its
 * channel and contact-reason mixes, and its abandoned contacts today.
 * @param {object} snap
 * @param {object} queue one entry of `snapshot.queues`
 * @param {{abandonedLimit?: number}} [opts]
 */
export function queueKpiTables(snap, queue, opts = {}) {
  const columns = kpiColumns(queue.metrics, snap.primary_window);
  const tables = [
    ...kpiGroupTables(queue, columns),
    { id: 'channels', title: 'Channel mix', note: '', ...mixTableView(queue, columns, 'channel_mix') },
    { id: 'reasons', title: 'Contact reasons', note: '', ...mixTableView(queue, columns, 'reason_mix') },
  ];
  const callbacks = callbackTableView(queue, columns);  // CallbackTables.js
  if (callbacks) tables.push(callbacks);
  const abandoned = abandonedTableView(snap.abandoned_today, {
    queueId: queue.id, limit: opts.abandonedLimit ?? 4, counts: snap.abandoned_today_counts,
  });
  if (abandoned) {
    abandoned.columns = abandoned.columns.filter((c) => c.id !== 'queue');
    for (const row of abandoned.rows) {
      row.values.splice(1, 1);
      row.tones.splice(1, 1);
    }
    tables.push({ id: 'abandoned', title: 'Abandoned today', note: `${formatCount(abandoned.total)} · call back`, ...abandoned });
  }
  return tables;
}
