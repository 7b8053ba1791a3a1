import { AgentBoard } from './AgentBoard.js';
import { AlertBanner } from './AlertBanner.js';
import { BoardOverlay } from './BoardOverlay.js';
import { CenterSummary } from './CenterSummary.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { QueueChart } from './IntervalChartView.js';
import { ProjectionLine } from './ProjectionLine.js';
import { KpiBoard } from './KpiBoard.js';
import { QueueDetail } from './QueueDetail.js';
import { QueueTable } from './QueueTable.js';
import { QueueTile } from './QueueTile.js';
import {
  alertingQueueIds,
  chunk,
  filterAgentsBy,
  fitTiles,
  groupAgentsByTeam,
  isActiveQueue,
  pageAt,
  pageQueues,
  pageSections,
  pagerText,
  sortAgentsByName,
  sortAgentsLongest,
  sortQueues,
  tilesPerPage,
} from './FloorLogic.js';
import { reconcile, setAttr, setText } from './dom.js';
import {
  addClockSample,
  boardNow,
  clockOffsetMs,
  DEFAULT_ROTATE_SECONDS,
  filterAgents,
  formatClock,
  partialDayNotice,
  parseTime,
  selectQueues,
  sortAgents,
  waitingInQueue,
  windowLabel,
} from './WallboardLogic.js';
import {
  agentStateCounts,
  agentView,
  alertBannerView,
  centerKpiTables,
  centerView,
  overlayView,
  queueDetailView,
  queueKpiTables,
  queueView,
  serviceLevelWindows,
  sourceWarning,
  waitingItemView,
} from './WallboardView.js';

/**
 * Mounts the `.wallboard-app` (the static skeleton in index.html) and keeps it in step with the events
 * `WallboardSocket` dispatches on `el`: `wallboardSnapshot`, `wallboardAlerts`, `wallboardConnection`,
 * `wallboardClock`, `wallboardIntervals` (the charts' topics). Re-renders on every event (model updates coalesced to one render per animation frame) and on a
 * once-a-second tick aligned to the wall clock, so waits and times in state tick between updates. Children are updated in place; nothing is rebuilt on a tick.
 *
 * The layout (`data-layout` = tv | queue | agents | kpi) decides which sections are shown. `data-generated-at` holds the
 * `generated_at` of the snapshot on screen, so a test (or a person) can tell which snapshot the numbers are from.
 * @param {HTMLElement} el
 * @param {{queues: string[]|null, layout?: string, queue?: string|null}} options from
 *   `WallboardLogic.parseBoardOptions(location.search)`
 */
