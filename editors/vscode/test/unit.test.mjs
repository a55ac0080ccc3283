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
const { statusText, statusTooltip } = require(path.join(out, 'specStatus.js'));
const { resolveServerPath, findOnPath, bundledServer, INSTALL_HINT, SETTING_HINT } = require(path.join(out, 'serverPath.js'));

test('the server path: setting, PATH, or a message with install instructions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chant-bin-'));
  const exe = path.join(dir, 'chant-lsp');
  fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'not-executable'), '', { mode: 0o644 });
  assert.deepEqual(resolveServerPath(exe), { ok: true, path: exe });
  assert.deepEqual(resolveServerPath('bin/chant-lsp', path.dirname(dir) + '/nope'), {
    ok: false,
    message: 'chant.server.path is "bin/chant-lsp", which is not an executable file. ' +
      'Correct `chant.server.path`, or clear it to use the chant-lsp this extension carries (platform builds) ' +
      'or the one on PATH.',
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
    assert.equal(missing.message, `chant-lsp was not found on PATH. ${INSTALL_HINT}`);
  } finally {
    process.env.PATH = saved;
    process.env.HOME = savedHome;
  }
});

test('the server path order: setting, then the bundled binary, then PATH', () => {
  const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'chant-ext-'));
  const onPath = fs.mkdtempSync(path.join(os.tmpdir(), 'chant-path-'));
  const pathExe = path.join(onPath, 'chant-lsp');
  fs.writeFileSync(pathExe, '#!/bin/sh\n', { mode: 0o755 });
  const setExe = path.join(ext, 'configured-chant-lsp');
  fs.writeFileSync(setExe, '#!/bin/sh\n', { mode: 0o755 });
  const saved = process.env.PATH;
  try {
    process.env.PATH = onPath;
    // No server/ folder: a universal .vsix falls back to PATH.
    assert.equal(bundledServer(ext), undefined);
    assert.equal(bundledServer(undefined), undefined);
    assert.deepEqual(resolveServerPath('', ext, bundledServer(ext)), { ok: true, path: pathExe });
    // A bundled binary whose mode the unpacking lost is made executable and wins over PATH.
    fs.mkdirSync(path.join(ext, 'server'));
    const bundled = path.join(ext, 'server', 'chant-lsp');
    fs.writeFileSync(bundled, '#!/bin/sh\n', { mode: 0o644 });
    assert.equal(bundledServer(ext), bundled);
    assert.equal(fs.statSync(bundled).mode & 0o111, 0o111);
    assert.deepEqual(resolveServerPath('', ext, bundledServer(ext)), { ok: true, path: bundled });
    assert.deepEqual(resolveServerPath(undefined, ext, bundled), { ok: true, path: bundled });
    // The user's setting wins over the bundled binary...
    assert.deepEqual(resolveServerPath(setExe, ext, bundled), { ok: true, path: setExe });
    // ...and a wrong setting is reported, not silently replaced.
    const wrong = resolveServerPath(path.join(ext, 'nope'), ext, bundled);
    assert.equal(wrong.ok, false);
    assert.equal(wrong.message, `chant.server.path is "${path.join(ext, 'nope')}", which is not an executable file. ${SETTING_HINT}`);
    // A bundled binary that cannot run says so.
    fs.chmodSync(bundled, 0o644);
    const broken = resolveServerPath('', ext, bundled);
    assert.equal(broken.ok, false);
    assert.match(broken.message, /bundled with the extension .* cannot be run/);
  } finally {
    process.env.PATH = saved;
  }
});

test('status bar text and tooltip come from the server\'s chant/specStatus', () => {
  const s = {
    id: '2026-01-02-001-abc',
    title: 'Add the greeting',
    status: 'pending',
    type: 'code',
    readiness: 'blocked',
    reason: 'waiting for 2026-01-01-001-xyz (in_progress)',
    criteria: { checked: 1, total: 2 },
    running: false,
    commands: [],
  };
  assert.equal(statusText(s), '$(debug-pause) blocked · 1/2');
  assert.equal(statusText({ ...s, readiness: 'needs_approval' }), '$(person) needs approval · 1/2');
  assert.equal(statusText({ ...s, running: true }), '$(sync~spin) blocked · 1/2');
  assert.equal(
    statusTooltip(s),
    'chant spec `2026-01-02-001-abc` — Add the greeting\n\nstatus `pending` · waiting for 2026-01-01-001-xyz (in_progress) · 1 of 2 acceptance criteria checked\n\nClick for the chant commands.',
  );
});
