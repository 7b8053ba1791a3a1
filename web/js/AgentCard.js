import { bindView, setAttr } from './dom.js';

/** How a channel's contacts are counted on the card ("2/3 chats"). */
const CHANNEL_NOUNS = {
  voice: ['call', 'calls'],
  chat: ['chat', 'chats'],
  email: ['e-mail', 'e-mails'],
  sms: ['SMS', 'SMS'],
  social: ['message', 'messages'],
  video: ['video call', 'video calls'],
};

/**
 * What an agent holding several contacts at once shows, e.g. "2/3 chats": one part per channel with
 * a capacity above 1 or more than one live contact (a voice agent's 1/1 call says nothing the state does not; an
 * agent over a capacity of 1, "2/1 chats", does), in the snapshot's order.
 * @param {{channel: string, live: number, capacity: number}[]|undefined} load `agents[].load` of the snapshot
 * @returns {string} empty when there is nothing to show
 */
export function loadLabel(load) {
  if (!Array.isArray(load)) return '';
  return load
    .filter((entry) => entry && Number.isFinite(entry.live) && Number.isFinite(entry.capacity) && (entry.capacity > 1 || entry.live > 1))
    .map((entry) => {
      const [one, many] = CHANNEL_NOUNS[entry.channel] || [entry.channel, entry.channel];
      return `${entry.live}/${entry.capacity} ${Math.max(entry.live, entry.capacity) === 1 ? one : many}`;
    })
    .join(' · ');
}

/**
 * Mounts one `.agent-card` (keyed by `data-key` = agent id). The `agentCard` event (detail =
 * `WallboardView.agentView(...)`) updates it in place; `data-state` drives the colour, the state is also
 * written out in words; `load` ("2/3 chats") shows how many contacts an agent holds at once.
 * @param {HTMLElement} el
 */
export function AgentCard(el) {
  el.innerHTML = `
    <span class="agent-card__name" data-field="name"></span>
    <span class="agent-card__time" data-field="timeInState"></span>
    <span class="agent-card__status">
      <span class="agent-card__state" data-field="stateLabel"></span>
      <span class="agent-card__detail" data-field="detail"></span>
      <span class="agent-card__load" data-field="load"></span>
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
