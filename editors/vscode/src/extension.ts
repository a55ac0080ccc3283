// chant for VS Code: runs chant-lsp for chant spec files (and prompts and
// the config), adds every chant action to the palette, the editor's context
// menu and the "chant" view in the Explorer, and shows the current spec's
// readiness and criteria in the status bar.
//
// What can be done with a spec is the server's answer (`chant/specStatus`,
// `chant/specList`): the extension parses neither specs nor lens titles.

import * as vscode from 'vscode';
import {
  ClientCapabilities,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  StaticFeature,
} from 'vscode-languageclient/node';
import { addOptions, availability, promptChoices, SPEC_ACTIONS, SPEC_TYPES } from './actions';
import { bundledServer, INSTALL_HINT, resolveServerPath } from './serverPath';
import { labelsOf, ProjectSpecs, projectOf, SPEC_LIST_CHANGED, SPEC_LIST_REQUEST, SpecListResult } from './specList';
import { SPEC_STATUS_REQUEST, SpecCommand, SpecStatus, statusText, statusTooltip } from './specStatus';
import { Node, SpecTree } from './specTree';
import { REVIEW_SCHEME, ReviewAnswer, SHOW_REVIEW } from './review';
import { LogFollower, openReview, ReviewContent } from './reviewView';

/** The server's commands that run chant (the extension checks trust first). */
const CHANT_COMMANDS = new Set([
  'chant.work',
  'chant.approve',
  'chant.reject',
  'chant.applyAgentChanges',
  'chant.add',
  'chant.merge',
  'chant.mergeAll',
  'chant.archive',
  'chant.archiveByLabel',
  'chant.reset',
  'chant.cancel',
  'chant.verify',
  'chant.split',
]);

/** The server's "Work with…", which asks for the prompt: the extension asks itself (`workWith`). */
const WORK_WITH = 'chant.workWith';

/** Commands about a whole project (their first argument is the project's URI). */
const PROJECT_COMMANDS = new Set(['chant.add', 'chant.mergeAll', 'chant.archiveByLabel']);

const SELECTOR = [
  { scheme: 'file', language: 'markdown', pattern: '**/.chant/specs/**/*.md' },
  { scheme: 'file', language: 'markdown', pattern: '**/.chant/prompts/**/*.md' },
  { scheme: 'file', language: 'markdown', pattern: '**/.chant/config.md' },
];

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
let statusTimer: NodeJS.Timeout | undefined;
let missingServer: string | undefined;
let tree: SpecTree;
/** The active spec's status, as last asked. */
let activeStatus: { uri: string; status: SpecStatus } | undefined;
let logs: LogFollower;

export function isSpecUri(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && /\/\.chant\/specs\/(.+\/)?[^/]+\.md$/.test(uri.path);
}

/**
 * The `chant` settings section as the server reads it, with
 * `commands.enabled` set from workspace trust: in Restricted Mode the
 * server must never run chant.
 */
function chantSettings(): Record<string, unknown> {
  const section = vscode.workspace.getConfiguration().get<Record<string, unknown>>('chant') ?? {};
  const settings = JSON.parse(JSON.stringify(section)) as Record<string, any>;
  settings.commands = { ...(settings.commands ?? {}), enabled: vscode.workspace.isTrusted };
  return settings;
}

function sendSettings(): void {
  if (client && client.state === State.Running) {
    void client.sendNotification(DidChangeConfigurationNotification.type, { settings: { chant: chantSettings() } });
  }
}

function running(): LanguageClient | undefined {
  return client && client.state === State.Running ? client : undefined;
}

/** Saves the open, modified specs under `rootUri` (chant reads them from disk). */
async function saveProjectSpecs(rootUri: string): Promise<void> {
  const prefix = rootUri.endsWith('/') ? rootUri : `${rootUri}/`;
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && isSpecUri(doc.uri) && doc.uri.toString().startsWith(prefix)) {
      await doc.save();
    }
  }
}

/**
 * Checks before a chant command runs, for the extension's own commands and
 * for the server's code actions and code lenses alike: the workspace is
 * trusted, a rejection has a reason (asked for in an input box), the specs
 * are saved (chant works on the files on disk). Returns the arguments to
 * send, or undefined to run nothing.
 */
