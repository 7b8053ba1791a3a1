import { bindView } from './dom.js';
import { IntervalChart } from './IntervalChartView.js';

/**
 * Mounts one `.queue-tile` (addressed by `data-id` = queue id). It renders whatever view it receives through
 * the `queueTile` event (detail = `WallboardView.queueView(...)`), touching only the text that changed. With
 * `detail.spark` (`{payload, warning}`: the tv layout's `?spark=1`) a sparkline of today's service level per
 * interval sits under the service level.
 * @param {HTMLElement} el
 */
export function QueueTile(el) {
  el.innerHTML = `
    <header class="queue-tile__head">
      <h2 class="queue-tile__name" data-field="name"></h2>
      <span class="queue-tile__target" data-field="targetText"></span>
    </header>
    <div class="queue-tile__body">
      <div class="queue-tile__sl" data-tone-field="slClass">
        <span class="queue-tile__sl-label">Service level · <span data-field="windowLabel"></span></span>
        <span class="queue-tile__sl-value" data-field="slText"></span>
        <span class="queue-tile__sl-cue">
          <span class="queue-tile__sl-icon" data-field="slIcon" aria-hidden="true"></span>
          <span data-field="slCue"></span>
        </span>
        <div class="queue-tile__spark" hidden></div>
      </div>
      <div class="queue-tile__stat" data-tone-field="waitingClass">
        <span class="queue-tile__label">Waiting</span>
        <span class="queue-tile__value" data-field="waiting"></span>
      </div>
      <div class="queue-tile__stat" data-tone-field="longestWaitClass">
        <span class="queue-tile__label">Longest wait</span>
        <span class="queue-tile__value" data-field="longestWait" data-fit></span>
      </div>
    </div>
    <dl class="queue-tile__agents">
      <div class="queue-tile__agent" data-state="available" data-tone-field="availableClass">
        <dt>Available</dt><dd data-field="available"></dd>
      </div>
      <div class="queue-tile__agent" data-state="ringing"><dt>Ringing</dt><dd data-field="ringing"></dd></div>
      <div class="queue-tile__agent" data-state="on_contact"><dt>On contact</dt><dd data-field="onContact"></dd></div>
      <div class="queue-tile__agent" data-state="wrap_up"><dt>Wrap-up</dt><dd data-field="wrapUp"></dd></div>
      <div class="queue-tile__agent" data-state="not_ready"><dt>Not ready</dt><dd data-field="notReady"></dd></div>
    </dl>
    <footer class="queue-tile__footer">
      <p class="queue-tile__window-label" data-field="windowLabel"></p>
      <dl class="queue-tile__window">
        <div><dt>Offered</dt><dd data-field="offered"></dd></div>
        <div><dt>Answered</dt><dd data-field="answered"></dd></div>
        <div><dt>Abandoned</dt><dd data-field="abandonRate"></dd></div>
        <div><dt>ASA</dt><dd data-field="asa" data-fit></dd></div>
      </dl>
    </footer>
  `;

  const apply = bindView(el);
  const sparkEl = el.querySelector('.queue-tile__spark');
  let spark = null;
  el.addEventListener('queueTile', (e) => {
    apply(e.detail);
    // Mounted on first use: a board without ?spark=1 draws no SVG and watches no sizes.
    if (e.detail.spark && !spark) spark = IntervalChart(sparkEl, 'spark');
    if (spark) spark.update(e.detail.spark || null);
  });
}
