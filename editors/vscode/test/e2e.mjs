// End-to-end test of the chant VS Code extension in real VS Code
// (code-server) in headless Chromium, driven by Playwright.
//
//   node editors/vscode/test/e2e.mjs
//
// Environment (scripts/test-editors sets it):
//   CHANT_LSP            a chant-lsp binary (for the `chant.server.path` step)
//   CHANT_REAL           the real chant 0.23.2 (scripts/build-real-chant); every
//                        chant run of this test is the real chant, running the
//                        scripted agent editors/test-fixtures/agent/claude
//   CHANT_EDITOR_TOOLS   folder with node_modules/{code-server,playwright-core}
//   CHANT_VSIX           the platform-specific extension (scripts/package-vsix),
//                        which carries its own chant-lsp
//   CHANT_SCREENSHOTS    where PNG screenshots go (default target/editor-screenshots)
//   CHANT_CHROMIUM       the browser (default /usr/bin/chromium)
//   CHANT_EDITOR_TESTS_SKIP_MISSING=1  skip (loudly) steps whose server feature is missing
//   CHANT_LSP_SKIP_REAL_CHANT=1        without CHANT_REAL, run only the steps that need no
//                                      chant and skip (loudly, counted) the others
//
// code-server, Chromium and the real chant are looked for first: a missing
// one fails the test (scripts/install-test-deps provides them), unless the
// run opted out (CHANT_LSP_SKIP_REAL_CHANT=1 for chant; scripts/test-editors
// skips the whole suite with CHANT_LSP_SKIP_VSCODE=1).
//
// It installs the platform .vsix into a clean extensions folder, with no
// chant-lsp on PATH and no `chant.server.path`: the extension must run the
// server it carries. It copies editors/test-fixtures/demo into a temporary
// git repository, opens it in code-server, and checks what a user sees: the
// Problems panel, completion of an `informed_by` path and of a prompt name,
// the hover preview of a linked research file, the status bar, the palette
// offering only what the server enables, "chant: Work Spec" running chant
// (its progress in the status bar) and changing the spec buffer, Apply Agent
// Changes, Review Changes (the multi-file diff editor with the agent's file,
// its next steps as buttons), Reject and Approve, and that a
// `chant.server.path` setting wins over the bundled server. Then, on a
// second project, the walkthrough: the chant view in the Explorer (grouped
// by readiness, tooltips, inline Work / Approve / Merge), New Spec..., chant's
// quality light of a spec graded Refine (the status bar, the lens row, the
// view and its tooltip, against `chant lint --verbose`), the ▶ Work with…
// lens (its quick pick dismissed, then a prompt picked), Work
// with Prompt..., Work Anyway, Merge Branch, Merge All, Verify (from the
// editor's context menu), Show Agent Log, Archive, Archive by Label...,
// Reset, Reset and Work, Cancel, Delete (the server asks), Split, and the
// code lenses. Last, Restricted Mode. On failure it saves a screenshot and
// prints the logs of code-server, the extension host and the extension's
// output channel.

import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) {
    throw new Error(`set ${name}`);
  }
  return v;
};
const SERVER = env('CHANT_LSP');
const REAL = process.env.CHANT_REAL;
const TOOLS = env('CHANT_EDITOR_TOOLS');
const VSIX = env('CHANT_VSIX', path.join(repo, 'editors/vscode/chant-lsp.vsix'));
const SHOTS = env('CHANT_SCREENSHOTS', path.join(repo, 'target/editor-screenshots'));
const CHROMIUM = env('CHANT_CHROMIUM', '/usr/bin/chromium');
const SKIP_MISSING = process.env.CHANT_EDITOR_TESTS_SKIP_MISSING === '1';
let skipped = 0;
const TIMEOUT = Number(process.env.CHANT_VSCODE_TIMEOUT_MS ?? 30000);

const SKIP_REAL = process.env.CHANT_LSP_SKIP_REAL_CHANT === '1';
let skippedNoChant = 0;

const CODE_SERVER = path.join(TOOLS, 'node_modules', '.bin', 'code-server');
const PLAYWRIGHT = path.join(TOOLS, 'node_modules', 'playwright-core');
for (const [what, where] of [['code-server', CODE_SERVER], ['playwright-core', PLAYWRIGHT], ['Chromium', CHROMIUM]]) {
  if (!fs.existsSync(where)) {
    console.error(`FAIL: ${what} is not at ${where}: run scripts/install-test-deps (or skip the VS Code suite with CHANT_LSP_SKIP_VSCODE=1)`);
    process.exit(1);
  }
}
if (!REAL && !SKIP_REAL) {
  console.error('FAIL: CHANT_REAL is not set: the VS Code test runs the real chant 0.23.2 (scripts/install-test-deps provides it); CHANT_LSP_SKIP_REAL_CHANT=1 runs only the steps that need no chant');
  process.exit(1);
}

const requireTool = createRequire(path.join(TOOLS, 'node_modules', 'noop.js'));
const { chromium } = requireTool('playwright-core');

const WORK_ID = '2026-11-20-001-abc';
const BROKEN_ID = '2026-11-20-002-def';
const SCRATCH_ID = '2026-11-20-004-jkl';
const REVIEW_ID = '2026-11-20-003-ghi';

// ---- plumbing -------------------------------------------------------------

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  }
  return r.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) {
        return v;
      }
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

function assertEq(expected, actual, what) {
  const e = JSON.stringify(expected);
  const a = JSON.stringify(actual);
  if (e !== a) {
    throw new Error(`${what}:\n  expected: ${e}\n  actual:   ${a}`);
  }
}

function assert(cond, what) {
  if (!cond) {
    throw new Error(`assertion failed: ${what}`);
  }
}

class MissingFeature extends Error {}

// ---- the workspace ----------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chant-vscode-e2e-'));

// chant as the server runs it: each call's arguments go to the argv log
// (arguments separated by 0x1f, calls ended by 0x1e), then the real chant;
// the scripted agent is on PATH as `claude`.
const bin = path.join(tmp, 'bin');
const agentDir = path.join(tmp, 'agent');
const argvLog = path.join(tmp, 'argv.log');
fs.mkdirSync(bin, { recursive: true });
fs.mkdirSync(agentDir, { recursive: true });
const CHANT = path.join(bin, 'chant');
fs.writeFileSync(
  CHANT,
  // (PATH again here: code-server's extension host takes PATH from a login shell)
  // Each call's end is appended to the done log (one byte per call), so a
  // test knows chant has exited, not only that it started.
  // (Without the real chant, CHANT_LSP_SKIP_REAL_CHANT=1: a chant that fails;
// the steps that run never call it, and the argv log would say so.)
  `#!/bin/sh\n{ for a in "$@"; do printf '%s\\037' "$a"; done; printf '\\036'; } >> "$CHANT_ARGV_LOG"\nPATH='${bin}':"$PATH" '${REAL ?? '/bin/false'}' "$@"\nstatus=$?\n[ "$1" = merge-driver ] || printf x >> "$CHANT_ARGV_LOG.done"\nexit $status\n`,
  { mode: 0o755 },
);
fs.copyFileSync(path.join(repo, 'editors/test-fixtures/agent/claude'), path.join(bin, 'claude'));
fs.chmodSync(path.join(bin, 'claude'), 0o755);

/** chant's calls (not its own calls as git's merge driver), each an argument list. */
function chantCalls() {
  const log = fs.existsSync(argvLog) ? fs.readFileSync(argvLog, 'utf8') : '';
  return log
    .split('\x1e')
    .filter(Boolean)
    .map((r) => r.split('\x1f').filter((a, i, all) => i < all.length - 1 || a !== ''))
    .filter((argv) => argv[0] !== 'merge-driver');
}
const flagValue = (args, flag) => {
  for (const [i, a] of args.entries()) {
    if (a === flag) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
};

/** The prompts chant's verify and split use; `TASK:` tells the scripted agent what to do. */
const WALK_PROMPTS = {
  verify: '---\nname: verify\npurpose: Verify a spec\n---\nTASK: verify {{spec.id}}\n',
  split: '---\nname: split\npurpose: Split a spec\n---\nTASK: split {{spec.id}}: {{spec.title}}\n',
};

let projectNames = 0;
/**
 * A copy of the demo fixture in a fresh git repository (chant needs a
 * committed .chant/), with a project name of its own (chant's worktrees
 * are /tmp/chant-<name>-<id>), files older than any run, chant's merge
 * driver, and `specs` and `prompts` added.
 */
function makeProject(name, { specs = {}, prompts = {} } = {}) {
  const dir = path.join(tmp, name);
  fs.cpSync(path.join(repo, 'editors/test-fixtures/demo'), dir, { recursive: true });
  const chantName = `vsc${process.pid}x${++projectNames}`;
  const config = path.join(dir, '.chant/config.md');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('name: demo\n', `name: ${chantName}\n`));
  for (const [id, text] of Object.entries(specs)) {
    fs.writeFileSync(path.join(dir, '.chant/specs', `${id}.md`), text);
  }
  for (const [p, text] of Object.entries(prompts)) {
    fs.writeFileSync(path.join(dir, '.chant/prompts', `${p}.md`), text);
  }
  run('find', [dir, '-exec', 'touch', '-h', '-d', '2026-01-01T00:00:00Z', '{}', '+']);
  const git = (...args) => run('git', args, { cwd: dir });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test User');
  git('config', 'user.email', 'test@example.com');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'merge.chant-spec.name', 'Chant spec merge driver');
  git('config', 'merge.chant-spec.driver', 'chant merge-driver %O %A %B');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return { dir, chantName };
}
let project = makeProject('demo').dir;
const readSpec = (id, root = project) => fs.readFileSync(path.join(root, '.chant/specs', `${id}.md`), 'utf8');
const specExists = (id, root = project) => fs.existsSync(path.join(root, '.chant/specs', `${id}.md`));
const specLines = (id) => readSpec(id).split('\n');
const statusOnDisk = (id, root = project) => (/\nstatus: (\S+)\n/.exec(readSpec(id, root)) ?? [])[1];

