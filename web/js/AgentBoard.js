import { AgentCard } from './AgentCard.js';
import { reconcile, setAttr, setText } from './dom.js';

/**
 * Mounts the `.agent-board`: a grid of `.agent-card`s keyed by agent id, already sorted by the caller
 * (state, then longest in state). The `agentBoard` event carries `{agents: [{id, view}]}` (view =
 * `WallboardView.agentView(...)`), and optionally `title` (default "Agents") and `counts` (agents per state,
 * `WallboardView.agentStateCounts(...)`, shown in the heading); cards of agents that left are removed, the others are reused. Cards that do not
 * fit the screen are hidden whole and the board's heading says how many, rather than cutting them silently.
 * @param {HTMLElement} el
 */
export function AgentBoard(el) {
  el.innerHTML = `
    <div class="agent-board__head">
      <h2 class="agent-board__title"><span class="agent-board__name">Agents</span> <span class="agent-board__count"></span></h2>
      <ol class="agent-board__states" aria-label="Agents by state" hidden></ol>
      <p class="agent-board__more" hidden></p>
    </div>
    <ol class="agent-board__list"></ol>
  `;
  const list = el.querySelector('.agent-board__list');
  const count = el.querySelector('.agent-board__count');
  const more = el.querySelector('.agent-board__more');
  const name = el.querySelector('.agent-board__name');
  const states = el.querySelector('.agent-board__states');
  let lastKeys = '';

  // The list's height changes with the window and with the number of queue tiles above it.
  if (typeof ResizeObserver === 'function') new ResizeObserver(updateOverflow).observe(list);
  else window.addEventListener('resize', updateOverflow);

  el.addEventListener('agentBoard', (e) => {
    const { agents, title, counts } = e.detail;
    setText(name, title || 'Agents');
    setText(count, agents.length ? `(${agents.length} logged in)` : '— nobody logged in');
    setAttr(states, 'hidden', !counts);
    if (counts) {
      reconcile(
        states,
        counts,
        (c) => c.state,
        () => {
          const li = document.createElement('li');
          li.className = 'agent-board__state';
          li.innerHTML = '<span class="agent-board__state-count"></span> <span class="agent-board__state-label"></span>';
          return li;
        },
        (li, c) => {
          setAttr(li, 'data-state', c.state);
          setText(li.firstElementChild, c.count);
          setText(li.lastElementChild, c.label);
        },
      );
    }
    reconcile(
      list,
      agents,
      (a) => a.id,
      () => {
        const li = document.createElement('li');
        li.className = 'agent-card';
        AgentCard(li);
        return li;
      },
      (li, a) => li.dispatchEvent(new CustomEvent('agentCard', { detail: a.view })),
    );
    // Layout is only measured when the set or order of agents changed, not on every tick.
    const keys = agents.map((a) => a.id).join('\n');
    if (keys !== lastKeys) {
      lastKeys = keys;
      updateOverflow();
    }
  });

  function updateOverflow() {
    const limit = list.clientHeight;
    let hidden = 0;
    for (const li of list.children) {
      const out = li.offsetTop + li.offsetHeight > limit + 1;
      setAttr(li, 'data-overflow', out);
      if (out) hidden += 1;
    }
    setAttr(more, 'hidden', hidden === 0);
    setText(more, hidden ? `+ ${hidden} more agent${hidden === 1 ? '' : 's'} not shown` : '');
  }
}
