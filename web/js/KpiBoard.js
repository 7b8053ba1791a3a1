import { reconcile, setAttr, setText } from './dom.js';

/**
 * Mounts a `.kpi-board`: the full KPI set as tables — the KPIs per window, the channel and contact-reason mixes,
 * breakdowns (queues, segments, languages) and today's abandoned contacts for call-backs. Used by the queue layout
 * (one queue) and by `?layout=kpi` (the whole center). The `kpiBoard` event carries `{title, tables}` where each
 * table is `{id, title, note, columns: [{id, label}], rows: [{key, label, sub?, values, tones}]}` from
 * `WallboardView` (`kpiTableView`, `mixTableView`, `groupTableView`, `abandonedTableView`). Tables are keyed by
 * `data-id`, rows by `data-key`, cells carry `data-col` = column id; nodes are reused, only changed text is written.
 * @param {HTMLElement} el
 */
export function KpiBoard(el) {
  el.innerHTML = `
    <h2 class="kpi-board__title"></h2>
    <div class="kpi-board__tables"></div>
  `;
  const title = el.querySelector('.kpi-board__title');
  const tables = el.querySelector('.kpi-board__tables');

  el.addEventListener('kpiBoard', (e) => {
    const { title: text, tables: list } = e.detail;
    setText(title, text);
    setAttr(title, 'hidden', !text);
    reconcile(tables, list, (t) => t.id, createTable, updateTable, 'id');
  });
}

function createTable() {
  const section = document.createElement('section');
  section.className = 'kpi-board__panel';
  section.innerHTML = `
    <h3 class="kpi-board__panel-title"><span class="kpi-board__panel-name"></span>
      <small class="kpi-board__panel-note"></small></h3>
    <table class="kpi-board__table">
      <thead><tr><th scope="col" class="kpi-board__corner"></th></tr></thead>
      <tbody></tbody>
    </table>
    <p class="kpi-board__empty">None</p>
    <p class="kpi-board__more"></p>`;
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
  const more = section.querySelector('.kpi-board__more');
  setText(more, table.more || '');
  setAttr(more, 'hidden', !table.more);
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
