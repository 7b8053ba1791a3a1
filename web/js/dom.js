import { textLengthStep } from './WallboardLogic.js';

/**
 * Small DOM helpers shared by the components. They only touch the DOM when a value really changes, so the
 * once-a-second tick costs almost nothing and no node is ever recreated for a text change.
 */

/**
 * Sets an element's text if it differs.
 * @param {Element} node
 * @param {unknown} text
 */
export function setText(node, text) {
  const value = text === undefined || text === null ? '' : String(text);
  if (node.textContent !== value) node.textContent = value;
}

/**
 * Sets (or with null/undefined removes) an attribute if it differs.
 * @param {Element} node
 * @param {string} name
 * @param {unknown} value
 */
export function setAttr(node, name, value) {
  if (value === undefined || value === null || value === false) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
    return;
  }
  const text = value === true ? '' : String(value);
  if (node.getAttribute(name) !== text) node.setAttribute(name, text);
}

/**
 * Binds a component's template: `[data-field=key]` nodes receive `view[key]` as text and
 * `[data-tone-field=key]` nodes receive `view[key]` as their `data-tone` attribute. Field nodes marked `data-fit`
 * also get `data-len` (`WallboardLogic.textLengthStep`), which the CSS uses to shrink long figures to fit their box.
 * @param {Element} root
 * @returns {(view: object) => void} applies a view object to the bound nodes
 */
export function bindView(root) {
  const fields = [...root.querySelectorAll('[data-field]')];
  const tones = [...root.querySelectorAll('[data-tone-field]')];
  return (view) => {
    for (const node of fields) {
      setText(node, view[node.dataset.field]);
      if ('fit' in node.dataset) setAttr(node, 'data-len', textLengthStep(node.textContent));
    }
    for (const node of tones) setAttr(node, 'data-tone', view[node.dataset.toneField]);
  };
}

/**
 * Keyed list update in place (vanilla-todo style): reuses the child whose `data-key` (or `data-id`) matches an item's key,
 * creates children for new keys, removes children of vanished keys, and fixes the order.
 * @template T
 * @param {Element} container
 * @param {T[]} items
 * @param {(item: T) => string} keyOf
 * @param {(key: string) => Element} create makes and mounts a new child
 * @param {(child: Element, item: T) => void} update pushes the item into the child
 * @param {string} [keyAttr] dataset property holding the key: "key" (`data-key`) or "id" (`data-id`)
 */
export function reconcile(container, items, keyOf, create, update, keyAttr = 'key') {
  const byKey = new Map();
  for (const child of container.children) byKey.set(child.dataset[keyAttr], child);
  const wanted = items.map((item) => {
    const key = String(keyOf(item));
    let child = byKey.get(key);
    if (child) {
      byKey.delete(key);
    } else {
      child = create(key);
      child.dataset[keyAttr] = key;
    }
    update(child, item);
    return child;
  });
  for (const stale of byKey.values()) stale.remove();
  wanted.forEach((child, index) => {
    if (container.children[index] !== child) container.insertBefore(child, container.children[index] || null);
  });
}
