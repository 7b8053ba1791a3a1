/**
 * Pure wallboard logic: no DOM, no timers, no `Date.now()`. Every function that depends on time takes
 * `now` (milliseconds since the epoch) explicitly, so `node --test` can check it against hand-computed values.
 *
 * The view builders that combine these per component live in WallboardView.js.
 *
 * Clock model: the board never trusts its own clock for waits. It keeps an offset `local − server`
 * (see `clockOffsetMs`) and turns its local time into "server now" before ticking waits and times in state.
 */

/** Agent states in the order the agent board groups them (most actionable for a supervisor first). */
export const AGENT_STATES = ['available', 'ringing', 'on_contact', 'wrap_up', 'not_ready'];

const AGENT_STATE_LABELS = {
  available: 'Available',
  ringing: 'Ringing',
  on_contact: 'On contact',
  wrap_up: 'Wrap-up',
  not_ready: 'Not ready',
};

/**
 * Seconds after which an agent in this state is flagged as "long" on the board (a supervisor cue only), used when
 * the snapshot carries no `agent_state_limits`. Keys are a state, or `not_ready:<reason>` for one reason.
 */
export const LONG_STATE_SECONDS = {
  ringing: 20,
  wrap_up: 120,
  on_contact: 900,
  not_ready: 600,
  'not_ready:lunch': 3600,
  'not_ready:training': 3600,
  'not_ready:meeting': 3600,
};

/** Layouts chosen with `?layout=`. */
export const LAYOUTS = ['tv', 'queue', 'agents', 'kpi', 'table', 'groups'];

/** Alert severities, most severe first (the server's `info | warning | critical`). */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'];

/** How many heartbeats may be missed before the link counts as stale (protocol.md). */
export const STALE_AFTER_HEARTBEATS = 3;

/** How many heartbeats of silence make the board drop the socket and reconnect (half-open TCP). */
export const DEAD_AFTER_HEARTBEATS = 6;

/** Heartbeat period assumed until the server's `hello` says otherwise. */
export const DEFAULT_HEARTBEAT_SECONDS = 5;

const EM_DASH = '—';

/**
 * Colour class of a service level against its target.
 * Compared in basis points so that float noise (0.8 − 0.1 = 0.7000000000000001) never changes a colour.
 * @param {number|null|undefined} value service level, fraction 0..1
 * @param {number|null|undefined} target target, fraction 0..1
 * @param {number|null|undefined} [warning] the server's warning level for the queue (`warning_level`):
 *   amber from it up to the target; when absent, 10 points below the target
 * @returns {'green'|'amber'|'red'|'none'} green at/above target, amber down to the warning level, red below,
 *   none when either is unknown
 */
export function serviceLevelClass(value, target, warning) {
  if (!isNumber(value) || !isNumber(target)) return 'none';
  const v = Math.round(value * 10000);
  const t = Math.round(target * 10000);
  const w = isNumber(warning) ? Math.round(warning * 10000) : t - 1000;
  if (v >= t) return 'green';
  if (v >= w) return 'amber';
  return 'red';
}

/**
 * Non-colour cue for a service level, so colour is never the only signal.
 * @param {number|null|undefined} value
 * @param {number|null|undefined} target
 * @returns {{icon: string, text: string}}
 */
export function serviceLevelCue(value, target, warning) {
  const cls = serviceLevelClass(value, target, warning);
  if (cls === 'green') return { icon: '▲', text: 'on target' };
  if (cls === 'amber') return { icon: '▼', text: 'below target' };
  if (cls === 'red') return { icon: '▼▼', text: 'below target' };
  if (!isNumber(value)) return { icon: '', text: 'no contacts in window' };
  return { icon: '', text: '' };
}

/**
 * A rate as a whole percent, rounded ("5%"), or "—" when undefined.
 * @param {number|null|undefined} fraction 0..1
 * @returns {string}
 */
export function formatPercent(fraction) {
  if (!isNumber(fraction)) return EM_DASH;
  return `${Math.round(fraction * 100)}%`;
}

/**
 * A service level as a whole percent, truncated (0.7999 → "79%") so a board never shows the target
 * number while the colour says "below target". "—" when undefined.
 * @param {number|null|undefined} fraction 0..1
 * @returns {string}
 */
export function formatServiceLevel(fraction) {
  if (!isNumber(fraction)) return EM_DASH;
  return `${Math.floor(fraction * 100 + 1e-9)}%`;
}

