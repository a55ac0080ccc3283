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

/** A letter grade of chant's, A (best) to D. */
export type Grade = 'A' | 'B' | 'C' | 'D';

/** chant's traffic light for a spec (`chant lint --verbose`). */
export type Light = 'Ready' | 'Review' | 'Refine';

/** chant's quality grades of a spec, in chant's letters (see docs/lsp-extensions.md). */
export interface Quality {
  light: Light;
  complexity: Grade;
  confidence: Grade;
  splittability: Grade;
  acQuality: Grade;
  /** Only for a spec with members. */
  isolation: Grade | null;
  /** "Refine: complexity D (12 criteria)". */
  summary: string;
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
  /** chant's grades; null when chant cannot read the spec (absent: an older server). */
  quality?: Quality | null;
}

export const SPEC_STATUS_REQUEST = 'chant/specStatus';

const ICONS: Record<string, string> = {
  ready: '$(play-circle)',
  refused: '$(stop-circle)',
  blocked: '$(debug-pause)',
  needs_approval: '$(person)',
  rejected: '$(thumbsdown)',
  in_progress: '$(sync~spin)',
  completed: '$(pass)',
  cancelled: '$(circle-slash)',
  failed: '$(error)',
  unreadable: '$(warning)',
};

/** chant's own signs for its lights (`chant lint --verbose`). */
const LIGHTS: Record<string, string> = { Ready: '🟢', Review: '🟡', Refine: '🔴' };

/** `🔴 Refine`: the light as chant prints it. */
export function lightText(q: Quality): string {
  return `${LIGHTS[q.light] ?? '⚪'} ${q.light}`;
}

/**
 * `Complexity: D | Confidence: C | Splittable: C | AC Quality: A`: the
 * grades as `chant lint --verbose` prints them after the light (Isolation,
 * for a spec with members, before AC Quality).
 */
export function gradesText(q: Quality): string {
  return (
    `Complexity: ${q.complexity} | Confidence: ${q.confidence} | Splittable: ${q.splittability}` +
    (q.isolation ? ` | Isolation: ${q.isolation}` : '') +
    ` | AC Quality: ${q.acQuality}`
  );
}

/** Markdown lines for a tooltip: the light with chant's summary, then the grades. */
export function qualityTooltip(q: Quality): string {
  return `${LIGHTS[q.light] ?? '⚪'} ${q.summary}\n\n${gradesText(q)}`;
}

/** Where the work is done or going on, the light says nothing more (the server's lens row leaves it out too). */
const NO_LIGHT = new Set(['completed', 'cancelled', 'in_progress']);

/** `🔴 Refine` for a spec `chant work` could still run, else undefined (no grades, or done or going on). */
export function specLight(s: Pick<SpecStatus, 'quality' | 'readiness' | 'running'>): string | undefined {
  return s.quality && !s.running && !NO_LIGHT.has(s.readiness) ? lightText(s.quality) : undefined;
}

/** `$(debug-pause) blocked · 1/2 · 🟡 Review`: the readiness, criteria progress and chant's light. */
export function statusText(s: SpecStatus): string {
  const icon = s.running ? '$(sync~spin)' : (ICONS[s.readiness] ?? '$(checklist)');
  const readiness = s.readiness.replace(/_/g, ' ');
  const shown = specLight(s);
  const light = shown ? ` · ${shown}` : '';
  return `${icon} ${readiness} · ${s.criteria.checked}/${s.criteria.total}${light}`;
}

/** The tooltip: the spec, its status, why it stands where it does, and chant's grades. */
export function statusTooltip(s: SpecStatus): string {
  return (
    `chant spec \`${s.id}\`${s.title ? ` — ${s.title}` : ''}\n\n` +
    `status \`${s.status}\` · ${s.reason} · ${s.criteria.checked} of ${s.criteria.total} acceptance criteria checked` +
    (s.listNote ? `\n\n${s.listNote}` : '') +
    (s.quality ? `\n\n${qualityTooltip(s.quality)}` : '') +
    '\n\nClick for the chant commands.'
  );
}
