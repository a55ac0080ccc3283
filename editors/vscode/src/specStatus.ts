// The status of a spec for the status bar: from the server's code lens on
// the title line (`pending · 1/2`), else parsed from the buffer with chant's
// own rules (chant.md section 3) as a fallback.

export interface SpecStatus {
  status: string;
  checked: number;
  total: number;
  /** Where it came from: the server's code lens or the extension's parser. */
  source: 'server' | 'buffer';
}

/** Reads `pending · 1/2` (a code lens title). */
export function parseLensTitle(title: string): SpecStatus | undefined {
  const m = /^\s*([a-z_]+)\s*·\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(title);
  if (!m) {
    return undefined;
  }
  return { status: m[1], checked: Number(m[2]), total: Number(m[3]), source: 'server' };
}

/**
 * The fallback: the frontmatter's `status:` (default `pending`) and the
 * checkboxes of the last `## Acceptance Criteria` section outside a code
 * fence, counted as chant counts them (`- [ ]` unchecked, `- [x]`/`- [X]`
 * checked, any number on a line).
 */
export function parseSpecText(text: string): SpecStatus {
  const trimmed = text.trim();
  let status = 'pending';
  let body = trimmed;
  if (trimmed.startsWith('---')) {
    const close = trimmed.indexOf('---', 3);
    if (close >= 0) {
      const yaml = trimmed.slice(3, close);
      const m = /^status:\s*['"]?([A-Za-z_]+)['"]?\s*(#.*)?$/m.exec(yaml);
      if (m) {
        status = m[1];
      }
      body = trimmed.slice(close + 3);
    }
  }
  const lines = body.split(/\r\n|\r|\n/);
  let inFence = false;
  let start = -1;
  const fenced: boolean[] = [];
  lines.forEach((line, i) => {
    if (line.trimStart().startsWith('```')) {
      inFence = !inFence;
      fenced[i] = true;
      return;
    }
    fenced[i] = inFence;
    if (!inFence && line.startsWith('## Acceptance Criteria')) {
      start = i;
    }
  });
  let checked = 0;
  let unchecked = 0;
  if (start >= 0) {
    for (let i = start + 1; i < lines.length; i++) {
      if (!fenced[i] && lines[i].startsWith('## ')) {
        break;
      }
      if (fenced[i]) {
        continue;
      }
      unchecked += lines[i].split('- [ ]').length - 1;
      checked += lines[i].split('- [x]').length - 1 + lines[i].split('- [X]').length - 1;
    }
  }
  return { status, checked, total: checked + unchecked, source: 'buffer' };
}

export function statusText(s: SpecStatus): string {
  const icon = s.status === 'completed' ? '$(pass)' : s.status === 'failed' ? '$(error)' : '$(checklist)';
  return `${icon} ${s.status} · ${s.checked}/${s.total}`;
}
