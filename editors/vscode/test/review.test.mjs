// Unit tests of the review's pure helpers (src/review.ts): what the
// multi-file diff editor compares, the `chant-review:` URIs' queries, what a
// side shows. No VS Code needed:
//   node --test editors/vscode/test/review.test.mjs
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'chant-vscode-review-'));
test.after(() => fs.rmSync(out, { recursive: true, force: true }));
await esbuild.build({
  entryPoints: [path.join(here, '../src/review.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outdir: out,
  logLevel: 'error',
});
const require = createRequire(import.meta.url);
const { comparisons, fileAtParams, sideQuery, sideText, reviewTitle, isLogUri } = require(path.join(out, 'review.js'));

const answer = {
  root: 'file:///w/my%20project',
  spec: 'file:///w/my%20project/.chant/specs/x.md',
  shown: true,
  review: {
    id: 'x',
    branch: 'chant/x',
    main: 'main',
    base: 'b'.repeat(40),
    head: 'h'.repeat(40),
    files: [
      { path: 'src/new file.rs', status: 'added', role: 'work', insertions: 1, deletions: 0, binary: false },
      { path: '.chant/specs/x.md', status: 'modified', role: 'spec', insertions: 1, deletions: 1, binary: false },
      { path: '.chant/specs/y.md', status: 'deleted', role: 'deletedSpec', insertions: 0, deletions: 9, binary: false },
    ],
    deletedSpecs: ['.chant/specs/y.md'],
    message: 'Review of spec x',
  },
  next: [],
};

test('each changed file is compared at the merge base and the branch (an added file has no left side); deleted specs are left out', () => {
  const side = (rev, p) => ({ root: answer.root, spec: 'x', rev, path: p });
  assert.deepEqual(comparisons(answer), [
    {
      resource: 'file:///w/my%20project/src/new%20file.rs',
      original: undefined,
      modified: side('h'.repeat(40), 'src/new file.rs'),
    },
    {
      resource: 'file:///w/my%20project/.chant/specs/x.md',
      original: side('b'.repeat(40), '.chant/specs/x.md'),
      modified: side('h'.repeat(40), '.chant/specs/x.md'),
    },
  ]);
  assert.equal(reviewTitle(answer), 'Review x (chant/x against main)');
});

test('a chant-review: URI names what chant/fileAt is asked', () => {
  const params = { root: 'file:///w/a&b', spec: 'x', rev: 'chant/x', path: 'src/a b.rs' };
  assert.deepEqual(fileAtParams('/src/a b.rs', sideQuery(params)), params);
  assert.equal(fileAtParams('/src/a.rs', 'root=file%3A%2F%2F%2Fw'), undefined);
});

test('what a side shows', () => {
  assert.equal(sideText({ kind: 'text', text: 'a\n' }), 'a\n');
  assert.equal(sideText({ kind: 'missing' }), '');
  assert.equal(sideText({ kind: 'binary', size: 12 }), '(a binary file of 12 bytes: not shown)\n');
  assert.equal(sideText({ kind: 'tooLarge', size: 9000000 }), '(a file of 9000000 bytes: too large to show here)\n');
  assert.ok(isLogUri('file:///w/.chant/logs/x.log'));
  assert.ok(!isLogUri('file:///w/.chant/specs/x.md'));
});
