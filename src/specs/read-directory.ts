// Reads the spec files of a checkout. Only `<root>/projects/` is walked: a config repository may
// hold anything else (docs, CI, vendored code) and none of it is a spec.
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { SourceFile } from './source.js';

export interface ReadOptions {
  /** Layout root relative to the folder ('' or '.' for the folder itself). */
  root: string;
  maxFileBytes: number;
}

const SPEC_EXTENSION = /\.ya?ml$/;

export function readDirectory(dir: string, options: ReadOptions): SourceFile[] {
  const rootPrefix = options.root === '.' || options.root === '' ? '' : posix.normalize(options.root).replace(/\/$/, '');
  const files: SourceFile[] = [];
  const walk = (relative: string): void => {
    let entries;
    try {
      entries = readdirSync(join(dir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.isSymbolicLink()) {
        // A link could point outside the repository: never followed.
        files.push({ path, size: 0, skipped: 'symbolic link, not followed' });
      } else if (entry.isFile()) {
        files.push(SPEC_EXTENSION.test(entry.name) ? readSpecFile(join(dir, path), path, options.maxFileBytes) : { path, size: 0 });
      }
    }
  };
  walk(rootPrefix === '' ? 'projects' : `${rootPrefix}/projects`);
  return files;
}

/** Reads a file unless it is over the limit; one open, one fstat, one read (no separate stat). */
function readSpecFile(full: string, path: string, maxFileBytes: number): SourceFile {
  const fd = openSync(full, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > maxFileBytes) return { path, size };
    const content = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, content, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { path, size: read, content: content.subarray(0, read) };
  } finally {
    closeSync(fd);
  }
}