async function prepareChantCommand(command: string, args: any[]): Promise<any[] | undefined> {
  if (!CHANT_COMMANDS.has(command)) {
    return args;
  }
  if (!vscode.workspace.isTrusted) {
    const manage = 'Manage Workspace Trust';
    void vscode.window
      .showWarningMessage('chant commands do not run in Restricted Mode: trust this workspace to run chant.', manage)
      .then((choice) => {
        if (choice === manage) {
          void vscode.commands.executeCommand('workbench.trust.manage');
        }
      });
    return undefined;
  }
  args = [...(args ?? [])];
  const uriString: string | undefined = typeof args[0] === 'string' ? args[0] : undefined;
  if (command === 'chant.reject') {
    const options = typeof args[1] === 'object' && args[1] !== null ? { ...args[1] } : {};
    if (typeof options.reason !== 'string' || options.reason.trim() === '') {
      const id = activeStatus && activeStatus.uri === uriString ? activeStatus.status.id : 'this spec';
      const reason = await vscode.window.showInputBox({
        title: `Reject spec ${id}`,
        prompt: 'Why is the spec rejected? chant records the reason under Approval Discussion.',
        placeHolder: 'Reason for rejecting the spec',
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() === '' ? 'A reason is required.' : undefined),
      });
      if (reason === undefined || reason.trim() === '') {
        return undefined;
      }
      options.reason = reason.trim();
    }
    args[1] = options;
  }
  if (uriString && PROJECT_COMMANDS.has(command)) {
    await saveProjectSpecs(uriString);
  } else if (uriString) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uriString);
    if (doc?.isDirty) {
      await doc.save();
    }
  }
  return args;
}

/** Sends a chant command to the server (after the checks above); errors are shown. */
async function execute(command: string, args: any[]): Promise<void> {
  if (command === WORK_WITH) {
    return workWith(args?.[0]);
  }
  const c = running();
  if (!c) {
    void vscode.window.showErrorMessage(missingServer ?? 'chant-lsp is not running (see chant: Show Output).');
    return;
  }
  const prepared = await prepareChantCommand(command, args);
  if (!prepared) {
    return;
  }
  output.info(`${command} ${JSON.stringify(prepared)}`);
  try {
    await c.sendRequest(ExecuteCommandRequest.type, { command, arguments: prepared });
  } catch (err: any) {
    void vscode.window.showErrorMessage(`chant: ${err?.message ?? String(err)}`);
  }
}

// ---- spec actions ----------------------------------------------------------

/** The spec an action is about: a node of the chant view, else the active editor's spec. */
async function targetSpec(node?: Node | vscode.Uri): Promise<{ uri: string; status: SpecStatus } | undefined> {
  if (node && typeof node === 'object' && 'kind' in node && node.kind === 'spec') {
    return { uri: node.spec.uri, status: node.spec };
  }
  if (node instanceof vscode.Uri && isSpecUri(node)) {
    const doc = await vscode.workspace.openTextDocument(node);
    const status = await specStatus(doc);
    if (!status) {
      void vscode.window.showWarningMessage('chant-lsp has no status for this spec yet: try again in a moment.');
      return undefined;
    }
    return { uri: doc.uri.toString(), status };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isSpecUri(editor.document.uri)) {
    void vscode.window.showWarningMessage('Open a chant spec (a Markdown file in .chant/specs/) first.');
    return undefined;
  }
  if (!running()) {
    void vscode.window.showErrorMessage(missingServer ?? 'chant-lsp is not running (see chant: Show Output).');
    return undefined;
  }
  const status = await specStatus(editor.document);
  if (!status) {
    void vscode.window.showWarningMessage('chant-lsp has no status for this spec yet: try again in a moment.');
    return undefined;
  }
  return { uri: editor.document.uri.toString(), status };
}

