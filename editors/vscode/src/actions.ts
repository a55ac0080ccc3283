// The chant actions of the extension and which of the server's offers each
// one runs. Pure (no `vscode` import): the unit tests check it directly.
//
// The server says, for a spec, which commands it offers and whether each is
// enabled now (`chant/specStatus`, and every spec of `chant/specList`); the
// extension never decides that itself. An action is enabled exactly when an
// offer it matches is enabled, and runs that offer's command with that
// offer's arguments.

import { SpecCommand, SpecStatus } from './specStatus';

/** The options object of an offer (its second argument), or {}. */
function options(c: SpecCommand): Record<string, unknown> {
  const o = c.arguments?.[1];
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>) : {};
}

/** An action on one spec. */
export interface SpecAction {
  /** Context key suffix: `chant.can.<key>`; also the tree item's `can-<key>`. */
  key: string;
  /** The VS Code command. */
  id: string;
  /** Its title in the palette (category "chant") and menus. */
  title: string;
  /** The server command it runs. */
  server: string;
  /** Whether an offer of the server is this action. */
  matches(c: SpecCommand): boolean;
}

const is = (server: string, test: (o: Record<string, unknown>) => boolean = () => true) =>
  (c: SpecCommand) => c.command === server && test(options(c));

/** Every action on a spec, in menu order. */
export const SPEC_ACTIONS: SpecAction[] = [
  { key: 'work', id: 'chant.spec.work', title: 'Work Spec', server: 'chant.work',
    matches: is('chant.work', (o) => !o.prompt && !o.skipQuality) },
  { key: 'workWithPrompt', id: 'chant.spec.workWithPrompt', title: 'Work with Prompt...', server: 'chant.work',
    matches: is('chant.work', (o) => typeof o.prompt === 'string' && !o.skipQuality) },
  { key: 'workAnyway', id: 'chant.spec.workAnyway', title: 'Work Anyway (Skip the Quality Check)', server: 'chant.work',
    matches: is('chant.work', (o) => o.skipQuality === true) },
  { key: 'approve', id: 'chant.spec.approve', title: 'Approve Spec', server: 'chant.approve', matches: is('chant.approve') },
  { key: 'reject', id: 'chant.spec.reject', title: 'Reject Spec...', server: 'chant.reject', matches: is('chant.reject') },
  { key: 'merge', id: 'chant.spec.merge', title: 'Merge Branch', server: 'chant.merge', matches: is('chant.merge') },
  { key: 'archive', id: 'chant.spec.archive', title: 'Archive Spec', server: 'chant.archive', matches: is('chant.archive') },
  { key: 'reset', id: 'chant.spec.reset', title: 'Reset Spec', server: 'chant.reset',
    matches: is('chant.reset', (o) => !o.work) },
  { key: 'resetAndWork', id: 'chant.spec.resetAndWork', title: 'Reset and Work', server: 'chant.reset',
    matches: is('chant.reset', (o) => o.work === true) },
  { key: 'cancel', id: 'chant.spec.cancel', title: 'Cancel Spec', server: 'chant.cancel',
    matches: is('chant.cancel', (o) => !o.delete) },
  { key: 'delete', id: 'chant.spec.delete', title: 'Delete Spec...', server: 'chant.cancel',
    matches: is('chant.cancel', (o) => o.delete === true) },
  { key: 'verify', id: 'chant.spec.verify', title: 'Verify Spec', server: 'chant.verify', matches: is('chant.verify') },
  { key: 'split', id: 'chant.spec.split', title: 'Split Spec', server: 'chant.split', matches: is('chant.split') },
  { key: 'showLog', id: 'chant.spec.showLog', title: 'Show Agent Log', server: 'chant.showLog', matches: is('chant.showLog') },
  { key: 'applyAgentChanges', id: 'chant.spec.applyAgentChanges', title: 'Apply Agent Changes',
    server: 'chant.applyAgentChanges', matches: is('chant.applyAgentChanges') },
  { key: 'review', id: 'chant.spec.review', title: 'Review Changes', server: 'chant.review', matches: is('chant.review') },
];

/** Actions on a project (the folder holding `.chant/`). */
export const PROJECT_ACTIONS = [
  { key: 'add', id: 'chant.project.add', title: 'New Spec...', server: 'chant.add' },
  { key: 'mergeAll', id: 'chant.project.mergeAll', title: 'Merge All', server: 'chant.mergeAll' },
  { key: 'archiveByLabel', id: 'chant.project.archiveByLabel', title: 'Archive by Label...', server: 'chant.archiveByLabel' },
];

