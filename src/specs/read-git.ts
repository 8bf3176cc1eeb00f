// Reads the spec files of one revision of a local git repository: one `git ls-tree` to list them
// with their sizes, one `git cat-file --batch` to read every blob, whatever the number of files.
import { spawnSync } from 'node:child_process';
import type { SourceFile } from './source.js';
import { isSpecFileName, layoutRoot } from './layout.js';
import { gitLinkTarget, layoutFolders } from './links.js';

export interface GitReadOptions {
  root: string;
  maxFileBytes: number;
}

export class GitError extends Error {}

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

/** A link's target is a path: anything longer is no target a file system would take, and is not read. */
const MAX_LINK_TARGET = 4096;

interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  size: number;
  path: string;
}

/** The entries of `git ls-tree -l -z` output. */
function treeEntries(listing: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of listing.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/) as [string, string, string, string];
    entries.push({ mode, type, sha, size: Number(size), path: record.slice(tab + 1) });
  }
  return entries;
}

/**
 * The spec files under `<root>/projects/` at `ref`, with paths relative to `dir` (which may be a
 * subfolder). A symbolic link (a blob of mode 120000) is never followed: it comes back as a file to
 * report, with where its target leads (see links.ts); its target is read, as text, for that alone.
 */
export function readGitRevision(dir: string, ref: string, options: GitReadOptions): SourceFile[] {
  const commit = resolveRevision(dir, ref);
  const root = layoutRoot(options.root);
  const projects = root === '' ? 'projects' : `${root}/projects`;
  // -z: paths verbatim; -l: sizes, so that oversized blobs are never read. Paths are relative to `dir`.
  let entries = treeEntries(git(dir, ['ls-tree', '-r', '-l', '-z', commit, '--', projects]).toString('utf8'));
  // Nothing under the root: a folder of the root may be a link, which the recursive listing passes over.
  if (entries.length === 0 && root !== '') {
    const folders = treeEntries(git(dir, ['ls-tree', '-l', '-z', commit, '--', ...layoutFolders(root)]).toString('utf8'));
    entries = folders.filter((e) => e.mode === LINK_MODE).slice(0, 1);
  }
  const files: SourceFile[] = [];
  const wanted: { sha: string; index: number }[] = [];
  for (const { mode, type, sha, size, path } of entries) {
    if (type !== 'blob') continue;
    if (mode === LINK_MODE) {
      if (size <= MAX_LINK_TARGET) wanted.push({ sha, index: files.length });
      files.push({ path, size: 0, skipped: 'symbolic link, not followed', link: 'outside' });
      continue;
    }
    if (isSpecFileName(path) && size <= options.maxFileBytes) wanted.push({ sha, index: files.length });
    files.push({ path, size });
  }
  if (wanted.length > 0) {
    const output = git(dir, ['cat-file', '--batch'], wanted.map((w) => w.sha).join('\n') + '\n');
    let offset = 0;
    for (const { index } of wanted) {
      const headerEnd = output.indexOf(0x0a, offset);
      const size = Number(output.subarray(offset, headerEnd).toString('latin1').split(' ')[2]);
      const content = output.subarray(headerEnd + 1, headerEnd + 1 + size);
      const file = files[index]!;
      files[index] = file.link ? { ...file, link: gitLinkTarget(file.path, content.toString('utf8')) } : { ...file, content };
      offset = headerEnd + 1 + size + 1;
    }
  }
  return files;
}

const LINK_MODE = '120000';
