// A --ref that names no commit: every command that reads a revision says which ref, where, and what
// to give instead, and exits 2, never with an "internal error" and a stack.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { EXAMPLE } from '../golden/scenarios.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envsync-git-errors-'));
  cpSync(EXAMPLE, dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'x'], { cwd: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each([
  ['run', ['run', 'payments/dev', '.', '--ref', 'nope', '--dry-run']],
  ['system apply', ['system', 'apply', '.', '--ref', 'nope', '--store', ':memory:']],
])('%s --ref nope says the ref is not a commit, and exits 2', async (_name, args) => {
  let stderr = '';
  const code = await main(args, { cwd: dir, stdout: () => undefined, stderr: (t) => (stderr += t) });
  expect(code).toBe(2);
  expect(stderr).toBe(`envsync: "nope" is not a commit in the git repository at ${dir}: give a branch, tag or commit that exists (git log shows them)\n`);
});