/**
 * A duration as mm:ss, h:mm:ss from one hour ("13:25:10"), "N d hh:mm" from one day ("1 d 02:03": seconds
 * dropped, they no longer matter and the text must fit the same box); whole seconds truncated; negatives clamp
 * to 0; "—" when undefined.
 * @param {number|null|undefined} seconds
 * @returns {string}
 */
export function formatDuration(seconds) {
  if (!isNumber(seconds)) return EM_DASH;
  const total = Math.max(0, Math.floor(seconds));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d} d ${pad2(h)}:${pad2(m)}`;
  const mmss = `${pad2(m)}:${pad2(s)}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/**
 * How long a figure's text is, as a size step for `[data-fit]` boxes (dom.js `bindView` writes it to `data-len`, and
 * the CSS scales the figure's font by it): "m" up to 5 characters ("04:34", "100%"), "l" up to 8 ("13:25:10"),
 * "xl" beyond ("1 d 02:03", "12 d 23:59"). So a long duration shrinks instead of running out of its box.
 * @param {unknown} text
 * @returns {'m'|'l'|'xl'}
 */
export function textLengthStep(text) {
  const n = String(text ?? '').length;
  if (n <= 5) return 'm';
  return n <= 8 ? 'l' : 'xl';
}

/**
 * A survey score average with one decimal ("4.3"), or "—" when undefined (no surveys in the window).
 * @param {number|null|undefined} average
 * @returns {string}
 */
export function formatScore(average) {
  if (!isNumber(average)) return EM_DASH;
  return (Math.round(average * 10) / 10).toFixed(1);
}

/**
 * A count with thousands separators ("1,234"), or "—" when undefined.
 * @param {number|null|undefined} n
 * @returns {string}
 */
