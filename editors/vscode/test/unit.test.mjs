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
// Every temporary folder a test makes is listed here and removed at the end.
const temporary = [];
const mkdtemp = (prefix) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
};
test.after(() => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});
const out = mkdtemp('chant-vscode-unit-');
await esbuild.build({
  entryPoints: [
    path.join(here, '../src/specStatus.ts'),
    path.join(here, '../src/serverPath.ts'),
    path.join(here, '../src/actions.ts'),
    path.join(here, '../src/specList.ts'),
  ],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outdir: out,
  logLevel: 'error',
});
const require = createRequire(import.meta.url);
const { statusText, statusTooltip, lightText, gradesText } = require(path.join(out, 'specStatus.js'));
const { resolveServerPath, findOnPath, bundledServer, INSTALL_HINT, SETTING_HINT } = require(path.join(out, 'serverPath.js'));
const { availability, canTokens, SPEC_ACTIONS, PROJECT_ACTIONS, addOptions, parseLabels, promptOf, promptChoices } = require(path.join(out, 'actions.js'));
const { groupSpecs, specContextValue, specDescription, specTooltip, projectOf, labelsOf } = require(path.join(out, 'specList.js'));
const manifest = JSON.parse(fs.readFileSync(path.join(here, '../package.json'), 'utf8'));

test('the server path: setting, PATH, or a message with install instructions', () => {
  const dir = mkdtemp('chant-bin-');
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
  const ext = mkdtemp('chant-ext-');
  const onPath = mkdtemp('chant-path-');
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
  const note = '`chant list` shows it as pending: unlike `chant work`, it counts a cancelled dependency as met.';
  assert.equal(
    statusTooltip({ ...s, listNote: note }),
    `chant spec \`2026-01-02-001-abc\` — Add the greeting\n\nstatus \`pending\` · waiting for 2026-01-01-001-xyz (in_progress) · 1 of 2 acceptance criteria checked\n\n${note}\n\nClick for the chant commands.`,
  );
});

/** chant's grades of a spec with 12 criteria, as the server sends them. */
const REFINE = {
  light: 'Refine',
  complexity: 'D',
  confidence: 'C',
  splittability: 'C',
  acQuality: 'A',
  isolation: null,
  summary: 'Refine: complexity D (12 criteria)',
};

test('the status bar shows chant\'s light beside the readiness, and the grades in its tooltip', () => {
  const s = {
    id: '2026-01-02-001-abc',
    title: 'Twelve criteria',
    status: 'pending',
    type: 'code',
    readiness: 'refused',
    reason: 'Refine: complexity D (12 criteria) — Work anyway skips the quality check',
    criteria: { checked: 0, total: 12 },
    running: false,
    commands: [],
    quality: REFINE,
  };
  assert.equal(statusText(s), '$(stop-circle) refused · 0/12 · 🔴 Refine');
  assert.equal(
    statusText({ ...s, readiness: 'ready', quality: { ...REFINE, light: 'Review', summary: 'Review: confidence C' } }),
    '$(play-circle) ready · 0/12 · 🟡 Review',
  );
  assert.equal(statusText({ ...s, readiness: 'blocked', quality: { ...REFINE, light: 'Ready' } }), '$(debug-pause) blocked · 0/12 · 🟢 Ready');
  // Done or going on: the light says nothing more (nor does the server's lens row).
  assert.equal(statusText({ ...s, readiness: 'completed' }), '$(pass) completed · 0/12');
  assert.equal(statusText({ ...s, readiness: 'cancelled' }), '$(circle-slash) cancelled · 0/12');
  assert.equal(statusText({ ...s, readiness: 'in_progress' }), '$(sync~spin) in progress · 0/12');
  assert.equal(statusText({ ...s, running: true }), '$(sync~spin) refused · 0/12');
  // chant cannot read the spec (null), or an older server (absent): no light.
  assert.equal(statusText({ ...s, readiness: 'unreadable', quality: null }), '$(warning) unreadable · 0/12');
  assert.equal(
    statusTooltip(s),
    'chant spec `2026-01-02-001-abc` — Twelve criteria\n\nstatus `pending` · Refine: complexity D (12 criteria) — Work anyway skips the quality check · 0 of 12 acceptance criteria checked\n\n' +
      '🔴 Refine: complexity D (12 criteria)\n\nComplexity: D | Confidence: C | Splittable: C | AC Quality: A\n\nClick for the chant commands.',
  );
  // As `chant lint --verbose` prints them: Isolation (a spec with members) before AC Quality.
  assert.equal(lightText(REFINE), '🔴 Refine');
  assert.equal(gradesText({ ...REFINE, isolation: 'B' }), 'Complexity: D | Confidence: C | Splittable: C | Isolation: B | AC Quality: A');
});

