import { chartModel } from './IntervalChart.js';
import { setAttr } from './dom.js';

/**
 * Mounts an `.interval-chart` in `el`: an inline SVG drawn from `IntervalChart.chartModel` at the element's own size
 * (so strokes and labels keep their size on any screen), redrawn only when the payload or the size changed. The
 * element says what it draws: `data-scope`, `data-from`/`data-to` (the time span on the x axis), `data-empty`. Each
 * service-level point carries `data-start`, `data-sl`, `data-tone`, `data-complete`; yesterday's and last week's
 * points `data-start` (their own day's) and `data-sl`; each bar group `data-start`,
 * `data-offered`, `data-abandoned` — the numbers drawn, for tests and for anyone reading the page's source.
 * @param {HTMLElement} el the container (its CSS decides the size)
 * @param {'full'|'small'|'spark'} variant
 * @returns {{update: (input: {payload: object, warning?: number|null}|null) => void}} null hides the chart
 */
export function IntervalChart(el, variant) {
  el.classList.add('interval-chart');
  el.dataset.variant = variant;
  el.innerHTML = `
    <svg class="interval-chart__svg" role="img"></svg>
    <p class="interval-chart__empty" hidden>No contacts yet today</p>`;
  const svg = el.querySelector('svg');
  const empty = el.querySelector('.interval-chart__empty');
  let input = null;
  let drawn = '';
  let drawnFor = null;

  const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => draw()) : null;
  if (observer) observer.observe(el);

  return { update };

  function update(next) {
    input = next && next.payload ? next : null;
    setAttr(el, 'hidden', input === null);
    draw();
  }

  function draw() {
    if (!input) return;
    const width = Math.floor(svg.clientWidth || el.clientWidth);
    const height = Math.floor(svg.clientHeight || el.clientHeight);
    if (!width || !height) return;
    const fontPx = parseFloat(getComputedStyle(el).fontSize) || 16;
    // The board renders every second: the geometry is worked out again only when its inputs changed.
    const key = [input.payload, input.warning, width, height, fontPx];
    if (drawnFor && key.every((v, i) => v === drawnFor[i])) return;
    drawnFor = key;
    const model = chartModel(input.payload, { width, height, fontPx, variant, warning: input.warning });
    const markup = svgMarkup(model, fontPx);
    setAttr(el, 'data-scope', input.payload.scope || null);
    // The span drawn: the intervals of the payload that overlap it are the ones on screen.
    setAttr(el, 'data-from', new Date(model.domain.start).toISOString());
    setAttr(el, 'data-to', new Date(model.domain.end).toISOString());
    setAttr(el, 'data-empty', model.empty);
    setAttr(empty, 'hidden', !model.empty || variant === 'spark');
    setAttr(el, 'data-yesterday', Boolean(model.yesterday && model.yesterday.points.length));
    setAttr(el, 'data-last-week', Boolean(model.lastWeek && model.lastWeek.points.length));
    setAttr(svg, 'aria-label', ariaLabel(model));
    if (markup !== drawn) {
      drawn = markup;
      setAttr(svg, 'viewBox', `0 0 ${model.width} ${model.height}`);
      svg.innerHTML = markup;
    }
  }
}

/**
 * The SVG's content for a model: band, grid, target line, bars, last week's dotted line, yesterday's dashed line,
 * today's line and points, labels. Stroke widths follow the label font, so a 4K screen (twice the root font) draws twice as thick.
 * @param {object} m chartModel's result
 * @param {number} fontPx
 * @returns {string}
 */
/**
 * Mounts a `.queue-chart` (queue layout): the queue's service level per interval today with its title and legend.
 * The `queueChart` event carries `{payload, warning}` (or null: hidden until the interval topic came).
 * @param {HTMLElement} el
 */
export function QueueChart(el) {
  el.innerHTML = `
    <header class="queue-chart__head">
      <h3 class="queue-chart__title">Service level</h3>
      <ul class="queue-chart__legend" aria-hidden="true">
        <li data-key="today">Today</li><li data-key="yesterday">Yesterday</li><li data-key="last-week">Last week</li>
        <li data-key="offered">Offered</li><li data-key="abandoned">Abandoned</li></ul>
    </header>
    <div class="queue-chart__chart"></div>`;
  const chart = IntervalChart(el.querySelector('.queue-chart__chart'), 'full');
  const yesterday = el.querySelector('[data-key="yesterday"]');
  const lastWeek = el.querySelector('[data-key="last-week"]');
  const has = (detail, key) => Boolean(detail && Array.isArray(detail.payload[key]) && detail.payload[key].length);
  el.addEventListener('queueChart', (e) => {
    setAttr(el, 'hidden', !e.detail);
    chart.update(e.detail);
    setAttr(yesterday, 'hidden', !has(e.detail, 'yesterday'));
    setAttr(lastWeek, 'hidden', !has(e.detail, 'last_week'));
    // The entry's tooltip says which day it is.
    setAttr(lastWeek, 'title', (e.detail && e.detail.payload.last_week_day) || null);
  });
}

