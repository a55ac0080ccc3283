// The project's specs as the server lists them (`chant/specList`), grouped
// for the "chant" view in the Explorer. Pure (no `vscode` import).

import { canTokens } from './actions';
import { qualityTooltip, SpecStatus, specLight } from './specStatus';

export const SPEC_LIST_REQUEST = 'chant/specList';
export const SPEC_LIST_CHANGED = 'chant/specListChanged';

/** One spec of `chant/specList`: its `chant/specStatus` answer, its file and labels. */
export interface SpecListItem extends SpecStatus {
  uri: string;
  labels: string[];
}

export interface ProjectSpecs {
  /** The folder holding `.chant/`, as a URI. */
  root: string;
  name?: string | null;
  specs: SpecListItem[];
}

export interface SpecListResult {
  projects: ProjectSpecs[];
}

/** The groups of the view, in this order; other readiness values follow, by name. */
export const GROUP_ORDER = ['ready', 'refused', 'blocked', 'in_progress', 'needs_approval', 'failed', 'completed'];

const GROUP_LABELS: Record<string, string> = {
  ready: 'Ready',
  refused: 'Refused',
  blocked: 'Blocked',
  in_progress: 'In Progress',
  needs_approval: 'Needs Approval',
  failed: 'Failed',
  completed: 'Completed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  unreadable: 'Unreadable',
};

export function groupLabel(readiness: string): string {
  return GROUP_LABELS[readiness] ?? readiness.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

export interface SpecGroup {
  readiness: string;
  label: string;
  specs: SpecListItem[];
}

/** The specs grouped by readiness (GROUP_ORDER first, then the others by name), each group by ID. */
export function groupSpecs(specs: SpecListItem[]): SpecGroup[] {
  const byReadiness = new Map<string, SpecListItem[]>();
  for (const s of specs) {
    const list = byReadiness.get(s.readiness) ?? [];
    list.push(s);
    byReadiness.set(s.readiness, list);
  }
  const others = [...byReadiness.keys()].filter((r) => !GROUP_ORDER.includes(r)).sort();
  return [...GROUP_ORDER, ...others]
    .filter((r) => byReadiness.has(r))
    .map((r) => ({
      readiness: r,
      label: groupLabel(r),
      specs: byReadiness.get(r)!.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    }));
}

/** The tree item's label: the title, else the ID. */
export function specLabel(s: SpecListItem): string {
  return s.title && s.title.trim() ? s.title : s.id;
}

/**
 * Beside the label: `🟡 Review · pending · 1/2 · 2026-01-02-001-abc`
 * (chant's light first: a narrow view cuts the end; none once the work is
 * done or going on).
 */
export function specDescription(s: SpecListItem): string {
  const running = s.running ? 'running · ' : '';
  const shown = specLight(s);
  const light = shown ? `${shown} · ` : '';
  return `${running}${light}${s.status} · ${s.criteria.checked}/${s.criteria.total} · ${s.id}`;
}

/** The tooltip (Markdown): ID, title, status, the reason it stands where it does, chant's grades. */
export function specTooltip(s: SpecListItem): string {
  const labels = s.labels.length ? `\n\nlabels: ${s.labels.map((l) => `\`${l}\``).join(', ')}` : '';
  return (
    `**${specLabel(s)}**\n\n` +
    `\`${s.id}\` · status \`${s.status}\` · ${s.readiness.replace(/_/g, ' ')}\n\n` +
    `${s.reason}` +
    (s.listNote ? `\n\n${s.listNote}` : '') +
    (s.quality ? `\n\n${qualityTooltip(s.quality)}` : '') +
    labels
  );
}

/** The tree item's contextValue: `chant-spec can-work can-approve ...`. */
export function specContextValue(s: SpecListItem): string {
  const can = canTokens(s);
  return can ? `chant-spec ${can}` : 'chant-spec';
}

/** The project a file URI belongs to (the longest root that holds it). */
export function projectOf(projects: ProjectSpecs[], uri: string): ProjectSpecs | undefined {
  const within = projects.filter((p) => uri === p.root || uri.startsWith(p.root.endsWith('/') ? p.root : `${p.root}/`));
  within.sort((a, b) => b.root.length - a.root.length);
  return within[0];
}

/** Every label of a project's specs, sorted, once each. */
export function labelsOf(project: ProjectSpecs): string[] {
  return [...new Set(project.specs.flatMap((s) => s.labels ?? []))].sort();
}
