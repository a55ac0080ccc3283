// End-to-end test of the chant VS Code extension in real VS Code
// (code-server) in headless Chromium, driven by Playwright.
//
//   node editors/vscode/test/e2e.mjs
//
// Environment (scripts/test-editors sets it):
//   CHANT_LSP            a chant-lsp binary (for the `chant.server.path` step)
//   CHANT_STANDIN        the stand-in chant binary
//   CHANT_EDITOR_TOOLS   folder with node_modules/{code-server,playwright-core}
//   CHANT_VSIX           the platform-specific extension (scripts/package-vsix),
//                        which carries its own chant-lsp
//   CHANT_SCREENSHOTS    where PNG screenshots go (default target/editor-screenshots)
//   CHANT_CHROMIUM       the browser (default /usr/bin/chromium)
//   CHANT_EDITOR_TESTS_SKIP_MISSING=1  skip steps whose server feature is missing
//
// It installs the platform .vsix into a clean extensions folder, with no
// chant-lsp on PATH and no `chant.server.path`: the extension must run the
// server it carries. It copies editors/test-fixtures/demo into a temporary
// git repository, opens it in code-server, and checks what a user sees: the
// Problems panel, completion of an `informed_by` path and of a prompt name,
// the hover preview of a linked research file, the status bar, "chant: Work
// Spec" running the stand-in chant and changing the spec buffer, and that a
// `chant.server.path` setting wins over the bundled server. On failure it saves a screenshot and prints the logs of
// code-server, the extension host and the extension's output channel.

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
const STANDIN = env('CHANT_STANDIN');
const TOOLS = env('CHANT_EDITOR_TOOLS');
const VSIX = env('CHANT_VSIX', path.join(repo, 'editors/vscode/chant-lsp.vsix'));
const SHOTS = env('CHANT_SCREENSHOTS', path.join(repo, 'target/editor-screenshots'));
const CHROMIUM = env('CHANT_CHROMIUM', '/usr/bin/chromium');
const SKIP_MISSING = process.env.CHANT_EDITOR_TESTS_SKIP_MISSING === '1';
const TIMEOUT = Number(process.env.CHANT_VSCODE_TIMEOUT_MS ?? 30000);

const requireTool = createRequire(path.join(TOOLS, 'node_modules', 'noop.js'));
const { chromium } = requireTool('playwright-core');
const CODE_SERVER = path.join(TOOLS, 'node_modules', '.bin', 'code-server');

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

/** A copy of the demo fixture in a fresh git repository (chant needs a committed .chant/). */
function makeProject(name) {
  const dir = path.join(tmp, name);
  fs.cpSync(path.join(repo, 'editors/test-fixtures/demo'), dir, { recursive: true });
  const git = (...args) => run('git', args, { cwd: dir });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test User');
  git('config', 'user.email', 'test@example.com');
  git('config', 'commit.gpgsign', 'false');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return dir;
}
let project = makeProject('demo');
const standinLog = path.join(tmp, 'standin-log.jsonl');
const readSpec = (id, root = project) => fs.readFileSync(path.join(root, '.chant/specs', `${id}.md`), 'utf8');
const specLines = (id) => readSpec(id).split('\n');
const standinRuns = () =>
  fs.existsSync(standinLog)
    ? fs.readFileSync(standinLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
    : [];

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
const serverSettings = { 'chant.path': STANDIN };
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
  PATH: pathWithoutServer,
  HOME: path.join(tmp, 'home'),
  STANDIN_LOG: standinLog,
  STANDIN_AGENT_LINES: '3',
  STANDIN_AGENT_DELAY_MS: '400',
  STANDIN_WORKTREE_DIR: path.join(tmp, 'worktrees'),
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
  tail(standinLog, 20);
  console.error(out.join('\n'));
  console.error(`(test files kept in ${tmp})`);
}

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    timings.push([name, Date.now() - t0]);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    if (err instanceof MissingFeature && SKIP_MISSING) {
      console.log(`SKIP ${name}: ${err.message}`);
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
    process.exit(1);
  }
}

