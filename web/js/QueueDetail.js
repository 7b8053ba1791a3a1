import { bindView, reconcile, setAttr, setText } from './dom.js';

/**
 * Mounts the `.queue-detail` of the queue layout (`?layout=queue&queue=sales`): the queue's service level in each
 * window side by side, its figures for the primary window, the Erlang C prediction when the server computes one,
 * and the contacts waiting with their waits ticking. The `queueDetail` event carries
 * `{view, windows, waiting}`: `WallboardView.queueDetailView(...)`, `serviceLevelWindows(...)` and rows of
 * `{key, view: waitingItemView(...)}`. Windows are keyed by `data-id` = window name, waiting rows by `data-key` =
 * contact id.
 * @param {HTMLElement} el
 */
export function QueueDetail(el) {
  el.innerHTML = `
    <header class="queue-detail__head">
      <h2 class="queue-detail__name" data-field="name"></h2>
      <span class="queue-detail__target" data-field="targetText"></span>
      <p class="queue-detail__window-label">figures: <span data-field="windowLabel"></span></p>
    </header>
    <ol class="queue-detail__windows" aria-label="Service level by window"></ol>
    <div class="queue-detail__body">
      <dl class="queue-detail__stats">
        <div class="queue-detail__stat queue-detail__stat--big" data-tone-field="waitingClass">
          <dt>Waiting now</dt><dd data-field="waiting"></dd></div>
        <div class="queue-detail__stat queue-detail__stat--big" data-tone-field="longestWaitClass">
          <dt>Longest wait</dt><dd data-field="longestWait" data-fit></dd></div>
        <div class="queue-detail__stat queue-detail__stat--big" data-tone-field="availableClass">
          <dt>Available</dt><dd><span data-field="available"></span><small> of <span data-field="loggedIn"></span></small></dd></div>
        <div class="queue-detail__stat"><dt>Offered</dt><dd data-field="offered"></dd></div>
        <div class="queue-detail__stat"><dt>Answered</dt><dd data-field="answered"></dd></div>
        <div class="queue-detail__stat"><dt>Abandon rate</dt><dd data-field="abandonRate"></dd></div>
        <div class="queue-detail__stat"><dt>ASA</dt><dd data-field="asa" data-fit></dd></div>
        <div class="queue-detail__stat"><dt>AHT</dt><dd data-field="aht" data-fit></dd></div>
      </dl>
      <section class="queue-detail__erlang" aria-label="Erlang C prediction">
        <h3 class="queue-detail__subtitle">Prediction (Erlang C)</h3>
        <dl>
          <div data-tone-field="erlangSlClass"><dt>Predicted SL</dt><dd data-field="erlangSl"></dd></div>
          <div><dt>Agents needed</dt><dd><span data-field="erlangAgents"></span><small> (staffed <span data-field="staffed"></span>)</small></dd></div>
          <div><dt>Expected wait</dt><dd data-field="erlangWait" data-fit></dd></div>
        </dl>
      </section>
      <section class="queue-detail__waiting" aria-label="Contacts waiting">
        <h3 class="queue-detail__subtitle">Waiting <span class="queue-detail__waiting-count"></span></h3>
        <ol class="queue-detail__waiting-list"></ol>
        <p class="queue-detail__waiting-empty">Nobody waiting</p>
      </section>
    </div>
  `;
  const apply = bindView(el.querySelector('.queue-detail__head'));
  const applyBody = bindView(el.querySelector('.queue-detail__body'));
  const windows = el.querySelector('.queue-detail__windows');
  const erlang = el.querySelector('.queue-detail__erlang');
  const list = el.querySelector('.queue-detail__waiting-list');
  const empty = el.querySelector('.queue-detail__waiting-empty');
  const waitingCount = el.querySelector('.queue-detail__waiting-count');
  const waitingSection = el.querySelector('.queue-detail__waiting');

  el.addEventListener('queueDetail', (e) => {
    const { view, windows: slWindows, waiting, waitingKnown } = e.detail;
    apply(view);
    applyBody(view);
    setAttr(erlang, 'hidden', !view.erlang);
    setAttr(el, 'data-waiting-list', waitingKnown ? 'known' : null);
    reconcile(
      windows,
      slWindows,
      (w) => w.id,
      () => {
        const li = document.createElement('li');
        li.className = 'queue-detail__window';
        li.innerHTML = `
          <span class="queue-detail__window-name" data-field="label"></span>
          <span class="queue-detail__window-sl" data-field="slText"></span>
          <span class="queue-detail__window-cue"><span data-field="slIcon" aria-hidden="true"></span>
            <span data-field="slCue"></span></span>
          <span class="queue-detail__window-counts" data-field="counts"></span>`;
        li.applyView = bindView(li);
        return li;
      },
      (li, w) => {
        li.applyView(w);
        setAttr(li, 'data-tone', w.slClass);
      },
      'id',
    );
    setAttr(windows, 'data-count', slWindows.length);
    reconcile(
      list,
      waiting,
      (w) => w.key,
      () => {
        const li = document.createElement('li');
        li.className = 'queue-detail__waiting-item';
        li.innerHTML = `
          <span class="queue-detail__waiting-wait" data-field="wait" data-fit></span>
          <span class="queue-detail__waiting-channel" data-field="channel"></span>
          <span class="queue-detail__waiting-detail" data-field="detail"></span>`;
        li.applyView = bindView(li);
        return li;
      },
      (li, w) => {
        li.applyView(w.view);
        setAttr(li, 'data-tone', w.view.waitClass);
        setAttr(li, 'data-vip', w.view.vip);
      },
    );
    // A server without the `waiting` list: the section goes, the count stays in the figures.
    setAttr(waitingSection, 'hidden', !waitingKnown);
    setAttr(empty, 'hidden', waiting.length > 0);
    setText(waitingCount, `(${waiting.length})`);
  });
}