export function svgMarkup(m, fontPx) {
  const s = fontPx / 16;
  const stroke = { full: 4.5, small: 3, spark: 3 }[m.variant] * s;
  const radius = { full: 6.5, small: 4, spark: 0 }[m.variant] * s;
  const out = [];
  const { plot } = m;
  for (const b of m.band) {
    if (b.h > 0) out.push(`<rect class="interval-chart__band" data-tone="${b.tone}" x="${plot.x}" y="${b.y}" width="${plot.w}" height="${b.h}"/>`);
  }
  for (const t of m.yTicks) out.push(`<line class="interval-chart__grid" x1="${plot.x}" x2="${plot.x + plot.w}" y1="${t.y}" y2="${t.y}"/>`);
  const bottom = plot.y + plot.h;
  for (const t of m.xTicks) out.push(`<line class="interval-chart__tick" x1="${t.x}" x2="${t.x}" y1="${plot.y}" y2="${bottom}"/>`);
  if (m.targetY !== null) {
    out.push(`<line class="interval-chart__target" x1="${plot.x}" x2="${plot.x + plot.w}" y1="${m.targetY}" y2="${m.targetY}" stroke-width="${(stroke * 0.6).toFixed(1)}" stroke-dasharray="${(8 * s).toFixed(1)} ${(6 * s).toFixed(1)}"/>`);
  }
  for (const b of m.bars) {
    out.push(`<g class="interval-chart__bar" data-start="${esc(b.start)}" data-offered="${b.offered ?? ''}" data-abandoned="${b.abandoned ?? ''}"${b.complete ? '' : ' data-complete="false"'}>`
      + `<rect class="interval-chart__offered" x="${b.x}" y="${b.offeredY}" width="${b.w}" height="${b.offeredH}"/>`
      + `<rect class="interval-chart__abandoned" x="${b.x}" y="${b.abandonedY}" width="${b.w}" height="${b.abandonedH}"/></g>`);
  }
  if (m.lastWeek) {
    // Last week: thinner than yesterday, dotted (round caps on zero-length dashes), in a colour of its own.
    const width = stroke * 0.6;
    for (const d of m.lastWeek.segments) {
      out.push(`<path class="interval-chart__last-week" d="${d}" stroke-width="${width.toFixed(1)}" stroke-dasharray="0 ${(width * 2.4).toFixed(1)}"/>`);
    }
    for (const p of m.lastWeek.points) out.push(`<circle class="interval-chart__last-week-point" data-start="${esc(p.start)}" data-sl="${p.sl}" cx="${p.x}" cy="${p.y}" r="${(Math.max(radius, stroke) * 0.4).toFixed(1)}"/>`);
  }
  if (m.yesterday) {
    for (const d of m.yesterday.segments) {
      out.push(`<path class="interval-chart__yesterday" d="${d}" stroke-width="${(stroke * 0.7).toFixed(1)}" stroke-dasharray="${(10 * s).toFixed(1)} ${(7 * s).toFixed(1)}"/>`);
    }
    // A lone defined interval between gaps is drawn as a dot, or it would not show.
    for (const p of m.yesterday.points) out.push(`<circle class="interval-chart__yesterday-point" data-start="${esc(p.start)}" data-sl="${p.sl}" cx="${p.x}" cy="${p.y}" r="${(Math.max(radius, stroke) * 0.5).toFixed(1)}"/>`);
  }
  for (const d of m.today.segments) out.push(`<path class="interval-chart__line" d="${d}" stroke-width="${stroke.toFixed(1)}"/>`);
  for (const p of m.today.points) {
    out.push(`<circle class="interval-chart__point" data-start="${esc(p.start)}" data-sl="${p.sl}" data-tone="${p.tone}"${p.complete ? '' : ' data-complete="false"'} cx="${p.x}" cy="${p.y}" r="${Math.max(radius, stroke * 0.8).toFixed(1)}" stroke-width="${(stroke * 0.6).toFixed(1)}"/>`);
  }
  const labelY = (y) => (y + fontPx * 0.35).toFixed(1);
  // A scale label as close to the target's as a line of text is left out: the target's says more.
  const clear = (t) => !(m.variant === 'full' && m.targetY !== null && Math.abs(t.y - m.targetY) < fontPx * 1.1);
  for (const t of m.yTicks.filter(clear)) out.push(`<text class="interval-chart__label" text-anchor="end" x="${(plot.x - fontPx * 0.4).toFixed(1)}" y="${labelY(t.y)}">${esc(t.label)}</text>`);
  if (m.variant === 'full' && m.targetLabel) {
    out.push(`<text class="interval-chart__label interval-chart__target-label" text-anchor="end" x="${(plot.x - fontPx * 0.4).toFixed(1)}" y="${labelY(m.targetY)}">${esc(m.targetLabel)}</text>`);
  }
  if (m.barsBox && m.variant === 'full') {
    // The bars' scale on the right, level with the top of their box.
    out.push(`<text class="interval-chart__label interval-chart__bar-max" text-anchor="start" x="${(plot.x + plot.w + fontPx * 0.4).toFixed(1)}" y="${labelY(m.barsBox.y)}" data-max="${m.barMax}">${m.barMax}</text>`);
  }
  const xLabelY = (m.height - fontPx * 0.35).toFixed(1);
  for (const t of m.xTicks) out.push(`<text class="interval-chart__label" text-anchor="middle" x="${t.x}" y="${xLabelY}">${esc(t.label)}</text>`);
  return out.join('');
}

function ariaLabel(m) {
  const last = m.today.points.filter((p) => p.complete).pop();
  if (m.empty) return 'Service level per interval: no intervals yet';
  return `Service level per interval${last ? `, last complete ${Math.round(last.sl * 100)}%` : ''}`
    + `${m.targetLabel ? `, target ${m.targetLabel}` : ''}`;
}

function esc(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}