/** Runs the action `key` on a spec: the server's enabled offer for it, with its arguments. */
async function runSpecAction(key: string, node?: Node): Promise<void> {
  const action = SPEC_ACTIONS.find((a) => a.key === key)!;
  // Showing the log runs nothing; a review runs git, and the server says
  // why it does not in Restricted Mode.
  if (!vscode.workspace.isTrusted && !['chant.showLog', 'chant.review'].includes(action.server)) {
    await prepareChantCommand(action.server, []); // says why, offers to manage trust
    return;
  }
  const target = await targetSpec(node);
  if (!target) {
    return;
  }
  if (key === 'workWithPrompt') {
    await workWith(target.uri, target.status);
    return;
  }
  const a = availability(target.status)[key];
  const offer = a.offers.find((o) => o.enabled);
  if (!offer) {
    void vscode.window.showWarningMessage(
      `chant: ${action.title.replace(/\.\.\.$/, '')}: ${a.reason ?? `the server does not offer it for spec ${target.status.id}.`}`,
    );
    return;
  }
  await execute(offer.command, offer.arguments ?? [target.uri]);
}

/**
 * "Work with…" (the server's `chant.workWith`, from the lens, the status
 * bar's menu or the chant view): the prompt is asked in a quick pick of the
 * spec's enabled "Work with prompt X" offers, and the chosen offer runs
 * with its own arguments. Other clients get the server's own question
 * (`window/showMessageRequest`). Dismissed: nothing runs.
 */
async function workWith(uri: unknown, status?: SpecStatus): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    await prepareChantCommand('chant.work', []); // says why, offers to manage trust
    return;
  }
  if (!status) {
    // The lens's spec (a URI string), else the active editor's.
    status = (await targetSpec(typeof uri === 'string' ? vscode.Uri.parse(uri) : undefined))?.status;
    if (!status) {
      return;
    }
  }
  const { choices, reason } = promptChoices(status);
  if (choices.length === 0) {
    void vscode.window.showWarningMessage(`chant: ${reason}`);
    return;
  }
  const pick = await vscode.window.showQuickPick(
    choices.map(({ prompt, offer }) => ({ label: prompt, description: offer.title, offer })),
    { title: `Work spec ${status.id} with prompt`, placeHolder: 'The prompt chant gives the agent' },
  );
  if (pick) {
    await execute(pick.offer.command, pick.offer.arguments);
  }
}

// ---- project actions -----------------------------------------------------

async function specList(): Promise<ProjectSpecs[] | undefined> {
  const c = running();
  if (!c) {
    return undefined;
  }
  const result = await c.sendRequest<SpecListResult>(SPEC_LIST_REQUEST, {});
  return result?.projects ?? [];
}

/** The project an action is about: the node's, the active spec's, the only one, or one the user picks. */
async function targetProject(node?: Node): Promise<ProjectSpecs | undefined> {
  // From the chant view: the node's project (menus elsewhere pass a URI or nothing).
  if (node && typeof node === 'object' && 'kind' in node) {
    return node.project;
  }
  let projects: ProjectSpecs[] | undefined;
  try {
    projects = tree.projects ?? (await specList());
  } catch {
    projects = undefined;
  }
  if (!projects || projects.length === 0) {
    // A server without chant/specList: the workspace folders that hold .chant/.
    const found = await vscode.workspace.findFiles('**/.chant/config.md', '**/node_modules/**', 20);
    projects = found.map((u) => ({ root: vscode.Uri.joinPath(u, '..', '..').toString(), specs: [] }));
  }
  const active = vscode.window.activeTextEditor?.document.uri.toString();
  const mine = active ? projectOf(projects, active) : undefined;
  if (mine) {
    return mine;
  }
  if (projects.length <= 1) {
    if (projects.length === 0) {
      void vscode.window.showWarningMessage('No chant project here: open a folder that holds .chant/.');
    }
    return projects[0];
  }
  const pick = await vscode.window.showQuickPick(
    projects.map((p) => ({ label: p.name || vscode.Uri.parse(p.root).fsPath, description: vscode.Uri.parse(p.root).fsPath, p })),
    { title: 'Which chant project?' },
  );
  return pick?.p;
}

