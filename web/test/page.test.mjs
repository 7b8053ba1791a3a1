// Static checks of the shipped page: one module entry, landmarks, nothing external, no test files.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

const web = new URL('../', import.meta.url);
const read = (path) => readFileSync(new URL(path, web), 'utf8');
const shipped = [
  'index.html',
  ...readdirSync(new URL('js/', web)).map((f) => `js/${f}`),
  ...readdirSync(new URL('css/', web)).map((f) => `css/${f}`),
];

test('index.html has one module script, lang, title and header/main landmarks', () => {
  const html = read('index.html');
  assert.equal(html.match(/<script\b/g).length, 1);
  assert.match(html, /<script type="module" src="js\/main\.js"><\/script>/);
  assert.match(html, /<html lang="en"/);
  assert.match(html, /<title>[^<]+<\/title>/);
  assert.match(html, /<header\b/);
  assert.match(html, /<main\b/);
});

test('every stylesheet index.html links exists, and every css file is linked', () => {
  const html = read('index.html');
  const linked = [...html.matchAll(/href="(css\/[^"]+)"/g)].map((m) => m[1]).sort();
  const files = shipped.filter((f) => f.startsWith('css/')).sort();
  assert.deepEqual(linked, files);
});

test('the shipped page loads nothing external and nothing from test/', () => {
  for (const file of shipped) {
    const text = read(file);
    assert.doesNotMatch(text, /https?:\/\//, `${file} references an external URL`);
    assert.doesNotMatch(text, /fixtures|test\//, `${file} references test files`);
  }
});

test('relative module imports resolve to files that exist', () => {
  for (const file of shipped.filter((f) => f.endsWith('.js'))) {
    for (const [, spec] of read(file).matchAll(/from '(\.\/[^']+)'/g)) {
      assert.doesNotThrow(() => read(`js/${spec.slice(2)}`), `${file} imports missing ${spec}`);
    }
  }
});
