// Unit tests of the extension's pure helpers (no VS Code needed):
//   node --test editors/vscode/test/unit.test.mjs
// The TypeScript sources are bundled with esbuild into a temporary folder.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'chant-vscode-unit-'));
await esbuild.build({
  entryPoints: [path.join(here, '../src/specStatus.ts'), path.join(here, '../src/serverPath.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outdir: out,
  logLevel: 'error',
});
const require = createRequire(import.meta.url);
const { parseLensTitle, parseSpecText, statusText } = require(path.join(out, 'specStatus.js'));
const { resolveServerPath, findOnPath } = require(path.join(out, 'serverPath.js'));

test('the code lens title gives status and progress', () => {
  assert.deepEqual(parseLensTitle('pending · 1/2'), { status: 'pending', checked: 1, total: 2, source: 'server' });
  assert.deepEqual(parseLensTitle('in_progress · 3/5'), { status: 'in_progress', checked: 3, total: 5, source: 'server' });
  assert.equal(parseLensTitle('▶ Work'), undefined);
  assert.equal(parseLensTitle('pending'), undefined);
});

test('the fallback parser counts criteria as chant does', () => {
  const spec = [
    '---',
    'type: code',
    'status: in_progress',
    '---',
    '# Title',
    '',
    '## Acceptance Criteria',
    '',
    '- [ ] one',
    '- [x] two',
    '- [X] three - [ ] and a second box on the line',
    '* [ ] not counted',
    '```',
    '- [ ] inside a fence: not counted',
    '```',
    '### Sub heading does not end the section',
    '- [ ] four',
    '## Next',
    '- [ ] after the section: not counted',
  ].join('\n');
  assert.deepEqual(parseSpecText(spec), { status: 'in_progress', checked: 2, total: 5, source: 'buffer' });
});

test('the last criteria section counts; default status is pending', () => {
  const spec = '# T\n\n## Acceptance Criteria\n- [ ] a\n\n## Acceptance Criteria (must have)\n- [x] b\n';
  assert.deepEqual(parseSpecText(spec), { status: 'pending', checked: 1, total: 1, source: 'buffer' });
  assert.deepEqual(parseSpecText('---\nstatus: "completed"\n---\n# T\n'), {
    status: 'completed',
    checked: 0,
    total: 0,
    source: 'buffer',
  });
});

test('status bar text', () => {
  assert.equal(statusText({ status: 'pending', checked: 1, total: 2, source: 'server' }), '$(checklist) pending · 1/2');
  assert.equal(statusText({ status: 'completed', checked: 2, total: 2, source: 'server' }), '$(pass) completed · 2/2');
});

test('the server path: setting, PATH, or a message with install instructions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chant-bin-'));
  const exe = path.join(dir, 'chant-lsp');
  fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'not-executable'), '', { mode: 0o644 });
  assert.deepEqual(resolveServerPath(exe), { ok: true, path: exe });
  assert.deepEqual(resolveServerPath('bin/chant-lsp', path.dirname(dir) + '/nope'), {
    ok: false,
    message: 'chant.server.path is "bin/chant-lsp", which is not an executable file. ' +
      'Install it with `cargo install --path .` in a chant-lsp checkout (it lands in ~/.cargo/bin), ' +
      'or set `chant.server.path` to the chant-lsp executable.',
  });
  const bad = resolveServerPath(path.join(dir, 'not-executable'));
  assert.equal(bad.ok, false);
  assert.match(bad.message, /not an executable file/);
  assert.equal(findOnPath('chant-lsp', dir), exe);
  const saved = process.env.PATH;
  const savedHome = process.env.HOME;
  try {
    process.env.PATH = dir;
    assert.deepEqual(resolveServerPath(''), { ok: true, path: exe });
    process.env.PATH = '/nonexistent';
    process.env.HOME = dir; // no .cargo/bin there
    const missing = resolveServerPath(undefined);
    assert.equal(missing.ok, false);
    assert.match(missing.message, /^chant-lsp was not found on PATH\. Install it with `cargo install --path \.`/);
  } finally {
    process.env.PATH = saved;
    process.env.HOME = savedHome;
  }
});