/** The prompt names of a project (`.chant/prompts/*.md`). */
async function promptNames(root: string): Promise<string[]> {
  const dir = vscode.Uri.joinPath(vscode.Uri.parse(root), '.chant', 'prompts');
  try {
    const entries = await vscode.workspace.fs.readDirectory(dir);
    return entries
      .filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.md'))
      .map(([name]) => name.slice(0, -3))
      .sort();
  } catch {
    return [];
  }
}

/** New Spec...: asks title, type, prompt, labels and approval, then `chant.add`. */
async function newSpec(node?: Node): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    await prepareChantCommand('chant.add', []);
    return;
  }
  const project = await targetProject(node);
  if (!project) {
    return;
  }
  const steps = 5;
  const title = await vscode.window.showInputBox({
    title: `New chant spec (1/${steps}): title`,
    prompt: 'The spec\'s title (its "# " line)',
    placeHolder: 'Title of the new spec',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? 'A title is required.' : undefined),
  });
  if (title === undefined || title.trim() === '') {
    return;
  }
  const type = await vscode.window.showQuickPick(SPEC_TYPES, {
    title: `New chant spec (2/${steps}): type`,
    placeHolder: 'The type of spec',
    ignoreFocusOut: true,
  });
  if (!type) {
    return;
  }
  const DEFAULT = "(chant's default)";
  const prompt = await vscode.window.showQuickPick([DEFAULT, ...(await promptNames(project.root))], {
    title: `New chant spec (3/${steps}): prompt`,
    placeHolder: 'The prompt chant gives the agent',
    ignoreFocusOut: true,
  });
  if (!prompt) {
    return;
  }
  const labels = await vscode.window.showInputBox({
    title: `New chant spec (4/${steps}): labels`,
    prompt: 'Labels, separated by commas (optional)',
    placeHolder: 'e.g. backend, phase 1',
    ignoreFocusOut: true,
  });
  if (labels === undefined) {
    return;
  }
  const approval = await vscode.window.showQuickPick(['No', 'Yes'], {
    title: `New chant spec (5/${steps}): needs approval?`,
    placeHolder: 'Must the spec be approved before it is worked?',
    ignoreFocusOut: true,
  });
  if (!approval) {
    return;
  }
  const options = addOptions({
    title,
    type,
    prompt: prompt === DEFAULT ? undefined : prompt,
    labels,
    needsApproval: approval === 'Yes',
  });
  await execute('chant.add', [project.root, options]);
}

async function mergeAll(node?: Node): Promise<void> {
  const project = await targetProject(node);
  if (project) {
    await execute('chant.mergeAll', [project.root]);
  }
}

/** Archive by Label...: picks one of the project's labels (or types one), then `chant.archiveByLabel`. */
async function archiveByLabel(node?: Node): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    await prepareChantCommand('chant.archiveByLabel', []);
    return;
  }
  const project = await targetProject(node);
  if (!project) {
    return;
  }
  const OTHER = 'Another label...';
  const labels = labelsOf(project);
  let label = labels.length
    ? await vscode.window.showQuickPick([...labels, OTHER], {
        title: 'Archive the completed specs with the label',
        placeHolder: 'A label of the project\'s specs',
      })
    : OTHER;
  if (label === OTHER) {
    label = await vscode.window.showInputBox({
      title: 'Archive the completed specs with the label',
      validateInput: (v) => (v.trim() === '' ? 'A label is required.' : undefined),
    });
  }
  if (!label || !label.trim()) {
    return;
  }
  await execute('chant.archiveByLabel', [project.root, { label: label.trim() }]);
}

// ---- status bar and context keys -------------------------------------------

/** The spec's status, readiness and commands, from the server. */
async function specStatus(doc: vscode.TextDocument): Promise<SpecStatus | undefined> {
  const c = running();
  if (!c) {
    return undefined;
  }
  try {
    const status = await c.sendRequest<SpecStatus | null>(SPEC_STATUS_REQUEST, {
      textDocument: { uri: doc.uri.toString() },
    });
    return status ?? undefined;
  } catch (err: any) {
    output.debug(`${SPEC_STATUS_REQUEST} failed: ${err?.message ?? err}`);
    return undefined;
  }
}

