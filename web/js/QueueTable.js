import { reconcile, setAttr, setText } from './dom.js';

/**
 * The columns of the dense table: the key figures of a queue tile, one row per queue. `sort` = the `?sort=` a click on
 * the heading sets; `width` in percent of a block (they add up to 100).
 */
export const QUEUE_TABLE_COLUMNS = [
  { id: 'name', label: 'Queue', sort: 'name', width: 19 },
  { id: 'slText', label: 'SL', tone: 'slClass', icon: 'slIcon', sort: 'service_level', width: 10 },
  { id: 'target', label: 'Tgt', width: 7 },
  { id: 'waiting', label: 'Wait', tone: 'waitingClass', sort: 'waiting', width: 7 },
  { id: 'longestWait', label: 'Longest', tone: 'longestWaitClass', sort: 'longest_wait', width: 10 },
  { id: 'available', label: 'Avail', tone: 'availableClass', width: 7 },
  { id: 'onContact', label: 'On ct', width: 7 },
  { id: 'wrapUp', label: 'Wrap', width: 6 },
  { id: 'notReady', label: 'N/R', width: 6 },
  { id: 'offered', label: 'Offer', width: 7 },
  { id: 'abandonRate', label: 'Ab %', width: 7 },
  { id: 'asa', label: 'ASA', width: 7 },
];

/**
 * Mounts the `.queue-table` of `?layout=table`: the queues as rows of one or more side-by-side tables ("blocks", so
 * a hundred queues use the width of a 4K screen), each row keyed by queue id and updated in place. The `queueTable`
 * event carries `{blocks: [[{id, view, alerting}]], sort, font}`: `view` = `WallboardView.queueView(...)` plus
 * `target`, `font` the row font size in px. A click on a sortable heading dispatches `queueTableSort` (detail = the
 * sort) on the element, for screens that have a mouse; the address's `?sort=` is the default.
 * @param {HTMLElement} el
 */
export function QueueTable(el) {
  el.innerHTML = '<div class="queue-table__blocks"></div>';
  const blocks = el.querySelector('.queue-table__blocks');

  el.addEventListener('queueTable', (e) => {
    const { sort, font } = e.detail;
    el.style.setProperty('--table-font', `${font}px`);
    setAttr(blocks, 'data-blocks', e.detail.blocks.length);
    blocks.style.setProperty('--blocks', e.detail.blocks.length);
    reconcile(
      blocks,
      e.detail.blocks.map((rows, i) => ({ i, rows })),
      (b) => b.i,
      () => createBlock(el),
      (table, b) => {
        for (const th of table.tHead.rows[0].cells) setAttr(th, 'aria-sort', th.dataset.sort === sort ? 'descending' : null);
        reconcile(table.tBodies[0], b.rows, (r) => r.id, createRow, updateRow);
      },
    );
  });
}

function createBlock(el) {
  const table = document.createElement('table');
  table.className = 'queue-table__table';
  const head = QUEUE_TABLE_COLUMNS.map(
    (c) => `<th scope="col" data-col="${c.id}" style="width: ${c.width}%"${c.sort ? ` data-sort="${c.sort}"` : ''}>${c.label}</th>`,
  ).join('');
  table.innerHTML = `<thead><tr>${head}</tr></thead><tbody></tbody>`;
  table.tHead.addEventListener('click', (e) => {
    const th = e.target.closest('th[data-sort]');
    if (th) el.dispatchEvent(new CustomEvent('queueTableSort', { detail: th.dataset.sort }));
  });
  return table;
}

function createRow() {
  const tr = document.createElement('tr');
  tr.className = 'queue-table__row';
  tr.innerHTML = QUEUE_TABLE_COLUMNS.map((c) =>
    c.id === 'name' ? `<th scope="row" data-col="name"></th>` : `<td data-col="${c.id}"></td>`,
  ).join('');
  return tr;
}

function updateRow(tr, row) {
  setAttr(tr, 'data-alerting', row.alerting);
  QUEUE_TABLE_COLUMNS.forEach((c, i) => {
    const cell = tr.cells[i];
    const v = row.view;
    setText(cell, c.icon && v[c.icon] ? `${v[c.icon]} ${v[c.id]}` : v[c.id]);
    if (c.tone) setAttr(cell, 'data-tone', v[c.tone]);
  });
}
