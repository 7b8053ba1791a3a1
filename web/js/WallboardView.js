import {
  AGENT_STATES,
  LONG_STATE_SECONDS,
  agentStateLabel,
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
 * @param {{serverNow: number, queueNames: Map<string, string>}} ctx
 * @returns {object}
 */
export function agentView(agent, ctx) {
  const seconds = elapsedSeconds(agent.state_since, ctx.serverNow);
  const limit = LONG_STATE_SECONDS[agent.state];
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