const userData = path.join(tmp, 'user-data');
const extensionsDir = path.join(tmp, 'extensions');
function writeUserSettings(dir, trust) {
  fs.mkdirSync(path.join(dir, 'User'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'Machine'), { recursive: true });
  fs.writeFileSync(
  path.join(dir, 'User', 'settings.json'),
  JSON.stringify(
    {
      'chant.approverName': 'Test User',
      'chant.diagnostics.debounceMs': 20,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
      'chat.commandCenter.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'git.enabled': false,
      'editor.hover.delay': 150,
      'editor.minimap.enabled': false,
      'editor.fontSize': 15,
      'workbench.colorTheme': 'Default Light Modern',
      'window.commandCenter': false,
      'files.autoSave': 'off',
      'security.workspace.trust.enabled': trust,
      'security.workspace.trust.startupPrompt': 'always',
    },
    null,
    2,
  ),
  );
}
writeUserSettings(userData, false);
// Machine-scoped settings (the executables) live in the remote's Machine
// settings under code-server: VS Code ignores them in User settings there.
// No `chant.server.path`: the extension runs the server it carries.
const machineSettings = path.join(userData, 'Machine', 'settings.json');
const serverSettings = { 'chant.path': CHANT };
fs.writeFileSync(machineSettings, JSON.stringify(serverSettings, null, 2));
fs.writeFileSync(path.join(tmp, 'config.yaml'), 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
fs.mkdirSync(SHOTS, { recursive: true });

// ---- code-server -------------------------------------------------------------

const csLog = path.join(tmp, 'code-server.log');
fs.mkdirSync(path.join(tmp, 'home'), { recursive: true });
const pathWithoutServer = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((d) => d && !fs.existsSync(path.join(d, 'chant-lsp')))
  .join(path.delimiter);
const csEnv = {
  ...process.env,
  HOME: path.join(tmp, 'home'),
  PATH: `${bin}${path.delimiter}${pathWithoutServer}`,
  AGENT_DIR: agentDir,
  CHANT_ARGV_LOG: argvLog,
  GIT_AUTHOR_NAME: 'Test User',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test User',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  NO_COLOR: '1',
  XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
  XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
};
const csArgs = ['--user-data-dir', userData, '--extensions-dir', extensionsDir, '--config', path.join(tmp, 'config.yaml')];
/** The server inside the installed extension (set by the install step). */
let BUNDLED;

let codeServer;
let browser;
let page;
const timings = [];
let workWarnings = [];

function dumpLogs() {
  const out = [];
  const tail = (file, n = 80) => {
    try {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      out.push(`---- ${file} (last ${Math.min(n, lines.length)} lines)\n${lines.slice(-n).join('\n')}`);
    } catch {
      /* missing */
    }
  };
  tail(csLog);
  const walk = (dir) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(p);
      } else if (/exthost\.log$|chant\.log$|-chant\.log$|remoteagent\.log$/.test(entry.name)) {
        tail(p, 120);
      }
    }
  };
  walk(tmp);
  out.push(`---- chant calls\n${JSON.stringify(chantCalls())}`);
  console.error(out.join('\n'));
  if (process.env.CHANT_KEEP_TEST_FILES) {
    console.error(`(test files kept in ${tmp})`);
  } else {
    console.error('(set CHANT_KEEP_TEST_FILES=1 to keep the test files of a failed run)');
  }
}

// Debugging aid: CHANT_VSCODE_FROM=TEXT skips the steps before the first
// one whose name contains TEXT (the install and the first start still run).
let reached = !process.env.CHANT_VSCODE_FROM;
/** A step; `{ chant: true }`: it runs the real chant (or needs a step that did). */
async function step(name, fn, { chant = false } = {}) {
  reached ||= name.includes(process.env.CHANT_VSCODE_FROM ?? '');
  if (!reached && !/^(install|start code-server)/.test(name)) {
    console.log(`skipped (CHANT_VSCODE_FROM): ${name}`);
    return;
  }
  if (chant && !REAL) {
    console.log(`SKIP (CHANT_LSP_SKIP_REAL_CHANT=1) ${name}: needs the real chant`);
    skippedNoChant += 1;
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
    timings.push([name, Date.now() - t0]);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    if (err instanceof MissingFeature && SKIP_MISSING) {
      console.log(`SKIP (CHANT_EDITOR_TESTS_SKIP_MISSING=1) ${name}: ${err.message}`);
      skipped += 1;
      return;
    }
    console.error(`FAIL ${name}\n${err.stack ?? err}`);
    if (page) {
      const shot = path.join(SHOTS, 'vscode-failure.png');
      await page.screenshot({ path: shot }).catch(() => {});
      console.error(`screenshot of the failure: ${shot}`);
    }
    dumpLogs();
    await cleanup();
    if (!process.env.CHANT_KEEP_TEST_FILES) fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  }
}

