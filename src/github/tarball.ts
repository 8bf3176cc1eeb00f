// A revision from GitHub in one request: the repository's tarball, read in memory. GitHub puts every
// path under a top folder (`owner-repo-sha/`), which is dropped. Only the layout's spec files are
// kept with their content (others are listed, oversized ones sized but not kept), with
// `.github/envsync.yml` and the folders that hold a `projects/` folder: a pull request's check reads
// its head's configuration and files in the same pass, before it knows the head's root.
import { Parser, type ReadEntry } from 'tar';
import type { SourceFile } from '../specs/source.js';
import { layoutRoot } from '../specs/layout.js';
import { CONFIG_PATH } from '../config/config.js';

const SPEC_EXTENSION = /\.ya?ml$/;

export interface RevisionContents {
  /** `.github/envsync.yml` at that revision; undefined when there is none. */
  config: string | undefined;
  /** The folders holding a `projects/` folder ('' for the top), among those read. */
  layoutRoots: Set<string>;
  /** Files under `projects/` of the root asked for, or of every folder when none was. */
  files: SourceFile[];
}

/** The folder whose `projects/` a path is in (or is), '' for the top; undefined when none (the first one counts). */
function layoutRootOf(path: string): string | undefined {
  const segments = path.split('/');
  const at = segments.indexOf('projects');
  return at < 0 ? undefined : segments.slice(0, at).join('/');
}

export function readRevision(tarball: Uint8Array, options: { root?: string; maxFileBytes: number }): Promise<RevisionContents> {
  const root = options.root === undefined ? undefined : layoutRoot(options.root);
  const files: SourceFile[] = [];
  const layoutRoots = new Set<string>();
  let config: string | undefined;
  return new Promise((resolve, reject) => {
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        const path = entry.path.split('/').slice(1).join('/').replace(/\/$/, '');
        if (path === CONFIG_PATH && entry.type === 'File' && entry.size <= options.maxFileBytes) {
          const chunks: Buffer[] = [];
          entry.on('data', (chunk: Buffer) => chunks.push(chunk));
          entry.on('end', () => (config = Buffer.concat(chunks).toString('utf8')));
          return;
        }
        const at = layoutRootOf(path);
        if (at !== undefined) layoutRoots.add(at);
        if (at === undefined || (root !== undefined && at !== root) || path === (at === '' ? 'projects' : `${at}/projects`) || (entry.type !== 'File' && entry.type !== 'SymbolicLink')) {
          entry.resume();
          return;
        }
        if (entry.type === 'SymbolicLink') {
          files.push({ path, size: 0, skipped: 'symbolic link, not followed' });
          entry.resume();
          return;
        }
        if (!SPEC_EXTENSION.test(path) || entry.size > options.maxFileBytes) {
          files.push({ path, size: entry.size });
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => files.push({ path, size: entry.size, content: Buffer.concat(chunks) }));
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve({ config, layoutRoots, files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) }));
    parser.end(Buffer.from(tarball));
  });
}

/** The files of the layout under `root`. */
export function filesUnder(contents: RevisionContents, root: string): SourceFile[] {
  const base = layoutRoot(root);
  const prefix = base === '' ? 'projects/' : `${base}/projects/`;
  return contents.files.filter((f) => f.path.startsWith(prefix));
}

export async function filesFromTarball(tarball: Uint8Array, options: { root: string; maxFileBytes: number }): Promise<SourceFile[]> {
  return (await readRevision(tarball, options)).files;
}
