/**
 * Applying topic deltas (docs/protocol.md, "Deltas", revision 3): agents field by field, a queue's and the
 * center's changed values (figure by figure, count maps name by name), lists as edits of the list the client
 * has. Pure: each function returns new objects and never changes what it is given, so views that keep the
 * previous payload keep it unchanged.
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

/** Count maps (a name to a count; names come and go): a change carries the changed names, `null` for one that went. */
export const COUNT_MAP_KEYS = new Set(['channel_mix', 'reason_mix', 'callback_failed_reasons', 'not_ready_reasons']);

/** Lists of scopes with ids whose change is each element's change, in place (`{}`: unchanged). */
export const MERGED_LIST_KEYS = new Set(['queue_groups']);

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A change of figures (a queue delta's `queue`, a center delta's `center`, a queue group's change) applied to
 * the client's object (protocol revision 3): each key replaces the client's value, except where both are
 * objects: then the change applies to it the same way, at any depth (`metrics` → a window → its figures), and a
 * count map (`COUNT_MAP_KEYS`) takes each name's new count and drops a name whose change is `null`.
 * @param {object} have the client's object
 * @param {object} change
 * @returns {object} a new object; members that did not change are the same objects
 */
export function mergeFigures(have, change) {
  const base = isObject(have) ? have : {};
  const next = { ...base };
  for (const [key, value] of Object.entries(change)) {
    const before = base[key];
    if (isObject(value) && isObject(before)) {
      next[key] = COUNT_MAP_KEYS.has(key) ? mergeCounts(before, value) : mergeFigures(before, value);
    } else {
      next[key] = value;
    }
  }
  return next;
}

/** A count map with `change` applied: a name's count replaces the client's, `null` drops the name. */
function mergeCounts(have, change) {
  const next = { ...have };
  for (const [name, count] of Object.entries(change)) {
    if (count === null) delete next[name];
    else next[name] = count;
  }
  return next;
}

/** The same as `mergeFigures`, by the name revision 2 gave it to queues. */
export const mergeQueue = mergeFigures;

/**
 * A list of `MERGED_LIST_KEYS` changed element by element: element i of `changes` is the change of the client's
 * element i (`mergeFigures`).
 * @param {object[]} list the client's list at the delta's base
 * @param {object[]} changes
 * @returns {object[]|null} the new list, or null when the two do not have the same length (resync)
 */
export function applyMergedList(list, changes) {
  if (!Array.isArray(list) || !Array.isArray(changes) || list.length !== changes.length) return null;
  if (!changes.every(isObject)) return null;
  return list.map((element, i) => (Object.keys(changes[i]).length === 0 ? element : mergeFigures(element, changes[i])));
}

/**
 * A delta of a topic that is not an agent list (`center`, `queue:<id>`, `interactions`) applied to its payload:
 * objects merge (`mergeFigures`: a queue's `queue`, the center's `center`), lists of `LIST_EDIT_KEYS` are edits,
 * lists of `MERGED_LIST_KEYS` change element by element, any other member replaces the client's.
 * @param {object} data the payload at the delta's base
 * @param {object} delta
 * @returns {object|null} the new payload, or null when the delta does not fit it (resync)
 */
export function applyPayloadDelta(data, delta) {
  const next = { ...data };
  for (const [key, value] of Object.entries(delta)) {
    if (LIST_EDIT_KEYS.has(key)) {
      const list = applyListEdits(data[key], value);
      if (!list) return null;
      next[key] = list;
    } else if (MERGED_LIST_KEYS.has(key)) {
      const list = applyMergedList(data[key], value);
      if (!list) return null;
      next[key] = list;
    } else if (isObject(value) && isObject(data[key])) {
      next[key] = mergeFigures(data[key], value);
    } else {
      next[key] = value;
    }
  }
  return next;
}
