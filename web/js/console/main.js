import { setAttr, setText } from '../dom.js';
import { consoleInfo, storeToken, storedToken } from './ConsoleApi.js';
import { ConsoleApp } from './ConsoleApp.js';

/**
 * The supervisor console's entry point (docs/console.md): asks for a token once, checks it with
 * `GET /api/v1/console`, keeps it for this tab (sessionStorage; never in the address or a cookie), and shows
 * "this page needs a supervisor token" for a viewer token, an unknown one, or none.
 */
const signin = document.querySelector('.console-signin');
const form = signin.querySelector('form');
const input = signin.querySelector('input[name=token]');
const message = signin.querySelector('.console-signin__message');
const main = document.querySelector('.console-main');
const who = document.querySelector('.console-who');
const link = document.querySelector('.console-link');
const signOut = document.querySelector('.console-signout');
let app = null;

function showSignin(text) {
  app?.close();
  app = null;
  main.hidden = true;
  signOut.hidden = true;
  signin.hidden = false;
  setText(who, '');
  setText(message, text);
  setAttr(message, 'hidden', text ? null : true);
  input.value = '';
  input.focus();
}

async function open(token) {
  const { status, body } = await consoleInfo(token);
  if (status !== 200) {
    storeToken(null);
    const why = status === 401 ? 'That token is not known to this daemon.' : status === 403 ? body?.error || '' : body?.error || `HTTP ${status}`;
    showSignin(`This page needs a supervisor token. ${why}`.trim());
    return;
  }
  storeToken(token);
  signin.hidden = true;
  main.hidden = false;
  signOut.hidden = false;
  const scope = body.scope?.limited
    ? ` · scope: ${[...(body.scope.queues || []).map((q) => `queue ${q}`), ...(body.scope.teams || []).map((t) => `team ${t}`)].join(', ')}`
    : '';
  setText(who, `${body.who} (${body.role})${body.monitor_endpoint ? ` · phone ${body.monitor_endpoint}` : ''}${scope}`);
  app = ConsoleApp(main, { token, info: body, onLink: (state) => { setText(link, state); setAttr(link, 'data-state', state); } });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = input.value.trim();
  if (token) open(token);
});
signOut.addEventListener('click', () => {
  storeToken(null);
  showSignin('');
});

const token = storedToken();
if (token) open(token);
else showSignin('');
