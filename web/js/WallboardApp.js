import { AgentBoard } from './AgentBoard.js';
import { AlertBanner } from './AlertBanner.js';
import { BoardOverlay } from './BoardOverlay.js';
import { CenterSummary } from './CenterSummary.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { KpiBoard } from './KpiBoard.js';
import { QueueDetail } from './QueueDetail.js';
import { QueueTile } from './QueueTile.js';
import { reconcile, setAttr, setText } from './dom.js';
import {
  addClockSample,
  boardNow,
  clockOffsetMs,
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
 * `wallboardClock`. Re-renders on every event (model updates coalesced to one render per animation frame) and on a
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
  const state = { snapshot: null, alerts: null, connection: null, clockSamples: [], sortedFor: null, sorted: [] };

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

  setAttr(el, 'data-layout', layout);
  setAttr(tiles, 'hidden', layout !== 'tv');
  setAttr(summary, 'hidden', layout !== 'tv');
  if (detail) setAttr(detail, 'hidden', layout !== 'queue');
  if (kpi) setAttr(kpi, 'hidden', layout !== 'queue' && layout !== 'kpi');
  setAttr(agents, 'hidden', layout === 'kpi');

  ConnectionBadge(badge);
  CenterSummary(summary);
  AgentBoard(agents);
  BoardOverlay(overlay);
  if (banner) AlertBanner(banner);
  if (detail) QueueDetail(detail);
  if (kpi) KpiBoard(kpi);

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

    if (layout === 'tv') {
      renderQueues(snap, ctx);
      send(summary, 'centerSummary', centerView(snap.center, ctx));
      renderAgents(snap, serverNow, options.queues);
    } else if (layout === 'queue') {
      const queue = renderDetail(snap, ctx);
      if (kpi) {
        setAttr(kpi, 'hidden', !queue);
        if (queue) send(kpi, 'kpiBoard', { title: '', tables: queueKpiTables(snap, queue) });
      }
      renderAgents(snap, serverNow, queue ? [queue.id] : [], queue ? `Agents · ${queue.name || queue.id}` : 'Agents');
    } else if (layout === 'kpi') {
      setNote([], (snap.queues || []).length);
      if (kpi) send(kpi, 'kpiBoard', { title: `All queues · ${windowLabel(snap.primary_window)} and today`, tables: centerKpiTables(snap) });
    } else {
      setNote(selectQueues(snap.queues, options.queues).missing, (snap.queues || []).length);
      renderAgents(snap, serverNow, options.queues, 'Agents', true);
    }
  }

  function renderDetail(snap, ctx) {
    const all = snap.queues || [];
    const id = options.queue || (all[0] && all[0].id);
    const queue = all.find((q) => q.id === id) || null;
    setNote(queue || !id ? [] : [id], all.length, 'queue');
    if (!queue) {
      if (detail) setAttr(detail, 'hidden', true);
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
    return queue;
  }

  function setNote(missing, count, param = 'queues') {
    let text = '';
    if (missing.length) text = `No queue with id ${missing.join(', ')} (check ?${param}= in the address)`;
    else if (!count) text = 'No queues configured';
    setAttr(note, 'hidden', text === '');
    setText(note, text);
  }

  function renderQueues(snap, ctx) {
    const { queues, missing } = selectQueues(snap.queues, options.queues);
    reconcile(
      tiles,
      queues,
      (q) => q.id,
      () => {
        const tile = document.createElement('article');
        tile.className = 'queue-tile';
        QueueTile(tile);
        return tile;
      },
      (tile, q) => send(tile, 'queueTile', queueView(q, ctx)),
      'id',
    );
    setAttr(tiles, 'data-count', Math.min(queues.length, 9));
    setNote(missing, queues.length);
  }

  function renderAgents(snap, serverNow, queueIds, title, withCounts = false) {
    if (state.sortedFor !== snap) {
      state.sortedFor = snap;
      state.sorted = sortAgents(filterAgents(snap.agents, queueIds));
      state.queueNames = new Map((snap.queues || []).map((q) => [q.id, q.name || q.id]));
    }
    const ctx = { serverNow, queueNames: state.queueNames, limits: snap.agent_state_limits };
    send(agents, 'agentBoard', {
      agents: state.sorted.map((a) => ({ id: a.id, view: agentView(a, ctx) })),
      title,
      counts: withCounts ? agentStateCounts(state.sorted) : null,
    });
  }
}

function send(target, type, detail) {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: false }));
}
