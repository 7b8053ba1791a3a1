import { bindView, setAttr, setText } from './dom.js';

/**
 * Mounts the `.alert-banner` (a landmark between the header and the board): the most important active alert with
 * its severity in colour, icon and word, and how many others there are. The `alertBanner` event carries
 * `WallboardView.alertBannerView(...)`. The same few nodes are reused for ever; only their text changes.
 *
 * Screen readers hear changes through a separate polite live region whose text only changes when the alerts do
 * (not on the once-a-second tick of the "since" time), and which stays in the page while the banner is hidden.
 * @param {HTMLElement} el
 */
export function AlertBanner(el) {
  el.innerHTML = `
    <div class="alert-banner__box" hidden>
      <span class="alert-banner__icon" data-field="icon" aria-hidden="true"></span>
      <span class="alert-banner__severity" data-field="severityLabel"></span>
      <span class="alert-banner__text">
        <span class="alert-banner__summary" data-field="summary"></span>
        <span class="alert-banner__detail" data-field="detail"></span>
      </span>
      <span class="alert-banner__others" data-field="others"></span>
    </div>
    <p class="alert-banner__live visually-hidden" aria-live="polite" aria-atomic="true"></p>
  `;
  const box = el.querySelector('.alert-banner__box');
  const live = el.querySelector('.alert-banner__live');
  const apply = bindView(box);

  el.addEventListener('alertBanner', (e) => {
    const view = e.detail;
    apply(view);
    setAttr(box, 'hidden', view.hidden);
    setAttr(el, 'data-severity', view.hidden ? null : view.severity);
    setAttr(el, 'data-count', view.count);
    setText(live, view.announce);
  });
}
