import { reconcile, setAttr, setText } from './dom.js';
import { KPI_CHARTS } from './IntervalChart.js';
import { IntervalChart } from './IntervalChartView.js';
import { ProjectionLine } from './ProjectionLine.js';

/**
 * Mounts a `.kpi-board`: the full KPI set as tables — the KPIs per window, the channel and contact-reason mixes,
 * breakdowns (queues, segments, languages) and today's abandoned contacts for call-backs. Used by the queue layout
 * (one queue) and by `?layout=kpi` (the whole center). The `kpiBoard` event carries `{title, tables}` where each
 * table is `{id, title, note, columns: [{id, label}], rows: [{key, label, sub?, values, tones}]}` from
 * `WallboardView` (`kpiTableView`, `mixTableView`, `groupTableView`, `abandonedTableView`). Tables are keyed by
 * `data-id`, rows by `data-key`, cells carry `data-col` = column id; nodes are reused, only changed text is written.
 * `charts` (the kpi layout: `[{id, name, chart: {payload, warning}|null}]`) draws a small multiple per queue of
 * today's service level per interval above the tables (up to six, the rest counted), keyed by `data-id` = queue id,
 * each with its projected close under it (ProjectionLine.js); hidden when empty.
 * @param {HTMLElement} el
 */
export function KpiBoard(el) {
  el.innerHTML = `
    <h2 class="kpi-board__title"></h2>
    <ol class="kpi-board__charts" aria-label="Service level per interval, per queue" hidden></ol>
    <p class="kpi-board__charts-more" hidden></p>
    <div class="kpi-board__tables"></div>
  `;
  const title = el.querySelector('.kpi-board__title');
  const tables = el.querySelector('.kpi-board__tables');
  const charts = el.querySelector('.kpi-board__charts');
  const chartsMore = el.querySelector('.kpi-board__charts-more');
  let lastShape = '';
  // A panel's box changes with the window, the alert banner and the panels around it: fit its rows again.
  const resized = typeof ResizeObserver === 'function' ? new ResizeObserver((entries) => entries.forEach((en) => fitRows(en.target))) : null;
  if (!resized) window.addEventListener('resize', () => [...tables.children].forEach(fitRows));

  el.addEventListener('kpiBoard', (e) => {
    const { title: text, tables: list } = e.detail;
    setText(title, text);
    setAttr(title, 'hidden', !text);
    reconcile(tables, list, (t) => t.id, () => createTable(resized), updateTable, 'id');
    // One row of small multiples, as wide as they can be, for the first KPI_CHARTS queues; the others are counted.
    const all = e.detail.charts || [];
    const shown = all.slice(0, KPI_CHARTS).filter((c) => c.chart);
    setAttr(charts, 'hidden', shown.length === 0);
    charts.style.setProperty('--n', String(Math.max(1, shown.length)));
    reconcile(charts, shown, (c) => c.id, createChart, (li, c) => {
      setText(li.querySelector('.kpi-board__chart-name'), c.name);
      li.chart.update(c.chart);
      li.projection(c.chart);
    }, 'id');
    const more = shown.length ? Math.max(0, all.length - KPI_CHARTS) : 0;
    setText(chartsMore, more > 0 ? `+${more} more queues` : '');
    setAttr(chartsMore, 'hidden', more === 0);
    // Layout is only measured when the set of rows changed, not on every tick.
    const shape = list.map((t) => `${t.id}:${t.total ?? ''}:${t.rows.map((r) => r.key).join(',')}`).join('|');
    if (shape !== lastShape) {
      lastShape = shape;
      [...tables.children].forEach(fitRows);
    }
  });
}

/**
 * Rows that do not fit their panel are hidden whole (newest/biggest first stay) and counted in the panel's
 * "+N more" line together with the rows the view already left out, rather than cut off by the screen's edge.
 * Panels whose height follows their content never overflow, so nothing is hidden there.
 * @param {HTMLElement} section a `.kpi-board__panel`
 */
