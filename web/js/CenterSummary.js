import { bindView } from './dom.js';

/**
 * Mounts the `.center-summary` strip: the whole center (all queues, whatever `?queues=` shows) in two rows: the
 * figures of the queue tiles, then abandons, max wait, occupancy, utilization, transfers, FCR, CSAT, CES.
 * The `centerSummary` event carries `WallboardView.centerView(...)` and `scopeTitle` ("All queues", or a queue group's name).
 * @param {HTMLElement} el
 */
export function CenterSummary(el) {
  el.innerHTML = `
    <h2 class="center-summary__title"><span class="center-summary__scope" data-field="scopeTitle">All queues</span> <span data-field="windowLabel"></span></h2>
    <dl class="center-summary__items">
      <div><dt>Waiting</dt><dd data-field="waiting"></dd></div>
      <div><dt>Longest wait</dt><dd data-field="longestWait" data-fit></dd></div>
      <div><dt>Service level</dt><dd data-field="serviceLevel"></dd></div>
      <div><dt>Offered</dt><dd data-field="offered"></dd></div>
      <div><dt>Answered</dt><dd data-field="answered"></dd></div>
      <div><dt>Abandon rate</dt><dd data-field="abandonRate"></dd></div>
      <div><dt>ASA</dt><dd data-field="asa" data-fit></dd></div>
      <div><dt>AHT</dt><dd data-field="aht" data-fit></dd></div>
      <div><dt>Logged in</dt><dd data-field="loggedIn"></dd></div>
      <div><dt>Not ready</dt><dd><span data-field="notReady"></span>
        <small class="center-summary__reasons" data-field="notReadyReasons"></small></dd></div>
      <div><dt>Abandons</dt><dd data-field="abandoned"></dd></div>
      <div><dt>Short aband.</dt><dd data-field="shortAbandoned"></dd></div>
      <div><dt>Max wait</dt><dd data-field="maxWait" data-fit></dd></div>
      <div><dt>Occupancy</dt><dd data-field="occupancy"></dd></div>
      <div><dt>Utilization</dt><dd data-field="utilization"></dd></div>
      <div><dt>Transfers</dt><dd data-field="transfers"></dd></div>
      <div><dt>FCR</dt><dd data-field="fcr"></dd></div>
      <div><dt>CSAT <small>1–5</small></dt><dd data-field="csat"></dd></div>
      <div><dt>CES <small>1–7</small></dt><dd data-field="ces"></dd></div>
      <div><dt>Available</dt><dd data-field="available"></dd></div>
    </dl>
  `;
  const apply = bindView(el);
  el.addEventListener('centerSummary', (e) => apply(e.detail));
}
