// A review of an agent's branch as the server gives it (the answer of
// `chant.review`, also sent as `chant/showReview`), and what the extension
// opens from it: each changed file's version at the merge base with the main
// branch beside the agent branch's, read through `chant-review:` URIs that
// `chant/fileAt` answers. Pure (no `vscode` import): the unit tests check it
// directly.

export const REVIEW_SCHEME = 'chant-review';
export const SHOW_REVIEW = 'chant/showReview';
export const FILE_AT = 'chant/fileAt';

export interface ReviewFile {
  /** Relative to the project root. */
  path: string;
  status: 'added' | 'modified' | 'deleted';
  /** `work`, `spec`, `chant` or `deletedSpec`. */
  role: string;
  insertions: number;
  deletions: number;
  binary: boolean;
}

export interface NextStep {
  title: string;
  command: string;
  arguments: unknown[];
}

/** The answer of `chant.review` (see docs/lsp-extensions.md). */
export interface ReviewAnswer {
  /** The review document under the user's cache (unified diff). */
  uri?: string | null;
  /** The project folder's URI. */
  root: string;
  /** The spec's URI. */
  spec: string;
  shown: boolean;
  review: {
    id: string;
    title?: string | null;
    branch: string;
    main: string;
    base: string;
    head: string;
    files: ReviewFile[];
    deletedSpecs: string[];
    message: string;
  };
  next: NextStep[];
}

/** What `chant/fileAt` is asked for one side of a file. */
export interface FileAtParams {
  root: string;
  spec: string;
  rev: string;
  path: string;
}

/** `chant/fileAt`'s answer. */
export type FileAt =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; size: number }
  | { kind: 'tooLarge'; size: number }
  | { kind: 'missing' };

/** The query of a `chant-review:` URI (its path is the file's, for the tab and the language). */
export function sideQuery(p: FileAtParams): string {
  return new URLSearchParams({ root: p.root, spec: p.spec, rev: p.rev }).toString();
}

/** The `chant/fileAt` parameters a `chant-review:` URI names, from its path and query. */
export function fileAtParams(uriPath: string, query: string): FileAtParams | undefined {
  const q = new URLSearchParams(query);
  const [root, spec, rev] = [q.get('root'), q.get('spec'), q.get('rev')];
  const path = uriPath.replace(/^\/+/, '');
  return root && spec && rev && path ? { root, spec, rev, path } : undefined;
}

/** One file to compare: the real file's URI, and what each side shows (none: the file is not there). */
export interface Comparison {
  resource: string;
  original?: FileAtParams;
  modified?: FileAtParams;
}

/**
 * The files of the multi-file diff editor, in the server's order (the
 * agent's work first, then chant's spec files); the specs the branch deletes
 * are left out (the message flags them). An added file has no left side, a
 * deleted one no right side (the editor shows them as added and deleted).
 */
export function comparisons(answer: ReviewAnswer): Comparison[] {
  const root = answer.root.replace(/\/+$/, '');
  const side = (rev: string, path: string): FileAtParams => ({ root: answer.root, spec: answer.review.id, rev, path });
  return answer.review.files
    .filter((f) => f.role !== 'deletedSpec')
    .map((f) => ({
      resource: `${root}/${f.path.split('/').map(encodeURIComponent).join('/')}`,
      original: f.status === 'added' ? undefined : side(answer.review.base, f.path),
      modified: f.status === 'deleted' ? undefined : side(answer.review.head, f.path),
    }));
}

/** The text a side shows: the file, or why it is not shown. */
export function sideText(content: FileAt): string {
  switch (content.kind) {
    case 'text':
      return content.text;
    case 'binary':
      return `(a binary file of ${content.size} bytes: not shown)\n`;
    case 'tooLarge':
      return `(a file of ${content.size} bytes: too large to show here)\n`;
    default:
      return '';
  }
}

/** The multi-file diff editor's title. */
export function reviewTitle(answer: ReviewAnswer): string {
  return `Review ${answer.review.id} (${answer.review.branch} against ${answer.review.main})`;
}

/** Whether a URI names an agent's log, `.chant/logs/<id>.log`. */
export function isLogUri(uri: string): boolean {
  return /\/\.chant\/logs\/[^/]+\.log$/.test(uri);
}
