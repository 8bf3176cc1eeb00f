// Reads the spec files of one revision of a local git repository: one `git ls-tree` to list them
// with their sizes, one `git cat-file --batch` to read every blob, whatever the number of files.
import { spawnSync } from 'node:child_process';
import type { SourceFile } from './source.js';
import { layoutRoot } from './layout.js';

export interface GitReadOptions {
  root: string;
  maxFileBytes: number;
}

export class GitError extends Error {}

const SPEC_EXTENSION = /\.ya?ml$/;
const MAX_OUTPUT = 2 ** 31 - 1;

function git(cwd: string, args: string[], input?: string): Buffer {
  const run = spawnSync('git', args, { cwd, input, maxBuffer: MAX_OUTPUT });
  if (run.error) throw new GitError(`cannot run git: ${run.error.message}`);
  if (run.status !== 0) throw new GitError(`git ${args.join(' ')} failed: ${run.stderr.toString().trim()}`);
  return run.stdout;
}

/** The commit a ref names, in full; throws a GitError that says what to do when it names none. */
export function resolveRevision(dir: string, ref: string): string {
  try {
    return git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).toString().trim();
  } catch {
    throw new GitError(`"${ref}" is not a commit in the git repository at ${dir}: give a branch, tag or commit that exists (git log shows them)`);
  }
}

/** The spec files under `<root>/projects/` at `ref`, with paths relative to `dir` (which may be a subfolder). */
export function readGitRevision(dir: string, ref: string, options: GitReadOptions): SourceFile[] {
  const commit = resolveRevision(dir, ref);
  const root = layoutRoot(options.root);
  const projects = root === '' ? 'projects' : `${root}/projects`;
  // -z: paths verbatim; -l: sizes, so that oversized blobs are never read. Paths are relative to `dir`.
  const listing = git(dir, ['ls-tree', '-r', '-l', '-z', commit, '--', projects]).toString('utf8');
  const files: SourceFile[] = [];
  const wanted: { sha: string; index: number }[] = [];
  for (const record of listing.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/) as [string, string, string, string];
    const path = record.slice(tab + 1);
    if (type !== 'blob') continue;
    if (mode === '120000') {
      files.push({ path, size: 0, skipped: 'symbolic link, not followed' });
      continue;
    }
    const bytes = Number(size);
    if (SPEC_EXTENSION.test(path) && bytes <= options.maxFileBytes) wanted.push({ sha, index: files.length });
    files.push({ path, size: bytes });
  }
  if (wanted.length > 0) {
    const output = git(dir, ['cat-file', '--batch'], wanted.map((w) => w.sha).join('\n') + '\n');
    let offset = 0;
    for (const { index } of wanted) {
      const headerEnd = output.indexOf(0x0a, offset);
      const size = Number(output.subarray(offset, headerEnd).toString('latin1').split(' ')[2]);
      const content = output.subarray(headerEnd + 1, headerEnd + 1 + size);
      files[index] = { ...files[index]!, content };
      offset = headerEnd + 1 + size + 1;
    }
  }
  return files;
}