async function cleanup() {
  // The worktrees the real chant left in /tmp for this run's projects.
  for (const name of fs.readdirSync('/tmp')) {
    if (name.startsWith(`chant-vsc${process.pid}x`)) {
      fs.rmSync(path.join('/tmp', name), { recursive: true, force: true });
    }
  }
  await browser?.close().catch(() => {});
  if (codeServer && codeServer.exitCode === null) {
    try {
      process.kill(-codeServer.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

// ---- UI helpers ---------------------------------------------------------------

const mod = 'Control';

/** Runs a command from the command palette by its label (`{ asks: true }`: it opens a quick input of its own). */
async function palette(label, { asks = false } = {}) {
  // The palette lists what the context keys allow when it opens; they
  // follow the server's answers a moment after a run ends, so look again
  // until the command is there, as a user would.
  if (label.startsWith('chant: ')) {
    await waitFor(`${label} in the command palette`, () => paletteLists(label));
  }
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  if (!asks) {
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }
}

/** Opens a workspace file with Quick Open. */
async function openFile(rel) {
  await page.keyboard.press(`${mod}+P`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(rel);
  const base = path.basename(rel);
  // The row whose file name is exactly `base` (not, say, .chant-status-<id>.json).
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) })
    .first();
  await row.waitFor({ state: 'visible' });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await page.locator('.tab.active', { hasText: base }).waitFor({ state: 'visible' });
  await page.locator('.editor-instance .monaco-editor').first().waitFor({ state: 'visible' });
  await focusEditor();
}

async function focusEditor() {
  await page.locator('.editor-instance .monaco-editor textarea').first().focus();
}

/** Moves the cursor to line:column (1-based) with "Go to Line". */
async function gotoLine(line, column) {
  await page.keyboard.press(`${mod}+G`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(column ? `:${line}:${column}` : `:${line}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** The visible text of the active editor (one string, spaces normalised). */
async function editorText() {
  const lines = await page.locator('.editor-instance .monaco-editor .view-lines .view-line').evaluateAll((els) =>
    els
      .map((el) => ({ top: parseFloat(el.style.top || '0'), text: el.textContent ?? '' }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text),
  );
  return lines.join('\n').replace(/\u00a0/g, ' ');
}

async function save() {
  await page.keyboard.press(`${mod}+S`);
  await page.locator('.tab.active.dirty').waitFor({ state: 'detached' }).catch(() => {});
}

/** The suggest widget's rows once it shows `label`. */
async function suggestionsShowing(label) {
  const widget = page.locator('.editor-widget.suggest-widget');
  await waitFor(`the suggest widget to list ${label}`, async () => {
    if (!(await widget.isVisible())) {
      await page.keyboard.press(`${mod}+Space`);
      await sleep(400);
      return false;
    }
    const labels = await widget.locator('.monaco-list-row .label-name').allTextContents();
    return labels.some((l) => l.trim() === label);
  });
  return widget.locator('.monaco-list-row .label-name').allTextContents();
}

async function statusBarText() {
  return page.locator('#chant-lsp\\.chant-lsp\\.chant\\.spec, .statusbar-item[id$="chant.spec"]').first().innerText();
}

async function serverCapabilities() {
  // The extension logs nothing about capabilities; ask the server directly
  // the same way the editor does, by starting it once.
  const init = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { processId: null, rootUri: null, capabilities: {}, workspaceFolders: null },
  };
  const body = JSON.stringify(init);
  const input = `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const r = spawnSync(SERVER, ['--stdio'], { input, timeout: 10000 });
  let buf = r.stdout ?? Buffer.alloc(0);
  while (buf.length > 0) {
    const headerEnd = buf.indexOf('\r\n\r\n');
    const m = /Content-Length: (\d+)/i.exec(buf.subarray(0, headerEnd).toString());
    if (headerEnd < 0 || !m) {
      break;
    }
    const start = headerEnd + 4;
    const msg = JSON.parse(buf.subarray(start, start + Number(m[1])).toString('utf8'));
    if (msg.id === 1) {
      return msg.result?.capabilities ?? {};
    }
    buf = buf.subarray(start + Number(m[1]));
  }
  throw new Error(`chant-lsp gave no initialize answer: ${r.stderr}`);
}

// ---- the test -------------------------------------------------------------------

const caps = await serverCapabilities();
const needs = (cap, feature) => {
  if (!caps[cap]) {
    throw new MissingFeature(
      `MISSING SERVER FEATURE: the server does not advertise ${cap} (${feature}); capabilities: ${Object.keys(caps).join(', ')}`,
    );
  }
};

await step('install the platform .vsix into a clean profile with no chant-lsp on PATH', async () => {
  assert(!fs.existsSync(extensionsDir), 'the extensions folder starts empty');
  const onPath = csEnv.PATH.split(path.delimiter)
    .concat(path.join(csEnv.HOME, '.cargo', 'bin'))
    .filter((d) => fs.existsSync(path.join(d, 'chant-lsp')));
  assertEq([], onPath, 'folders on the editor\'s PATH (and ~/.cargo/bin) holding chant-lsp');
  assert(!JSON.stringify(JSON.parse(fs.readFileSync(machineSettings, 'utf8'))).includes('chant.server.path'), 'no chant.server.path');
  const out = run(CODE_SERVER, [...csArgs, '--install-extension', VSIX], { env: csEnv });
  assert(/successfully installed/i.test(out), `install output: ${out}`);
  const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith('chant-lsp.chant-lsp-'));
  assertEq(1, installed.length, `installed extensions: ${fs.readdirSync(extensionsDir).join(', ')}`);
  BUNDLED = path.join(extensionsDir, installed[0], 'server', 'chant-lsp');
  assert(fs.existsSync(BUNDLED), `the .vsix carries the server: ${BUNDLED}`);
  const version = run(BUNDLED, ['--version']).trim();
  assert(/^chant-lsp \d+\.\d+\.\d+/.test(version), `the bundled server runs: ${version}`);
  console.log(`bundled server: ${BUNDLED} (${version}, mode ${(fs.statSync(BUNDLED).mode & 0o777).toString(8)})`);
});

/**
 * Starts code-server on `folder` and opens it in Chromium. `trust`: use
 * workspace trust (the folder opens in Restricted Mode until trusted);
 * without it code-server runs with --disable-workspace-trust.
 */
async function startEditor({ folder, dataDir, trust }) {
  const port = await freePort();
  const logFd = fs.openSync(csLog, 'a');
  codeServer = spawn(
    CODE_SERVER,
    [
      '--user-data-dir',
      dataDir,
      '--extensions-dir',
      extensionsDir,
      '--config',
      path.join(tmp, 'config.yaml'),
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(trust ? [] : ['--disable-workspace-trust']),
      '--ignore-last-opened',
      folder,
    ],
    { env: csEnv, stdio: ['ignore', logFd, logFd], detached: true },
  );
  await waitFor('code-server to answer', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    return res?.ok;
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
}

await step('start code-server and open the demo workspace in Chromium', async () => {
  await startEditor({ folder: project, dataDir: userData, trust: false });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible' });
});

/** Every `chant.log` of the extension's output channel under `dir`, joined. */
function chantLogs(dir = path.join(userData, 'logs')) {
  const logs = [];
  const walk = (d) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (e.name === 'chant.log') {
        logs.push(fs.readFileSync(p, 'utf8'));
      }
    }
  };
  walk(dir);
  return logs.join('\n');
}
const starts = (exe) => chantLogs().split('\n').filter((l) => l.includes(`starting ${exe} --stdio`));

await step('the extension starts the server it carries', async () => {
  await waitFor('the bundled server to start', () => starts(BUNDLED).length === 1);
  const toasts = await page.locator('.notification-toast').allInnerTexts();
  assert(!toasts.some((t) => t.includes('chant-lsp')), `no complaint about the server: ${JSON.stringify(toasts)}`);
});

await step('diagnostics of a spec show in the Problems panel; README.md gets none', async () => {
  await openFile(`.chant/specs/${BROKEN_ID}.md`);
  await openFile('README.md');
  await palette('View: Focus Problems');
  const panel = page.locator('.markers-panel');
  await panel.waitFor({ state: 'visible' });
  const row = panel.locator('.monaco-list-row', { hasText: 'Unknown status `open`' }).first();
  await waitFor('the unknown-status error in the Problems panel', () => row.isVisible(), 60000);
  const text = (await panel.innerText()).replace(/\u00a0/g, ' ');
  assert(text.includes(`${BROKEN_ID}.md`), `the spec file is listed:\n${text}`);
  assert(text.includes('chant/unknown-status'), `the code is shown:\n${text}`);
  assert(/\[Ln 3, Col 9\]/.test(text), `at line 3, column 9:\n${text}`);
  assert(!text.includes('README.md'), `README.md has no problems:\n${text}`);
  await page.screenshot({ path: path.join(SHOTS, 'vscode-problems.png') });
});

await step('completion of an informed_by path inserts the whole path', async () => {
  needs('completionProvider', 'completion');
  await page.keyboard.press(`${mod}+J`); // close the panel
  await openFile(`.chant/specs/${SCRATCH_ID}.md`);
  assertEq('  - docs/research/queues.md', specLines(SCRATCH_ID)[4], 'line 5 of the scratch spec');
  await gotoLine(5);
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Shift+Home'); // from the indent to the line start
  await page.keyboard.type('  - docs/research/ca');
  await page.keyboard.press('Escape');
  const labels = await suggestionsShowing('caching.md');
  await page.screenshot({ path: path.join(SHOTS, 'vscode-completion-path.png') });
  const focused = await page.locator('.editor-widget.suggest-widget .monaco-list-row.focused .label-name').innerText();
  assertEq('caching.md', focused.trim(), `the first suggestion (all: ${labels.join(', ')})`);
  await page.keyboard.press('Enter');
  await save();
  await waitFor('the accepted path on disk', () => specLines(SCRATCH_ID)[4] === '  - docs/research/caching.md', 5000).catch(
    () => {
      throw new Error(`line 5 on disk is ${JSON.stringify(specLines(SCRATCH_ID)[4])}`);
    },
  );
});

await step('completion of a prompt name after `prompt:`', async () => {
  needs('completionProvider', 'completion');
  await gotoLine(3);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('prompt: st');
  await page.keyboard.press('Escape');
  const labels = await suggestionsShowing('standard');
  await page.screenshot({ path: path.join(SHOTS, 'vscode-completion-prompt.png') });
  const focused = await page.locator('.editor-widget.suggest-widget .monaco-list-row.focused .label-name').innerText();
  assertEq('standard', focused.trim(), `the first suggestion (all: ${labels.join(', ')})`);
  await page.keyboard.press('Enter');
  await save();
  await waitFor('the prompt on disk', () => specLines(SCRATCH_ID)[3] === 'prompt: standard', 5000).catch(() => {
    throw new Error(`line 4 on disk is ${JSON.stringify(specLines(SCRATCH_ID)[3])}`);
  });
});

await step('hover on a linked research file shows its preview', async () => {
  needs('hoverProvider', 'hover');
  await openFile(`.chant/specs/${WORK_ID}.md`);
  await gotoLine(6, 12); // inside `docs/research/caching.md`
  await palette('Show or Focus Hover');
  const hover = page.locator('.monaco-hover:not(.hidden)').first();
  await waitFor('the hover preview', async () => (await hover.innerText()).includes('Caching research'));
  const text = (await hover.innerText()).replace(/\u00a0/g, ' ');
  assert(text.includes('docs/research/caching.md'), `the path:\n${text}`);
  assert(text.includes('Parsing all 592 specs takes 247 ms; a cached index answers in under 1 ms.'), `the text:\n${text}`);
  assert(text.includes('Keep at most one tree per open document.'), `the list:\n${text}`);
  await page.screenshot({ path: path.join(SHOTS, 'vscode-hover.png') });
  await page.keyboard.press('Escape');
});

await step('the status bar shows the spec status and criteria progress', async () => {
  await waitFor('the chant status bar item', async () => (await statusBarText()).includes('ready · 1/2'));
});

/**
 * Whether the palette lists `label` (typed, filtered); closes it again. It
 * reads the list once it shows what the typed text gives, not after a
 * delay: the commands that match it (their matched characters highlighted,
 * which the unfiltered list of a freshly opened palette never has; they
 * come in one go), or, when none does, VS Code's "No matching commands"
 * row or its "similar commands" section.
 */
async function paletteLists(label) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  let seen = [];
  const rows = await waitFor(`the command palette filtered for "${label}"`, async () => {
    seen = await page.locator('.quick-input-list .monaco-list-row').evaluateAll((rows) =>
      rows.map((row) => ({
        label: (row.querySelector('.label-name')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
        matched: row.querySelectorAll('.label-name .highlight').length > 0,
        section: (row.querySelector('.quick-input-list-separator')?.textContent ?? '').trim(),
      })),
    );
    const filtered =
      seen.some((r) => r.matched) ||
      (seen.length === 1 && seen[0].label === 'No matching commands') ||
      seen[0]?.section === 'similar commands';
    return filtered && seen.map((r) => (r.matched ? r.label : `(not a match) ${r.label}`));
  }).catch((err) => {
    throw new Error(`${err.message}; the list shows ${JSON.stringify(seen)}`);
  });
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  return rows.includes(label);
}

/** Answers the open quick input (an input box or a quick pick) with `text`, then Enter. */
async function answer(text, { title } = {}) {
  const widget = page.locator('.quick-input-widget');
  await widget.waitFor({ state: 'visible' });
  if (title) {
    await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
  }
  const input = page.locator('.quick-input-widget input');
  await input.fill(text);
  if (text && (await page.locator('.quick-input-list .monaco-list-row').count()) > 0) {
    // A quick pick: the typed text filters it down to the item.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ state: 'visible' });
  }
  await page.keyboard.press('Enter');
}

/** Waits until no chant run is going on (the extension's progress left the status bar) and chant has been called `n` times. */
/** How many of chant's calls (not as git's merge driver) have exited. */
function chantCallsEnded() {
  const done = `${argvLog}.done`;
  return fs.existsSync(done) ? fs.readFileSync(done, 'utf8').length : 0;
}

async function runsDone(n, timeout = 90000) {
  await waitFor(`${n} chant call(s) (so far: ${JSON.stringify(chantCalls())})`, () => chantCalls().length >= n, timeout);
  // chant has exited; then the server ends the progress it showed since
  // before chant started.
  await waitFor(`${n} chant call(s) to exit (so far: ${chantCallsEnded()})`, () => chantCallsEnded() >= n, timeout);
  await waitFor('the chant progress to leave the status bar', async () =>
    (await page.locator('.statusbar-item', { hasText: /chant (work|approve|reject|add|merge|archive|reset|cancel|verify|split)/ }).count()) === 0,
    timeout,
  );
}

await step('the palette offers only what the server enables for the spec', async () => {
  await openFile(`.chant/specs/${WORK_ID}.md`);
  await waitFor('the chant status bar item', async () => (await statusBarText()).includes('ready · 1/2'));
  // The context keys arrive a moment after the status: once Work Spec is
  // listed they are set (none of the hidden ones was ever true before).
  await waitFor('Work Spec in the palette for a ready spec', () => paletteLists('chant: Work Spec'));
  assert(await paletteLists('chant: Work with Prompt...'), 'Work with Prompt... too (the project has prompts)');
  for (const hidden of ['chant: Approve Spec', 'chant: Merge Branch', 'chant: Archive Spec', 'chant: Reset Spec', 'chant: Verify Spec']) {
    assert(!(await paletteLists(hidden)), `${hidden} is not in the palette for a pending spec without approval or branch`);
  }
});

await step('"chant: Work Spec" runs chant, shows its progress, and the spec buffer changes', async () => {
  needs('executeCommandProvider', 'workspace/executeCommand (chant.work)');
  assert((caps.executeCommandProvider.commands ?? []).includes('chant.work'), 'the server offers chant.work');
  // The agent takes a moment, so the progress can be seen.
  fs.writeFileSync(path.join(agentDir, 'delay'), '1');
  await focusEditor();
  await palette('chant: Work Spec');
  const progress = page.locator('.statusbar-item', { hasText: `chant work ${WORK_ID}` }).first();
  await progress.waitFor({ state: 'visible', timeout: 15000 });
  await page.screenshot({ path: path.join(SHOTS, 'vscode-work-progress.png') });
  await waitFor('chant to finish the spec on disk', () => readSpec(WORK_ID).includes('status: completed'), 60000);
  fs.rmSync(path.join(agentDir, 'delay'));
  await waitFor('the editor to show the finished spec', async () => {
    const text = await editorText();
    return text.includes('status: completed') && text.includes('## Agent Output');
  });
  const text = await editorText();
  assert(text.includes('- [x] The index caches parsed specs'), `the criterion is ticked:\n${text}`);
  assert(text.includes(`agent: done with ${WORK_ID}`), `the agent output:\n${text}`);
  const work = chantCalls().filter((r) => r[0] === 'work');
  assertEq(1, work.length, `chant work runs: ${JSON.stringify(chantCalls())}`);
  assertEq(['work', WORK_ID, '--no-watch'], work[0], 'chant work <id> --no-watch');
  await waitFor('the status bar to show completed', async () => (await statusBarText()).includes('completed · 2/2'));
  await progress.waitFor({ state: 'detached' });
  const done = page.locator('.notification-toast', { hasText: `\`chant work ${WORK_ID}\` finished: the spec is completed` });
  await done.waitFor({ state: 'visible' });
  // The server sends its warnings about the buffers before the outcome, so
  // once the outcome shows, any warning shows too.
  const toasts = (await page.locator('.notification-toast').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
  console.log(`notifications after the run: ${JSON.stringify(toasts)}`);
  workWarnings = toasts.filter((t) => t.includes('while you were editing it'));
  // Checked in the last step, so that the other steps still run.
  const warning = page.locator('.notification-toast', { hasText: 'while you were editing it' });
  if (await warning.count()) {
    await warning.first().hover();
    await warning.first().locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => {});
    await sleep(300);
  }
  await sleep(700); // let the toasts finish sliding in, for the picture
  await page.screenshot({ path: path.join(SHOTS, 'vscode-work-done.png') });
}, { chant: true });

await step('"chant: Apply Agent Changes" brings the agent\'s file into the editor', async () => {
  await openFile(`.chant/specs/${WORK_ID}.md`);
  await palette('chant: Apply Agent Changes');
  const file = `done-${WORK_ID}.txt`;
  await page.locator('.tab', { hasText: file }).first().waitFor({ state: 'visible' });
  await page.locator('.tab', { hasText: file }).first().click();
  await waitFor('the agent file in the editor', async () => (await editorText()).includes(`work of ${WORK_ID}`));
  await page.screenshot({ path: path.join(SHOTS, 'vscode-apply-changes.png') });
}, { chant: true });

await step('"chant: Review Changes" opens the multi-file diff editor with the agent\'s file; the next steps are buttons', async () => {
  await openFile(`.chant/specs/${WORK_ID}.md`);
  await waitFor('Review Changes in the palette', () => paletteLists('chant: Review Changes'));
  await palette('chant: Review Changes');
  const file = `done-${WORK_ID}.txt`;
  await page.locator('.tab.active', { hasText: `Review ${WORK_ID}` }).waitFor({ state: 'visible' });
  const diff = page.locator('.multiDiffEditor').first();
  await waitFor("the agent's file and its line in the multi-file diff editor", async () => {
    const text = (await diff.innerText()).replace(/\s+/g, ' ');
    return text.includes(file) && text.includes(`work of ${WORK_ID}`);
  });
  const entries = await diff.locator('.multiDiffEntry .header').allInnerTexts();
  assert(entries.some((e) => e.includes(file)), `the agent's file is a file of the review: ${JSON.stringify(entries)}`);
  await page.screenshot({ path: path.join(SHOTS, 'vscode-review-changes.png') });
  const toast = page.locator('.notification-toast', { hasText: `Review of spec ${WORK_ID}` }).first();
  await toast.waitFor({ state: 'visible' });
  const buttons = (await toast.locator('.monaco-button').allInnerTexts()).map((t) => t.trim());
  for (const title of ['Approve spec', 'Reject spec...', `Merge branch chant/${WORK_ID}`]) {
    assert(buttons.includes(title), `the button ${title}: ${JSON.stringify(buttons)}`);
  }
  await toast.hover();
  await toast.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => {});
});

await step('"chant: Restart Server" restarts it; "chant: Show Output" shows its log', async () => {
  await openFile(`.chant/specs/${WORK_ID}.md`);
  await palette('chant: Restart Server');
  await palette('chant: Show Output');
  const out = page.locator('.panel .monaco-editor .view-lines').first();
  // The panel wraps the long path: compare without white space.
  await waitFor('the restart in the chant output panel', async () =>
    (await out.innerText()).replace(/\s/g, '').includes(`starting${BUNDLED}--stdio`.replace(/\s/g, '')),
  );
  // The whole log (the panel only renders the lines in view).
  await waitFor('two starts in the chant log', () => starts(BUNDLED).length === 2, 5000).catch(() => {
    throw new Error(`server starts in the chant log: ${JSON.stringify(starts(BUNDLED))}`);
  });
  await page.keyboard.press(`${mod}+J`);
  await focusEditor();
  // (completed by the Work Spec step, which needs the real chant)
  const after = REAL ? 'completed · 2/2' : 'ready · 1/2';
  await waitFor('the status bar after the restart', async () => (await statusBarText()).includes(after));
});

await step('"chant: Reject Spec..." asks for the reason in an input box, then rejects', async () => {
  await palette('Notifications: Clear All Notifications');
  await openFile(`.chant/specs/${REVIEW_ID}.md`);
  await waitFor('the status bar for the spec', async () => (await statusBarText()).includes('needs approval'));
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>chant: Reject Spec...');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'chant: Reject Spec...' }).first().waitFor();
  await page.keyboard.press('Enter');
  const title = page.locator('.quick-input-widget .quick-input-title', { hasText: `Reject spec ${REVIEW_ID}` });
  await title.waitFor({ state: 'visible' });
  await page.keyboard.press('Enter'); // empty: refused
  const message = page.locator('.quick-input-widget .quick-input-message', { hasText: 'A reason is required.' });
  await message.waitFor({ state: 'visible' });
  await page.keyboard.type('Needs a design review first');
  await message.waitFor({ state: 'hidden' });
  await page.screenshot({ path: path.join(SHOTS, 'vscode-reject.png') });
  const calls = chantCalls().length;
  await page.keyboard.press('Enter');
  await waitFor('the rejection on disk', () => readSpec(REVIEW_ID).includes('REJECTED'), 60000);
  await waitFor('the editor to show the rejection', async () => (await editorText()).includes('Needs a design review first'));
  const text = await editorText();
  assert(/\*\*Test User\*\* - \d{4}-\d{2}-\d{2} \d{2}:\d{2} - REJECTED/.test(text), `the discussion line:\n${text}`);
  assert(text.includes('status: rejected'), `approval.status:\n${text}`);
  await runsDone(calls + 1);
  const reject = chantCalls().filter((r) => r[0] === 'reject');
  assertEq(1, reject.length, 'chant reject runs');
  assertEq(['reject', REVIEW_ID], reject[0].slice(0, 2), 'chant reject <id>');
  assertEq('Needs a design review first', flagValue(reject[0], '--reason'), 'the reason passed');
  assertEq('Test User', flagValue(reject[0], '--by'), 'the approver (chant.approverName)');
}, { chant: true });

await step('"chant: Approve Spec" approves the rejected spec', async () => {
  await waitFor('Approve Spec in the palette', () => paletteLists('chant: Approve Spec'));
  const calls = chantCalls().length;
  await palette('chant: Approve Spec');
  await waitFor('the approval on disk', () => readSpec(REVIEW_ID).includes('\n  status: approved\n'), 60000);
  await waitFor('the editor to show the approval', async () => (await editorText()).includes('status: approved'));
  await runsDone(calls + 1);
  const approve = chantCalls().slice(calls);
  assertEq([['approve', REVIEW_ID, '--by=Test User']], approve, 'chant approve <id> --by NAME');
  await waitFor('the status bar to leave "needs approval"', async () => !(await statusBarText()).includes('needs approval'));
  // The context keys follow the status a moment later: look again, as a user would.
  await waitFor('Approve Spec to leave the palette once approved', async () => !(await paletteLists('chant: Approve Spec')));
}, { chant: true });

await step('chant.server.path wins over the bundled server; a wrong one says how to fix it', async () => {
  await palette('Notifications: Clear All Notifications');
  fs.writeFileSync(machineSettings, JSON.stringify({ ...serverSettings, 'chant.server.path': SERVER }, null, 2));
  await waitFor(`the extension to start ${SERVER}`, () => starts(SERVER).length === 1);
  await openFile(`.chant/specs/${BROKEN_ID}.md`);
  await palette('View: Focus Problems');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'Unknown status `open`' }).first();
  await waitFor('diagnostics from the configured server', () => row.isVisible(), 60000);
  await page.keyboard.press(`${mod}+J`);
  const missing = path.join(tmp, 'no-such-chant-lsp');
  fs.writeFileSync(machineSettings, JSON.stringify({ ...serverSettings, 'chant.server.path': missing }, null, 2));
  const toast = page.locator('.notification-toast', { hasText: 'which is not an executable file' });
  await toast.waitFor({ state: 'visible' });
  const text = await toast.innerText();
  assert(text.includes(missing), `names the setting's value:\n${text}`);
  assert(text.includes('Correct `chant.server.path`, or clear it'), `what to do:\n${text}`);
  assert(text.includes('Open Settings'), `a button to the setting:\n${text}`);
  await sleep(700); // let the toast finish sliding in
  await page.screenshot({ path: path.join(SHOTS, 'vscode-server-missing.png') });
  await palette('Notifications: Clear All Notifications');
  // Back to no setting: the bundled server again.
  fs.writeFileSync(machineSettings, JSON.stringify(serverSettings, null, 2));
  await waitFor('the bundled server to start again', () => starts(BUNDLED).length === 3);
});

