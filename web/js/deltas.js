/**
 * Applying topic deltas (docs/protocol.md, "Deltas"): agents field by field, a queue's changed values,
 * lists as edits of the list the client has. Pure: each function returns new objects and never changes
 * what it is given, so views that keep the previous payload keep it unchanged.
 */

/** Delta members that are lists given as edits of the client's list (see `applyListEdits`). */
export const LIST_EDIT_KEYS = new Set(['waiting', 'abandoned_today', 'interactions']);

/**
 * An agent list's delta applied to `agents` (id -> agent): `removed` ids leave; each entry of `agents` whose
 * id the list has carries that agent's changed fields (each replaces the client's; `null` = null or absent
 * now), any other entry is a whole agent.
 * @param {Map<string, object>} agents the list at the delta's base
 * @param {{agents?: object[], removed?: string[]}} delta
 * @returns {Map<string, object>} a new map; agents that did not change are the same objects
 */
export function applyAgentDelta(agents, delta) {
  const next = new Map(agents);
  for (const id of Array.isArray(delta.removed) ? delta.removed : []) next.delete(id);
  for (const entry of Array.isArray(delta.agents) ? delta.agents : []) {
    if (!entry || typeof entry !== 'object' || typeof entry.id !== 'string') continue;
    const have = next.get(entry.id);
    next.set(entry.id, have ? { ...have, ...entry } : entry);
  }
  return next;
}

/**
 * A list given as edits of `list`: each element is either an entry (an object, new or changed) or an
 * integer, the index of an unchanged entry in `list`.
 * @param {object[]} list the client's list at the delta's base
 * @param {Array<object|number>} edits
 * @returns {object[]|null} the new list, or null when an index is not in `list` (the client must resync)
 */
export function applyListEdits(list, edits) {
  if (!Array.isArray(edits)) return null;
  const old = Array.isArray(list) ? list : [];
  const next = [];
  for (const edit of edits) {
    if (typeof edit === 'number') {
      if (!Number.isInteger(edit) || edit < 0 || edit >= old.length) return null;
      next.push(old[edit]);
    } else if (edit && typeof edit === 'object') {
      next.push(edit);
    } else {
      return null;
    }
  }
  return next;
}

/**
 * A queue delta's `queue` applied to the client's `queue`: each key replaces the client's, except
 * `metrics`, where each window's figures replace only those figures of that window.
 * @param {object} queue
 * @param {object} change
 * @returns {object}
 */
export function mergeQueue(queue, change) {
  const have = queue && typeof queue === 'object' ? queue : {};
  const next = { ...have, ...change };
  const metrics = change.metrics;
  if (metrics && typeof metrics === 'object' && have.metrics && typeof have.metrics === 'object') {
    next.metrics = { ...have.metrics };
    for (const [window, figures] of Object.entries(metrics)) {
      const before = have.metrics[window];
      next.metrics[window] = figures && typeof figures === 'object' && before && typeof before === 'object'
        ? { ...before, ...figures } : figures;
    }
  }
  return next;
}

/**
 * A delta of a topic that is not an agent list (`queue:<id>`, `interactions`) applied to its payload:
 * `queue` merges (`mergeQueue`), lists of `LIST_EDIT_KEYS` are edits, any other member replaces the
 * client's.
 * @param {object} data the payload at the delta's base
 * @param {object} delta
 * @returns {object|null} the new payload, or null when the delta does not fit it (resync)
 */
export function applyPayloadDelta(data, delta) {
  const next = { ...data };
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'queue' && value && typeof value === 'object') {
      next.queue = mergeQueue(data.queue, value);
    } else if (LIST_EDIT_KEYS.has(key)) {
      const list = applyListEdits(data[key], value);
      if (!list) return null;
      next[key] = list;
    } else {
      next[key] = value;
    }
  }
  return next;
}