export function WallboardApp(el, options) {
  const layout = options.layout || 'tv';
  const state = { snapshot: null, alerts: null, connection: null, clockSamples: [], sortedFor: null, sorted: [], intervals: new Map() };

  const title = el.querySelector('.board-header__title');
  const clock = el.querySelector('.board-header__clock');
  const sources = el.querySelector('.board-header__sources');
  const today = el.querySelector('.board-header__today');
  const main = el.querySelector('.board-main');
  const tiles = el.querySelector('.queue-tiles');
  const note = el.querySelector('.board-note');
  const badge = el.querySelector('.connection-badge');
  const summary = el.querySelector('.center-summary');
  const agents = el.querySelector('.agent-board');
  const overlay = el.querySelector('.board-overlay');
  const banner = el.querySelector('.alert-banner');
  const detail = el.querySelector('.queue-detail');
  const kpi = el.querySelector('.kpi-board');
  const queueChart = el.querySelector('.queue-chart');
  const table = el.querySelector('.queue-table');
  const pager = el.querySelector('.board-pager');
  const tileLayout = layout === 'tv' || layout === 'groups';
  /** The queue tiles' measured height in their own em (refined after the first tiles are drawn), and the table's sort. */
  let tileHeightEm = TILE_HEIGHT_EM;
  let tableSort = options.sort || 'config';

  setAttr(el, 'data-layout', layout);
  setAttr(tiles, 'hidden', !tileLayout);
  setAttr(summary, 'hidden', !tileLayout);
  if (table) setAttr(table, 'hidden', layout !== 'table');
  if (detail) setAttr(detail, 'hidden', layout !== 'queue');
  if (kpi) setAttr(kpi, 'hidden', layout !== 'queue' && layout !== 'kpi');
  setAttr(agents, 'hidden', layout === 'kpi' || layout === 'table' || layout === 'groups');

  ConnectionBadge(badge);
  CenterSummary(summary);
  AgentBoard(agents);
  BoardOverlay(overlay);
  if (banner) AlertBanner(banner);
  if (detail) QueueDetail(detail);
  if (kpi) KpiBoard(kpi);
  if (queueChart) QueueChart(queueChart);
  // Under the chart: where today is projected to close (ProjectionLine.js).
  const queueProjection = queueChart ? ProjectionLine(queueChart) : null;
  if (table) {
    QueueTable(table);
    table.addEventListener('queueTableSort', (e) => {
      tableSort = e.detail;
      render();
    });
  }

  el.addEventListener('wallboardSnapshot', (e) => {
    state.snapshot = e.detail;
    state.clockSamples = addClockSample(state.clockSamples, parseTime(e.detail.generated_at), Date.now());
    renderSoon();
  });
  el.addEventListener('wallboardAlerts', (e) => {
    state.alerts = e.detail && e.detail.supported ? e.detail.alerts : null;
    render();
  });
  el.addEventListener('wallboardConnection', (e) => {
    state.connection = e.detail;
    render();
  });
  // The charts' interval topics (IntervalChart.js): topic -> payload.
  el.addEventListener('wallboardIntervals', (e) => {
    if (e.detail.data) state.intervals.set(e.detail.topic, e.detail.data);
    else state.intervals.delete(e.detail.topic);
    renderSoon();
  });
  el.addEventListener('wallboardClock', (e) => {
    state.clockSamples = addClockSample(state.clockSamples, e.detail.serverTime, e.detail.receivedAt);
  });

  tick();

  // Scheduled before rendering, so one bad snapshot can never stop the clock for good.
  function tick() {
    setTimeout(tick, 1010 - (Date.now() % 1000));
    render();
  }

  // Topics arrive a few at a time (a center, some queues, an agent delta): one render for the lot, at the next frame.
  let renderPending = false;
  function renderSoon() {
    if (renderPending) return;
    renderPending = true;
    const later = globalThis.requestAnimationFrame || ((fn) => setTimeout(fn, 0));
    later(() => {
      renderPending = false;
      render();
    });
  }

  function render() {
    const now = Date.now();
    const offset = clockOffsetMs(state.clockSamples);
    const snap = state.snapshot;
    const view = overlayView(state.connection, snap !== null, offset);

    setText(clock, formatClock(now - offset));
    send(badge, 'connectionBadge', { connection: state.connection, now });
    send(overlay, 'boardOverlay', view);
    setAttr(el, 'data-trust', view.mode === 'stale' ? 'stale' : null);
    setAttr(main, 'hidden', snap === null);
    const serverNow = boardNow(now, state.connection) - offset;
    if (banner) send(banner, 'alertBanner', alertBannerView(state.alerts, serverNow, offset));
    if (snap === null) return;
    setAttr(el, 'data-generated-at', snap.generated_at);

    const ctx = { generatedAt: snap.generated_at, primaryWindow: snap.primary_window, serverNow };
    setText(title, (snap.center && snap.center.name) || 'wallboard');

    const warning = sourceWarning(snap.sources);
    setAttr(sources, 'hidden', warning === null);
    setText(sources, warning);
    if (today) {
      const partial = partialDayNotice(snap.center);
      setAttr(today, 'hidden', partial === null);
      setText(today, partial);
    }

    const pages = [];
    if (layout === 'tv') {
      const group = pickGroup(snap);
      const shown = shownQueues(snap, ctx, group, options.sort);
      pages.push(renderTiles(shown.queues, ctx, 'Queues'));
      setNote(shown.missing, (snap.queues || []).length, shown.param);
      const scope = group.found ? group.found : snap.center;
      send(summary, 'centerSummary', { ...centerView(scope, ctx), scopeTitle: group.found ? group.found.name || group.found.id : 'All queues' });
      pages.push(renderAgents(snap, serverNow, group.found ? group.found.queues : options.queues));
    } else if (layout === 'groups') {
      const groups = sortQueues(snap.queue_groups || [], options.sort, ctx);
      pages.push(renderTiles(groups, ctx, 'Groups'));
      setAttr(note, 'hidden', groups.length > 0);
      setText(note, groups.length ? '' : 'No queue groups configured (queue_groups: in the config, docs/configuration.md)');
      send(summary, 'centerSummary', { ...centerView(snap.center, ctx), scopeTitle: 'All queues' });
    } else if (layout === 'table') {
      const group = pickGroup(snap);
      const shown = shownQueues(snap, ctx, group, tableSort);
      setNote(shown.missing, (snap.queues || []).length, shown.param);
      pages.push(renderTable(shown.queues, ctx));
    } else if (layout === 'queue') {
      const queue = renderDetail(snap, ctx);
      if (kpi) {
        setAttr(kpi, 'hidden', !queue);
        if (queue) send(kpi, 'kpiBoard', { title: '', tables: queueKpiTables(snap, queue), charts: [] });
      }
      renderAgents(snap, serverNow, queue ? [queue.id] : [], queue ? `Agents · ${queue.name || queue.id}` : 'Agents');
    } else if (layout === 'kpi') {
      setNote([], (snap.queues || []).length);
      if (kpi) {
        const charts = (snap.queues || []).map((q) => ({ id: q.id, name: q.name || q.id, chart: chartInput(q) }));
        send(kpi, 'kpiBoard', { title: `All queues · ${windowLabel(snap.primary_window)} and today`, tables: centerKpiTables(snap), charts });
      }
    } else if (layout === 'agents') {
      setNote(selectQueues(snap.queues, options.queues).missing, (snap.queues || []).length);
      pages.push(renderAgents(snap, serverNow, options.queues, 'Agents', true, true));
    }
    renderPager(pages.filter(Boolean));
  }

  /** What a chart of queue `q` draws: its interval topic's payload and its warning level; null before the payload. */
  function chartInput(q) {
    const payload = state.intervals.get(`intervals:queue:${q.id}`);
    return payload ? { payload, warning: q.warning_level } : null;
  }

  /** The queue group of `?group=`, if any: `found` null (and a note) when the config has no such group. */
  function pickGroup(snap) {
    if (!options.group) return { id: null, found: null };
    const found = (snap.queue_groups || []).find((g) => g.id === options.group) || null;
    return { id: options.group, found };
  }

  /** The queues a tile or table board shows: of the group or `?queues=`, `?only=active`, in `?sort=` order. */
  function shownQueues(snap, ctx, group, sort) {
    if (group.id && !group.found) return { queues: [], missing: [group.id], param: 'group' };
    const picked = selectQueues(snap.queues, group.found ? group.found.queues : options.queues);
    let queues = picked.queues;
    if (options.only === 'active') queues = queues.filter((q) => isActiveQueue(q, snap.primary_window));
    return { queues: sortQueues(queues, sort, ctx), missing: picked.missing, param: 'queues' };
  }

  /** The page indicator: the first paged section's text, one dot per page. */
  function renderPager(pages) {
    const paged = pages.find((p) => p.pages > 1) || null;
    setAttr(el, 'data-page', paged ? `${paged.page + 1}/${paged.pages}` : null);
    if (!pager) return;
    setAttr(pager, 'hidden', !paged);
    if (!paged) return;
    setText(pager.firstElementChild, pagerText(paged));
    reconcile(
      pager.lastElementChild,
      Array.from({ length: paged.pages <= MAX_PAGER_DOTS ? paged.pages : 0 }, (_, i) => i),
      (i) => i,
      () => {
        const dot = document.createElement('span');
        dot.className = 'board-pager__dot';
        return dot;
      },
      (dot, i) => setAttr(dot, 'aria-current', i === paged.page ? 'page' : null),
    );
  }

  function rootPx() {
    return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  }

  /** The height left to a section of board-main once its other visible sections took theirs (and `reserve` px). */
  function heightLeft(section, reserve) {
    let used = 0;
    let visible = 0;
    for (const child of main.children) {
      if (child.hidden || child === section) continue;
      visible += 1;
      if (child !== agents) used += child.offsetHeight;
    }
    const gap = parseFloat(getComputedStyle(main).rowGap) || 0;
    return Math.max(0, main.clientHeight - used - reserve - gap * visible);
  }

  function renderDetail(snap, ctx) {
    const all = snap.queues || [];
    const id = options.queue || (all[0] && all[0].id);
    const queue = all.find((q) => q.id === id) || null;
    setNote(queue || !id ? [] : [id], all.length, 'queue');
    if (!queue) {
      if (detail) setAttr(detail, 'hidden', true);
      if (queueChart) send(queueChart, 'queueChart', null);
      if (queueProjection) queueProjection(null);
      return null;
    }
    if (!detail) return queue;
    setAttr(detail, 'hidden', false);
    setAttr(detail, 'data-id', queue.id);
    const waitingKnown = Array.isArray(snap.waiting);
    const thresholdSeconds = queue.threshold_seconds;
    const waiting = waitingInQueue(snap.waiting, queue.id).map((w, i) => ({
      key: w.contact || `#${i}`,
      view: waitingItemView(w, { generatedAt: snap.generated_at, serverNow: ctx.serverNow, thresholdSeconds }),
    }));
    send(detail, 'queueDetail', {
      view: queueDetailView(queue, ctx),
      windows: serviceLevelWindows(queue),
      waiting,
      waitingKnown,
    });
    if (queueChart) send(queueChart, 'queueChart', chartInput(queue));
    if (queueProjection) queueProjection(chartInput(queue));
    return queue;
  }

  function setNote(missing, count, param = 'queues') {
    let text = '';
    if (missing.length) text = `No queue with id ${missing.join(', ')} (check ?${param}= in the address)`;
    else if (!count) text = 'No queues configured';
    setAttr(note, 'hidden', text === '');
    setText(note, text);
  }

  /**
   * Tiles (queues or groups) fitted to the height left: up to four at the designed sizes; from five the tile font is
   * the largest at which all fit (never above 1 rem), and under the readable minimum the tiles are paged (alerting
   * queues pinned on every page), the page turning every `?rotate=` seconds on the server clock.
   */
  function renderTiles(items, ctx, what) {
    let shown = items;
    let info = null;
    if (items.length > 4) {
      const rem = rootPx();
      const reserve = layout === 'tv' && (state.snapshot.agents || []).length ? Math.max(9 * rem, main.clientHeight * 0.2) : 0;
      const box = {
        width: tiles.clientWidth,
        height: heightLeft(tiles, reserve),
        gap: rem,
        heightEm: tileHeightEm,
        minWidthEm: TILE_MIN_WIDTH_EM,
        maxFont: rem,
      };
      const perPage = tilesPerPage(items.length, box, TILE_MIN_FONT_REM * rem);
      const { pages, pinned } = pageQueues(items, alertingQueueIds(items, state.alerts, ctx), perPage);
      const page = pageAt(ctx.serverNow, options.rotate || DEFAULT_ROTATE_SECONDS, pages.length);
      shown = pages[page];
      const fit = fitTiles(Math.max(shown.length, pages.length > 1 ? perPage : 0), box);
      tiles.style.setProperty('--cols', fit.cols);
      tiles.style.fontSize = `${Math.max(fit.font, TILE_MIN_FONT_REM * rem).toFixed(2)}px`;
      const first = pages.slice(0, page).reduce((n, p) => n + p.length - pinned, 0);
      info = { what, page, pages: pages.length, pinned, total: items.length, from: first + 1, to: first + shown.length - pinned };
    } else {
      tiles.style.removeProperty('--cols');
      tiles.style.fontSize = '';
    }
    reconcile(
      tiles,
      shown,
      (q) => q.id,
      () => {
        const tile = document.createElement('article');
        tile.className = 'queue-tile';
        QueueTile(tile);
        return tile;
      },
      (tile, q) => {
        // Groups have no interval topic; a queue's sparkline only with ?spark=1.
        send(tile, 'queueTile', { ...queueView(q, ctx), spark: options.spark && layout === 'tv' ? chartInput(q) : null });
      },
      'id',
    );
    setAttr(tiles, 'data-count', items.length > 4 ? 'many' : Math.max(1, items.length));
    if (items.length > 4 && tiles.firstElementChild) {
      // Tiles are as high as their content: measure it once drawn, so the next fit uses the real height.
      const tile = tiles.firstElementChild;
      let tallest = 0;
      for (const t of tiles.children) tallest = Math.max(tallest, t.offsetHeight);
      const measured = tallest / (parseFloat(getComputedStyle(tile).fontSize) || 1);
      if (measured > 0 && Math.abs(measured - tileHeightEm) > 0.25) {
        tileHeightEm = measured;
        renderSoon();
      }
    }
    return info;
  }

  /** The dense table: blocks side by side and a row font that fits the box; paged past the readable minimum. */
  function renderTable(queues, ctx) {
    const rem = rootPx();
    const box = {
      width: table.clientWidth,
      height: heightLeft(table, 0),
      gap: 1.2 * TABLE_MIN_FONT_REM * rem,
      heightEm: TABLE_ROW_EM,
      minWidthEm: TABLE_MIN_WIDTH_EM,
      maxFont: TABLE_MAX_FONT_REM * rem,
    };
    // One row of each block is its heading: fit the rows plus one heading per block.
    const fitRows = (n) => {
      let best = { cols: 1, rows: n, font: 0 };
      for (let cols = 1; cols <= Math.max(1, Math.min(6, n)); cols += 1) {
        const rows = Math.ceil(n / cols) + 1;
        const f = Math.min(box.maxFont, (box.width - box.gap * (cols - 1)) / cols / box.minWidthEm, box.height / rows / box.heightEm);
        if (f > best.font + 1e-9) best = { cols, rows, font: f };
      }
      return best;
    };
    const min = TABLE_MIN_FONT_REM * rem;
    let perPage = queues.length;
    if (fitRows(perPage).font < min) {
      let lo = 1;
      let hi = queues.length;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fitRows(mid).font >= min) lo = mid;
        else hi = mid - 1;
      }
      perPage = lo;
    }
    const alerting = alertingQueueIds(queues, state.alerts, ctx);
    const { pages, pinned } = pageQueues(queues, alerting, Math.max(1, perPage));
    const page = pageAt(ctx.serverNow, options.rotate || DEFAULT_ROTATE_SECONDS, pages.length);
    const rows = pages[page];
    const fit = fitRows(Math.max(1, pages.length > 1 ? perPage : rows.length));
    const perBlock = Math.max(1, Math.ceil(rows.length / fit.cols));
    const blocks = chunk(
      rows.map((q) => {
        const view = queueView(q, ctx);
        return { id: q.id, alerting: alerting.has(q.id), view: { ...view, target: formatTarget(q.target) } };
      }),
      perBlock,
    );
    send(table, 'queueTable', { blocks, sort: tableSort, font: Math.floor(Math.max(fit.font, min) * 100) / 100 });
    const first = pages.slice(0, page).reduce((n, p) => n + p.length - pinned, 0);
    return { what: 'Queues', page, pages: pages.length, pinned, total: queues.length, from: first + 1, to: first + rows.length - pinned };
  }

  /**
   * The agents of the shown queues, `?team=` and `?state=` filtered, in `?agent_sort=` order, grouped by team with
   * `?agent_group=team`. `paged` (the agents layout): only the cards that fit are drawn, the rest on later pages
   * turning every `?rotate=` seconds; otherwise the cards that do not fit are hidden and counted.
   */
  function renderAgents(snap, serverNow, queueIds, title, withCounts = false, paged = false) {
    if (state.sortedFor !== snap) {
      state.sortedFor = snap;
      const mine = filterAgentsBy(filterAgents(snap.agents, queueIds), { teams: options.teams, states: options.states });
      const order = { longest: sortAgentsLongest, name: sortAgentsByName }[options.agentSort] || sortAgents;
      state.sorted = order(mine);
      state.agentItems = options.agentGroup === 'team'
        ? groupAgentsByTeam(state.sorted).flatMap((g) => [{ id: `team:${g.team}`, heading: g.label, count: g.agents.length }, ...g.agents])
        : state.sorted;
      state.queueNames = new Map((snap.queues || []).map((q) => [q.id, q.name || q.id]));
    }
    const compact = state.sorted.length > COMPACT_AGENTS;
    const agentsShown = !agents.hidden && agents.querySelector('.agent-board__list').clientHeight > 0;
    setAttr(agents, 'data-compact', compact);
    let items = state.agentItems;
    let info = null;
    if (paged) {
      // Before any card is drawn the card height is a guess: draw, then fit again with the real height.
      if (!agents.querySelector('.agent-board__list').children.length && items.length) renderSoon();
      const perPage = agentsPerPage();
      if (items.length > perPage) {
        const pages = options.agentGroup === 'team' ? pageSections(items, perPage) : chunk(items, perPage);
        const page = pageAt(serverNow, options.rotate || DEFAULT_ROTATE_SECONDS, pages.length);
        const agentsIn = (list) => list.filter((a) => !a.heading).length;
        const first = pages.slice(0, page).reduce((n, p) => n + agentsIn(p), 0);
        items = pages[page];
        info = { what: 'Agents', page, pages: pages.length, pinned: 0, total: state.sorted.length, from: first + 1, to: first + agentsIn(items) };
      }
    }
    let notShown = 0;
    if (!paged && agentsShown && items.length > COMPACT_AGENTS) {
      // Thousands of cards would cost every tick: only what can fit is drawn, the rest is counted.
      const fit = agentsPerPage() + 1;
      if (items.length > fit) {
        notShown = items.slice(fit).filter((a) => !a.heading).length;
        items = items.slice(0, fit);
      }
    }
    const ctx = { serverNow, queueNames: state.queueNames, limits: snap.agent_state_limits };
    send(agents, 'agentBoard', {
      agents: items.map((a) => (a.heading ? a : { id: a.id, view: agentView(a, ctx) })),
      title,
      total: state.sorted.length,
      notShown,
      compact,
      counts: withCounts ? agentStateCounts(state.sorted) : null,
    });
    return info;
  }

  /** How many cards (or team headings) fit the agent list: its grid's columns times the rows of the card height. */
  function agentsPerPage() {
    const list = agents.querySelector('.agent-board__list');
    const style = getComputedStyle(list);
    const cols = Math.max(1, style.gridTemplateColumns.split(' ').filter(Boolean).length);
    const gap = parseFloat(style.rowGap) || 0;
    let card = 0;
    for (const li of list.children) card = Math.max(card, li.offsetHeight);
    if (!card) card = 3.6 * rootPx();
    const rows = Math.max(1, Math.floor((list.clientHeight + gap) / (card + gap)));
    return cols * rows;
  }

}

/** The page indicator draws one dot per page up to this many pages (the text says the rest). */
const MAX_PAGER_DOTS = 12;
/** Above this many agents the cards are compact (name, time, state: no queue line). */
const COMPACT_AGENTS = 300;
/** A queue tile's height in its own em before the first one is measured. */
const TILE_HEIGHT_EM = 27;
/** The narrowest a tile can be, in its em, and still show "100%" beside waiting and longest wait. */
const TILE_MIN_WIDTH_EM = 40;
/** The readable minimum of a tile's font at three metres (the service level is then 4.4 rem high). */
const TILE_MIN_FONT_REM = 0.6;
/** The table's rows: height in em, the width of one block in em, and its font between these bounds. */
const TABLE_ROW_EM = 1.45;
const TABLE_MIN_WIDTH_EM = 56;
const TABLE_MIN_FONT_REM = 0.75;
const TABLE_MAX_FONT_REM = 1.6;

function formatTarget(target) {
  return typeof target === 'number' && Number.isFinite(target) ? `${Math.round(target * 100)}%` : '—';
}

function send(target, type, detail) {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: false }));
}
