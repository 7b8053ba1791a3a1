import { setAttr, setText } from './dom.js';
import { zonedParts } from './IntervalChart.js';
import { formatDuration, serviceLevelClass } from './WallboardLogic.js';

/** What a null projection's `reason` (docs/metrics.md, "Projected close") says on the board. */
const REASONS = {
  no_target: 'no single target',
  no_agents_staffed: 'nobody staffed',
  no_handle_time: 'no handled contact yet',
  no_contacts: 'no contacts yet',
};

/** Where the expected contacts come from, as the board says it. */
const PATTERNS = { last_week: 'last week’s pattern', yesterday: 'yesterday’s pattern', today_rate: 'today’s rate' };

function isNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

function percent(v) {
  return `${(Math.round(v * 1000) / 10).toFixed(1)} %`;
}

/**
 * The line a board shows for an interval payload's `projection` (the `intervals:<scope>` topic or
 * `GET /api/v1/intervals`): "Projected close 78.4 % SL · 4.1 % abandoned", toned like the service level against the
 * queue's target (`payload.target.service_level`) and warning level, and the basis it stands on ("yesterday’s
 * pattern · 8 agents · AHT 03:00 · to 20:00", the close in the center's time zone). Null without a projection.
 * @param {object|null} payload an intervals payload
 * @param {number|null} [warning] the queue's warning level
 * `short` is the same for a small multiple: "Close 78.4 % SL · 4.1 % ab.".
 * @returns {{text: string, short: string, basis: string, tone: string, sl: number|null, abandon: number|null,
 *   reason: string|null}|null}
 */
export function projectionView(payload, warning) {
  const p = payload && payload.projection;
  if (!p || typeof p !== 'object') return null;
  const target = payload.target && isNumber(payload.target.service_level) ? payload.target.service_level : null;
  const parts = [PATTERNS[p.pattern] || 'no pattern'];
  if (isNumber(p.agents)) parts.push(`${p.agents} ${p.agents === 1 ? 'agent' : 'agents'}`);
  if (isNumber(p.aht_seconds)) parts.push(`AHT ${formatDuration(p.aht_seconds)}`);
  const close = typeof p.close === 'string' ? Date.parse(p.close) : NaN;
  if (Number.isFinite(close)) {
    const t = zonedParts(close, payload.time_zone || 'UTC');
    parts.push(`to ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`);
  }
  const basis = parts.join(' · ');
  if (!isNumber(p.service_level) || !isNumber(p.abandon_rate)) {
    const reason = typeof p.reason === 'string' ? p.reason : null;
    const why = REASONS[reason] || 'not known';
    return { text: `Projected close: ${why}`, short: `Close: ${why}`, basis, tone: 'none', sl: null, abandon: null, reason };
  }
  return {
    text: `Projected close ${percent(p.service_level)} SL · ${percent(p.abandon_rate)} abandoned`,
    short: `Close ${percent(p.service_level)} SL · ${percent(p.abandon_rate)} ab.`,
    basis,
    tone: serviceLevelClass(p.service_level, target, warning),
    sl: p.service_level,
    abandon: p.abandon_rate,
    reason: null,
  };
}

/**
 * Appends a `.projection-line` to `parent` (the queue layout's chart panel, a kpi small multiple) and returns its
 * update function: `update({payload, warning}|null)`; hidden while there is no projection. The element carries what
 * it shows as `data-sl`, `data-abandon`, `data-reason` and `data-tone`, for tests and for anyone reading the page.
 * @param {HTMLElement} parent
 * @param {boolean} [full] the full text with the basis under it (the queue layout); else the short text (kpi)
 * @returns {(input: {payload: object, warning?: number|null}|null) => void}
 */
export function ProjectionLine(parent, full = true) {
  const el = document.createElement('p');
  el.className = 'projection-line';
  el.dataset.variant = full ? 'full' : 'short';
  el.hidden = true;
  el.innerHTML = '<span class="projection-line__main"></span><span class="projection-line__basis"></span>';
  parent.appendChild(el);
  const main = el.querySelector('.projection-line__main');
  const basis = el.querySelector('.projection-line__basis');
  setAttr(basis, 'hidden', !full);
  return (input) => {
    const view = input ? projectionView(input.payload, input.warning) : null;
    setAttr(el, 'hidden', view === null);
    if (!view) return;
    setText(main, full ? view.text : view.short);
    setText(basis, view.basis);
    setAttr(el, 'title', `${view.text} (${view.basis})`);
    setAttr(el, 'data-tone', view.tone);
    setAttr(el, 'data-sl', view.sl);
    setAttr(el, 'data-abandon', view.abandon);
    setAttr(el, 'data-reason', view.reason);
  };
}
