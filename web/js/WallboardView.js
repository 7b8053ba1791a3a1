import {
  AGENT_STATES,
  agentStateLabel,
  longStateLimit,
  parseTime,
  severityRank,
  visibleAlerts,
  elapsedSeconds,
  formatClock,
  formatCount,
  formatDuration,
  formatPercent,
  formatServiceLevel,
  longestWaitSeconds,
  serviceLevelClass,
  serviceLevelCue,
  waitClass,
  windowLabel,
} from './WallboardLogic.js';

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
  const cue = serviceLevelCue(m.service_level, queue.target);
  return {
    name: queue.name || queue.id,
    slText: formatServiceLevel(m.service_level),
    slClass: serviceLevelClass(m.service_level, queue.target),
    slIcon: cue.icon,
    slCue: cue.text,
    targetText: `target ${formatPercent(queue.target)} in ${formatThreshold(queue.threshold_seconds)}`,
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
      const cue = serviceLevelCue(m.service_level, queue.target);
      return {
        id: w,
        label: w === 'interval' || w === 'today' ? capitalize(windowLabel(w)) : windowLabel(w).replace(/^last /, ''),
        slText: formatServiceLevel(m.service_level),
        slClass: serviceLevelClass(m.service_level, queue.target),
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
    erlangSlClass: serviceLevelClass(m.erlang_service_level, queue.target),
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
  const started = parseTime(top.started_at);
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
