// The status of a spec for the status bar, as the server reports it
// (`chant/specStatus`): the extension parses neither specs nor lens titles.

/** One command of a spec, as the server offers it. */
export interface SpecCommand {
  command: string;
  title: string;
  arguments: unknown[];
  enabled: boolean;
  reason?: string | null;
}

/** The `chant/specStatus` result (see docs/lsp-extensions.md). */
export interface SpecStatus {
  id: string;
  title?: string | null;
  status: string;
  type: string;
  readiness: string;
  reason: string;
  /** Where `chant list` shows the spec otherwise than `chant work` sees it. */
  listNote?: string;
  criteria: { checked: number; total: number };
  running: boolean;
  commands: SpecCommand[];
}

export const SPEC_STATUS_REQUEST = 'chant/specStatus';

const ICONS: Record<string, string> = {
  ready: '$(play-circle)',
  blocked: '$(debug-pause)',
  needs_approval: '$(person)',
  rejected: '$(thumbsdown)',
  in_progress: '$(sync~spin)',
  completed: '$(pass)',
  cancelled: '$(circle-slash)',
  failed: '$(error)',
  unreadable: '$(warning)',
};

/** `$(debug-pause) blocked · 1/2`: the readiness and criteria progress. */
export function statusText(s: SpecStatus): string {
  const icon = s.running ? '$(sync~spin)' : (ICONS[s.readiness] ?? '$(checklist)');
  const readiness = s.readiness.replace(/_/g, ' ');
  return `${icon} ${readiness} · ${s.criteria.checked}/${s.criteria.total}`;
}

/** The tooltip: the spec, its status and why it stands where it does. */
export function statusTooltip(s: SpecStatus): string {
  return (
    `chant spec \`${s.id}\`${s.title ? ` — ${s.title}` : ''}\n\n` +
    `status \`${s.status}\` · ${s.reason} · ${s.criteria.checked} of ${s.criteria.total} acceptance criteria checked` +
    (s.listNote ? `\n\n${s.listNote}` : '') +
    '\n\nClick for the chant commands.'
  );
}
