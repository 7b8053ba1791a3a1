import {
  DEFAULT_HEARTBEAT_SECONDS,
  STALE_AFTER_HEARTBEATS,
  linkHealth,
  parseTime,
  reconnectDelayMs,
} from './WallboardLogic.js';
import { boardToken, withToken } from './token.js';
import { TopicStore, topicFor, topicMessages, topicsForLayout } from './TopicStore.js';
import { applyIntervalMessage, intervalTopicsForLayout, isIntervalTopic } from './IntervalChart.js';

/** Subprotocol of the wallboard WebSocket (protocol.md). */
export const SUBPROTOCOL = 'wallboard.v1';

/**
 * The WebSocket address of the daemon that served this page: `ws(s)://<host>/ws`, with the kiosk token
 * (`?token=` of the page, see token.js) when there is one.
 * @param {{protocol: string, host: string}} loc usually `window.location`
 * @param {string|null} [token] default: the page's kiosk token
 * @returns {string}
 */
export function socketUrl(loc, token = boardToken()) {
  return withToken(`${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`, token);
}

/**
 * Owns the board's WebSocket: connects with subprotocol `wallboard.v1`, subscribes to exactly the topics its layout
 * shows (`TopicStore.topicsForLayout`: `center` and `alerts` first, then the queues and agents the `center` payload
 * lists, following changes of that list; `center` and the queues limited to the windows the layout reads, e.g.
 * `center@primary`, `queue:sales@primary`) in bundles (one message per publish cycle with every topic that changed,
 * dispatched as one update), assembles them in a `TopicStore`, subscribes again to a topic whose delta
 * does not follow what it has, reconnects by itself (1 s doubling to 30 s, with jitter) and resubscribes, and
 * watches the link (stale after 3 silent heartbeats, dropped and reconnected after 6, which also catches half-open
 * TCP connections).
 *
 * Dispatches on `el` (not bubbling):
 * - `wallboardSnapshot`, detail = the model assembled from the topics, shaped like the snapshot (docs/snapshot.md,
 *   without the clock-derived seconds: views tick from `state_since`, `queued_at`, `oldest_queued_at`);
 * - `wallboardAlerts`, detail = `{supported: true, alerts}` with the `alerts` topic payload, or
 *   `{supported: false, alerts: null}` when the server answers `unknown_topic` for `alerts`;
 * - `wallboardConnection`, detail = `{state, since, lastMessageAt, retryAt, heartbeatSeconds, serverVersion}`
 *   where state is "connecting" | "live" | "stale" | "down" and times are local epoch ms;
 * - `wallboardClock`, detail = `{serverTime, receivedAt}` (epoch ms) for every message that carries server time;
 * - `wallboardIntervals`, detail = `{topic, data}`: an interval topic's payload for the charts (`IntervalChart.js`),
 *   data null when the board no longer shows it.
 *
 * @param {EventTarget} el where events are dispatched
 * @param {object} options
 * @param {string} options.url e.g. `socketUrl(location)`
 * @param {{layout?: string, queues?: string[]|null, queue?: string|null}} [options.board] what the board shows
 *   (`WallboardLogic.parseBoardOptions`), default the tv layout of every queue
 * @param {typeof WebSocket} [options.WebSocket] injectable for tests
 * @param {{now: () => number, setTimeout: Function, clearTimeout: Function, setInterval: Function,
 *   clearInterval: Function}} [options.clock] injectable for tests
 * @param {() => number} [options.random] jitter source, default Math.random
 * @returns {{close: () => void}} stops the socket and every timer
 */