async function cleanup() {
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

/** Runs a command from the command palette by its label. */
async function palette(label) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
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

await step('"chant: Work Spec" runs the stand-in chant and the spec buffer changes', async () => {
  needs('executeCommandProvider', 'workspace/executeCommand (chant.work)');
  assert((caps.executeCommandProvider.commands ?? []).includes('chant.work'), 'the server offers chant.work');
  await focusEditor();
  await palette('chant: Work Spec');
  // The stand-in's agent prints 3 lines 400 ms apart: catch the progress.
  const progress = page.locator('.notification-toast, .statusbar-item', { hasText: /chant|work/i }).first();
  await progress.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {});
  await page.screenshot({ path: path.join(SHOTS, 'vscode-work-progress.png') });
  await waitFor('chant to finish the spec on disk', () => readSpec(WORK_ID).includes('status: completed'), 60000);
  await waitFor('the editor to show the finished spec', async () => {
    const text = await editorText();
    return text.includes('status: completed') && text.includes('## Agent Output');
  });
  const text = await editorText();
  assert(text.includes('- [x] The index caches parsed specs'), `the criterion is ticked:\n${text}`);
  assert(text.includes(`stand-in agent: working on ${WORK_ID} (line 3 of 3)`), `the agent output:\n${text}`);
  const runs = standinRuns();
  const work = runs.filter((r) => r[0] === 'work');
  assertEq(1, work.length, `chant work runs: ${JSON.stringify(runs)}`);
  assertEq(['work', WORK_ID], work[0].slice(0, 2), 'chant work <id>');
  assert(work[0].includes('--no-watch'), `--no-watch: ${JSON.stringify(work[0])}`);
  await waitFor('the status bar to show completed', async () => (await statusBarText()).includes('completed · 2/2'));
  const done = page.locator('.notification-toast', { hasText: `\`chant work ${WORK_ID}\` finished: the spec is completed` });
  await done.waitFor({ state: 'visible' });
  await sleep(700); // let the toasts finish sliding in
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
  await page.screenshot({ path: path.join(SHOTS, 'vscode-work-done.png') });
});

await step('"chant: Apply Agent Changes" brings the agent\'s file into the editor', async () => {
  await openFile(`.chant/specs/${WORK_ID}.md`);
  await palette('chant: Apply Agent Changes');
  await page.locator('.tab', { hasText: 'agent-output.txt' }).first().waitFor({ state: 'visible' });
  await page.locator('.tab', { hasText: 'agent-output.txt' }).first().click();
  await waitFor('the agent file in the editor', async () =>
    (await editorText()).includes(`stand-in agent output for ${WORK_ID}`),
  );
  await page.screenshot({ path: path.join(SHOTS, 'vscode-apply-changes.png') });
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
  await waitFor('the status bar after the restart', async () => (await statusBarText()).includes('completed · 2/2'));
});

await step('"chant: Reject Spec..." asks for the reason in an input box, then rejects', async () => {
  await palette('Notifications: Clear All Notifications');
  await openFile(`.chant/specs/${REVIEW_ID}.md`);
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
  await page.keyboard.press('Enter');
  await waitFor('the rejection on disk', () => readSpec(REVIEW_ID).includes('REJECTED'), 60000);
  await waitFor('the editor to show the rejection', async () => (await editorText()).includes('Needs a design review first'));
  const text = await editorText();
  assert(/\*\*Test User\*\* - \d{4}-\d{2}-\d{2} \d{2}:\d{2} - REJECTED/.test(text), `the discussion line:\n${text}`);
  assert(text.includes('status: rejected'), `approval.status:\n${text}`);
  const reject = standinRuns().filter((r) => r[0] === 'reject');
  assertEq(1, reject.length, 'chant reject runs');
  assert(
    reject[0].includes('--reason=Needs a design review first') ||
      reject[0].join('\u0000').includes('--reason\u0000Needs a design review first'),
    `the reason passed: ${JSON.stringify(reject[0])}`,
  );
});

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

await step('Restricted Mode: diagnostics still work, "Work Spec" never runs chant', async () => {
  await browser.close();
  const cs = codeServer;
  process.kill(-cs.pid, 'SIGTERM');
  await waitFor('code-server to stop', () => cs.exitCode !== null || cs.signalCode !== null, 10000);
  project = makeProject('restricted');
  const dataDir = path.join(tmp, 'user-data-restricted');
  writeUserSettings(dataDir, true);
  fs.writeFileSync(path.join(dataDir, 'Machine', 'settings.json'), JSON.stringify(serverSettings, null, 2));
  const runsBefore = standinRuns().length;
  await startEditor({ folder: project, dataDir, trust: true });
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
  await sleep(1500);
  assertEq(runsBefore, standinRuns().length, 'chant runs (none in Restricted Mode)');
  assertEq(before, readSpec(WORK_ID), 'the spec on disk');
  assert(!(await editorText()).includes('in_progress'), 'the spec buffer is unchanged');
});

await step('no "chant rewrote ... while you were editing it" warning after Work Spec (nobody edited the spec)', async () => {
  // VS Code reloads an unmodified file when chant rewrites it on disk
  // (status: in_progress, then completed); that is not an edit of the user's.
  assertEq([], workWarnings, 'warnings shown after "chant: Work Spec"');
});

await cleanup();
const total = timings.reduce((a, [, ms]) => a + ms, 0);
console.log(`all VS Code steps passed in ${total} ms; screenshots in ${SHOTS}`);
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(0);
