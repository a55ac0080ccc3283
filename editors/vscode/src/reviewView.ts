// "Review Changes" in VS Code: the server's review (`chant/showReview`)
// opened in the multi-file diff editor (`vscode.changes`), each file's
// version at the merge base beside the agent branch's through the
// extension's read-only content provider for `chant-review:` URIs
// (`chant/fileAt`); the next steps as the buttons of a message. And the
// agent's log, read-only and kept at its end while it grows.

import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import {
  comparisons,
  FILE_AT,
  FileAt,
  FileAtParams,
  fileAtParams,
  isLogUri,
  REVIEW_SCHEME,
  reviewTitle,
  ReviewAnswer,
  sideQuery,
  sideText,
} from './review';

/** The sides of a review, read from the server (never from disk or git by the extension). */
export class ReviewContent implements vscode.TextDocumentContentProvider {
  constructor(private readonly client: () => LanguageClient | undefined) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const params = fileAtParams(uri.path, uri.query);
    const c = this.client();
    if (!params || !c) {
      return c ? '(not a file of a chant review)\n' : '(chant-lsp is not running)\n';
    }
    try {
      return sideText(await c.sendRequest<FileAt>(FILE_AT, params));
    } catch (err: any) {
      return `(chant/fileAt failed: ${err?.message ?? err})\n`;
    }
  }
}

function sideUri(p: FileAtParams | undefined): vscode.Uri | undefined {
  return p && vscode.Uri.from({ scheme: REVIEW_SCHEME, path: `/${p.path}`, query: sideQuery(p) });
}

/**
 * Opens a review in the multi-file diff editor, then offers its next steps
 * (approve, reject, merge, apply) as buttons; `run` runs the chosen one as
 * any chant command (a rejection asks for its reason).
 */
export async function openReview(answer: ReviewAnswer, run: (command: string, args: unknown[]) => Promise<void>): Promise<void> {
  const files = comparisons(answer).map(
    (c) => [vscode.Uri.parse(c.resource), sideUri(c.original), sideUri(c.modified)] as const,
  );
  if (files.length > 0) {
    await vscode.commands.executeCommand('vscode.changes', reviewTitle(answer), files);
  }
  const pick = await vscode.window.showInformationMessage(answer.review.message, ...answer.next.map((n) => n.title));
  const next = answer.next.find((n) => n.title === pick);
  if (next) {
    await run(next.command, next.arguments);
  }
}

/**
 * The agent's logs the server showed ("Show Agent Log"): read-only in the
 * session, and an editor that shows the end of one keeps showing it as the
 * file grows (VS Code reloads a file that changes on disk).
 */
export class LogFollower implements vscode.Disposable {
  private readonly lines = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.lines.delete(d.uri.toString())),
    ];
  }

  /** After window/showDocument: a log becomes followed, at its end. */
  async shown(uri: string): Promise<void> {
    if (!isLogUri(uri)) {
      return;
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.toString() !== vscode.Uri.parse(uri).toString()) {
      return;
    }
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
    this.lines.set(editor.document.uri.toString(), editor.document.lineCount);
    this.reveal(editor);
  }

  private reveal(editor: vscode.TextEditor): void {
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    editor.revealRange(new vscode.Range(end, end), vscode.TextEditorRevealType.Default);
  }

  private changed(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const before = this.lines.get(key);
    if (before === undefined) {
      return;
    }
    this.lines.set(key, doc.lineCount);
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document !== doc) {
        continue;
      }
      // Followed while its end is in sight (the user scrolled up: left alone).
      const seen = editor.visibleRanges.some((r) => r.end.line >= before - 2);
      if (seen) {
        this.reveal(editor);
      }
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) {
      s.dispose();
    }
  }
}
