import { TopicStore } from '../TopicStore.js';
import { withToken } from '../token.js';

/** Subprotocol of the wallboard WebSocket (docs/protocol.md). */
const SUBPROTOCOL = 'wallboard.v1';

/**
 * The console's WebSocket: subscribes to `interactions` (supervisors only) and `agents`, keeps both through
 * their deltas in a `TopicStore` (a delta that does not follow what it has makes it subscribe again for the
 * whole payload), keeps a server-clock offset from `hello` and `heartbeat`, and reconnects by itself (1 s doubling to
 * 30 s). The token goes in the socket's `?token=` (a browser cannot set Authorization on a WebSocket); it
 * is never in the page's own address.
 *
 * @param {object} options
 * @param {string} options.token the supervisor token
 * @param {(state: {interactions: object[]|null, agents: Map<string, object>, refused: string|null}) => void} options.onChange
 * @param {(state: string) => void} [options.onLink] "connecting" | "live" | "down"
 * @returns {{close: () => void, now: () => number}} `now` = server time estimate, epoch ms
 */
export function ConsoleSocket({ token, onChange, onLink = () => {} }) {
  const url = withToken(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, token);
  const state = { interactions: null, agents: new Map(), refused: null };
  const store = TopicStore();
  let offset = 0;
  let ws = null;
  let attempt = 0;
  let timer = null;
  let closed = false;

  const subscribe = (topics) => ws?.send(JSON.stringify({ op: 'subscribe', topics }));

  function onMessage(event) {
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    if (msg.server_time) {
      const at = Date.parse(msg.server_time);
      if (Number.isFinite(at)) offset = at - Date.now();
    }
    if (msg.type === 'hello') {
      attempt = 0;
      onLink('live');
      subscribe(['interactions', 'agents']);
      return;
    }
    if (msg.type === 'error') {
      if (msg.code === 'forbidden_topic' || msg.code === 'unknown_topic') {
        state.refused = msg.message || msg.code;
        onChange(state);
      }
      return;
    }
    if (msg.type !== 'topic' || (msg.topic !== 'interactions' && msg.topic !== 'agents')) return;
    const { changed, resync } = store.apply(msg);
    if (resync) subscribe([resync]);
    if (!changed) return;
    const interactions = store.data('interactions');
    if (interactions) state.interactions = Array.isArray(interactions.interactions) ? interactions.interactions : [];
    const agents = store.data('agents');
    if (agents) state.agents = agents.agents;
    onChange(state);
  }

  function connect() {
    if (closed) return;
    onLink('connecting');
    ws = new WebSocket(url, SUBPROTOCOL);
    ws.onmessage = onMessage;
    ws.onclose = () => {
      onLink('down');
      store.clear();
      if (closed) return;
      const delay = Math.min(30000, 1000 * 2 ** attempt);
      attempt += 1;
      timer = setTimeout(connect, delay);
    };
  }
  connect();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      ws?.close();
    },
    now: () => Date.now() + offset,
  };
}
