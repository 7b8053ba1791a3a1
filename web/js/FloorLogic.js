/**
 * Pure logic of a board for a big floor: which queues a screen shows, in what order, how big, on which page, and
 * which agents. No DOM, no timers: the page's size and the time come in as arguments (see WallboardLogic's clock
 * model), so `node --test` checks every decision against hand-computed values.
 */

import { longestWaitSeconds, parseTime, serviceLevelClass, visibleAlerts, waitClass } from './WallboardLogic.js';

export { AGENT_SORTS, DEFAULT_ROTATE_SECONDS, QUEUE_SORTS, ROTATE_LIMITS, parseList, parsePeriod } from './WallboardLogic.js';

/**
 * A queue "has traffic or staff" (`?only=active` keeps it): someone waiting, contacts offered in the primary window, or
 * staffed agents (logged in and not "not ready").
 * @param {object} queue one entry of `snapshot.queues`
 * @param {string} primaryWindow
 * @returns {boolean}
 */
export function isActiveQueue(queue, primaryWindow) {
  const m = ((queue && queue.metrics) || {})[primaryWindow] || {};
  const a = (queue && queue.agents) || {};
  const staffed = Number.isFinite(a.staffed) ? a.staffed : (a.logged_in || 0) - (a.not_ready || 0);
  return queue.waiting_now > 0 || m.offered > 0 || staffed > 0;
}

/**
 * The queues in the order `?sort=` asks for. Worst first for the figures (lowest service level, most waiting,
 * longest wait); queues without the figure (no contacts in the window) after those with it; ties keep config order.
 * Returns a new array.
 * @param {Array<object>} queues in config order
 * @param {string} sort one of QUEUE_SORTS
 * @param {{generatedAt: string, primaryWindow: string, serverNow: number}} ctx
 * @returns {Array<object>}
 */
export function sortQueues(queues, sort, ctx) {
  const list = (queues || []).map((q, index) => ({ q, index }));
  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  let key = null;
  if (sort === 'service_level') key = (q) => num(((q.metrics || {})[ctx.primaryWindow] || {}).service_level);
  else if (sort === 'waiting') key = (q) => (num(q.waiting_now) === null ? null : -q.waiting_now);
  else if (sort === 'longest_wait') {
    key = (q) => {
      const w = num(longestWaitSeconds(q, ctx.generatedAt, ctx.serverNow));
      return w === null ? null : -w;
    };
  }
  if (sort === 'name') {
    list.sort((a, b) => String(a.q.name || a.q.id).localeCompare(String(b.q.name || b.q.id)) || a.index - b.index);
  } else if (key) {
    const keyed = list.map((e) => ({ ...e, k: key(e.q) }));
    keyed.sort((a, b) => (a.k === null) - (b.k === null) || (a.k ?? 0) - (b.k ?? 0) || a.index - b.index);
    return keyed.map((e) => e.q);
  }
  return list.map((e) => e.q);
}

/**
 * Ids of the queues a wall must never hide: service level red, longest wait at/over the threshold, or named in the
 * scope of a firing or acknowledged alert (`queue:<id>`, `{queue: id}`).
 * @param {Array<object>} queues
 * @param {Array<object>|null} alerts the `alerts` topic's `active` list, null without one
 * @param {{generatedAt: string, primaryWindow: string, serverNow: number}} ctx
 * @returns {Set<string>}
 */
export function alertingQueueIds(queues, alerts, ctx) {
  const ids = new Set();
  for (const a of visibleAlerts(alerts)) {
    const scope = a.scope;
    if (typeof scope === 'string' && scope.startsWith('queue:')) ids.add(scope.slice('queue:'.length));
    else if (scope && typeof scope === 'object' && typeof scope.queue === 'string') ids.add(scope.queue);
  }
  for (const q of queues || []) {
    const m = (q.metrics || {})[ctx.primaryWindow] || {};
    const wait = longestWaitSeconds(q, ctx.generatedAt, ctx.serverNow);
    if (serviceLevelClass(m.service_level, q.target, q.warning_level) === 'red') ids.add(q.id);
    else if (waitClass(wait, q.threshold_seconds) === 'red') ids.add(q.id);
  }
  return ids;
}

/**
 * Splits the queues into pages of `perPage`, the alerting ones pinned at the head of every page (in the order given).
 * When the alerting queues alone fill a page or more, there is no room to pin them: the pages are then the alerting
 * queues' pages followed by the others', so every queue still appears.
 * @param {Array<{id: string}>} queues in display order
 * @param {Set<string>} pinned ids of alerting queues
 * @param {number} perPage how many tiles fit one page (≥ 1)
 * @returns {{pages: Array<Array<object>>, pinned: number}} `pinned`: how many queues head every page
 */
export function pageQueues(queues, pinned, perPage) {
  const size = Math.max(1, Math.floor(perPage));
  const list = queues || [];
  if (list.length <= size) return { pages: [list], pinned: 0 };
  const pins = list.filter((q) => pinned.has(q.id));
  const rest = list.filter((q) => !pinned.has(q.id));
  if (pins.length >= size) return { pages: [...chunk(pins, size), ...chunk(rest, size)], pinned: 0 };
  const room = size - pins.length;
  return { pages: chunk(rest, room).map((page) => [...pins, ...page]), pinned: pins.length };
}

/**
 * The page shown at `now`: every screen with the same period shows the same page at the same time (the pages turn on
 * the wall clock, not on when the page was loaded).
 * @param {number} now server time in ms
 * @param {number} periodSeconds
 * @param {number} pageCount
 * @returns {number} 0-based
 */
export function pageAt(now, periodSeconds, pageCount) {
  if (!(pageCount > 1) || !(periodSeconds > 0)) return 0;
  return Math.floor(now / (periodSeconds * 1000)) % pageCount;
}