/**
 * What the extension takes beyond the standard protocol: the client-side
 * commands the server may use (rust-analyzer's convention), the
 * `chant/specListChanged` notification, and reviews it shows itself
 * (`chant/showReview`, in the multi-file diff editor; docs/lsp-extensions.md).
 */
const clientCommands: StaticFeature = {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.experimental = {
      ...(capabilities.experimental ?? {}),
      commands: { commands: ['editor.action.triggerSuggest'] },
      chant: { specListChanged: true, showReview: true },
    };
  },
  initialize(): void {},
  getState: () => ({ kind: 'static' }),
  clear(): void {},
};

/** Sets `chant.can.<key>` for every spec action from the status (none: all false). */
function setSpecContext(status: SpecStatus | undefined): void {
  const a = status ? availability(status) : undefined;
  for (const action of SPEC_ACTIONS) {
    void vscode.commands.executeCommand('setContext', `chant.can.${action.key}`, !!a?.[action.key].enabled);
  }
}

/** Sets the project actions' context keys from the spec list. */
function setProjectContext(projects: ProjectSpecs[] | undefined): void {
  const commands =
    (running()?.initializeResult?.capabilities.executeCommandProvider?.commands as string[] | undefined) ?? [];
  const trusted = vscode.workspace.isTrusted;
  const specs = (projects ?? []).flatMap((p) => p.specs);
  const any = (pred: (c: SpecCommand) => boolean) => specs.some((s) => s.commands.some((c) => c.enabled && pred(c)));
  const has = (projects ?? []).length > 0;
  void vscode.commands.executeCommand('setContext', 'chant.hasProject', has);
  void vscode.commands.executeCommand('setContext', 'chant.can.add', trusted && commands.includes('chant.add'));
  void vscode.commands.executeCommand(
    'setContext',
    'chant.can.mergeAll',
    commands.includes('chant.mergeAll') && any((c) => c.command === 'chant.merge'),
  );
  void vscode.commands.executeCommand(
    'setContext',
    'chant.can.archiveByLabel',
    commands.includes('chant.archiveByLabel') &&
      specs.some((s) => s.labels?.length && s.commands.some((c) => c.enabled && c.command === 'chant.archive')),
  );
}

async function updateStatus(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const doc = editor?.document;
  const spec = !!doc && isSpecUri(doc.uri);
  void vscode.commands.executeCommand('setContext', 'chant.isSpec', spec);
  if (!doc || !spec) {
    activeStatus = undefined;
    setSpecContext(undefined);
    statusItem.hide();
    return;
  }
  if (missingServer) {
    setSpecContext(undefined);
    statusItem.text = '$(warning) chant-lsp missing';
    statusItem.tooltip = missingServer;
    statusItem.show();
    return;
  }
  const s = await specStatus(doc);
  if (vscode.window.activeTextEditor?.document !== doc) {
    return;
  }
  activeStatus = s ? { uri: doc.uri.toString(), status: s } : undefined;
  setSpecContext(s);
  if (!s) {
    statusItem.text = '$(loading~spin) chant';
    statusItem.tooltip = 'chant-lsp has not answered for this spec yet.';
    statusItem.show();
    return;
  }
  statusItem.text = statusText(s);
  statusItem.tooltip = new vscode.MarkdownString(statusTooltip(s));
  statusItem.show();
}

function scheduleStatus(delay = 250): void {
  if (statusTimer) {
    clearTimeout(statusTimer);
  }
  statusTimer = setTimeout(() => void updateStatus(), delay);
}

/** The status bar item's menu: the commands the server offers for the spec now. */
async function specMenu(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const status = editor && isSpecUri(editor.document.uri) ? await specStatus(editor.document) : undefined;
  const items: (vscode.QuickPickItem & { run: () => unknown })[] = (status?.commands ?? [])
    .filter((c) => c.enabled)
    .map((c) => ({ label: c.title, run: () => execute(c.command, c.arguments) }));
  items.push({ label: '$(output) Show Output', run: () => output.show(true) });
  const pick = await vscode.window.showQuickPick(items, {
    title: status ? `chant spec ${status.id}: ${status.readiness.replace(/_/g, ' ')}` : 'chant',
  });
  if (pick) {
    await pick.run();
  }
}

