/**
 * Pure helpers of the supervisor console (docs/console.md): search, durations, sorting, CSV. No DOM, no
 * clock of their own (`now` is passed in), so web/test can run them under node.
 */

/**
 * Milliseconds since an RFC 3339 instant, never negative; `null` for no instant.
 * @param {string|null|undefined} iso
 * @param {number} now epoch ms (server time)
 * @returns {number|null}
 */
export function sinceMs(iso, now) {
  if (!iso) return null;
  const at = Date.parse(iso);
  return Number.isFinite(at) ? Math.max(0, now - at) : null;
}

/**
 * `h:mm:ss` / `m:ss` for milliseconds; `''` for `null`.
 * @param {number|null} ms
 * @returns {string}
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/**
 * The clock-derived figures of one `interactions` topic entry at `now`: wait (queued until answered),
 * handle (answered until ended or now), hold (finished hold plus the running one), all in ms.
 * @param {object} entry an entry of the `interactions` topic
 * @param {number} now epoch ms (server time)
 * @returns {{waitMs: number|null, handleMs: number|null, holdMs: number}}
 */
export function interactionTimes(entry, now) {
  const queued = Date.parse(entry.queued_at);
  const answered = entry.answered_at ? Date.parse(entry.answered_at) : null;
  const ended = entry.ended_at ? Date.parse(entry.ended_at) : null;
  const waitMs = Number.isFinite(queued) ? Math.max(0, (answered ?? now) - queued) : null;
  const handleMs = answered === null ? null : Math.max(0, (ended ?? now) - answered);
  const holdMs = (entry.hold_ms || 0) + (sinceMs(entry.held_since, now) || 0);
  return { waitMs, handleMs, holdMs };
}

/**
 * The interactions matching a search text: every word must appear in the agent, queue, customer number or
 * channel (case-insensitive; the customer number also without spaces, dashes and dots).
 * @param {object[]} list entries of the `interactions` topic
 * @param {string} text what the supervisor typed
 * @returns {object[]}
 */
export function searchInteractions(list, text) {
  const words = String(text || '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return list;
  return list.filter((entry) => {
    const customer = String(entry.customer || '').toLowerCase();
    const haystack = [entry.agent, entry.queue, customer, customer.replace(/[\s.\-()]/g, ''), entry.channel, entry.contact]
      .map((v) => String(v || '').toLowerCase());
    return words.every((word) => haystack.some((field) => field.includes(word.replace(/[\s.\-()]/g, '') || word)));
  });
}

/**
 * Rows sorted by `key` (numbers numerically, `null` last, text by locale), stable; `descending` flips.
 * @param {object[]} rows
 * @param {string} key
 * @param {boolean} descending
 * @returns {object[]}
 */
export function sortRows(rows, key, descending) {
  const dir = descending ? -1 : 1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const x = a.row[key];
      const y = b.row[key];
      const xNull = x === null || x === undefined;
      const yNull = y === null || y === undefined;
      if (xNull || yNull) return xNull === yNull ? a.index - b.index : xNull ? 1 : -1;
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return order === 0 ? a.index - b.index : order * dir;
    })
    .map((entry) => entry.row);
}

/**
 * CSV text (RFC 4180: CRLF lines, fields with a comma, quote or line break quoted, quotes doubled). A field that
 * a spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) gets a leading `'` unless it is a number, so an
 * exported customer number or reason cannot run anything in the supervisor's spreadsheet.
 * @param {string[]} header
 * @param {unknown[][]} rows
 * @returns {string}
 */
