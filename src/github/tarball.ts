// A revision from GitHub in one request: the repository's tarball, read in memory. GitHub puts every
// path under a top folder (`owner-repo-sha/`), which is dropped. Only the layout's spec files are
// kept with their content (others are listed, oversized ones sized but not kept), with
// `.github/envsync.yml` and whether the root holds a `projects/` folder at all: a pull request's
// check reads its head's configuration and files in the same pass.
import { Parser, type ReadEntry } from 'tar';
import { byPath, type SourceFile } from '../specs/source.js';
import { isSpecFileName, layoutRoot } from '../specs/layout.js';
import { CONFIG_PATH } from '../config/config.js';
import { gitLinkTarget, layoutFolders } from '../specs/links.js';


export interface RevisionContents {
  /** `.github/envsync.yml` at that revision; undefined when there is none. */
  config: string | undefined;
  /** Whether the root holds a `projects/` folder at all. */
  hasProjects: boolean;
  /** Files under `projects/` of the root asked for. */
  files: SourceFile[];
}


export function readRevision(tarball: Uint8Array, options: { root: string; maxFileBytes: number }): Promise<RevisionContents> {
  const root = layoutRoot(options.root);
  const projects = root === '' ? 'projects' : `${root}/projects`;
  const files: SourceFile[] = [];
  const folders = new Set(layoutFolders(root));
  let hasProjects = false;
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
        // Matched by prefix: a root may itself hold a folder named projects.
        const inside = path.startsWith(`${projects}/`);
        if (inside || path === projects) hasProjects = true;
        // A link is never followed; where it leads (from its target alone, as for a git revision)
        // decides its finding: see links.ts. A folder of the layout that is a link reads no spec.
        if (entry.type === 'SymbolicLink' && (inside || folders.has(path))) {
          files.push({ path, size: 0, skipped: 'symbolic link, not followed', link: gitLinkTarget(path, entry.linkpath ?? '') });
          entry.resume();
          return;
        }
        if (!inside || entry.type !== 'File') {
          entry.resume();
          return;
        }
        if (!isSpecFileName(path) || entry.size > options.maxFileBytes) {
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
    parser.on('end', () => resolve({ config, hasProjects, files: files.sort(byPath) }));
    parser.end(Buffer.from(tarball));
  });
}

export async function filesFromTarball(tarball: Uint8Array, options: { root: string; maxFileBytes: number }): Promise<SourceFile[]> {
  return (await readRevision(tarball, options)).files;
}
