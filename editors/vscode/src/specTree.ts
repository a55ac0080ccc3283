// The "chant" view in the Explorer: the project's specs grouped by
// readiness, fed only by the server's `chant/specList` and refreshed on
// `chant/specListChanged`. A click opens the spec; Work, Approve and Merge
// are inline buttons where the server says they are enabled.

import * as vscode from 'vscode';
import {
  groupSpecs,
  ProjectSpecs,
  SpecGroup,
  SpecListItem,
  specContextValue,
  specDescription,
  specLabel,
  specTooltip,
} from './specList';

export type Node =
  | { kind: 'project'; project: ProjectSpecs }
  | { kind: 'group'; project: ProjectSpecs; group: SpecGroup }
  | { kind: 'spec'; project: ProjectSpecs; spec: SpecListItem };

const ICONS: Record<string, string> = {
  ready: 'play-circle',
  refused: 'stop-circle',
  blocked: 'debug-pause',
  in_progress: 'sync',
  needs_approval: 'person',
  failed: 'error',
  completed: 'pass',
  rejected: 'thumbsdown',
  cancelled: 'circle-slash',
  unreadable: 'warning',
};

export class SpecTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The last answer of `chant/specList` (undefined: none yet). */
  projects: ProjectSpecs[] | undefined;
  view: vscode.TreeView<Node> | undefined;

  /**
   * @param list asks the server for `chant/specList`; returns undefined
   *   when it cannot answer (no server), throws the server's error.
   */
  constructor(private readonly list: () => Promise<ProjectSpecs[] | undefined>) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(
          node.project.name || vscode.Uri.parse(node.project.root).path.split('/').pop() || node.project.root,
          vscode.TreeItemCollapsibleState.Expanded,
        );
        item.contextValue = 'chant-project';
        item.iconPath = new vscode.ThemeIcon('folder');
        item.tooltip = vscode.Uri.parse(node.project.root).fsPath;
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(
          `${node.group.label} (${node.group.specs.length})`,
          vscode.TreeItemCollapsibleState.Expanded,
        );
        item.id = `${node.project.root}#${node.group.readiness}`;
        item.contextValue = 'chant-group';
        item.iconPath = new vscode.ThemeIcon(ICONS[node.group.readiness] ?? 'circle-outline');
        return item;
      }
      case 'spec': {
        const s = node.spec;
        const uri = vscode.Uri.parse(s.uri);
        const item = new vscode.TreeItem(specLabel(s), vscode.TreeItemCollapsibleState.None);
        item.id = s.uri;
        item.resourceUri = uri;
        item.description = specDescription(s);
        item.tooltip = new vscode.MarkdownString(specTooltip(s));
        item.contextValue = specContextValue(s);
        item.iconPath = new vscode.ThemeIcon(s.running ? 'sync~spin' : (ICONS[s.readiness] ?? 'circle-outline'));
        item.command = { command: 'vscode.open', title: 'Open Spec', arguments: [uri] };
        return item;
      }
    }
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      let projects: ProjectSpecs[] | undefined;
      try {
        projects = await this.list();
      } catch (err: any) {
        this.projects = undefined;
        this.setMessage(
          err?.code === -32601
            ? 'This chant-lsp has no chant/specList yet: update the server to see the specs here.'
            : `chant/specList failed: ${err?.message ?? err}`,
        );
        return [];
      }
      this.projects = projects;
      if (!projects) {
        this.setMessage('chant-lsp is not running (see chant: Show Output).');
        return [];
      }
      const specs = projects.reduce((n, p) => n + p.specs.length, 0);
      this.setMessage(specs === 0 ? 'No specs yet: chant: New Spec... adds one.' : undefined);
      if (projects.length === 1) {
        return this.groups(projects[0]);
      }
      return projects.map((project) => ({ kind: 'project', project }));
    }
    if (node.kind === 'project') {
      return this.groups(node.project);
    }
    if (node.kind === 'group') {
      return node.group.specs.map((spec) => ({ kind: 'spec', project: node.project, spec }));
    }
    return [];
  }

  private groups(project: ProjectSpecs): Node[] {
    return groupSpecs(project.specs).map((group) => ({ kind: 'group', project, group }));
  }

  private setMessage(message: string | undefined): void {
    if (this.view) {
      this.view.message = message;
    }
  }
}