export function toCSV(header, rows) {
  const field = (value) => {
    if (value === null || value === undefined) return '';
    let text = String(value);
    if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** Columns of the live interactions table and export: [key, title]. */
export const INTERACTION_COLUMNS = [
  ['agent', 'Agent'],
  ['queue', 'Queue'],
  ['channel', 'Channel'],
  ['phase', 'Phase'],
  ['customer', 'Customer'],
  ['segment', 'Segment'],
  ['language', 'Language'],
  ['reason', 'Reason'],
  ['wait', 'Wait'],
  ['handle', 'Handle'],
  ['hold', 'Hold'],
];

/**
 * The CSV of the live interactions at `now` (times in whole seconds).
 * @param {object[]} list entries of the `interactions` topic
 * @param {number} now epoch ms (server time)
 * @returns {string}
 */
export function interactionsCSV(list, now) {
  const header = ['contact', 'agent', 'team', 'queue', 'channel', 'phase', 'customer', 'segment', 'language', 'reason',
    'queued_at', 'answered_at', 'wait_seconds', 'handle_seconds', 'hold_seconds'];
  const secs = (ms) => (ms === null ? null : Math.floor(ms / 1000));
  return toCSV(header, list.map((e) => {
    const t = interactionTimes(e, now);
    return [e.contact, e.agent, e.team, e.queue, e.channel, e.phase, e.customer, e.segment, e.language, e.reason,
      e.queued_at, e.answered_at, secs(t.waitMs), secs(t.handleMs), secs(t.holdMs)];
  }));
}

/** Columns of the agent table and its export: [key, title, kind] (kind `s` = seconds, `p` = ratio, `n` = count). */
export const AGENT_COLUMNS = [
  ['name', 'Agent', 't'],
  ['team', 'Team', 't'],
  ['state', 'State', 't'],
  ['state_seconds', 'In state', 's'],
  ['handled', 'Handled', 'n'],
  ['aht_seconds', 'AHT', 's'],
  ['talk_seconds', 'Talk', 's'],
  ['hold_seconds', 'Hold', 's'],
  ['wrap_up_seconds', 'Wrap-up', 's'],
  ['occupancy', 'Occupancy', 'p'],
  ['utilization', 'Utilization', 'p'],
  ['not_ready_seconds', 'Not ready', 's'],
  ['ring_no_answer', 'RNA', 'n'],
  ['transfers', 'Transfers', 'n'],
];

/**
 * Flat rows of the agent table from `GET /api/v1/console/agents` for one period (`today` or a window name).
 * @param {{agents: object[]}} answer
 * @param {string} period
 * @returns {object[]}
 */
export function agentRows(answer, period) {
  return (answer?.agents || []).map((agent) => {
    const f = agent.periods?.[period] || {};
    const notReady = f.not_ready_by_reason || {};
    return {
      id: agent.id, name: agent.name || agent.id, team: agent.team ?? null, queues: agent.queues || [],
      state: agent.state, reason: agent.reason ?? null, state_seconds: agent.state_seconds ?? null,
      handled: f.handled ?? 0, aht_seconds: f.aht_seconds ?? null, talk_seconds: f.talk_seconds ?? 0,
      hold_seconds: f.hold_seconds ?? 0, wrap_up_seconds: f.wrap_up_seconds ?? 0, occupancy: f.occupancy ?? null,
      utilization: f.utilization ?? null, not_ready_seconds: f.not_ready_seconds ?? 0, not_ready_by_reason: notReady,
      ring_no_answer: f.ring_no_answer ?? 0, transfers: f.transfers ?? 0,
    };
  });
}

/**
 * The CSV of the agent table (seconds whole, ratios as 0..1 with 4 decimals; not-ready time by reason as
 * `reason=seconds` pairs separated by `;`).
 * @param {object[]} rows from `agentRows`
 * @param {string} period
 * @returns {string}
 */
export function agentsCSV(rows, period) {
  const header = ['period', 'agent', ...AGENT_COLUMNS.map(([key]) => (key === 'name' ? 'name' : key)), 'not_ready_by_reason'];
  const value = (row, key, kind) => {
    const v = row[key];
    if (v === null || v === undefined) return null;
    if (kind === 's') return Math.round(v);
    if (kind === 'p') return Number(v).toFixed(4);
    return v;
  };
  return toCSV(header, rows.map((row) => [period, row.id, ...AGENT_COLUMNS.map(([key, , kind]) => value(row, key, kind)),
    Object.entries(row.not_ready_by_reason).map(([reason, s]) => `${reason}=${Math.round(s)}`).join(';')]));
}

/**
 * The value an agent-table cell shows.
 * @param {unknown} value
 * @param {string} kind `s`, `p`, `n` or `t`
 * @returns {string}
 */
export function formatCell(value, kind) {
  if (value === null || value === undefined) return '–';
  if (kind === 's') return formatDuration(Number(value) * 1000);
  if (kind === 'p') return `${Math.round(Number(value) * 100)}%`;
  return String(value);
}
