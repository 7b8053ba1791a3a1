// Static checks of the shipped page: one module entry, landmarks, nothing external, no test files.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

const web = new URL('../', import.meta.url);
const read = (path) => readFileSync(new URL(path, web), 'utf8');
// Every file under a folder, recursively (the supervisor console's modules are in js/console/).
const files = (dir) =>
  readdirSync(new URL(dir, web), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(`${dir}${e.name}/`) : [`${dir}${e.name}`]);
const shipped = ['index.html', 'supervisor.html', ...files('js/'), ...files('css/')];

test('index.html has one module script, lang, title and header/main landmarks', () => {
  const html = read('index.html');
  assert.equal(html.match(/<script\b/g).length, 1);
  assert.match(html, /<script type="module" src="js\/main\.js"><\/script>/);
  assert.match(html, /<html lang="en"/);
  assert.match(html, /<title>[^<]+<\/title>/);
  assert.match(html, /<header\b/);
  assert.match(html, /<main\b/);
});

test('every stylesheet the pages link exists, and every css file is linked', () => {
  const html = read('index.html') + read('supervisor.html');
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
    for (const [, spec] of read(file).matchAll(/from '(\.\.?\/[^']+)'/g)) {
      const target = new URL(spec, new URL(file, web));
      assert.doesNotThrow(() => readFileSync(target, 'utf8'), `${file} imports missing ${spec}`);
    }
  }
});
