import { applyAgentDelta, applyPayloadDelta } from './deltas.js';

/**
 * The board's model, assembled from the topics it subscribes to (docs/protocol.md): `center`, `groups`,
 * `queue:<id>` (each limited to the windows the layout reads: `center@primary`) and `agents` / `agents:<id>`
 * (`center`, queues and agent lists whole once, then deltas), and which topics a layout needs.
 * Pure: no DOM, no socket, no clock.
 */

/**
 * The windows each layout reads, per topic (docs/protocol.md, "Window-limited topics"), so a board subscribes to
 * `center@primary` and `queue:<id>@primary` instead of every window's figures. `primary` is the configured primary
 * window, whichever it is; `null` = every window (the plain topic).
 * - tv, table, groups, agents: the primary window only (tiles, table rows, the center strip, sorting, `?only=active`,
 *   the alerting queues pinned on every page all read `metrics[primary_window]`; the agents layout reads no figure
 *   of the center, and `primary` is the smallest list);
 * - kpi: the center in the primary window and today (its KPI columns, mixes, callbacks and containment:
 *   `kpiColumns`), queues and `groups` in the primary window (the queue, Erlang C and breakdown tables);
 * - queue: the center in the primary window, its queue with every window (big service levels of 15m, 30m, 60m,
 *   interval and today when configured: `DETAIL_WINDOWS`; which rolling windows exist is configuration).
 */
export const LAYOUT_WINDOWS = {
  tv: { center: ['primary'], queues: ['primary'] },
  table: { center: ['primary'], queues: ['primary'] },
  groups: { center: ['primary'] },
  agents: { center: ['primary'] },
  kpi: { center: ['primary', 'today'], queues: ['primary'], groups: ['primary'] },
  queue: { center: ['primary'], queues: null },
};

/**
 * The name of topic `base` (`center`, `groups`, `queue:<id>`) as a layout subscribes to it: limited to the windows
 * it reads (`center@primary,today`), or `base` itself when it reads them all or the board has no layout (scripts,
 * tests).
 * @param {string} base
 * @param {{layout?: string}|null|undefined} board
 * @returns {string}
 */
export function topicFor(base, board) {
  const windows = board ? LAYOUT_WINDOWS[board.layout || 'tv'] : null;
  const kind = base.startsWith('queue:') ? 'queues' : base;
  const list = windows ? windows[kind] : null;
  return list ? `${base}@${list.join(',')}` : base;
}

/**
 * The topics a board shows, given its address options and the `center` payload (which lists the queues and
 * the queue groups). `center`, `groups` and the queues are named limited to the windows the layout reads
 * (`topicFor`, `LAYOUT_WINDOWS`).
 * - tv: each shown queue (of `?group=`, else `?queues=`, else all), and their agents (`agents` when it shows all);
 * - table: each shown queue, as tv, without agents (the table has no agent cards);
 * - groups: nothing more (its tiles and strip are the `center` payload's `queue_groups` and center);
 * - queue: the chosen queue (`&queue=`, else the first) and its agents;
 * - agents: the agents of `?queues=` (or `agents`);
 * - kpi: every queue and `groups` (segments, languages, channels).
 * @param {{layout?: string, queues?: string[]|null, queue?: string|null, group?: string|null}} board
 * @param {{queues?: Array<{id: string}>, queue_groups?: Array<{id: string, queues: string[]}>}|null} center the
 *   `center` payload, null before it came
 * @returns {string[]} sorted, without duplicates
 */
export function topicsForLayout(board, center) {
  const layout = (board && board.layout) || 'tv';
  const shape = { ...board, layout };
  const known = ((center && center.queues) || []).map((q) => q.id);
  const picked = layout === 'tv' || layout === 'table' ? pickedQueues(board, center) : (board && board.queues) || null;
  const shown = picked ? picked.filter((id) => known.includes(id)) : known;
  const topics = new Set([topicFor('center', shape), 'alerts']);
  const queue = (id) => topics.add(topicFor(`queue:${id}`, shape));
  const agentsOf = (ids, all) => {
    if (all) topics.add('agents');
    else for (const id of ids) topics.add(`agents:${id}`);
  };
  if (layout === 'queue') {
    const id = (board && board.queue) || known[0];
    if (id && known.includes(id)) {
      queue(id);
      topics.add(`agents:${id}`);
    }
  } else if (layout === 'kpi') {
    topics.add(topicFor('groups', shape));
    for (const id of known) queue(id);
  } else if (layout === 'agents') {
    agentsOf(shown, !picked);
  } else if (layout === 'table') {
    for (const id of shown) queue(id);
  } else if (layout !== 'groups') {
    for (const id of shown) queue(id);
    agentsOf(shown, !picked);
  }
  return [...topics].sort();
}