export function WallboardSocket(el, options) {
  const WS = options.WebSocket || globalThis.WebSocket;
  const clock = options.clock || defaultClock();
  const random = options.random || Math.random;

  let ws = null;
  let attempt = 0;
  let heartbeatSeconds = DEFAULT_HEARTBEAT_SECONDS;
  let serverVersion = null;
  let connectStartedAt = 0;
  let lastMessageAt = null; // last message on the current socket
  let lastEverAt = null; // last message on any socket, what "stale since" refers to
  let retryTimer = null;
  let retryAt = null;
  let state = null;
  let since = 0;
  let closed = false;
  const board = options.board || { layout: 'tv', queues: null, queue: null };
  const store = TopicStore(board);
  let subscribed = new Set();
  /** Interval topics (the charts'): topic -> {seq, data}, kept apart from the TopicStore's model. */
  const intervals = new Map();
  /** Interval topics subscribed to again, waiting for their whole payload (asked once, not at every delta). */
  const intervalsAsked = new Set();

  const watchTimer = clock.setInterval(watch, 1000);
  connect();

  return { close };

  function connect() {
    retryTimer = null;
    retryAt = null;
    lastMessageAt = null;
    connectStartedAt = clock.now();
    setState('connecting');
    try {
      ws = new WS(options.url, SUBPROTOCOL);
    } catch {
      ws = null;
      scheduleReconnect();
      return;
    }
    ws.onopen = () => {
      subscribed = new Set();
      store.clear();
      intervals.clear();
      intervalsAsked.clear();
      followLayout();
    };
    ws.onmessage = (e) => receive(e.data);
    ws.onclose = () => lost();
    ws.onerror = () => lost();
  }

  function receive(text) {
    const at = clock.now();
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    lastMessageAt = at;
    lastEverAt = at;
    attempt = 0;
    if (msg.type === 'hello') {
      if (msg.heartbeat_seconds > 0) heartbeatSeconds = msg.heartbeat_seconds;
      serverVersion = msg.version ?? null;
    }
    setState('live');
    const serverTime = parseTime(msg.server_time);
    if (serverTime !== null) emit('wallboardClock', { serverTime, receivedAt: at });
    const updates = topicMessages(msg);
    if (updates.length) {
      // A bundle is one update of the board: applied whole, then one snapshot, one resubscribe.
      const isAlerts = (m) => m.topic === 'alerts' && m.data && typeof m.data === 'object';
      for (const m of updates) if (isAlerts(m)) emit('wallboardAlerts', { supported: true, alerts: m.data });
      const intervalResync = updates.filter((m) => isIntervalTopic(m.topic) && subscribed.has(m.topic) && applyInterval(m));
      const { changed, resync } = store.applyAll(updates.filter((m) => !isAlerts(m) && !isIntervalTopic(m.topic)));
      resync.push(...intervalResync.map((m) => m.topic));
      if (resync.length) send({ op: 'subscribe', topics: resync, bundle: true });
      if (changed.includes(topicFor('center', board))) followLayout();
      const snapshot = changed.length ? store.snapshot() : null;
      if (snapshot) emit('wallboardSnapshot', snapshot);
    } else if (msg.type === 'error' && msg.code === 'unknown_topic' && refusedTopics(msg).includes('alerts')) {
      emit('wallboardAlerts', { supported: false, alerts: null });
    }
  }

  /**
   * The topic names an `unknown_topic` error refers to: its `topics` list, or, from a server before that
   * list, the names after "unknown topics: " in its message (exact names: `queue:alerts` is not `alerts`).
   */
  function refusedTopics(msg) {
    if (Array.isArray(msg.topics)) return msg.topics.map(String);
    const text = String(msg.message ?? '');
    const at = text.indexOf(':');
    return at < 0 ? [] : text.slice(at + 1).split(',').map((name) => name.trim());
  }

  /** Applies an interval topic's message and hands the payload to the charts; true when it needs a resubscribe. */
  function applyInterval(m) {
    const { have, resync } = applyIntervalMessage(intervals.get(m.topic) || null, m);
    if (m.data) intervalsAsked.delete(m.topic);
    if (resync) {
      if (intervalsAsked.has(m.topic)) return false;
      intervalsAsked.add(m.topic);
      return true;
    }
    if (have && have !== intervals.get(m.topic)) {
      intervals.set(m.topic, have);
      emit('wallboardIntervals', { topic: m.topic, data: have.data });
    }
    return false;
  }

  /** Subscribes to what the layout shows now and unsubscribes from what it no longer shows. */
  function followLayout() {
    const center = store.center();
    const wanted = [...topicsForLayout(board, center), ...intervalTopicsForLayout(board, center)].sort();
    const add = wanted.filter((t) => !subscribed.has(t));
    const drop = [...subscribed].filter((t) => !wanted.includes(t));
    subscribed = new Set(wanted);
    if (drop.length) {
      store.forget(drop);
      for (const t of drop) intervalsAsked.delete(t);
      for (const t of drop.filter((name) => intervals.delete(name))) emit('wallboardIntervals', { topic: t, data: null });
      send({ op: 'unsubscribe', topics: drop });
    }
    if (add.length) send({ op: 'subscribe', topics: add, bundle: true });
  }

  function send(message) {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // Closing: the next connection subscribes again.
    }
  }

  function watch() {
    if (closed || !ws) return;
    const health = linkHealth(lastMessageAt ?? connectStartedAt, heartbeatSeconds, clock.now());
    if (lastMessageAt === null) {
      // Still connecting, or open without a hello: give up after the stale window and retry.
      if (health !== 'live') lost();
    } else if (health === 'dead') {
      lost();
    } else if (health === 'stale') {
      setState('stale');
    }
  }

  function lost() {
    if (closed || !ws) return;
    drop();
    scheduleReconnect();
  }

  function drop() {
    const old = ws;
    ws = null;
    if (!old) return;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try {
      old.close();
    } catch {
      // Already closing; nothing to release.
    }
  }

  function scheduleReconnect() {
    const delay = reconnectDelayMs(attempt, random());
    attempt += 1;
    retryAt = clock.now() + delay;
    setState('down');
    retryTimer = clock.setTimeout(connect, delay);
  }

  function setState(next) {
    if (next === state) return;
    state = next;
    since = clock.now();
    emit('wallboardConnection', {
      state,
      since,
      lastMessageAt: lastEverAt,
      retryAt: state === 'down' ? retryAt : null,
      heartbeatSeconds,
      staleAfterSeconds: STALE_AFTER_HEARTBEATS * heartbeatSeconds,
      serverVersion,
    });
  }

  function emit(type, detail) {
    el.dispatchEvent(new CustomEvent(type, { detail, bubbles: false }));
  }

  function close() {
    closed = true;
    clock.clearInterval(watchTimer);
    if (retryTimer !== null) clock.clearTimeout(retryTimer);
    drop();
  }
}

function defaultClock() {
  return {
    now: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (id) => clearTimeout(id),
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (id) => clearInterval(id),
  };
}
