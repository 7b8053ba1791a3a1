/**
 * The kiosk token: a TV opened as `/?token=wbt_…` on the board (docs/security.md) keeps the token for
 * this tab only (sessionStorage, so a reload still works) and takes it out of the address bar (no history
 * entry, no screenshot or shoulder-surfed URL shows it); the board passes it on its WebSocket.
 */

const KEY = 'wallboard_token';

/**
 * The token from `?token=` (then removed from the address bar) or kept earlier in this tab; `null` when
 * there is none or outside a browser.
 * @param {{location?: Location, history?: History, sessionStorage?: Storage}} [win] usually `globalThis`
 * @returns {string|null}
 */
export function boardToken(win = globalThis) {
  const loc = win.location;
  if (!loc || typeof loc.search !== 'string') return null;
  const params = new URLSearchParams(loc.search);
  const fromUrl = params.get('token');
  let storage = null;
  try {
    storage = win.sessionStorage || null;
  } catch {
    storage = null; // storage disabled: the token lives as long as the page
  }
  if (fromUrl) {
    try {
      storage?.setItem(KEY, fromUrl);
    } catch {
      // quota or privacy mode: still used for this page's sockets
    }
    params.delete('token');
    const rest = params.toString();
    win.history?.replaceState?.(win.history.state, '', `${loc.pathname}${rest ? `?${rest}` : ''}${loc.hash || ''}`);
    cached.set(win, fromUrl);
    return fromUrl;
  }
  try {
    const stored = storage?.getItem(KEY);
    if (stored) return stored;
  } catch {
    // storage disabled: fall back to what this page read from its URL
  }
  return cached.get(win) || null;
}

/** Per window, the token read from its URL (the URL no longer holds it; storage may be disabled). */
const cached = new WeakMap();

/**
 * `url` with the token as its `token` query parameter (the WebSocket API cannot send an Authorization header).
 * @param {string} url
 * @param {string|null} token
 * @returns {string}
 */
export function withToken(url, token) {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
