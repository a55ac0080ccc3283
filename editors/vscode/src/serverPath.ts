// Finding the chant-lsp executable: the `chant.server.path` setting, else
// the binary bundled in a platform-specific .vsix (`server/chant-lsp`), else
// `chant-lsp` on PATH.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const INSTALL_HINT =
  'Install the chant-lsp extension built for your platform (it carries the server), ' +
  'or install the server with `cargo install --path .` in a chant-lsp checkout (it lands in ~/.cargo/bin), ' +
  'or set `chant.server.path` to the chant-lsp executable.';

/** For a `chant.server.path` that names nothing runnable. */
export const SETTING_HINT =
  'Correct `chant.server.path`, or clear it to use the chant-lsp this extension carries (platform builds) ' +
  'or the one on PATH.';

export type Resolved = { ok: true; path: string } | { ok: false; message: string };

function isExecutableFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform === 'win32') {
      return true;
    }
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function expandHome(p: string): string {
  if (p === '~' || p.startsWith('~/')) {
    return path.join(os.homedir(), p.slice(1));
  }
  return p;
}

/** Searches `name` in the folders of PATH (and ~/.cargo/bin, where `cargo install` puts it). */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  const dirs = envPath.split(path.delimiter).filter((d) => d !== '');
  dirs.push(path.join(os.homedir(), '.cargo', 'bin'));
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutableFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/**
 * The server binary a platform-specific .vsix carries, made executable if
 * unpacking lost its mode. Undefined when this build of the extension has none.
 */
export function bundledServer(extensionDir: string | undefined): string | undefined {
  if (!extensionDir) {
    return undefined;
  }
  const p = path.join(extensionDir, 'server', process.platform === 'win32' ? 'chant-lsp.exe' : 'chant-lsp');
  try {
    if (!fs.statSync(p).isFile()) {
      return undefined;
    }
  } catch {
    return undefined;
  }
  if (!isExecutableFile(p)) {
    try {
      fs.chmodSync(p, 0o755);
    } catch {
      // A read-only install: isExecutableFile below reports it.
    }
  }
  return p;
}

/**
 * The server executable, in this order: `setting` when given (relative paths
 * are taken from the first workspace folder; a setting that names nothing
 * runnable is an error, never silently replaced), else `bundled` (the
 * platform .vsix's own binary), else `chant-lsp` on PATH (and ~/.cargo/bin).
 */
export function resolveServerPath(setting: string | undefined, workspaceFolder?: string, bundled?: string): Resolved {
  const configured = (setting ?? '').trim();
  if (configured !== '') {
    let p = expandHome(configured);
    if (!path.isAbsolute(p) && workspaceFolder && p.includes(path.sep)) {
      p = path.join(workspaceFolder, p);
    }
    if (!p.includes(path.sep)) {
      const found = findOnPath(p);
      if (found) {
        return { ok: true, path: found };
      }
      return { ok: false, message: `chant.server.path is "${configured}", which is not on PATH. ${SETTING_HINT}` };
    }
    if (isExecutableFile(p)) {
      return { ok: true, path: p };
    }
    return { ok: false, message: `chant.server.path is "${configured}", which is not an executable file. ${SETTING_HINT}` };
  }
  if (bundled !== undefined) {
    if (isExecutableFile(bundled)) {
      return { ok: true, path: bundled };
    }
    return { ok: false, message: `the chant-lsp bundled with the extension (${bundled}) cannot be run. ${INSTALL_HINT}` };
  }
  const found = findOnPath('chant-lsp');
  if (found) {
    return { ok: true, path: found };
  }
  return { ok: false, message: `chant-lsp was not found on PATH. ${INSTALL_HINT}` };
}