// ---- buffers chant rewrote ------------------------------------------------

const settleTimers = new Map<string, NodeJS.Timeout>();

/**
 * When chant rewrites a spec, VS Code reloads the unmodified buffer from
 * disk and the server brings the same text in with an edit, which leaves
 * the buffer marked modified although it holds exactly the file. Such a
 * buffer is saved (the same bytes), so that it is not shown as unsaved and
 * the next command does not find it "modified". A buffer that differs from
 * the file is never touched.
 */
function settleSoon(doc: vscode.TextDocument): void {
  const key = doc.uri.toString();
  clearTimeout(settleTimers.get(key));
  settleTimers.set(
    key,
    setTimeout(async () => {
      settleTimers.delete(key);
      if (doc.isClosed || !doc.isDirty) {
        return;
      }
      try {
        const disk = new TextDecoder('utf-8', { fatal: true }).decode(await vscode.workspace.fs.readFile(doc.uri));
        if (disk === doc.getText() && doc.isDirty) {
          output.debug(`${doc.uri.fsPath}: the buffer holds the file as chant wrote it; marked saved`);
          await doc.save();
        }
      } catch {
        // unreadable or not UTF-8: left alone
      }
    }, 400),
  );
}

function refreshAll(): void {
  tree.refresh();
  scheduleStatus(0);
}

// ---- client ------------------------------------------------------------

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const setting = vscode.workspace.getConfiguration('chant').get<string>('server.path');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const resolved = resolveServerPath(setting, folder, bundledServer(context.extensionPath));
  if (!resolved.ok) {
    missingServer = resolved.message;
    output.error(resolved.message);
    scheduleStatus(0);
    const settings = 'Open Settings';
    const choice = await vscode.window.showErrorMessage(`chant: ${resolved.message}`, settings);
    if (choice === settings) {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'chant.server.path');
    }
    return;
  }
  missingServer = undefined;
  output.info(`starting ${resolved.path} --stdio`);
  const serverOptions: ServerOptions = {
    command: resolved.path,
    args: ['--stdio'],
    options: { env: { ...process.env, RUST_BACKTRACE: '1' } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: SELECTOR,
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: chantSettings(),
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const values = await next(params, token);
          if (!Array.isArray(values)) {
            return values;
          }
          return params.items.map((item, i) => (item.section === 'chant' ? chantSettings() : values[i]));
        },
      },
      // A quick fix that creates a file asks the server to show it after
      // its edit (`chant.open`). VS Code runs an action's command after the
      // edit, and the edit's own effects (the spec's diagnostics change)
      // can replace the action list the command belonged to first ("Actual
      // command not found"): the file is opened here when the edit creates
      // it instead.
      provideCodeActions: async (document, range, context, token, next) => {
        const actions = await next(document, range, context, token);
        return actions?.map(openWhenCreated);
      },
      // Code lenses and code actions run the server's commands through
      // here: the same checks as the extension's own commands.
      executeCommand: async (command, args, next) => {
        if (command === WORK_WITH) {
          return workWith(args?.[0]);
        }
        const prepared = await prepareChantCommand(command, args);
        if (!prepared) {
          return undefined;
        }
        output.info(`${command} ${JSON.stringify(prepared)}`);
        return next(command, prepared);
      },
      // The agent's log the server shows is followed as it grows.
      window: {
        showDocument: async (params, token, next) => {
          const shown = await next(params, token);
          await logs.shown(params.uri);
          return shown;
        },
      },
    },
  };
  client = new LanguageClient('chant', 'chant', serverOptions, clientOptions);
  client.registerFeature(clientCommands);
  context.subscriptions.push(
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        refreshAll();
      }
    }),
  );
  try {
    await client.start();
    // A spec changed (a run, an edit, a file): the list and the active
    // spec's status are asked again.
    client.onNotification(SPEC_LIST_CHANGED, () => refreshAll());
    client.onNotification(SHOW_REVIEW, (answer: ReviewAnswer) => {
      openReview(answer, execute).catch((err) =>
        vscode.window.showErrorMessage(`chant: the review could not be shown: ${err?.message ?? err}`),
      );
    });
    refreshAll();
  } catch (err: any) {
    output.error(`chant-lsp failed to start: ${err?.message ?? err}`);
    void vscode.window.showErrorMessage(`chant-lsp failed to start: ${err?.message ?? err}. ${INSTALL_HINT}`);
  }
}

