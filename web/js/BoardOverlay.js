import { setAttr, setText } from './dom.js';

/**
 * Mounts the `.board-overlay`: the full-screen message shown instead of numbers that cannot be trusted —
 * "Waiting for data…" before the first snapshot, and "Connection lost — reconnecting…" / "Data stale since …"
 * over a dimmed board. The `boardOverlay` event carries `{mode: "none"|"waiting"|"stale", title, detail}`.
 * @param {HTMLElement} el
 */
export function BoardOverlay(el) {
  el.setAttribute('role', 'alert');
  el.innerHTML = `
    <div class="board-overlay__box">
      <p class="board-overlay__title"></p>
      <p class="board-overlay__detail"></p>
    </div>
  `;
  const title = el.querySelector('.board-overlay__title');
  const detail = el.querySelector('.board-overlay__detail');

  el.addEventListener('boardOverlay', (e) => {
    const { mode, title: t, detail: d } = e.detail;
    setAttr(el, 'data-mode', mode);
    setAttr(el, 'hidden', mode === 'none');
    setText(title, t);
    setText(detail, d);
  });
}