export function formatCount(n) {
  if (!isNumber(n)) return EM_DASH;
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Wall-clock time HH:MM:SS in the display's local time zone.
 * @param {number|null|undefined} ms milliseconds since the epoch
 * @returns {string}
 */
export function formatClock(ms) {
  if (!isNumber(ms)) return EM_DASH;
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/**
 * The partial-day notice ("Today since 14:03 — restarted without history"), or null while today's figures cover
 * the whole day. Reads the center's `today_since`, `today_partial_reason` and `today_down_since` (docs/snapshot.md);
 * times in the board's local time, like its clock.
 * @param {{today_since?: string, today_partial_reason?: string, today_down_since?: string}|null|undefined} center
 * @returns {string|null}
 */
export function partialDayNotice(center) {
  if (!center || typeof center.today_since !== 'string') return null;
  const since = Date.parse(center.today_since);
  if (!Number.isFinite(since)) return null;
  const hhmm = (ms) => {
    const d = new Date(ms);
    return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  };
  const down = Date.parse(center.today_down_since);
  const why = {
    no_state_dir: 'restarted without history',
    no_history: 'started without history',
    daemon_down: Number.isFinite(down) ? `wallboardd was down from ${hhmm(down)}` : 'wallboardd was down',
  }[center.today_partial_reason] || 'earlier figures are missing';
  return `Today since ${hhmm(since)} — ${why}`;
}

/**
 * Human label for a metrics window name from the snapshot ("15m" → "last 15 min").
 * @param {string|null|undefined} name
 * @returns {string}
 */
export function windowLabel(name) {
  if (!name) return '';
  if (name === 'interval') return 'this interval';
  if (name === 'today') return 'today';
  const m = /^(\d+)([smhd])$/.exec(name);
  if (!m) return name;
  const unit = { s: 's', m: 'min', h: 'h', d: 'd' }[m[2]];
  return `last ${m[1]} ${unit}`;
}

/**
 * Parses an RFC 3339 time to epoch milliseconds; null when absent or invalid.
 * @param {string|null|undefined} iso
 * @returns {number|null}
 */
export function parseTime(iso) {
  if (typeof iso !== 'string') return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Adds one clock sample (`local − server` in ms, from a payload's server time and its local receive time)
 * to a bounded list, newest last.
 * @param {number[]} samples
 * @param {number|null} serverMs server time carried by the message
 * @param {number} receivedAt local receive time
 * @param {number} [max] how many samples to keep
 * @returns {number[]} a new array
 */
export function addClockSample(samples, serverMs, receivedAt, max = 12) {
  if (!isNumber(serverMs) || !isNumber(receivedAt)) return samples;
  const next = samples.concat(receivedAt - serverMs);
  return next.length > max ? next.slice(next.length - max) : next;
}

/**
 * Best estimate of `local − server` in ms: the smallest recent sample. Every sample is the true offset plus
 * transit time plus the payload's age (a snapshot sent at subscribe may be older), all ≥ 0, so the minimum
 * is the closest. 0 when there is no sample.
 * @param {number[]} samples
 * @returns {number}
 */
export function clockOffsetMs(samples) {
  return samples.length ? Math.min(...samples) : 0;
}

/**
 * The local time at which the board evaluates ticking values. While the link is live that is `now`; otherwise
 * ticking freezes at the last message so frozen data does not pretend to move.
 * @param {number} now local time
 * @param {{state: string, lastMessageAt?: number|null}|null} connection
 * @returns {number}
 */
export function boardNow(now, connection) {
  if (!connection || connection.state === 'live') return now;
  return isNumber(connection.lastMessageAt) ? Math.min(now, connection.lastMessageAt) : now;
}

/**
 * Seconds elapsed from a server timestamp to server-now, clamped at 0; null when the timestamp is absent.
 * @param {string|null|undefined} iso server timestamp
 * @param {number} serverNow server time in ms
 * @returns {number|null}
 */
export function elapsedSeconds(iso, serverNow) {
  const t = parseTime(iso);
  if (t === null) return null;
  return Math.max(0, (serverNow - t) / 1000);
}

/**
 * Current longest wait of a queue (or the center), ticking locally between messages.
 * Uses `oldest_queued_at` when present, else ages `longest_wait_seconds` from `generated_at`.
 * Nobody waiting → the server's value as is (0 or null), never ticking.
 * @param {{waiting_now?: number, longest_wait_seconds?: number|null, oldest_queued_at?: string|null}} q
 * @param {string} generatedAt the snapshot's `generated_at`
 * @param {number} serverNow server time in ms (local now − clock offset)
 * @returns {number|null}
 */
export function longestWaitSeconds(q, generatedAt, serverNow) {
  if (!q) return null;
  const base = isNumber(q.longest_wait_seconds) ? q.longest_wait_seconds : null;
  // Topics send no clock-derived seconds: nobody waiting is a wait of 0.
  if (!(q.waiting_now > 0)) return q.longest_wait_seconds === undefined && isNumber(q.waiting_now) ? 0 : base;
  const fromOldest = elapsedSeconds(q.oldest_queued_at, serverNow);
  if (fromOldest !== null) return fromOldest;
  const gen = parseTime(generatedAt);
  if (base === null || gen === null) return base;
  return base + Math.max(0, (serverNow - gen) / 1000);
}

/**
 * Severity of a current wait against the queue's service-level threshold.
 * @param {number|null} seconds
 * @param {number|null|undefined} thresholdSeconds
 * @returns {'none'|'ok'|'amber'|'red'} amber from two thirds of the threshold, red at/over it
 */
export function waitClass(seconds, thresholdSeconds) {
  if (!isNumber(seconds) || seconds <= 0) return 'none';
  if (!isNumber(thresholdSeconds) || thresholdSeconds <= 0) return 'ok';
  if (seconds >= thresholdSeconds) return 'red';
  if (seconds * 3 >= thresholdSeconds * 2) return 'amber';
  return 'ok';
}

/**
 * Health of the WebSocket link from the time of the last message of any kind.
 * @param {number|null} lastMessageAt local ms of the last message, null if none yet
 * @param {number|null|undefined} heartbeatSeconds from `hello`; default 5
 * @param {number} now local ms
 * @returns {'live'|'stale'|'dead'} stale after 3 silent heartbeats, dead (drop and reconnect) after 6
 */
export function linkHealth(lastMessageAt, heartbeatSeconds, now) {
  if (!isNumber(lastMessageAt)) return 'live';
  const hb = isNumber(heartbeatSeconds) && heartbeatSeconds > 0 ? heartbeatSeconds : DEFAULT_HEARTBEAT_SECONDS;
  const silentMs = now - lastMessageAt;
  if (silentMs > DEAD_AFTER_HEARTBEATS * hb * 1000) return 'dead';
  if (silentMs > STALE_AFTER_HEARTBEATS * hb * 1000) return 'stale';
  return 'live';
}

/**
 * Delay before reconnect attempt `attempt` (0-based): 1 s doubling, capped at 30 s, then scaled by a jitter
 * factor in [0.5, 1) so thousands of screens do not reconnect in lockstep after a server restart.
 * @param {number} attempt
 * @param {number} random a value in [0, 1), e.g. Math.random()
 * @returns {number} milliseconds
 */
export function reconnectDelayMs(attempt, random) {
  const capped = Math.min(30000, 1000 * 2 ** Math.max(0, Math.min(attempt, 15)));
  return Math.round(capped * (0.5 + 0.5 * random));
}

/** `?sort=` values: config order (default), worst service level first, most waiting, longest wait, name. */
export const QUEUE_SORTS = ['config', 'service_level', 'waiting', 'longest_wait', 'name'];

/** `?agent_sort=` values: by state then longest in state (default), longest in state whatever the state, name. */
export const AGENT_SORTS = ['state', 'longest', 'name'];

/** Rotation period when the queues need more than one page and `?rotate=` is not given. */
export const DEFAULT_ROTATE_SECONDS = 15;

/** Shortest and longest rotation period `?rotate=` accepts. */
export const ROTATE_LIMITS = { min: 2, max: 3600 };

/**
 * A period from the address: "15s", "2m", "90" (seconds), clamped to ROTATE_LIMITS; null when absent or not a period.
 * @param {string|null|undefined} text
 * @returns {number|null} seconds
 */
export function parsePeriod(text) {
  const m = /^\s*(\d{1,6})\s*(s|sec|m|min)?\s*$/i.exec(text || '');
  if (!m) return null;
  const seconds = Number(m[1]) * (/^m/i.test(m[2] || '') ? 60 : 1);
  return Math.min(ROTATE_LIMITS.max, Math.max(ROTATE_LIMITS.min, seconds));
}

/**
 * A comma-separated list from the address, trimmed, without empties and duplicates; null when empty.
 * @param {string|null} text
 * @returns {string[]|null}
 */
export function parseList(text) {
  const items = (text || '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? [...new Set(items)] : null;
}

/**
 * Board options from the page's query string (docs/board.md): `?queues=sales,support` (filter and order),
 * `?theme=dark|light`, `?layout=tv|queue|agents|kpi|table|groups` (unknown → tv), `?queue=sales` (the queue of the
 * queue layout; default: the first of `?queues=`, else the first queue of the snapshot), and for a big floor
 * `?group=north` (a queue group of the config), `?sort=` (QUEUE_SORTS), `?only=active`, `?rotate=15s`,
 * `?team=a,b`, `?state=not_ready,wrap_up`, `?agent_sort=state|longest|name` and `?agent_group=team`.
 * Unknown values fall back to the defaults.
 * @param {string} search e.g. location.search
 * @returns {{queues: string[]|null, theme: 'dark'|'light', layout: string, queue: string|null, group: string|null,
 *   sort: string, only: 'active'|null, rotate: number|null, teams: string[]|null, states: string[]|null,
 *   agentSort: string, agentGroup: 'team'|null}}
 */
export function parseBoardOptions(search) {
  const params = new URLSearchParams(search || '');
  const ids = parseList(params.get('queues'));
  const layout = (params.get('layout') || '').trim().toLowerCase();
  const queue = (params.get('queue') || '').trim();
  const sort = (params.get('sort') || '').trim().toLowerCase();
  const agentSort = (params.get('agent_sort') || '').trim().toLowerCase();
  const states = parseList((params.get('state') || '').toLowerCase());
  return {
    queues: ids,
    theme: params.get('theme') === 'light' ? 'light' : 'dark',
    layout: LAYOUTS.includes(layout) ? layout : 'tv',
    queue: queue || (ids ? ids[0] : null),
    group: (params.get('group') || '').trim() || null,
    sort: QUEUE_SORTS.includes(sort) ? sort : 'config',
    only: (params.get('only') || '').trim().toLowerCase() === 'active' ? 'active' : null,
    rotate: parsePeriod(params.get('rotate')),
    teams: parseList(params.get('team')),
    states: states ? states.filter((st) => AGENT_STATES.includes(st)) : null,
    agentSort: AGENT_SORTS.includes(agentSort) ? agentSort : 'state',
    agentGroup: (params.get('agent_group') || '').trim().toLowerCase() === 'team' ? 'team' : null,
  };
}

/**
 * Seconds after which an agent in `state` (with `reason`) counts as stuck: the snapshot's `agent_state_limits`
 * (same keys as LONG_STATE_SECONDS) win over the defaults, a reason-specific key over the state's.
 * @param {string} state
 * @param {string|null|undefined} reason
 * @param {Record<string, number>|null|undefined} limits from the snapshot, if it has them
 * @returns {number|null} null when the state has no limit
 */
export function longStateLimit(state, reason, limits) {
  const keys = reason ? [`${state}:${reason}`, state] : [state];
  for (const table of [limits, LONG_STATE_SECONDS]) {
    if (!table || typeof table !== 'object') continue;
    for (const key of keys) if (isNumber(table[key]) && table[key] > 0) return table[key];
  }
  return null;
}

/**
 * Rank of an alert severity: 0 for the most severe; unknown severities after every known one.
 * @param {string} severity
 * @returns {number}
 */
export function severityRank(severity) {
  const i = ALERT_SEVERITIES.indexOf(severity);
  return i < 0 ? ALERT_SEVERITIES.length : i;
}

/**
 * The alerts a wallboard shows, most important first: firing and acknowledged ones (pending ones have not met their
 * `for:` duration yet and stay off the wall), by severity, then firing before acknowledged, then oldest first.
 * Returns a new array.
 * @param {Array<{severity: string, state: string, started_at?: string}>|null|undefined} active
 * @returns {Array<object>}
 */
export function visibleAlerts(active) {
  const stateRank = (s) => (s === 'firing' ? 0 : 1);
  return (Array.isArray(active) ? active : [])
    .filter((a) => a && (a.state === 'firing' || a.state === 'acknowledged'))
    .sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        stateRank(a.state) - stateRank(b.state) ||
        (alertSince(a) ?? Infinity) - (alertSince(b) ?? Infinity) ||
        String(a.id).localeCompare(String(b.id)),
    );
}

/**
 * When an alert started, as epoch ms: the server's `fired_at` (docs/alerts.md), else `started_at`, else `active_at`.
 * @param {{fired_at?: string, started_at?: string, active_at?: string}} a
 * @returns {number|null}
 */
export function alertSince(a) {
  return parseTime(a && (a.fired_at || a.started_at || a.active_at));
}

/**
 * Contacts waiting in one queue, longest first, from the snapshot's `waiting` list.
 * @param {Array<{queue: string, queued_at?: string, wait_seconds?: number}>|null|undefined} waiting
 * @param {string} queueId
 * @returns {Array<object>}
 */
export function waitingInQueue(waiting, queueId) {
  const at = (w) => parseTime(w.queued_at) ?? Infinity;
  return (Array.isArray(waiting) ? waiting : [])
    .filter((w) => w && w.queue === queueId)
    .sort((a, b) => at(a) - at(b) || (b.wait_seconds ?? 0) - (a.wait_seconds ?? 0));
}

/**
 * The queues to show, in the order asked for (or as configured), and the asked ids that do not exist.
 * @param {Array<{id: string}>} queues
 * @param {string[]|null} ids
 * @returns {{queues: Array<object>, missing: string[]}}
 */
export function selectQueues(queues, ids) {
  const list = queues || [];
  if (!ids) return { queues: list, missing: [] };
  const byId = new Map(list.map((q) => [q.id, q]));
  return {
    queues: ids.filter((id) => byId.has(id)).map((id) => byId.get(id)),
    missing: ids.filter((id) => !byId.has(id)),
  };
}

/**
 * Agents serving at least one of the given queues (all agents when ids is null).
 * @param {Array<{queues?: string[]}>} agents
 * @param {string[]|null} ids
 * @returns {Array<object>}
 */
export function filterAgents(agents, ids) {
  const list = agents || [];
  if (!ids) return list;
  const wanted = new Set(ids);
  return list.filter((a) => (a.queues || []).some((q) => wanted.has(q)));
}

/**
 * Agents sorted by state (AGENT_STATES order, unknown states last), then longest time in state first,
 * then by name. Returns a new array.
 * @param {Array<{id: string, name?: string, state: string, state_since?: string}>} agents
 * @returns {Array<object>}
 */
export function sortAgents(agents) {
  const rank = (s) => {
    const i = AGENT_STATES.indexOf(s);
    return i < 0 ? AGENT_STATES.length : i;
  };
  const since = (a) => parseTime(a.state_since) ?? Infinity;
  return [...(agents || [])].sort(
    (a, b) =>
      rank(a.state) - rank(b.state) ||
      since(a) - since(b) ||
      String(a.name ?? a.id).localeCompare(String(b.name ?? b.id)),
  );
}

/**
 * Display label of an agent state ("on_contact" → "On contact").
 * @param {string} state
 * @returns {string}
 */
export function agentStateLabel(state) {
  return AGENT_STATE_LABELS[state] || String(state || 'Unknown').replace(/_/g, ' ');
}

function pad2(n) {
  return String(n).padStart(2, '0');
}

function isNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}
