import { reconcile, setAttr, setText } from '../dom.js';
import { agentStateLabel } from '../WallboardLogic.js';
import { ConsoleSocket } from './ConsoleSocket.js';
import * as api from './ConsoleApi.js';
import {
  AGENT_COLUMNS, INTERACTION_COLUMNS, agentRows, agentsCSV, formatCell, formatDuration, interactionTimes,
  interactionsCSV, searchInteractions, sinceMs, sortRows,
} from './ConsoleLogic.js';
import { confirmAction } from './ConfirmDialog.js';

/** How often the agent table is refetched while the page is open (its figures are computed on request). */
const AGENT_REFRESH_MS = 15000;

const MONITOR_MODES = [
  ['listen', 'Listen'],
  ['whisper', 'Whisper'],
  ['barge', 'Barge'],
];

/**
 * The console once signed in: the live interactions (from the `interactions` topic), one-click actions, each
 * agent's day (from `GET /api/v1/console/agents`) and CSV exports.
 * @param {Element} root `.console-main`
 * @param {object} options
 * @param {string} options.token
 * @param {object} options.info the answer of `GET /api/v1/console`
 * @param {(state: string) => void} options.onLink
 * @returns {{close: () => void}}
 */
export function ConsoleApp(root, { token, info, onLink }) {
  const search = root.querySelector('.console-search');
  const liveBody = root.querySelector('.console-interactions tbody');
  const liveCount = root.querySelector('.console-interactions__count');
  const liveNote = root.querySelector('.console-interactions__note');
  const result = root.querySelector('.console-result');
  const agentHead = root.querySelector('.console-agents thead tr');
  const agentBody = root.querySelector('.console-agents tbody');
  const periodSelect = root.querySelector('.console-period');
  const agentsNote = root.querySelector('.console-agents__note');

  let interactions = [];
  let agents = new Map();
  let day = null;
  let sortKey = 'name';
  let descending = false;
  let busy = false;

  const actions = info.actions || {};
  const allowed = (name) => actions[name]?.allowed === true;
  const reasonOf = (name) => actions[name]?.reason || '';

  function showResult(ok, text) {
    setAttr(result, 'data-tone', ok ? 'ok' : 'error');
    setText(result, text);
  }

  /** Asks, runs `run()`, shows its answer. */
  async function act(question, options, run) {
    if (busy) return;
    const answer = await confirmAction(question, options);
    if (!answer) return;
    busy = true;
    showResult(true, `${question} …`);
    try {
      const { status, body } = await run(answer);
      if (status === 200) {
        showResult(true, describeSuccess(body));
      } else {
        showResult(false, `Refused (${status || 'no answer'}): ${body?.error || body?.outcome || 'unknown error'}`);
      }
    } finally {
      busy = false;
      loadAgents();
    }
  }

  function describeSuccess(body) {
    if (body?.started) return `Monitoring ${body.channel} (${body.mode}) on ${body.endpoint}: answered.`;
    if (body?.done) return `Done${body.message ? `: ${body.message}` : '.'}`;
    return 'Done.';
  }

  function monitorOf(entry, mode, label) {
    const question = `${label} ${entry.agent || 'the agent'}'s call with ${entry.customer || 'the customer'} ` +
      `(${entry.queue}) on your phone ${info.monitor_endpoint}?`;
    act(question, {}, () => api.monitor(token, entry.contact, mode));
  }

  function pauseAgent(agent, queues, paused) {
    const verb = paused ? 'Pause' : 'Unpause';
    act(`${verb} ${agent}?`, { queues, allQueues: !info.scope?.limited, reason: paused }, ({ queue, reason }) =>
      api.pause(token, agent, queue, paused, reason));
  }

  function removeAgent(agent, queues) {
    act(`Remove ${agent} from a queue?`, { queues, allQueues: false }, ({ queue }) => api.remove(token, agent, queue));
  }

  function button(label, name, onClick) {
    const node = document.createElement('button');
    node.type = 'button';
    node.className = 'console-action';
    node.dataset.action = name;
    setText(node, label);
    node.addEventListener('click', onClick);
    return node;
  }

  /** Enables `node` or disables it with `reason` as its tooltip (and accessible description). */
  function enable(node, reason) {
    node.disabled = Boolean(reason);
    setAttr(node, 'title', reason || null);
  }

  /** The queues an action on agent `id` may name: those it serves, within a queue-scoped token's queues. */
  function agentQueues(id, fallback) {
    const served = agents.get(id)?.queues || [].concat(fallback ?? []);
    const listed = info.scope?.limited && !info.scope.teams ? info.scope.queues || [] : null;
    return listed ? served.filter((q) => listed.includes(q)) : served;
  }

  function createLiveRow() {
    const row = document.createElement('tr');
    for (const [key] of INTERACTION_COLUMNS) {
      const cell = document.createElement('td');
      cell.dataset.col = key;
      row.append(cell);
    }
    const cell = document.createElement('td');
    cell.className = 'console-actions';
    for (const [mode, label] of MONITOR_MODES) {
      cell.append(button(label, mode, () => monitorOf(row.entry, mode, label)));
    }
    cell.append(button('Pause', 'pause', () => pauseAgent(row.entry.agent, agentQueues(row.entry.agent, row.entry.queue), true)));
    cell.append(button('Unpause', 'unpause', () => pauseAgent(row.entry.agent, agentQueues(row.entry.agent, row.entry.queue), false)));
    cell.append(button('Remove', 'remove', () => removeAgent(row.entry.agent, agentQueues(row.entry.agent, row.entry.queue))));
    row.append(cell);
    return row;
  }

  function updateLiveRow(row, entry, now) {
    row.entry = entry;
    const times = interactionTimes(entry, now);
    const values = {
      ...entry, agent: entry.agent ? agents.get(entry.agent)?.name ? `${agents.get(entry.agent).name} (${entry.agent})` : entry.agent : '',
      wait: formatDuration(times.waitMs), handle: formatDuration(times.handleMs), hold: formatDuration(times.holdMs),
    };
    for (const cell of row.children) if (cell.dataset.col) setText(cell, values[cell.dataset.col] ?? '');
    for (const node of row.querySelectorAll('.console-action')) {
      const name = node.dataset.action;
      let reason = allowed(name) ? '' : reasonOf(name);
      if (!reason && ['listen', 'whisper', 'barge'].includes(name) && !entry.monitorable) {
        reason = entry.answered_at ? 'the call has ended (wrap-up): nothing to listen to' : 'not answered yet: no agent call to listen to';
      }
      if (!reason && ['pause', 'unpause', 'remove'].includes(name) && !entry.agent) reason = 'no agent on this interaction yet';
      enable(node, reason);
    }
  }

  function renderLive() {
    const now = socket.now();
    const shown = searchInteractions(interactions, search.value);
    reconcile(liveBody, shown, (e) => e.contact, createLiveRow, (row, e) => updateLiveRow(row, e, now));
    setText(liveCount, `${shown.length} of ${interactions.length}`);
  }

  function renderAgentHead() {
    agentHead.replaceChildren();
    for (const [key, title] of AGENT_COLUMNS) {
      const th = document.createElement('th');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'console-sort';
      b.dataset.key = key;
      setText(b, title + (sortKey === key ? (descending ? ' ▼' : ' ▲') : ''));
      setAttr(th, 'aria-sort', sortKey === key ? (descending ? 'descending' : 'ascending') : null);
      b.addEventListener('click', () => {
        descending = sortKey === key ? !descending : false;
        sortKey = key;
        renderAgentHead();
        renderAgents();
      });
      th.append(b);
      agentHead.append(th);
    }
    const th = document.createElement('th');
    setText(th, 'Actions');
    agentHead.append(th);
  }

  function currentRows() {
    const period = periodSelect.value || 'today';
    const now = socket.now();
    return agentRows(day, period).map((row) => {
      const live = agents.get(row.id);
      if (!live) return row;
      const inState = sinceMs(live.state_since, now);
      return { ...row, state: agentStateLabel(live.state) + (live.reason ? ` (${live.reason})` : ''), state_seconds: inState === null ? null : inState / 1000 };
    });
  }

  function renderAgents() {
    const rows = sortRows(currentRows(), sortKey, descending);
    reconcile(agentBody, rows, (r) => r.id, () => {
      const row = document.createElement('tr');
      for (const [key] of AGENT_COLUMNS) {
        const cell = document.createElement('td');
        cell.dataset.col = key;
        row.append(cell);
      }
      const cell = document.createElement('td');
      cell.className = 'console-actions';
      cell.append(button('Pause', 'pause', () => pauseAgent(row.agent.id, agentQueues(row.agent.id, row.agent.queues), true)));
      cell.append(button('Unpause', 'unpause', () => pauseAgent(row.agent.id, agentQueues(row.agent.id, row.agent.queues), false)));
      cell.append(button('Remove', 'remove', () => removeAgent(row.agent.id, agentQueues(row.agent.id, row.agent.queues))));
      row.append(cell);
      return row;
    }, (row, agent) => {
      row.agent = agent;
      for (const cell of row.children) {
        const column = AGENT_COLUMNS.find(([key]) => key === cell.dataset.col);
        if (!column) continue;
        const text = formatCell(agent[column[0]], column[2]);
        setText(cell, column[0] === 'not_ready_seconds' && Object.keys(agent.not_ready_by_reason).length
          ? `${text} (${Object.entries(agent.not_ready_by_reason).map(([r, s]) => `${r} ${formatDuration(s * 1000)}`).join(', ')})`
          : text);
      }
      for (const node of row.querySelectorAll('.console-action')) enable(node, allowed(node.dataset.action) ? '' : reasonOf(node.dataset.action));
    });
  }

  async function loadAgents() {
    const { status, body } = await api.agentDay(token);
    if (status !== 200) {
      setText(agentsNote, `Agent figures unavailable (${status}): ${body?.error || ''}`);
      return;
    }
    setText(agentsNote, '');
    day = body;
    const periods = ['today', ...(body.windows || [])];
    if ([...periodSelect.options].map((o) => o.value).join() !== periods.join()) {
      const chosen = periodSelect.value || 'today';
      periodSelect.replaceChildren(...periods.map((p) => new Option(p === 'today' ? 'Today' : `Last ${p}`, p)));
      periodSelect.value = periods.includes(chosen) ? chosen : 'today';
    }
    renderAgents();
  }

  function download(name, text) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  const stamp = () => new Date(socket.now()).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  root.querySelector('.console-export-interactions').addEventListener('click', () =>
    download(`interactions-${stamp()}.csv`, interactionsCSV(searchInteractions(interactions, search.value), socket.now())));
  root.querySelector('.console-export-agents').addEventListener('click', () =>
    download(`agents-${periodSelect.value || 'today'}-${stamp()}.csv`,
      agentsCSV(sortRows(currentRows(), sortKey, descending), periodSelect.value || 'today')));
  search.addEventListener('input', renderLive);
  periodSelect.addEventListener('change', renderAgents);

  const socket = ConsoleSocket({
    token,
    onLink,
    onChange(state) {
      if (state.refused) setText(liveNote, `Live interactions refused: ${state.refused}`);
      interactions = state.interactions || [];
      agents = state.agents;
      renderLive();
    },
  });
  renderAgentHead();
  loadAgents();
  const tick = setInterval(() => {
    renderLive();
    renderAgents();
  }, 1000);
  const refresh = setInterval(loadAgents, AGENT_REFRESH_MS);

  return {
    close() {
      clearInterval(tick);
      clearInterval(refresh);
      socket.close();
    },
  };
}