/** What an action can do on a spec now. */
export interface Availability {
  enabled: boolean;
  /** The offers it runs (enabled ones first); empty when the server offers none. */
  offers: SpecCommand[];
  /** Why it is not enabled (the server's words). */
  reason?: string;
}

/**
 * The offer "Work Anyway" runs when the server has no offer of its own with
 * `skipQuality`: the plain work offer's arguments plus `skipQuality`, only
 * where the server says the spec is `ready` (its status, dependencies and
 * approval allow work) and yet refuses plain Work, which is then chant's
 * quality gate or another check of the spec's own; nothing runs for the spec.
 * The server still decides when it runs.
 */
function workAnyway(status: Pick<SpecStatus, 'commands' | 'running' | 'readiness'>): SpecCommand | undefined {
  const work = status.commands.find(SPEC_ACTIONS[0].matches);
  if (!work || work.enabled || status.running || status.readiness !== 'ready') {
    return undefined;
  }
  const [uri, opts] = work.arguments ?? [];
  return {
    command: 'chant.work',
    title: 'Work anyway (skip the quality check)',
    arguments: [uri, { ...(typeof opts === 'object' && opts !== null ? opts : {}), skipQuality: true }],
    enabled: true,
    reason: null,
  };
}

/** What each spec action can do, from the server's offers for the spec. */
export function availability(status: Pick<SpecStatus, 'commands' | 'running' | 'readiness'>): Record<string, Availability> {
  const out: Record<string, Availability> = {};
  for (const action of SPEC_ACTIONS) {
    const offers = status.commands.filter((c) => action.matches(c));
    offers.sort((a, b) => Number(b.enabled) - Number(a.enabled));
    if (action.key === 'workAnyway' && offers.length === 0) {
      const synthesized = workAnyway(status);
      if (synthesized) {
        offers.push(synthesized);
      }
    }
    const enabled = offers.some((o) => o.enabled);
    const refused = offers.find((o) => !o.enabled && o.reason);
    out[action.key] = {
      enabled,
      offers,
      reason: enabled ? undefined : (refused?.reason ?? undefined),
    };
  }
  return out;
}

/** `can-work can-approve ...`: the enabled actions, for a tree item's contextValue. */
export function canTokens(status: Pick<SpecStatus, 'commands' | 'running' | 'readiness'>): string {
  const a = availability(status);
  return SPEC_ACTIONS.filter((action) => a[action.key].enabled)
    .map((action) => `can-${action.key}`)
    .join(' ');
}

/** The prompt of a "Work with prompt" offer. */
export function promptOf(c: SpecCommand): string | undefined {
  const p = options(c).prompt;
  return typeof p === 'string' ? p : undefined;
}

/** One prompt "Work with…" offers: its name and the server's offer that runs it. */
export interface PromptChoice {
  prompt: string;
  offer: SpecCommand;
}

/**
 * What "Work with…" offers for a spec: each enabled "Work with prompt X"
 * offer of the server (`chant.work` with a `prompt`), in the server's order;
 * none, with the server's reason, when it enables none.
 */
export function promptChoices(
  status: Pick<SpecStatus, 'commands' | 'running' | 'readiness' | 'id'>,
): { choices: PromptChoice[]; reason: string } {
  const a = availability(status).workWithPrompt;
  const choices = a.offers
    .filter((o) => o.enabled)
    .flatMap((offer) => {
      const prompt = promptOf(offer);
      return prompt === undefined ? [] : [{ prompt, offer }];
    });
  return { choices, reason: a.reason ?? `no prompt to work spec ${status.id} with.` };
}

/** chant's spec types, as `chant.add` takes them (code first: chant's default). */
export const SPEC_TYPES = ['code', 'task', 'research', 'documentation', 'driver', 'group'];

/** Labels typed as `a, b , c` → ['a', 'b', 'c'] (empty items dropped, duplicates once). */
export function parseLabels(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const label = part.trim();
    if (label && !out.includes(label)) {
      out.push(label);
    }
  }
  return out;
}

/** The `chant.add` options from what the user answered. */
export function addOptions(answers: {
  title: string;
  type?: string;
  prompt?: string;
  labels?: string;
  needsApproval?: boolean;
}): Record<string, unknown> {
  const o: Record<string, unknown> = { title: answers.title.trim() };
  if (answers.type) {
    o.type = answers.type;
  }
  if (answers.prompt) {
    o.prompt = answers.prompt;
  }
  const labels = parseLabels(answers.labels ?? '');
  if (labels.length > 0) {
    o.labels = labels;
  }
  if (answers.needsApproval) {
    o.needsApproval = true;
  }
  return o;
}