// ---- actions and the spec list ---------------------------------------------

const URI = 'file:///p/.chant/specs/2026-01-02-001-abc.md';
const offer = (command, options, enabled = true, reason = null, title = command) => ({
  command,
  title,
  arguments: options ? [URI, options] : [URI],
  enabled,
  reason,
});

test('each action is enabled exactly where the server says its offer is', () => {
  const status = {
    running: false,
    readiness: 'ready',
    commands: [
      offer('chant.work', null, true, null, 'Work this spec'),
      offer('chant.work', { prompt: 'research' }, true, null, 'Work with prompt research'),
      offer('chant.work', { prompt: 'standard' }, false, 'no such prompt', 'Work with prompt standard'),
      offer('chant.approve', null, false, 'already approved'),
      offer('chant.reject', null, true),
      offer('chant.merge', null, true),
      offer('chant.reset', { work: true }, true),
      offer('chant.reset', null, true),
      offer('chant.cancel', null, false, 'others depend on it'),
      offer('chant.cancel', { delete: true }, true),
      offer('chant.showLog', null, true),
    ],
  };
  const a = availability(status);
  const enabled = Object.keys(a).filter((k) => a[k].enabled).sort();
  assert.deepEqual(enabled, ['delete', 'merge', 'reject', 'reset', 'resetAndWork', 'showLog', 'work', 'workWithPrompt']);
  assert.equal(a.approve.reason, 'already approved');
  assert.equal(a.cancel.reason, 'others depend on it');
  assert.equal(a.archive.enabled, false);
  assert.deepEqual(a.archive.offers, []);
  // Work with prompt: the enabled prompt first, with the server's arguments.
  assert.deepEqual(a.workWithPrompt.offers.map(promptOf), ['research', 'standard']);
  assert.deepEqual(a.resetAndWork.offers[0].arguments, [URI, { work: true }]);
  assert.deepEqual(a.delete.offers[0].arguments, [URI, { delete: true }]);
  // Plain Work is enabled, so Work Anyway is not offered.
  assert.equal(a.workAnyway.enabled, false);
  assert.equal(
    canTokens(status),
    'can-work can-workWithPrompt can-reject can-merge can-reset can-resetAndWork can-delete can-showLog',
  );
});

test('Work Anyway: the server\'s skipQuality offer, else where a ready spec\'s plain Work is refused', () => {
  const refused = { running: false, readiness: 'ready', commands: [offer('chant.work', null, false, 'Spec quality check failed')] };
  const a = availability(refused);
  assert.equal(a.work.enabled, false);
  assert.equal(a.work.reason, 'Spec quality check failed');
  assert.equal(a.workAnyway.enabled, true);
  assert.deepEqual(a.workAnyway.offers[0].arguments, [URI, { skipQuality: true }]);
  // Not while chant runs for the spec, nor for a spec that is not ready
  // (completed, blocked, waiting for approval: skipping the quality check
  // does not change that).
  assert.equal(availability({ ...refused, running: true }).workAnyway.enabled, false);
  for (const readiness of ['completed', 'blocked', 'needs_approval', 'in_progress', 'failed']) {
    assert.equal(availability({ ...refused, readiness }).workAnyway.enabled, false, readiness);
  }
  // The server's own offer wins, enabled or not.
  const own = {
    running: false,
    readiness: 'ready',
    commands: [offer('chant.work', null, false, 'x'), offer('chant.work', { skipQuality: true }, false, 'completed')],
  };
  assert.equal(availability(own).workAnyway.enabled, false);
  assert.equal(availability(own).workAnyway.reason, 'completed');
  // No work offer at all: nothing.
  assert.equal(availability({ running: false, readiness: 'ready', commands: [] }).workAnyway.enabled, false);
});