function fitRows(section) {
  const table = section.table;
  if (!table) return;
  const rows = [...section.querySelector('tbody').children];
  const more = section.querySelector('.kpi-board__more');
  const left = Math.max(0, (Number.isFinite(table.total) ? table.total : rows.length) - rows.length);
  let shown = rows.length;
  const count = () => {
    const hidden = left + rows.length - shown;
    setText(more, hidden ? `+${hidden} ${table.moreWord || 'more'}` : '');
    setAttr(more, 'hidden', hidden === 0);
  };
  for (const tr of rows) setAttr(tr, 'data-overflow', false);
  count();
  while (shown > 0 && section.scrollHeight > section.clientHeight + 1) {
    shown -= 1;
    setAttr(rows[shown], 'data-overflow', true);
    count();
  }
  setAttr(section, 'data-shown', shown < rows.length ? shown : null);
}

function createChart() {
  const li = document.createElement('li');
  li.className = 'kpi-board__chart';
  li.innerHTML = '<h3 class="kpi-board__chart-name"></h3><div class="kpi-board__chart-svg"></div>';
  li.chart = IntervalChart(li.querySelector('.kpi-board__chart-svg'), 'small');
  li.projection = ProjectionLine(li, false);  // under the small multiple: where the queue is projected to close
  return li;
}

function createTable(resized) {
  const section = document.createElement('section');
  if (resized) resized.observe(section);
  section.className = 'kpi-board__panel';
  section.innerHTML = `
    <h3 class="kpi-board__panel-title"><span class="kpi-board__panel-name"></span>
      <small class="kpi-board__panel-note"></small></h3>
    <table class="kpi-board__table">
      <thead><tr><th scope="col" class="kpi-board__corner"></th></tr></thead>
      <tbody></tbody>
    </table>
    <p class="kpi-board__empty">None</p>
    <p class="kpi-board__more" hidden></p>`;
  return section;
}

function updateTable(section, table) {
  setText(section.querySelector('.kpi-board__panel-name'), table.title);
  setText(section.querySelector('.kpi-board__panel-note'), table.note || '');
  setAttr(section, 'data-labels', table.rows.some((r) => r.label) ? null : 'none');
  const head = section.querySelector('thead tr');
  const corner = head.firstElementChild;
  // Header cells after the corner: one per column.
  const headCells = [...head.children].slice(1);
  table.columns.forEach((c, i) => {
    let th = headCells[i];
    if (!th) {
      th = document.createElement('th');
      th.scope = 'col';
      head.appendChild(th);
    }
    th.dataset.col = c.id;
    setText(th, c.label);
  });
  for (const extra of headCells.slice(table.columns.length)) extra.remove();
  setAttr(corner, 'hidden', section.dataset.labels === 'none');
  reconcile(
    section.querySelector('tbody'),
    table.rows,
    (r) => r.key,
    () => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      tr.appendChild(th);
      return tr;
    },
    (tr, row) => updateRow(tr, row, table.columns, section.dataset.labels === 'none'),
  );
  setAttr(section.querySelector('.kpi-board__empty'), 'hidden', table.rows.length > 0);
  // The "+N more" line is written by fitRows, which runs whenever the rows or the panel's size change.
  section.table = table;
}

function updateRow(tr, row, columns, noLabel) {
  const th = tr.firstElementChild;
  setText(th, row.label);
  setAttr(th, 'hidden', noLabel);
  setAttr(tr, 'data-sub', row.sub || null);
  const cells = [...tr.children].slice(1);
  columns.forEach((c, i) => {
    let td = cells[i];
    if (!td) {
      td = document.createElement('td');
      tr.appendChild(td);
    }
    td.dataset.col = c.id;
    setText(td, row.values[i]);
    setAttr(td, 'data-tone', (row.tones && row.tones[i]) || null);
  });
  for (const extra of cells.slice(columns.length)) extra.remove();
}