// ---- the walkthrough, on a second project ----------------------------------

const spec = (title, { head = '', criteria = ['it works'], body = '' } = {}) =>
  `---\ntype: code\nstatus: pending\n${head}---\n# ${title}\n\n${body}` +
  (criteria.length ? `\n## Acceptance Criteria\n\n${criteria.map((c) => `- [ ] ${c}`).join('\n')}\n` : '');
const W = {
  MERGE: '2026-11-20-001-abc', // Cache parsed specs: the ▶ Work lens, inline Merge, Verify, log, Archive
  LABEL: '2026-11-20-004-jkl', // labelled walk: Work, Merge All, Archive by Label
  APPROVAL: '2026-11-21-011-apr', // inline Approve, then inline Work
  PROMPT: '2026-11-21-012-prm', // Work with Prompt...
  RESET: '2026-11-21-005-res',
  RESET2: '2026-11-21-010-rsw',
  CANCEL: '2026-11-21-006-can',
  DELETE: '2026-11-21-007-del',
  SPLIT: '2026-11-21-008-spl',
  ANYWAY: '2026-11-21-009-any',
  REFINE: '2026-11-21-013-ref', // chant grades it Refine (12 criteria): the light in the view and the status bar
  WITH: '2026-11-21-014-wth', // the ▶ Work with… lens
};
const REFINE_TITLE = 'Twelve criteria at once';
const WITH_TITLE = 'Work me with a prompt';
let walk;

