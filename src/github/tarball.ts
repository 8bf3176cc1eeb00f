// A revision from GitHub in one request: the repository's tarball, read in memory. GitHub puts every
// path under a top folder (`owner-repo-sha/`), which is dropped. Only the layout's spec files are
// kept with their content; others are listed, oversized ones are sized but not kept.
import { Parser, type ReadEntry } from 'tar';
import type { SourceFile } from '../specs/source.js';
import { layoutRoot } from '../specs/layout.js';

const SPEC_EXTENSION = /\.ya?ml$/;

export function filesFromTarball(tarball: Uint8Array, options: { root: string; maxFileBytes: number }): Promise<SourceFile[]> {
  const root = layoutRoot(options.root);
  const projects = root === '' ? 'projects/' : `${root}/projects/`;
  const files: SourceFile[] = [];
  return new Promise((resolve, reject) => {
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        const path = entry.path.split('/').slice(1).join('/');
        if (!path.startsWith(projects) || (entry.type !== 'File' && entry.type !== 'SymbolicLink')) {
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
    parser.on('end', () => resolve(files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))));
    parser.end(Buffer.from(tarball));
  });
}
