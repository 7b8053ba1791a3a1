import { AgentBoard } from './AgentBoard.js';
import { BoardOverlay } from './BoardOverlay.js';
import { CenterSummary } from './CenterSummary.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { QueueTile } from './QueueTile.js';
import { reconcile, setAttr, setText } from './dom.js';
import {
  addClockSample,
  boardNow,
  clockOffsetMs,
  filterAgents,
  formatClock,
  parseTime,
  selectQueues,
  sortAgents,
} from './WallboardLogic.js';
import { agentView, centerView, overlayView, queueView, sourceWarning } from './WallboardView.js';

/**
 * Mounts the `.wallboard-app` (the static skeleton in index.html) and keeps it in step with the events
 * `WallboardSocket` dispatches on `el`: `wallboardSnapshot`, `wallboardConnection`, `wallboardClock`.
 * Re-renders on every event and on a once-a-second tick aligned to the wall clock, so waits and times in
 * state tick between snapshots. Children are updated in place; nothing is rebuilt on a tick.
 * @param {HTMLElement} el
 * @param {{queues: string[]|null}} options from `WallboardLogic.parseBoardOptions(location.search)`
 */
export function WallboardApp(el, options) {
  const state = { snapshot: null, connection: null, clockSamples: [], sortedFor: null, sorted: [] };

  const title = el.querySelector('.board-header__title');
  const clock = el.querySelector('.board-header__clock');
  const sources = el.querySelector('.board-header__sources');
  const main = el.querySelector('.board-main');
  const tiles = el.querySelector('.queue-tiles');
  const note = el.querySelector('.board-note');
  const badge = el.querySelector('.connection-badge');
  const summary = el.querySelector('.center-summary');
  const agents = el.querySelector('.agent-board');
  const overlay = el.querySelector('.board-overlay');

  ConnectionBadge(badge);
  CenterSummary(summary);
  AgentBoard(agents);
  BoardOverlay(overlay);

  el.addEventListener('wallboardSnapshot', (e) => {
    state.snapshot = e.detail;
    state.clockSamples = addClockSample(state.clockSamples, parseTime(e.detail.generated_at), Date.now());
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
    if (snap === null) return;

    const serverNow = boardNow(now, state.connection) - offset;
    const ctx = { generatedAt: snap.generated_at, primaryWindow: snap.primary_window, serverNow };
    setText(title, (snap.center && snap.center.name) || 'wallboard');

    const warning = sourceWarning(snap.sources);
    setAttr(sources, 'hidden', warning === null);
    setText(sources, warning);

    renderQueues(snap, ctx);
    send(summary, 'centerSummary', centerView(snap.center, ctx));
    renderAgents(snap, serverNow);
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
    let text = '';
    if (missing.length) text = `No queue with id ${missing.join(', ')} (check ?queues= in the address)`;
    else if (!queues.length) text = 'No queues configured';
    setAttr(note, 'hidden', text === '');
    setText(note, text);
  }

  function renderAgents(snap, serverNow) {
    if (state.sortedFor !== snap) {
      state.sortedFor = snap;
      state.sorted = sortAgents(filterAgents(snap.agents, options.queues));
      state.queueNames = new Map((snap.queues || []).map((q) => [q.id, q.name || q.id]));
    }
    const ctx = { serverNow, queueNames: state.queueNames };
    send(agents, 'agentBoard', { agents: state.sorted.map((a) => ({ id: a.id, view: agentView(a, ctx) })) });
  }
}

function send(target, type, detail) {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: false }));
}