/** Stops code-server and starts it again on `folder`. */
async function restartEditor(folder, dataDir, trust) {
  await browser.close();
  const cs = codeServer;
  process.kill(-cs.pid, 'SIGTERM');
  await waitFor('code-server to stop', () => cs.exitCode !== null || cs.signalCode !== null, 10000);
  writeUserSettings(dataDir, trust);
  fs.writeFileSync(path.join(dataDir, 'Machine', 'settings.json'), JSON.stringify(serverSettings, null, 2));
  await startEditor({ folder, dataDir, trust });
}

/** The rows of the chant view. */
const chantView = () => page.locator('.pane-body', { has: page.locator('.custom-view-tree-node-item') }).last();
const treeRow = (text) => chantView().locator('.monaco-list-row', { hasText: text }).first();

/** Shows the chant view in the Explorer. */
async function showChantView() {
  // The view's section in the Explorer, opened with a click on its header
  // as a user does (its "Focus on" command may not be in the palette yet
  // right after the extension starts).
  const header = page.locator('.pane-header', { has: page.locator('.title', { hasText: /^chant$/i }) }).first();
  await header.waitFor({ state: 'visible' });
  if ((await header.getAttribute('aria-expanded')) !== 'true') {
    await header.click();
  }
  // Room for it: the folder's file tree collapses.
  const folders = page.locator('.pane-header[aria-expanded="true"]', { has: page.locator('.title', { hasText: path.basename(project) }) });
  if (await folders.count()) {
    await folders.first().click();
  }
  await treeRow(/\(\d+\)/).waitFor({ state: 'visible' });
}

/** Clicks the inline button `label` (Work Spec, Approve Spec, Merge Branch) of the spec row `title`. */
async function inline(title, label) {
  // The view re-renders when the server says the list changed: hover and
  // click again until the click lands.
  await waitFor(`the inline button ${label} of ${title}`, async () => {
    const row = treeRow(title);
    await row.hover({ timeout: 3000 });
    const button = row.locator(`.actions .action-label[aria-label="${label}"]`);
    await button.click({ timeout: 3000 });
    return true;
  });
}

/**
 * Clicks an inline button of the chant view and waits for the chant job it
 * starts to end; returns chant's calls meanwhile. The view re-renders when
 * the server says the list changed, and a click can land on a row that is
 * being replaced: when chant is not called within seconds, it clicks again
 * (a second start while the first runs would be refused, never run twice).
 */
async function inlineJob(title, label) {
  const before = chantCalls().length;
  await waitFor(`chant to be called after a click on ${label} of ${title}`, async () => {
    await inline(title, label);
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      if (chantCalls().length > before) {
        return true;
      }
      await sleep(100);
    }
    return false;
  }, 60000);
  await runsDone(before + 1);
  return chantCalls().slice(before);
}

/** Runs `fn` (which starts one chant job) and waits for it to end; returns chant's calls meanwhile. */
async function job(fn, { timeout = 90000 } = {}) {
  const before = chantCalls().length;
  await fn();
  try {
    await runsDone(before + 1, timeout);
  } catch (err) {
    const toasts = await page.locator('.notification-toast').allInnerTexts();
    throw new Error(`${err.message}\nnotifications: ${JSON.stringify(toasts.map((t) => t.replace(/\s+/g, ' ')))}`);
  }
  return chantCalls().slice(before);
}

/** Opens a spec of the walk project and waits until the status bar has its status. */
async function openSpec(id) {
  await openFile(`.chant/specs/${id}.md`);
  await waitFor(`the status of ${id} in the status bar`, async () => (await statusBarText()).includes(' · '));
  await sleep(300); // the status bar follows the active editor
  // A run on it may still be finishing (chant exits before the server has
  // read the last of its output): the spinner in the status bar stops when
  // the server no longer counts it running, as a user would wait for.
  await waitFor(`${id} not running`, async () =>
    (await page.locator('#chant-lsp\\.chant-lsp\\.chant\\.spec .codicon-sync, .statusbar-item[id$="chant.spec"] .codicon-sync').count()) === 0,
  );
  await sleep(300); // the context keys follow the status
}

await step('start code-server on a second project for the walkthrough', async () => {
  const labelled = readSpec(W.LABEL).replace('status: pending\n', 'status: pending\nlabels:\n- walk\n');
  walk = makeProject('walk', {
    prompts: WALK_PROMPTS,
    specs: {
      [W.LABEL]: labelled,
      [W.APPROVAL]: spec('Approve me first', { head: 'approval:\n  required: true\n' }),
      [W.PROMPT]: spec('Research the options'),
      [W.RESET]: spec('Reset me'),
      [W.RESET2]: spec('Reset and work me'),
      [W.CANCEL]: spec('Cancel me'),
      [W.DELETE]: spec('Delete me'),
      [W.SPLIT]: spec('Split me', {
        criteria: ['part one', 'part two'],
        body: 'A spec big enough to split: the greeting module, its command line and its documentation.\n',
      }),
      [W.ANYWAY]: spec('Work me anyway', { criteria: [], body: "No acceptance criteria: chant's quality check fails.\n" }),
      [W.REFINE]: spec(REFINE_TITLE, { criteria: Array.from({ length: 12 }, (_, i) => `Add part ${i + 1}`) }),
      [W.WITH]: spec(WITH_TITLE),
    },
  });
  project = walk.dir;
  await restartEditor(project, path.join(tmp, 'user-data-walk'), false);
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible' });
});