/**
 * The largest tile font size at which `count` tiles fit a box, and the columns for it. A tile is `heightEm` high and
 * needs at least `minWidthEm` of width, both in its own em, so its font is bounded by the column width and by the row
 * height; the columns are chosen for the biggest font.
 * @param {number} count tiles
 * @param {{width: number, height: number, gap: number, heightEm: number, minWidthEm: number, maxFont: number}} box in px
 * @returns {{cols: number, rows: number, font: number}}
 */
export function fitTiles(count, box) {
  let best = { cols: 1, rows: Math.max(1, count), font: 0 };
  const n = Math.max(1, count);
  for (let cols = 1; cols <= n; cols += 1) {
    const rows = Math.ceil(n / cols);
    const tileWidth = (box.width - box.gap * (cols - 1)) / cols;
    const tileHeight = (box.height - box.gap * (rows - 1)) / rows;
    const font = Math.min(box.maxFont, tileWidth / box.minWidthEm, tileHeight / box.heightEm);
    if (font > best.font + 1e-9) best = { cols, rows, font };
  }
  return best;
}

/**
 * How many tiles fit the box at `minFont` or larger (at least 1): all of `count` when they do, else the most that do.
 * @param {number} count
 * @param {object} box as for fitTiles
 * @param {number} minFont px
 * @returns {number}
 */
export function tilesPerPage(count, box, minFont) {
  let lo = 1;
  let hi = Math.max(1, count);
  if (fitTiles(hi, box).font >= minFont) return hi;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fitTiles(mid, box).font >= minFont) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Agents filtered by `?team=` and `?state=` (null = no filter).
 * @param {Array<{team?: string, state: string}>} agents
 * @param {{teams: string[]|null, states: string[]|null}} filter
 * @returns {Array<object>}
 */
export function filterAgentsBy(agents, filter) {
  const teams = filter.teams ? new Set(filter.teams) : null;
  const states = filter.states ? new Set(filter.states) : null;
  return (agents || []).filter((a) => (!teams || teams.has(a.team)) && (!states || states.has(a.state)));
}

/**
 * Agents longest in their current state first (whatever the state), then by name. Returns a new array.
 * @param {Array<{state_since?: string, name?: string, id: string}>} agents
 * @returns {Array<object>}
 */
export function sortAgentsLongest(agents) {
  const since = (a) => parseTime(a.state_since) ?? Infinity;
  return [...(agents || [])].sort(
    (a, b) => since(a) - since(b) || String(a.name ?? a.id).localeCompare(String(b.name ?? b.id)),
  );
}

/**
 * Agents by name. Returns a new array.
 * @param {Array<{name?: string, id: string}>} agents
 * @returns {Array<object>}
 */
export function sortAgentsByName(agents) {
  return [...(agents || [])].sort((a, b) => String(a.name ?? a.id).localeCompare(String(b.name ?? b.id)));
}

/**
 * Agents in sections by team (teams by name, agents without a team last under "No team"), each section in the order
 * the agents came in.
 * @param {Array<{team?: string}>} agents already sorted
 * @returns {Array<{team: string, label: string, agents: Array<object>}>}
 */
export function groupAgentsByTeam(agents) {
  const byTeam = new Map();
  for (const a of agents || []) {
    const team = typeof a.team === 'string' && a.team ? a.team : '';
    if (!byTeam.has(team)) byTeam.set(team, []);
    byTeam.get(team).push(a);
  }
  return [...byTeam.entries()]
    .sort((a, b) => (a[0] === '') - (b[0] === '') || a[0].localeCompare(b[0]))
    .map(([team, list]) => ({ team, label: team || 'No team', agents: list }));
}

/**
 * Pages of a list with section headings (entries with `heading`), `size` entries a page: a page that starts inside a
 * section starts with that section's heading again (marked `continued`), so every card on a page sits under its
 * team's name; a heading is never the last entry of a page.
 * @param {Array<{id: string, heading?: string}>} items
 * @param {number} size (at least 2 to make room for a heading and a card)
 * @returns {Array<Array<object>>}
 */
export function pageSections(items, size) {
  const n = Math.max(2, Math.floor(size));
  const pages = [];
  let page = [];
  let current = null;
  for (const item of items || []) {
    if (item.heading) current = item;
    if (page.length === n || (item.heading && page.length === n - 1)) {
      pages.push(page);
      page = !item.heading && current ? [{ ...current, id: `${current.id}:continued`, continued: true }] : [];
    }
    page.push(item);
  }
  if (page.length || !pages.length) pages.push(page);
  return pages;
}

/**
 * Splits a list into pages of `size` (at least one page, possibly empty).
 * @template T
 * @param {T[]} items
 * @param {number} size
 * @returns {T[][]}
 */
export function chunk(items, size) {
  const n = Math.max(1, Math.floor(size));
  const pages = [];
  for (let i = 0; i < items.length; i += n) pages.push(items.slice(i, i + n));
  return pages.length ? pages : [[]];
}

/**
 * The page indicator's text: "Queues 11–20 of 103 · page 2 of 11", with the pinned alerting queues counted.
 * @param {{what: string, page: number, pages: number, from: number, to: number, total: number, pinned?: number}} p
 * @returns {string} empty when everything fits one page
 */
export function pagerText(p) {
  if (!(p.pages > 1)) return '';
  const pinned = p.pinned > 0 ? ` · ${p.pinned} alerting pinned` : '';
  const n = (v) => Number(v).toLocaleString('en-US');
  return `${p.what} ${n(p.from)}–${n(p.to)} of ${n(p.total)} · page ${p.page + 1} of ${p.pages}${pinned}`;
}
