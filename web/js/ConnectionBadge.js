import { setAttr, setText } from './dom.js';

const LABELS = { connecting: 'Connecting…', live: 'Live', stale: 'Stale', down: 'Offline' };

/**
 * Mounts the `.connection-badge` in the header: a coloured dot plus a word for the link state, and the
 * reconnect countdown while offline. The `connectionBadge` event carries `{connection, now}`.
 * @param {HTMLElement} el
 */
export function ConnectionBadge(el) {
  el.setAttribute('role', 'status');
  el.innerHTML = `
    <span class="connection-badge__dot" aria-hidden="true"></span>
    <span class="connection-badge__label"></span>
    <span class="connection-badge__detail"></span>
  `;
  const label = el.querySelector('.connection-badge__label');
  const detail = el.querySelector('.connection-badge__detail');

  el.addEventListener('connectionBadge', (e) => {
    const { connection, now } = e.detail;
    const state = connection ? connection.state : 'connecting';
    setAttr(el, 'data-state', state);
    setText(label, LABELS[state] || state);
    let text = '';
    if (state === 'down' && connection.retryAt) {
      const s = Math.max(0, Math.ceil((connection.retryAt - now) / 1000));
      text = s > 0 ? `retry in ${s} s` : 'retrying';
    }
    setText(detail, text);
  });
}