/** Files a chant quick fix creates, to open once created (URI -> when offered). */
const openOnCreate = new Map<string, number>();
/** How long an offered quick fix's file is waited for. */
const OPEN_ON_CREATE_MS = 10 * 60 * 1000;

/** A quick fix's `chant.open` after its edit, as a file opened on creation. */
function openWhenCreated(action: vscode.Command | vscode.CodeAction): vscode.Command | vscode.CodeAction {
  if (!(action instanceof vscode.CodeAction) || action.command?.command !== 'chant.open' || !action.edit) {
    return action;
  }
  const target = action.command.arguments?.[0];
  if (typeof target !== 'string') {
    return action;
  }
  openOnCreate.set(vscode.Uri.parse(target).toString(), Date.now());
  action.command = undefined;
  return action;
}

/** A file created by an edit (a quick fix applied): shown when a chant quick fix made it. */
async function filesCreated(e: vscode.FileCreateEvent): Promise<void> {
  const now = Date.now();
  for (const [uri, offered] of openOnCreate) {
    if (now - offered > OPEN_ON_CREATE_MS) {
      openOnCreate.delete(uri);
    }
  }
  for (const file of e.files) {
    const key = file.toString();
    if (openOnCreate.delete(key)) {
      await vscode.window.showTextDocument(file, { preview: false });
    }
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(5000);
    } catch (err: any) {
      output.warn(`stopping chant-lsp: ${err?.message ?? err}`);
    }
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stopClient();
  await startClient(context);
  refreshAll();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('chant', { log: true });
  statusItem = vscode.window.createStatusBarItem('chant.spec', vscode.StatusBarAlignment.Left, 100);
  statusItem.name = 'chant spec';
  statusItem.command = 'chant.spec.menu';
  context.subscriptions.push(output, statusItem);
  context.subscriptions.push(vscode.workspace.onDidCreateFiles((e) => void filesCreated(e)));
  void vscode.commands.executeCommand('setContext', 'chant.active', true);

  tree = new SpecTree(async () => {
    const projects = await specList();
    setProjectContext(projects);
    return projects;
  });
  const view = vscode.window.createTreeView('chant.specs', { treeDataProvider: tree, showCollapseAll: true });
  tree.view = view;
  context.subscriptions.push(view);

  const register = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  for (const action of SPEC_ACTIONS) {
    register(action.id, (node?: Node) => runSpecAction(action.key, node));
  }
  register('chant.project.add', (node?: Node) => newSpec(node));
  register('chant.project.mergeAll', (node?: Node) => mergeAll(node));
  register('chant.project.archiveByLabel', (node?: Node) => archiveByLabel(node));
  register('chant.specs.refresh', () => refreshAll());
  register('chant.server.restart', () => restart(context));
  register('chant.server.showOutput', () => output.show(true));
  register('chant.spec.menu', () => specMenu());
  logs = new LogFollower();
  context.subscriptions.push(
    logs,
    vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, new ReviewContent(running)),
  );

  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(() => scheduleStatus(0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) {
        scheduleStatus();
      }
      if (isSpecUri(e.document.uri) && e.document.isDirty) {
        settleSoon(e.document);
      }
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (isSpecUri(doc.uri)) {
        scheduleStatus(0);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.info('workspace trusted: chant commands enabled');
      sendSettings();
      refreshAll();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('chant.server.path')) {
        void restart(context);
      } else if (e.affectsConfiguration('chant')) {
        sendSettings();
      }
    }),
  );

  output.info(`chant extension activated; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'in Restricted Mode'}`);
  await startClient(context);
  scheduleStatus(0);
}

export async function deactivate(): Promise<void> {
  if (statusTimer) {
    clearTimeout(statusTimer);
  }
  await stopClient();
}