await step('the chant view lists the specs by readiness, with the reason as tooltip; a click opens one', async () => {
  await openFile(`.chant/specs/${W.MERGE}.md`); // starts the server
  await showChantView();
  for (const group of ['Ready (', 'Needs Approval (2)']) {
    await treeRow(group).waitFor({ state: 'visible' });
  }
  const rows = (await chantView().locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  console.log(`chant view: ${JSON.stringify(rows)}`);
  const groups = rows.filter((r) => /\(\d+\)$/.test(r)).map((r) => r.replace(/ \(\d+\)$/, ''));
  const order = ['Ready', 'Refused', 'Blocked', 'In Progress', 'Needs Approval', 'Failed', 'Completed'];
  const known = groups.filter((g) => order.includes(g));
  assertEq([...known].sort((x, y) => order.indexOf(x) - order.indexOf(y)), known, 'groups in readiness order');
  assertEq(known, groups.slice(0, known.length), 'the known groups come first');
  const row = treeRow('Cache parsed specs');
  assertEq('Cache parsed specs', (await row.locator('.label-name').innerText()).trim(), 'the label: the title');
  assertEq('🟡 Review · pending · 1/2 · 2026-11-20-001-abc', (await row.locator('.label-description').innerText()).trim(), 'the description');
  const tip = page.locator('.monaco-hover, .workbench-hover', { hasText: W.APPROVAL }).first();
  await waitFor('the tooltip of a spec', async () => {
    await page.mouse.move(700, 500);
    await treeRow('Approve me first').hover();
    return tip.waitFor({ state: 'visible', timeout: 3000 }).then(() => true);
  });
  const tipText = await tip.innerText();
  assert(/approv/i.test(tipText), `the tooltip gives the reason: ${tipText}`);
  await sleep(400);
  await page.screenshot({ path: path.join(SHOTS, 'vscode-spec-tree.png') });
  await treeRow('Compare queue designs').click();
  await page.locator('.tab.active', { hasText: `${W.LABEL}.md` }).waitFor({ state: 'visible' });
});

await step('"chant: New Spec..." asks title, type, prompt, labels and approval; the new spec opens', async () => {
  needs('executeCommandProvider', 'workspace/executeCommand');
  if (!(caps.executeCommandProvider.commands ?? []).includes('chant.add')) {
    throw new MissingFeature('MISSING SERVER FEATURE: server has no chant.add yet');
  }
  const calls = chantCalls().length;
  await palette('chant: New Spec...', { asks: true });
  await answer('Greet the user', { title: 'title' });
  await answer('task', { title: 'type' });
  await answer('standard', { title: 'prompt' });
  await answer('walk, phase 1', { title: 'labels' });
  await answer('Yes', { title: 'approval' });
  await runsDone(calls + 1);
  assertEq([['add', '--prompt=standard', '--needs-approval', '--', 'Greet the user']], chantCalls().slice(calls), 'chant add');
  const tab = page.locator('.tab.active', { hasText: /^\d{4}-\d{2}-\d{2}-\d{3}-\w+\.md/ });
  await tab.waitFor({ state: 'visible' });
  await waitFor('the type and labels set in the new spec', async () => {
    const text = await editorText();
    return text.includes('type: task') && text.includes('- phase 1') && text.includes('# Greet the user');
  });
  await save();
  await showChantView();
  await treeRow('Greet the user').waitFor({ state: 'visible' });
}, { chant: true });

/**
 * The code lens `title` of the active spec, once it is a link (`a`): VS
 * Code has the server's answer. The editors of the other tabs keep theirs
 * too, hidden: the one in view is meant. `titleLine`: text of the spec's
 * title line.
 */
async function lensLink(title, titleLine) {
  const lens = page.locator('.codelens-decoration a:visible', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first();
  await waitFor(`the ${title} code lens on the spec`, async () => {
    if (await lens.isVisible()) {
      return true;
    }
    // VS Code may show the lenses it kept from an earlier visit of the
    // file (titles only, not clickable) until it asks again: a keystroke,
    // undone, makes it ask.
    console.log(`the ${title} lens is not a link (yet): a keystroke in the spec, undone`);
    await page.locator('.editor-instance .monaco-editor .view-line:visible', { hasText: titleLine }).first().click();
    await page.keyboard.press('End');
    await page.keyboard.type('x');
    await page.keyboard.press(`${mod}+Z`);
    return lens.waitFor({ state: 'visible', timeout: 5000 }).then(() => true);
  }, 60000).catch(async (err) => {
    const lenses = await page.locator('.codelens-decoration').evaluateAll((els) =>
      els.map((e) => ({ html: e.outerHTML.slice(0, 600), height: e.getBoundingClientRect().height })),
    );
    throw new Error(`${err.message}\nlenses: ${JSON.stringify(lenses)}`);
  });
  return lens;
}

/** chant's own grades of spec `id`, as `chant lint --verbose` prints them: `🔴 Refine | Complexity: D | ...`. */
function chantGrades(id, root = project) {
  const r = spawnSync(REAL, ['lint', '--verbose'], { cwd: root, encoding: 'utf8', env: { ...csEnv, PATH: `${bin}${path.delimiter}${csEnv.PATH}` } });
  const line = `${r.stdout}`.split('\n').find((l) => l.includes(` ${id}: `));
  assert(line, `chant lint --verbose lists ${id}:\n${r.stdout}${r.stderr}`);
  // The light, then `Name: X` grades; a lint message may follow.
  const parts = line.slice(line.indexOf(` ${id}: `) + id.length + 3).split(' | ');
  const end = parts.findIndex((p, i) => i > 0 && !/^[A-Za-z ]+: [A-D]$/.test(p.trim()));
  return parts.slice(0, end < 0 ? parts.length : end).join(' | ').trim();
}

await step('chant\'s quality light: a spec graded Refine shows 🔴 Refine in the status bar, its lens row, and the chant view (its grades in the tooltip)', async () => {
  // What chant itself says of the spec.
  const grades = chantGrades(W.REFINE);
  assert(grades.startsWith('🔴 Refine | Complexity: D | '), `chant lint --verbose grades it Refine, complexity D: ${grades}`);
  // The spec open (its lens row in view), the status bar; then the view.
  await openSpec(W.REFINE);
  await waitFor('the light in the status bar', async () => (await statusBarText()).trim() === 'refused · 0/12 · 🔴 Refine').catch(
    async (err) => {
      throw new Error(`${err.message}: ${JSON.stringify(await statusBarText())}`);
    },
  );
  // The lens row on the title: the light, why chant work refuses it, Work anyway.
  await lensLink('▶ Work anyway', REFINE_TITLE);
  const lensRow = page.locator('.codelens-decoration:visible').first();
  const lensText = async () => (await lensRow.innerText()).replace(/\s+/g, ' ').trim();
  // (The project has chant's split prompt: Split is offered too.)
  await waitFor('the lens row of the spec graded Refine', async () =>
    (await lensText()) ===
      'pending · 0/12 · 🔴 Refine: complexity D (12 criteria) · refused: Work anyway skips the quality check | ▶ Work anyway | ⑃ Split',
  ).catch(async (err) => {
    throw new Error(`${err.message}: ${JSON.stringify(await lensText().catch(() => '(none)'))}`);
  });
  await showChantView();
  await treeRow('Refused (').waitFor({ state: 'visible' });
  const row = treeRow(REFINE_TITLE);
  await waitFor('the light in the description of the spec', async () =>
    (await row.locator('.label-description').innerText()).trim() === `🔴 Refine · pending · 0/12 · ${W.REFINE}`,
  ).catch(async (err) => {
    throw new Error(`${err.message}: ${JSON.stringify(await row.locator('.label-description').innerText())}`);
  });
  const tip = page.locator('.monaco-hover, .workbench-hover', { hasText: W.REFINE }).first();
  await waitFor('the tooltip of the spec graded Refine', async () => {
    await page.mouse.move(700, 500);
    await row.hover();
    return tip.waitFor({ state: 'visible', timeout: 3000 }).then(() => true);
  });
  const tipText = (await tip.innerText()).replace(/\u00a0/g, ' ');
  assert(tipText.includes('🔴 Refine: complexity D (12 criteria)'), `the tooltip gives chant's summary:\n${tipText}`);
  // The grades as chant prints them after the light.
  const chantRow = grades.slice('🔴 Refine | '.length);
  assert(tipText.includes(chantRow), `the tooltip gives chant's grades (${chantRow}):\n${tipText}`);
  await sleep(400); // let the tooltip finish fading in, for the picture
  await page.screenshot({ path: path.join(SHOTS, 'vscode-quality-light.png') });
}, { chant: true });

await step('the ▶ Work with… lens asks for the prompt in a quick pick (dismissed: nothing runs), then chant works the spec with the one picked', async () => {
  await palette('Notifications: Clear All Notifications');
  await openSpec(W.WITH);
  const lens = await lensLink('▶ Work with…', WITH_TITLE);
  const pick = page.locator('.quick-input-widget .quick-input-title', { hasText: `Work spec ${W.WITH} with prompt` });
  // Dismissed: the quick pick closes, and nothing runs (the one chant call
  // below is the one the pick makes).
  await lens.click();
  await pick.waitFor({ state: 'visible' });
  const prompts = (await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts()).map((t) => t.trim());
  assert(prompts.includes('research') && prompts.includes('standard'), `the project's prompts offered: ${JSON.stringify(prompts)}`);
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  const calls = await job(async () => {
    await (await lensLink('▶ Work with…', WITH_TITLE)).click();
    await pick.waitFor({ state: 'visible' });
    await answer('research');
  });
  assertEq([['work', W.WITH, '--no-watch', '--prompt=research']], calls, 'chant work --prompt from the ▶ Work with… lens');
  await waitFor('the spec completed', () => statusOnDisk(W.WITH) === 'completed');
  // chant gave the agent the research prompt, filled.
  const given = fs.readFileSync(path.join(agentDir, 'prompts', `${W.WITH}.md`), 'utf8');
  assert(given.includes(`Summarise what`) && given.includes(WITH_TITLE) && !given.includes('{{'), `the prompt the agent got:\n${given}`);
}, { chant: true });

await step('the ▶ Work code lens works a spec; the view follows; the inline Merge button merges it', async () => {
  await showChantView();
  await openSpec(W.MERGE);
  // Clicking the lens must run chant (nothing else stands in for it).
  const lens = await lensLink('▶ Work', 'Cache parsed specs');
  await page.screenshot({ path: path.join(SHOTS, 'vscode-work-lens.png') });
  const calls = await job(() => lens.click());
  assertEq([['work', W.MERGE, '--no-watch']], calls, 'chant work from the ▶ Work code lens');
  await showChantView();
  await waitFor('the view to show it completed', async () => (await treeRow('Cache parsed specs').innerText()).includes('completed · 2/2'));
  assert(!fs.existsSync(path.join(project, `done-${W.MERGE}.txt`)), 'not merged yet');
  const merge = await inlineJob('Cache parsed specs', 'Merge Branch');
  assertEq(['merge', W.MERGE], merge[0].slice(0, 2), 'chant merge <id>');
  await waitFor("the agent's file on main", () => fs.existsSync(path.join(project, `done-${W.MERGE}.txt`)));
}, { chant: true });

await step('"Verify Spec" from the editor\'s context menu (chant submenu) verifies it', async () => {
  await openSpec(W.MERGE);
  // The menu shows what the context keys allowed when it opened: open it
  // again until Verify is there (the keys follow the server's answers).
  const verify = page.locator('.context-view .monaco-menu .action-item', { hasText: 'Verify Spec' }).first();
  await waitFor('Verify Spec in the chant submenu', async () => {
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor({ state: 'visible' });
    await menu.locator('.action-item', { hasText: /^chant$/ }).first().hover();
    try {
      await verify.waitFor({ state: 'visible', timeout: 2000 });
      return true;
    } catch (e) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      throw e;
    }
  });
  await page.screenshot({ path: path.join(SHOTS, 'vscode-context-menu.png') });
  // Into the submenu with the keyboard, down to the item, Enter.
  const submenu = page.locator('.context-view .monaco-menu').last();
  const items = (await submenu.locator('.action-item:not(.disabled) .action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  const index = items.indexOf('Verify Spec');
  assert(index >= 0, `Verify Spec in the chant submenu: ${JSON.stringify(items)}`);
  const calls = await job(async () => {
    await page.keyboard.press('ArrowRight');
    const focused = () => submenu.locator('.action-item.focused .action-label').innerText({ timeout: 500 }).catch(() => '');
    for (let i = 0; i < 12 && (await focused()).trim() !== 'Verify Spec'; i++) {
      await page.keyboard.press('ArrowDown');
    }
    assertEq('Verify Spec', (await focused()).trim(), 'the focused menu item');
    await page.keyboard.press('Enter');
  });
  assertEq([['verify', W.MERGE]], calls.map((c) => c.slice(0, 2)), 'chant verify');
}, { chant: true });

await step('"chant: Show Agent Log" opens the log (window/showDocument)', async () => {
  await openSpec(W.MERGE);
  await palette('chant: Show Agent Log');
  await page.locator('.tab.active', { hasText: `${W.MERGE}.log` }).waitFor({ state: 'visible' });
  await waitFor('the log text', async () => (await editorText()).includes(`agent: done with ${W.MERGE}`));
}, { chant: true });

await step('"chant: Archive Spec" archives the merged spec', async () => {
  await openSpec(W.MERGE);
  const calls = await job(() => palette('chant: Archive Spec'));
  assertEq(['archive', W.MERGE], calls[0].slice(0, 2), 'chant archive <id>');
  await waitFor('the spec to leave .chant/specs', () => !specExists(W.MERGE));
}, { chant: true });

await step('"chant: Merge All" merges every completed spec\'s branch', async () => {
  await openSpec(W.LABEL);
  await job(() => palette('chant: Work Spec'));
  await waitFor('the spec completed', () => statusOnDisk(W.LABEL) === 'completed');
  const calls = await job(() => palette('chant: Merge All'));
  assertEq(['merge', '--all'], calls[0].slice(0, 2), 'chant merge --all');
  await waitFor("the agent's file on main", () => fs.existsSync(path.join(project, `done-${W.LABEL}.txt`)));
}, { chant: true });

await step('"chant: Archive by Label..." offers the project\'s labels and archives those specs', async () => {
  await openSpec(W.LABEL);
  await waitFor('Archive by Label... in the palette', () => paletteLists('chant: Archive by Label...'));
  const calls = await job(async () => {
    await palette('chant: Archive by Label...', { asks: true });
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Archive the completed specs' }).waitFor();
    const rows = page.locator('.quick-input-list .monaco-list-row .label-name');
    await rows.first().waitFor({ state: 'visible' });
    assertEq(['phase 1', 'walk', 'Another label...'], (await rows.allInnerTexts()).map((t) => t.trim()), 'labels offered');
    await answer('walk');
  });
  assertEq('archive', calls[0][0], `chant archive: ${JSON.stringify(calls)}`);
  await waitFor('the labelled spec to leave .chant/specs', () => !specExists(W.LABEL));
}, { chant: true });

await step('"chant: Reset Spec" puts a failed spec back to pending', async () => {
  await openSpec(W.RESET);
  fs.writeFileSync(path.join(agentDir, `mode-${W.RESET}`), 'fail');
  await job(() => palette('chant: Work Spec'));
  await waitFor('the spec failed', () => statusOnDisk(W.RESET) === 'failed');
  await showChantView();
  await treeRow('Failed (1)').waitFor({ state: 'visible' });
  await page.screenshot({ path: path.join(SHOTS, 'vscode-spec-tree-groups.png') });
  await openSpec(W.RESET);
  await waitFor('Reset Spec in the palette', () => paletteLists('chant: Reset Spec'));
  const calls = await job(() => palette('chant: Reset Spec'));
  assertEq([['reset', W.RESET]], calls, 'chant reset <id>');
  await waitFor('the spec pending', () => statusOnDisk(W.RESET) === 'pending');
}, { chant: true });

await step('"chant: Reset and Work" resets a failed spec and works it again', async () => {
  await openSpec(W.RESET2);
  fs.writeFileSync(path.join(agentDir, `mode-${W.RESET2}`), 'fail');
  await job(() => palette('chant: Work Spec'));
  await waitFor('the spec failed', () => statusOnDisk(W.RESET2) === 'failed');
  // chant 0.23.2 cannot work a spec again while the failed run's branch is
  // there: remove it as the server's message after the failure says.
  run('git', ['worktree', 'remove', '--force', `/tmp/chant-${walk.chantName}-${W.RESET2}`], { cwd: project });
  run('git', ['branch', '-D', `chant/${W.RESET2}`], { cwd: project });
  fs.writeFileSync(path.join(agentDir, `mode-${W.RESET2}`), 'ok');
  await waitFor('Reset and Work in the palette', () => paletteLists('chant: Reset and Work'));
  const before = chantCalls().length;
  await palette('chant: Reset and Work');
  await runsDone(before + 2);
  assertEq([['reset', W.RESET2], ['work', W.RESET2, '--no-watch']], chantCalls().slice(before), 'chant reset, then chant work');
  await waitFor('the spec completed', () => statusOnDisk(W.RESET2) === 'completed');
}, { chant: true });

await step('"chant: Cancel Spec" cancels a pending spec', async () => {
  await openSpec(W.CANCEL);
  const calls = await job(() => palette('chant: Cancel Spec'));
  assertEq(['cancel', W.CANCEL], calls[0].slice(0, 2), 'chant cancel <id>');
  await waitFor('the spec cancelled', () => statusOnDisk(W.CANCEL) === 'cancelled');
}, { chant: true });

await step('"chant: Delete Spec..." asks (the server\'s question), then deletes', async () => {
  await palette('Notifications: Clear All Notifications');
  await openSpec(W.DELETE);
  const calls = await job(async () => {
    await palette('chant: Delete Spec...');
    const question = page.locator('.notification-toast', { hasText: `Delete spec ${W.DELETE}?` });
    await question.waitFor({ state: 'visible' });
    await sleep(500); // let the toast finish sliding in
    await page.screenshot({ path: path.join(SHOTS, 'vscode-delete-confirm.png') });
    await question.locator('.monaco-button', { hasText: /^Delete$/ }).click();
  });
  assertEq(['cancel', W.DELETE], calls[0].slice(0, 2), 'chant cancel <id>');
  assert(calls[0].includes('--delete'), `--delete: ${JSON.stringify(calls[0])}`);
  await waitFor('the spec deleted', () => !specExists(W.DELETE));
}, { chant: true });

await step('"chant: Split Spec" splits a pending spec into members', async () => {
  await openSpec(W.SPLIT);
  const calls = await job(() => palette('chant: Split Spec'));
  assertEq([['split', W.SPLIT]], calls.map((c) => c.slice(0, 2)), 'chant split <id>');
  await waitFor('the members', () => specExists(`${W.SPLIT}.1`) && specExists(`${W.SPLIT}.2`));
}, { chant: true });

await step('"chant: Work with Prompt..." picks a prompt and works the spec with it', async () => {
  await openSpec(W.PROMPT);
  const calls = await job(async () => {
    await palette('chant: Work with Prompt...', { asks: true });
    await answer('research', { title: 'with prompt' });
  });
  assertEq(['work', W.PROMPT, '--no-watch', '--prompt=research'], calls[0], 'chant work --prompt');
  await waitFor('the spec completed', () => statusOnDisk(W.PROMPT) === 'completed');
  await waitFor('the editor to show it', async () => (await editorText()).includes('status: completed'));
  // The buffer holds what chant wrote, and is not shown as unsaved.
  await page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: 10000 });
}, { chant: true });

await step('the inline Approve button approves; the inline Work button works the spec', async () => {
  await showChantView();
  const approve = await inlineJob('Approve me first', 'Approve Spec');
  assertEq([['approve', W.APPROVAL, '--by=Test User']], approve, 'chant approve from the inline button');
  await waitFor('the approval on disk', () => readSpec(W.APPROVAL).includes('\n  status: approved\n'));
  const work = await inlineJob('Approve me first', 'Work Spec');
  assertEq([['work', W.APPROVAL, '--no-watch']], work, 'chant work from the inline button');
  await waitFor('the spec completed', () => statusOnDisk(W.APPROVAL) === 'completed');
}, { chant: true });

await step('"chant: Work Anyway" works a spec past chant\'s quality check', async () => {
  await palette('Notifications: Clear All Notifications');
  await openSpec(W.ANYWAY);
  // Work Anyway listed means the palette follows this spec's status now.
  await waitFor('Work Anyway in the palette', () => paletteLists('chant: Work Anyway (Skip the Quality Check)'));
  assert(!(await paletteLists('chant: Work Spec')), 'Work Spec is not offered (quality check)');
  const before = chantCalls().length;
  await palette('chant: Work Anyway (Skip the Quality Check)');
  const refused = page.locator('.notification-toast', { hasText: 'Spec quality check failed' });
  const started = await Promise.race([
    refused.first().waitFor({ state: 'visible', timeout: 20000 }).then(() => false),
    waitFor('chant to run', () => chantCalls().length > before, 20000).then(() => true),
  ]);
  if (!started) {
    throw new MissingFeature(
      `MISSING SERVER FEATURE: server has no chant.work with skipQuality yet (it refused: ${await refused.first().innerText()})`,
    );
  }
  await runsDone(before + 1);
  const calls = chantCalls().slice(before);
  assertEq(['work', W.ANYWAY], calls[0].slice(0, 2), 'chant work <id>');
  assert(calls[0].includes('--skip-criteria'), `--skip-criteria: ${JSON.stringify(calls[0])}`);
  await waitFor('the spec completed', () => statusOnDisk(W.ANYWAY) === 'completed');
}, { chant: true });

// ---- the walkthrough's end: the fix approved after its review, then merged ----
// chant's Complete Walkthrough works the implementation spec with its own
// prompt (`implement`, which chant does not ship: the editor's quick fix
// creates it), reviews it, approves the completed spec, then merges. The
// scripted agent ticks the criteria in its spec on its branch, as chant's
// prompt tells it, and chant records the transcript and completion fields on
// the main branch: `chant merge` stops on that bookkeeping, and the editor
// completes the merge itself. (tests/e2e_seed.rs goes the whole way over
// JSON-RPC; editors/neovim/tests/test_seed.lua through Neovim's commands.)

const SEED = { FIX: '2026-12-01-001-fix', REVIEW: '2026-12-01-002-rev' };
const SEED_FIX_TITLE = 'Fix issue #1234: Atomic writes for concurrent access';
const SEED_REVIEW_TITLE = 'Review fix for issue #1234';
const SEED_FIX_CRITERIA = [
  'Atomic write-then-rename implemented',
  'Per-key in-memory locking added',
  'Reproduction test passes',
  'Edge cases handled (cleanup, permissions)',
  'All existing tests pass',
];
const SEED_PERSIST = 'pub fn persist() {\n    // write to a temporary file, then rename it\n}\n';

/** A third project for the walkthrough's end: the fix and review specs, the file the fix changes, what their agents write. */
function seedProject() {
  const criteria = (list) => list.map((c) => `- [ ] ${c}`).join('\n');
  const specs = {
    [SEED.FIX]:
      '---\ntype: code\nstatus: pending\nprompt: implement\nlabels:\n  - fix\n  - issue-1234\n' +
      'target_files:\n  - src/storage/persist.rs\n---\n\n' +
      `# ${SEED_FIX_TITLE}\n\n## Context\n\nResearch recommends write-then-rename with per-key locking.\n\n` +
      `## Acceptance Criteria\n\n${criteria(SEED_FIX_CRITERIA)}\n`,
    [SEED.REVIEW]:
      '---\ntype: task\nstatus: pending\nlabels:\n  - review\n  - issue-1234\n' +
      `informed_by:\n  - .chant/specs/${SEED.FIX}.md\ntarget_files:\n  - .chant/reviews/issue-1234-review.md\n---\n\n` +
      `# ${SEED_REVIEW_TITLE}\n\n## Acceptance Criteria\n\n` +
      `${criteria(['Reproduction test passes', 'All tests pass', 'Code follows research recommendation', 'Edge cases handled', 'Documentation adequate'])}\n`,
  };
  const seed = makeProject('seed', { specs });
  const write = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(seed.dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(seed.dir, rel), text);
  };
  write('src/storage/persist.rs', 'pub fn persist() {}\n');
  run('git', ['add', '-A'], { cwd: seed.dir });
  run('git', ['commit', '-q', '-m', 'storage'], { cwd: seed.dir });
  const writes = {
    [SEED.FIX]: { 'src/storage/persist.rs': SEED_PERSIST },
    [SEED.REVIEW]: { '.chant/reviews/issue-1234-review.md': '# Review: Issue #1234 Fix\n\n**Verdict: APPROVED**\n' },
  };
  for (const [id, files] of Object.entries(writes)) {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(agentDir, `write-${id}`, rel)), { recursive: true });
      fs.writeFileSync(path.join(agentDir, `write-${id}`, rel), text);
    }
  }
  return seed;
}