/**
 * The queues a tile or table board is limited to: the queues of `?group=` (none while the group is not among the
 * `center` payload's `queue_groups`, so an unknown group subscribes to no queue), else `?queues=`, else null (all).
 * @param {{queues?: string[]|null, group?: string|null}|null} board
 * @param {{queue_groups?: Array<{id: string, queues: string[]}>}|null} center
 * @returns {string[]|null}
 */
export function pickedQueues(board, center) {
  if (board && board.group) {
    const group = ((center && center.queue_groups) || []).find((g) => g && g.id === board.group);
    return group && Array.isArray(group.queues) ? group.queues : [];
  }
  return (board && board.queues) || null;
}

/**
 * The `topic` messages a message carries, in order: those of a `bundle` (one message per publish cycle
 * with every subscribed topic that changed, docs/protocol.md "Bundles"), or the message itself when it is a
 * `topic` message; [] for anything else.
 * @param {object} msg a parsed server message
 * @returns {object[]}
 */
export function topicMessages(msg) {
  if (!msg || typeof msg !== 'object') return [];
  if (msg.type === 'topic') return [msg];
  if (msg.type !== 'bundle' || !Array.isArray(msg.messages)) return [];
  return msg.messages.filter((m) => m && typeof m === 'object' && m.type === 'topic');
}

/**
 * Keeps each topic's latest payload and sequence number, applies agent deltas, and assembles a
 * snapshot-shaped object (docs/snapshot.md) for the views. With `board`, the `center`, `groups` and queue topics
 * are those of its layout (`topicFor`: `center@primary`, ...); without, the plain topics.
 * @param {{layout?: string}|null} [board]
 * @returns {{apply: (msg: object) => {changed: boolean, resync: string|null},
 *   applyAll: (msgs: object[]) => {changed: string[], resync: string[]}, snapshot: () => object|null,
 *   center: () => object|null, data: (topic: string) => object|null, forget: (topics: string[]) => void,
 *   clear: () => void}}
 */
