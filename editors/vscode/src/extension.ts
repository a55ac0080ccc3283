// chant for VS Code: runs chant-lsp for chant spec files (and prompts and
// the config), adds the chant commands to the palette, and shows the
// current spec's status and criteria progress in the status bar.

import * as path from 'path';
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
import { bundledServer, INSTALL_HINT, resolveServerPath } from './serverPath';
import { SPEC_STATUS_REQUEST, SpecStatus, statusText, statusTooltip } from './specStatus';

/** The server's commands that run chant. */
const CHANT_COMMANDS = new Set(['chant.work', 'chant.approve', 'chant.reject', 'chant.applyAgentChanges']);

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

export function isSpecUri(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && /\/\.chant\/specs\/(.+\/)?[^/]+\.md$/.test(uri.path);
}

function specId(uri: vscode.Uri): string {
  return path.basename(uri.path, '.md');
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

/**
 * Checks before a chant command runs, for the palette and for the server's
 * code actions alike: the workspace is trusted, a rejection has a reason
 * (asked for in an input box), and the spec is saved (chant works on the
 * file on disk). Returns the arguments to send, or undefined to run nothing.
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
      const id = uriString ? specId(vscode.Uri.parse(uriString)) : 'this spec';
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
  if (uriString) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uriString);
    if (doc?.isDirty) {
      await doc.save();
    }
  }
  return args;
}

/** Runs one of the server's chant commands on the active spec (palette). */
async function runOnActiveSpec(command: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isSpecUri(editor.document.uri)) {
    void vscode.window.showWarningMessage('Open a chant spec (a Markdown file in .chant/specs/) first.');
    return;
  }
  if (!client || client.state !== State.Running) {
    void vscode.window.showErrorMessage(missingServer ?? 'chant-lsp is not running (see chant: Show Output).');
    return;
  }
  const args = await prepareChantCommand(command, [editor.document.uri.toString()]);
  if (!args) {
    return;
  }
  output.info(`${command} ${args[0]}`);
  try {
    await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  } catch (err: any) {
    void vscode.window.showErrorMessage(`chant: ${err?.message ?? String(err)}`);
  }
}

// ---- status bar --------------------------------------------------------

/** The spec's status, readiness and commands, from the server. */
async function specStatus(doc: vscode.TextDocument): Promise<SpecStatus | undefined> {
  if (!client || client.state !== State.Running) {
    return undefined;
  }
  try {
    const status = await client.sendRequest<SpecStatus | null>(SPEC_STATUS_REQUEST, {
      textDocument: { uri: doc.uri.toString() },
    });
    return status ?? undefined;
  } catch (err: any) {
    output.debug(`${SPEC_STATUS_REQUEST} failed: ${err?.message ?? err}`);
    return undefined;
  }
}

/** The client-side commands the server may use (rust-analyzer's convention). */
const clientCommands: StaticFeature = {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.experimental = {
      ...(capabilities.experimental ?? {}),
      commands: { commands: ['editor.action.triggerSuggest'] },
    };
  },
  initialize(): void {},
  getState: () => ({ kind: 'static' }),
  clear(): void {},
};

async function updateStatus(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const doc = editor?.document;
  const spec = !!doc && isSpecUri(doc.uri);
  void vscode.commands.executeCommand('setContext', 'chant.isSpec', spec);
  if (!doc || !spec) {
    statusItem.hide();
    return;
  }
  if (missingServer) {
    statusItem.text = '$(warning) chant-lsp missing';
    statusItem.tooltip = missingServer;
    statusItem.show();
    return;
  }
  const s = await specStatus(doc);
  if (vscode.window.activeTextEditor?.document !== doc) {
    return;
  }
  if (!s) {
    statusItem.text = `$(loading~spin) chant ${specId(doc.uri)}`;
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

async function specMenu(): Promise<void> {
  const items: (vscode.QuickPickItem & { command: string })[] = [
    { label: '$(play) Work Spec', command: 'chant.spec.work' },
    { label: '$(check) Approve Spec', command: 'chant.spec.approve' },
    { label: '$(close) Reject Spec...', command: 'chant.spec.reject' },
    { label: '$(git-merge) Apply Agent Changes', command: 'chant.spec.applyAgentChanges' },
    { label: '$(output) Show Output', command: 'chant.server.showOutput' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'chant' });
  if (pick) {
    await vscode.commands.executeCommand(pick.command);
  }
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
      executeCommand: async (command, args, next) => {
        const prepared = await prepareChantCommand(command, args);
        if (!prepared) {
          return undefined;
        }
        output.info(`${command} ${prepared[0] ?? ''}`);
        return next(command, prepared);
      },
    },
  };
  client = new LanguageClient('chant', 'chant', serverOptions, clientOptions);
  client.registerFeature(clientCommands);
  context.subscriptions.push(
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        scheduleStatus(0);
      }
    }),
  );
  try {
    await client.start();
  } catch (err: any) {
    output.error(`chant-lsp failed to start: ${err?.message ?? err}`);
    void vscode.window.showErrorMessage(`chant-lsp failed to start: ${err?.message ?? err}. ${INSTALL_HINT}`);
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
  scheduleStatus(0);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('chant', { log: true });
  statusItem = vscode.window.createStatusBarItem('chant.spec', vscode.StatusBarAlignment.Left, 100);
  statusItem.name = 'chant spec';
  statusItem.command = 'chant.spec.menu';
  context.subscriptions.push(output, statusItem);

  const register = (id: string, fn: () => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  register('chant.spec.work', () => runOnActiveSpec('chant.work'));
  register('chant.spec.approve', () => runOnActiveSpec('chant.approve'));
  register('chant.spec.reject', () => runOnActiveSpec('chant.reject'));
  register('chant.spec.applyAgentChanges', () => runOnActiveSpec('chant.applyAgentChanges'));
  register('chant.server.restart', () => restart(context));
  register('chant.server.showOutput', () => output.show(true));
  register('chant.spec.menu', () => specMenu());

  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(() => scheduleStatus(0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) {
        scheduleStatus();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.info('workspace trusted: chant commands enabled');
      sendSettings();
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