/** Applies the quick fix titled `title` on the line `line` of the active editor, from "Quick Fix..." as a user does. */
async function quickFix(line, title) {
  const row = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
  // The fix is offered once the server's diagnostic is there: ask again until it is.
  await waitFor(`the quick fix "${title}"`, async () => {
    await gotoLine(line);
    await palette('Quick Fix...', { asks: true });
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      return true;
    } catch (e) {
      await page.keyboard.press('Escape');
      throw e;
    }
  }, 60000);
  await page.screenshot({ path: path.join(SHOTS, 'vscode-create-prompt.png') });
  await row.click();
}

await step('start code-server on a third project for the walkthrough\'s end', async () => {
  project = seedProject().dir;
  await restartEditor(project, path.join(tmp, 'user-data-seed'), false);
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ state: 'visible' });
}, { chant: true });

await step('the walkthrough\'s fix: its missing prompt created by the quick fix and opened, the spec worked with it', async () => {
  await openSpec(SEED.FIX);
  const prompt = path.join(project, '.chant/prompts/implement.md');
  await quickFix(4, 'Create prompt `implement` (.chant/prompts/implement.md)');
  // Opened for editing, and saved by VS Code (`files.refactoring.autoSave`).
  await page.locator('.tab.active', { hasText: 'implement.md' }).waitFor({ state: 'visible' });
  await waitFor('the template in the editor', async () => (await editorText()).includes('{{spec.title}}'));
  await waitFor('the prompt on disk', () => fs.readFileSync(prompt, 'utf8').startsWith('---\nname: implement\npurpose: '));
  await openSpec(SEED.FIX);
  const calls = await job(async () => {
    await palette('chant: Work with Prompt...', { asks: true });
    await answer('implement', { title: 'with prompt' });
  });
  assertEq([['work', SEED.FIX, '--no-watch', '--prompt=implement']], calls, 'chant work --prompt implement');
  await waitFor('the fix completed', () => statusOnDisk(SEED.FIX) === 'completed');
  // chant gave the agent the prompt the editor created, filled.
  const given = fs.readFileSync(path.join(agentDir, 'prompts', `${SEED.FIX}.md`), 'utf8');
  assert(given.includes(SEED_FIX_TITLE) && !given.includes('{{'), `the prompt the agent got, filled by chant:\n${given}`);
}, { chant: true });

