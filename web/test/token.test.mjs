// The kiosk token (web/js/token.js). Run: node --test web/test/*.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boardToken, withToken } from '../js/token.js';
import { socketUrl } from '../js/WallboardSocket.js';

function fakeWindow(search, stored = null) {
  const items = new Map(stored ? [['wallboard_token', stored]] : []);
  const replaced = [];
  return {
    location: { search, pathname: '/', hash: '' },
    history: { state: null, replaceState: (_state, _title, url) => replaced.push(url) },
    sessionStorage: { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v) },
    items,
    replaced,
  };
}

test('a ?token= is kept for the tab and removed from the address bar, other parameters stay', () => {
  const win = fakeWindow('?layout=tv&token=wbt_abc&theme=light');
  assert.equal(boardToken(win), 'wbt_abc');
  assert.deepEqual(win.replaced, ['/?layout=tv&theme=light']);
  assert.equal(win.items.get('wallboard_token'), 'wbt_abc');
});

test('after a reload without ?token= the tab still has it', () => {
  const win = fakeWindow('?layout=tv', 'wbt_kept');
  assert.equal(boardToken(win), 'wbt_kept');
  assert.deepEqual(win.replaced, []);
});

test('no token anywhere, or no browser: null, and the socket URL has none', () => {
  assert.equal(boardToken(fakeWindow('')), null);
  assert.equal(boardToken({}), null);
  assert.equal(socketUrl({ protocol: 'http:', host: 'wall:8080' }, null), 'ws://wall:8080/ws');
});

test('the socket URL carries the token, encoded', () => {
  assert.equal(withToken('ws://wall:8080/ws', 'wbt_a+b/c'), 'ws://wall:8080/ws?token=wbt_a%2Bb%2Fc');
  assert.equal(socketUrl({ protocol: 'https:', host: 'wall' }, 'wbt_x'), 'wss://wall/ws?token=wbt_x');
});