test('Work with…: the enabled "Work with prompt X" offers, in the server\'s order, else the server\'s reason', () => {
  const status = {
    id: '2026-01-02-001-abc',
    running: false,
    readiness: 'ready',
    commands: [
      offer('chant.work', null, true, null, 'Work this spec'),
      offer('chant.workWith', null, true, null, 'Work with…'),
      offer('chant.work', { prompt: 'standard' }, true, null, 'Work with prompt standard'),
      offer('chant.work', { prompt: 'bootstrap' }, false, 'no such prompt', 'Work with prompt bootstrap'),
      offer('chant.work', { prompt: 'research' }, true, null, 'Work with prompt research'),
      offer('chant.work', { skipQuality: true }, true, null, 'Work anyway (skip the quality check)'),
    ],
  };
  const { choices } = promptChoices(status);
  assert.deepEqual(
    choices.map((c) => [c.prompt, c.offer.title, c.offer.arguments]),
    [
      ['standard', 'Work with prompt standard', [URI, { prompt: 'standard' }]],
      ['research', 'Work with prompt research', [URI, { prompt: 'research' }]],
    ],
  );
  const refused = {
    ...status,
    readiness: 'refused',
    commands: [
      offer('chant.work', null, false, 'Refine: complexity D (12 criteria)'),
      offer('chant.work', { prompt: 'standard' }, false, 'Refine: complexity D (12 criteria)', 'Work with prompt standard'),
    ],
  };
  assert.deepEqual(promptChoices(refused), { choices: [], reason: 'Refine: complexity D (12 criteria)' });
  assert.deepEqual(promptChoices({ ...status, commands: [] }), {
    choices: [],
    reason: 'no prompt to work spec 2026-01-02-001-abc with.',
  });
});

test('New Spec options: title trimmed, labels split on commas, only what was chosen', () => {
  assert.deepEqual(addOptions({ title: '  Greet  ', type: 'code', labels: '' }), { title: 'Greet', type: 'code' });
  assert.deepEqual(
    addOptions({ title: 'Greet', type: 'task', prompt: 'standard', labels: 'walk, phase 1,, walk ', needsApproval: true }),
    { title: 'Greet', type: 'task', prompt: 'standard', labels: ['walk', 'phase 1'], needsApproval: true },
  );
  assert.deepEqual(parseLabels(' a ,b,,a'), ['a', 'b']);
});

const item = (id, readiness, extra = {}) => ({
  id,
  title: `Title ${id}`,
  uri: `file:///p/.chant/specs/${id}.md`,
  status: 'pending',
  type: 'code',
  readiness,
  reason: `why ${id}`,
  labels: [],
  criteria: { checked: 1, total: 2 },
  running: false,
  commands: [],
  ...extra,
});

test('the chant view groups specs by readiness, in a fixed order, others after', () => {
  const groups = groupSpecs([
    item('c', 'completed'),
    item('q', 'refused'),
    item('b', 'ready'),
    item('z', 'unreadable'),
    item('a', 'ready'),
    item('f', 'failed'),
    item('n', 'needs_approval'),
    item('r', 'rejected'),
    item('i', 'in_progress'),
    item('k', 'blocked'),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.label, g.specs.map((s) => s.id)]),
    [
      ['Ready', ['a', 'b']],
      ['Refused', ['q']],
      ['Blocked', ['k']],
      ['In Progress', ['i']],
      ['Needs Approval', ['n']],
      ['Failed', ['f']],
      ['Completed', ['c']],
      ['Rejected', ['r']],
      ['Unreadable', ['z']],
    ],
  );
});