await step('approve after review: the review worked, then "Approve Spec" on the completed fix from the chant view', async () => {
  await openSpec(SEED.REVIEW);
  const review = await job(() => palette('chant: Work Spec'));
  assertEq([['work', SEED.REVIEW, '--no-watch']], review, 'chant work of the review');
  await waitFor('the review completed', () => statusOnDisk(SEED.REVIEW) === 'completed');
  await showChantView();
  await waitFor('the fix in the Completed group', async () => (await treeRow(SEED_FIX_TITLE).innerText()).includes('completed · 5/5'));
  const approve = await inlineJob(SEED_FIX_TITLE, 'Approve Spec');
  assertEq([['approve', SEED.FIX, '--by=Test User']], approve, 'chant approve <id> --by NAME (chant.approverName)');
  await waitFor('the approval on disk', () =>
    readSpec(SEED.FIX).includes('\napproval:\n  required: false\n  status: approved\n  by: Test User\n'),
  );
  assertEq('completed', statusOnDisk(SEED.FIX), 'the fix is still completed');
  assert(/\n\*\*Test User\*\* - \d{4}-\d{2}-\d{2} \d{2}:\d{2} - APPROVED(\n|$)/.test(readSpec(SEED.FIX)), `the approval line:\n${readSpec(SEED.FIX)}`);
}, { chant: true });

await step('merge: chant stops on its own bookkeeping in the spec; the editor merges it itself, ticks and transcript kept', async () => {
  // What chant stops on: the criteria ticked on the branch by the agent,
  // the transcript and completion fields written on the main branch.
  const onBranch = run('git', ['show', `chant/${SEED.FIX}:.chant/specs/${SEED.FIX}.md`], { cwd: project });
  assert(!onBranch.includes('- [ ]') && !onBranch.includes('## Agent Output'), `the spec on the branch:\n${onBranch}`);
  assert(readSpec(SEED.FIX).includes('\n## Agent Output\n'), `the spec on main:\n${readSpec(SEED.FIX)}`);
  await palette('Notifications: Clear All Notifications');
  await showChantView();
  const merge = await inlineJob(SEED_FIX_TITLE, 'Merge Branch');
  assertEq(['merge', SEED.FIX], merge[0].slice(0, 2), 'chant merge <id>');
  const toast = page.locator('.notification-toast', { hasText: 'The editor merged it itself' }).first();
  await toast.waitFor({ state: 'visible' });
  const said = (await toast.innerText()).replace(/\s+/g, ' ');
  assert(
    said.includes(
      `chant stopped merging chant/${SEED.FIX} on its own bookkeeping in .chant/specs/${SEED.FIX}.md: the agent ticked the criteria on the branch, chant wrote the transcript and completion fields on the main branch. The editor merged it itself`,
    ),
    `the outcome:\n${said}`,
  );
  // The whole message, as a user reads it (the toast opens up).
  await toast.hover();
  await toast.locator('.codicon-notifications-expand').first().click({ timeout: 3000 }).catch(() => {});
  await sleep(700); // let the toast finish sliding in, for the picture
  await page.screenshot({ path: path.join(SHOTS, 'vscode-merge-bookkeeping.png') });
  const spec = readSpec(SEED.FIX);
  for (const c of SEED_FIX_CRITERIA) {
    assert(spec.includes(`\n- [x] ${c}\n`), `${c} ticked:\n${spec}`);
  }
  assert(!spec.includes('- [ ]'), `no criterion left unticked:\n${spec}`);
  assert(!/^(<<<<<<<|=======|>>>>>>>)/m.test(spec), `no conflict marker:\n${spec}`);
  assert(spec.includes('\n## Agent Output\n') && spec.includes(`agent: done with ${SEED.FIX}`), `the transcript:\n${spec}`);
  assert(spec.includes('\n  status: approved\n  by: Test User\n'), `the approval kept:\n${spec}`);
  assertEq('completed', statusOnDisk(SEED.FIX), 'status');
  assertEq(SEED_PERSIST, fs.readFileSync(path.join(project, 'src/storage/persist.rs'), 'utf8'), "the agent's file on main");
  assertEq('', run('git', ['diff', '--name-only', '--diff-filter=U'], { cwd: project }).trim(), 'unmerged files');
  assertEq(`Merge chant/${SEED.FIX}`, run('git', ['log', '--merges', '-1', '--format=%s'], { cwd: project }).trim(), 'the merge commit');
  assertEq('', run('git', ['status', '--porcelain', '--', `.chant/specs/${SEED.FIX}.md`, 'src'], { cwd: project }), 'nothing left to commit');
}, { chant: true });

await step('Restricted Mode: diagnostics still work, "Work Spec" never runs chant', async () => {
  project = makeProject('restricted').dir;
  const runsBefore = chantCalls().length;
  await restartEditor(project, path.join(tmp, 'user-data-restricted'), true);
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'trust the authors' });
  await dialog.waitFor({ state: 'visible' });
  await dialog.locator('.monaco-button', { hasText: "No, I don't trust the authors" }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible' });
  await openFile(`.chant/specs/${BROKEN_ID}.md`);
  await palette('View: Focus Problems');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'Unknown status `open`' }).first();
  await waitFor('the unknown-status error in Restricted Mode', () => row.isVisible(), 60000);
  await page.keyboard.press(`${mod}+J`);
  await openFile(`.chant/specs/${WORK_ID}.md`);
  await waitFor('the chant status bar item', async () => (await statusBarText()).includes('ready · 1/2'));
  const before = readSpec(WORK_ID);
  await palette('chant: Work Spec');
  const toast = page.locator('.notification-toast', { hasText: 'chant commands do not run in Restricted Mode' });
  await toast.waitFor({ state: 'visible' });
  await sleep(700); // let the toast finish sliding in
  await page.screenshot({ path: path.join(SHOTS, 'vscode-restricted.png') });
  // The extension decided not to send the command before it said so.
  assertEq(runsBefore, chantCalls().length, 'chant runs (none in Restricted Mode)');
  assertEq(before, readSpec(WORK_ID), 'the spec on disk');
  assert(!(await editorText()).includes('in_progress'), 'the spec buffer is unchanged');
});

await step('no "chant rewrote ... while you were editing it" warning after Work Spec (nobody edited the spec)', async () => {
  // VS Code reloads an unmodified file when chant rewrites it on disk
  // (status: in_progress, then completed); that is not an edit of the user's.
  assertEq([], workWarnings, 'warnings shown after "chant: Work Spec"');
}, { chant: true });

await cleanup();
const total = timings.reduce((a, [, ms]) => a + ms, 0);
const skips = [
  skipped && `${skipped} SKIPPED (missing server features)`,
  skippedNoChant && `${skippedNoChant} SKIPPED (no real chant, CHANT_LSP_SKIP_REAL_CHANT=1)`,
].filter(Boolean);
console.log(
  skips.length
    ? `${timings.length} VS Code steps passed, ${skips.join(', ')}, in ${total} ms; screenshots in ${SHOTS}`
    : `all ${timings.length} VS Code steps passed in ${total} ms; screenshots in ${SHOTS}`,
);
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(0);