export function TopicStore(board = null) {
  /** topic -> {seq, data} ; agent topics keep `agents` as a Map id -> agent. */
  let topics = new Map();
  /** Topics whose sequence broke: waiting for a whole payload. */
  const broken = new Set();
  let assembled = null;

  return { apply, applyAll, snapshot, center, data, forget, clear };

  /**
   * Several `topic` messages in order (a bundle's, see `topicMessages`), as `apply` each.
   * @returns {{changed: string[], resync: string[]}} the topics that changed and those to subscribe to again
   */
  function applyAll(msgs) {
    const changed = [];
    const resync = [];
    for (const msg of msgs) {
      const result = apply(msg);
      if (result.changed) changed.push(msg.topic);
      if (result.resync) resync.push(result.resync);
    }
    return { changed, resync };
  }

  /**
   * One `topic` message. A whole payload replaces the topic unless it is older than what the store has
   * (and the topic is not waiting for one); a delta applies only on top of its `base` (deltas.js): agent
   * lists take new agents whole and known ones field by field and drop removed ones; a queue's or the center's
   * delta merges `queue` / `center` figure by figure (and `queue_groups` group by group), applies list edits
   * (`waiting`, `abandoned_today`) and replaces its other members. A delta that
   * does not fit (another base, an edit past the client's list) waits for the whole payload.
   * @returns {{changed: boolean, resync: string|null}} resync: the topic to subscribe to again
   */
  function apply(msg) {
    if (!msg || msg.type !== 'topic' || typeof msg.topic !== 'string' || typeof msg.seq !== 'number') {
      return { changed: false, resync: null };
    }
    const name = msg.topic;
    const have = topics.get(name);
    if (msg.data && typeof msg.data === 'object') {
      if (have && msg.seq < have.seq && !broken.has(name)) return { changed: false, resync: null };
      broken.delete(name);
      topics.set(name, { seq: msg.seq, data: isAgents(name) ? agentsEntry(msg.data) : msg.data });
      assembled = null;
      return { changed: true, resync: null };
    }
    if (msg.delta && typeof msg.delta === 'object') {
      if (have && msg.seq <= have.seq && !broken.has(name)) return { changed: false, resync: null };
      const next = have && !broken.has(name) && msg.base === have.seq
        ? (isAgents(name) ? { agents: applyAgentDelta(have.data.agents, msg.delta) } : applyPayloadDelta(have.data, msg.delta))
        : null;
      if (!next) {
        if (broken.has(name)) return { changed: false, resync: null };
        broken.add(name);
        return { changed: false, resync: name };
      }
      have.data = next;
      have.seq = msg.seq;
      assembled = null;
      return { changed: true, resync: null };
    }
    return { changed: false, resync: null };
  }

  /** The `center` payload, or null. */
  function center() {
    const c = topics.get(topicFor('center', board));
    return c ? c.data : null;
  }

  /**
   * A topic's payload as the store has it (an agent topic's `agents` as a Map id -> agent), or null.
   * @param {string} name
   * @returns {object|null}
   */
  function data(name) {
    const t = topics.get(name);
    return t ? t.data : null;
  }

  /** Drops topics no longer subscribed to. */
  function forget(names) {
    for (const name of names) {
      topics.delete(name);
      broken.delete(name);
    }
    assembled = null;
  }

  /** Drops everything (a new connection starts from whole payloads). */
  function clear() {
    topics = new Map();
    broken.clear();
    assembled = null;
  }

  /**
   * The snapshot the views render: center figures, queues in the center's order (a queue whose topic has
   * not come is `{id, name}` only), waiting and abandoned lists joined from the queue topics, agents from
   * the agent topics. null before `center` came.
   */
  function snapshot() {
    if (assembled) return assembled;
    const c = center();
    if (!c) return null;
    const queues = [];
    const waiting = [];
    const abandoned = [];
    const counts = {};
    for (const q of Array.isArray(c.queues) ? c.queues : []) {
      const t = topics.get(topicFor(`queue:${q.id}`, board));
      if (!t) {
        queues.push({ id: q.id, name: q.name });
        continue;
      }
      queues.push(t.data.queue || { id: q.id, name: q.name });
      if (Array.isArray(t.data.waiting)) waiting.push(...t.data.waiting);
      if (Array.isArray(t.data.abandoned_today)) abandoned.push(...t.data.abandoned_today);
      if (typeof t.data.abandoned_today_count === 'number') counts[q.id] = t.data.abandoned_today_count;
    }
    const byTime = (key) => (a, b) => Date.parse(a[key]) - Date.parse(b[key]);
    waiting.sort(byTime('queued_at'));
    abandoned.sort((a, b) => byTime('at')(b, a));
    const agents = new Map();
    for (const [name, t] of topics) {
      if (isAgents(name)) for (const [id, a] of t.data.agents) agents.set(id, a);
    }
    const groups = topics.get(topicFor('groups', board));
    assembled = {
      generated_at: c.generated_at,
      primary_window: c.primary_window,
      windows: c.windows,
      sources: c.sources,
      center: c.center,
      queues,
      teams: [],
      channels: groups ? groups.data.channels : [],
      segments: groups ? groups.data.segments : [],
      languages: groups ? groups.data.languages : [],
      agents: [...agents.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      waiting,
      abandoned_today: abandoned,
      abandoned_today_counts: counts,
      queue_groups: Array.isArray(c.queue_groups) ? c.queue_groups : [],
    };
    return assembled;
  }
}

function isAgents(name) {
  return name === 'agents' || name.startsWith('agents:');
}

function agentsEntry(data) {
  const agents = new Map();
  for (const a of Array.isArray(data.agents) ? data.agents : []) if (a && a.id) agents.set(a.id, a);
  return { agents };
}
