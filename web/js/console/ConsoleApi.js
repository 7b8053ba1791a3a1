/**
 * The console's REST calls. The token travels only in the `Authorization` header (never in the page's address or a
 * cookie) and is kept for this tab in sessionStorage, typed once (docs/console.md).
 */

const KEY = 'wallboard_console_token';

/** @returns {string|null} the token this tab signed in with */
export function storedToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** @param {string|null} token keeps (or with null forgets) the tab's token */
export function storeToken(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage disabled: the token lives as long as the page
  }
}

/**
 * One call: `{status, body}` with the JSON body (or `{error: text}`); a network failure is status 0.
 * @param {string} token
 * @param {string} method
 * @param {string} path
 * @param {object} [body]
 * @returns {Promise<{status: number, body: any}>}
 */
export async function call(token, method, path, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit',
    });
    const text = await response.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { error: text };
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    return { status: 0, body: { error: `the daemon did not answer: ${error}` } };
  }
}

/** What the token may do (`GET /api/v1/console`). */
export const consoleInfo = (token) => call(token, 'GET', '/api/v1/console');

/** Starts a ChanSpy monitor on `contact` in `mode` (listen, whisper, barge) to the token's own phone. */
export const monitor = (token, contact, mode) =>
  call(token, 'POST', `/api/v1/interactions/${encodeURIComponent(contact)}/monitor`, { mode });

/** Pauses (with `reason`) or unpauses `agent` in `queue` (`null`: every queue, unscoped tokens only). */
export const pause = (token, agent, queue, paused, reason) => {
  const body = { agent, paused };
  if (queue) body.queue = queue;
  if (paused && reason) body.reason = reason;
  return call(token, 'POST', '/api/v1/actions/pause', body);
};

/** Removes `agent` from `queue`. */
export const remove = (token, agent, queue) => call(token, 'POST', '/api/v1/actions/remove', { agent, queue });

/** Each agent's day (`GET /api/v1/console/agents`). */
export const agentDay = (token) => call(token, 'GET', '/api/v1/console/agents');