test('a spec in the chant view: description, tooltip with the reason, inline buttons from its offers', () => {
  const s = item('2026-01-02-001-abc', 'blocked', {
    reason: 'waiting for 2026-01-01-001-xyz (in_progress)',
    labels: ['walk'],
    commands: [offer('chant.work', null, false, 'blocked'), offer('chant.approve', null, true), offer('chant.merge', null, true)],
  });
  assert.equal(specDescription(s), 'pending · 1/2 · 2026-01-02-001-abc');
  assert.equal(specDescription({ ...s, running: true }), 'running · pending · 1/2 · 2026-01-02-001-abc');
  assert.equal(
    specTooltip(s),
    '**Title 2026-01-02-001-abc**\n\n`2026-01-02-001-abc` · status `pending` · blocked\n\nwaiting for 2026-01-01-001-xyz (in_progress)\n\nlabels: `walk`',
  );
  assert.equal(
    specTooltip({ ...s, listNote: 'NOTE' }),
    '**Title 2026-01-02-001-abc**\n\n`2026-01-02-001-abc` · status `pending` · blocked\n\nwaiting for 2026-01-01-001-xyz (in_progress)\n\nNOTE\n\nlabels: `walk`',
  );
  // chant's light beside the criteria; its summary and grades in the tooltip.
  const graded = { ...s, readiness: 'refused', quality: REFINE };
  assert.equal(specDescription(graded), '🔴 Refine · pending · 1/2 · 2026-01-02-001-abc');
  assert.equal(specDescription({ ...graded, quality: { ...REFINE, light: 'Ready' } }), '🟢 Ready · pending · 1/2 · 2026-01-02-001-abc');
  assert.equal(specDescription({ ...graded, running: true }), 'running · pending · 1/2 · 2026-01-02-001-abc');
  assert.equal(specDescription({ ...graded, readiness: 'completed', status: 'completed' }), 'completed · 1/2 · 2026-01-02-001-abc');
  assert.equal(
    specTooltip({ ...graded, reason: 'Refine: complexity D (12 criteria) — Work anyway skips the quality check' }),
    '**Title 2026-01-02-001-abc**\n\n`2026-01-02-001-abc` · status `pending` · refused\n\n' +
      'Refine: complexity D (12 criteria) — Work anyway skips the quality check\n\n' +
      '🔴 Refine: complexity D (12 criteria)\n\nComplexity: D | Confidence: C | Splittable: C | AC Quality: A\n\nlabels: `walk`',
  );
  assert.equal(specContextValue(s), 'chant-spec can-approve can-merge');
  assert.equal(specContextValue({ ...s, readiness: 'ready' }), 'chant-spec can-workAnyway can-approve can-merge');
  assert.equal(specContextValue(item('x', 'ready')), 'chant-spec');
});

test('projects: the one holding a file, and its labels', () => {
  const projects = [
    { root: 'file:///p', specs: [item('a', 'ready', { labels: ['x', 'walk'] }), item('b', 'ready', { labels: ['walk'] })] },
    { root: 'file:///p/sub', specs: [] },
  ];
  assert.equal(projectOf(projects, 'file:///p/sub/.chant/specs/a.md').root, 'file:///p/sub');
  assert.equal(projectOf(projects, 'file:///p/.chant/specs/a.md').root, 'file:///p');
  assert.equal(projectOf(projects, 'file:///pp/.chant/specs/a.md'), undefined);
  assert.deepEqual(labelsOf(projects[0]), ['walk', 'x']);
});

test('package.json: every action is a command, in the palette and menus only where enabled', () => {
  const commands = new Map(manifest.contributes.commands.map((c) => [c.command, c]));
  const palette = new Map(manifest.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
  const context = new Map(manifest.contributes.menus['chant.editorContext'].map((m) => [m.command, m.when]));
  for (const a of SPEC_ACTIONS) {
    assert.equal(commands.get(a.id)?.title, a.title, a.id);
    assert.equal(commands.get(a.id)?.category, 'chant', a.id);
    assert.match(palette.get(a.id), new RegExp(`chant\\.isSpec && chant\\.can\\.${a.key}\\b`), a.id);
    assert.equal(context.get(a.id), `chant.can.${a.key}`, a.id);
  }
  for (const a of PROJECT_ACTIONS) {
    assert.equal(commands.get(a.id)?.title, a.title, a.id);
    assert.match(palette.get(a.id), new RegExp(`^chant\\.can\\.${a.key}\\b`), a.id);
  }
  const inline = manifest.contributes.menus['view/item/context'].filter((m) => m.group === 'inline');
  assert.deepEqual(
    inline.map((m) => [m.command, m.when]),
    ['work', 'approve', 'review', 'merge'].map((k) => [`chant.spec.${k}`, `view == chant.specs && viewItem =~ /\\bcan-${k}\\b/`]),
  );
  assert.deepEqual(manifest.contributes.views.explorer.map((v) => [v.id, v.name]), [['chant.specs', 'chant']]);
});
