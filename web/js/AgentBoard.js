import { AgentCard } from './AgentCard.js';
import { reconcile, setAttr, setText } from './dom.js';

/**
 * Mounts the `.agent-board`: a grid of `.agent-card`s keyed by agent id, already sorted by the caller
 * (state, then longest in state). The `agentBoard` event carries `{agents: [{id, view}]}` (view =
 * `WallboardView.agentView(...)`), and optionally `title` (default "Agents") and `counts` (agents per state,
 * `WallboardView.agentStateCounts(...)`, shown in the heading), `total` (agents on every page, when the caller pages
 * them; default the agents given), `notShown` (agents left out because they cannot fit, added to the count of hidden
 * cards) and `compact` (small cards for thousands of agents). An entry `{id, heading, count}`
 * instead of `{id, view}` is a team's heading (`?agent_group=team`), one card wide. Cards of agents that left are
 * removed, the others are reused. Cards that do not fit the screen are hidden whole and the board's heading says how
 * many, rather than cutting them silently.
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
  /** Agents the caller left out because they cannot fit (counted with the cards hidden here). */
  let notShown = 0;

  // The list's height changes with the window and with the number of queue tiles above it.
  if (typeof ResizeObserver === 'function') new ResizeObserver(updateOverflow).observe(list);
  else window.addEventListener('resize', updateOverflow);

  el.addEventListener('agentBoard', (e) => {
    const { agents, title, counts, compact } = e.detail;
    notShown = Number.isFinite(e.detail.notShown) ? e.detail.notShown : 0;
    const total = Number.isFinite(e.detail.total) ? e.detail.total : agents.filter((a) => !a.heading).length;
    setText(name, title || 'Agents');
    setText(count, total ? `(${total.toLocaleString('en-US')} logged in)` : '— nobody logged in');
    setAttr(el, 'data-compact', compact === true);
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
      (key) => {
        const li = document.createElement('li');
        if (key.startsWith('team:')) {
          li.className = 'agent-board__team';
          li.innerHTML = '<span class="agent-board__team-name"></span> <span class="agent-board__team-count"></span>';
          return li;
        }
        li.className = 'agent-card';
        AgentCard(li);
        return li;
      },
      (li, a) => {
        if (!a.heading) {
          li.dispatchEvent(new CustomEvent('agentCard', { detail: a.view }));
          return;
        }
        setText(li.firstElementChild, a.continued ? `${a.heading} (cont.)` : a.heading);
        setText(li.lastElementChild, `${a.count}`);
      },
    );
    // Layout is only measured when the set or order of agents changed, not on every tick.
    const keys = `${notShown}\n${agents.map((a) => a.id).join('\n')}`;
    if (keys !== lastKeys) {
      lastKeys = keys;
      updateOverflow();
    }
  });

  function updateOverflow() {
    const limit = list.clientHeight;
    let hidden = notShown;
    for (const li of list.children) {
      const out = li.offsetTop + li.offsetHeight > limit + 1;
      setAttr(li, 'data-overflow', out);
      if (out) hidden += 1;
    }
    setAttr(more, 'hidden', hidden === 0);
    setText(more, hidden ? `+ ${hidden} more agent${hidden === 1 ? '' : 's'} not shown` : '');
  }
}
