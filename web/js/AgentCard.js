import { bindView, setAttr } from './dom.js';

/**
 * Mounts one `.agent-card` (keyed by `data-key` = agent id). The `agentCard` event (detail =
 * `WallboardView.agentView(...)`) updates it in place; `data-state` drives the colour, the state is also
 * written out in words.
 * @param {HTMLElement} el
 */
export function AgentCard(el) {
  el.innerHTML = `
    <span class="agent-card__name" data-field="name"></span>
    <span class="agent-card__time" data-field="timeInState"></span>
    <span class="agent-card__status">
      <span class="agent-card__state" data-field="stateLabel"></span>
      <span class="agent-card__detail" data-field="detail"></span>
    </span>
    <span class="agent-card__queues" data-field="queues"></span>
  `;

  const apply = bindView(el);
  el.addEventListener('agentCard', (e) => {
    apply(e.detail);
    setAttr(el, 'data-state', e.detail.state);
    setAttr(el, 'data-long', e.detail.long);
  });
}
