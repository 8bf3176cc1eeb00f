// Reads the spec files of a checkout. Only `<root>/projects/` is read: a config repository may hold
// anything else (docs, CI, vendored code) and none of it is a spec. On request the YAML files
// elsewhere are listed too (not read), so that `--verbose` can name a spec put in the wrong place.
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceFile } from './source.js';
import { layoutRoot } from './layout.js';

export interface ReadOptions {
  /** Layout root relative to the folder ('' or '.' for the folder itself). */
  root: string;
  maxFileBytes: number;
  /** Also list (without reading) YAML files outside `<root>/projects/`, skipping dot folders and node_modules. */
  listOutside?: boolean;
}

const SPEC_EXTENSION = /\.ya?ml$/;

export function readDirectory(dir: string, options: ReadOptions): SourceFile[] {
  const rootPrefix = layoutRoot(options.root);
  const files: SourceFile[] = [];
  const projects = rootPrefix === '' ? 'projects' : `${rootPrefix}/projects`;
  const walk = (relative: string, read: boolean): void => {
    let entries;
    try {
      entries = readdirSync(join(dir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (!read) {
        if (entry.isDirectory() && path !== projects && !entry.name.startsWith('.') && entry.name !== 'node_modules') walk(path, false);
        else if (entry.isFile() && SPEC_EXTENSION.test(entry.name)) files.push({ path, size: 0 });
      } else if (entry.isDirectory()) {
        walk(path, true);
      } else if (entry.isSymbolicLink()) {
        // A link could point outside the repository: never followed.
        files.push({ path, size: 0, skipped: 'symbolic link, not followed' });
      } else if (entry.isFile()) {
        files.push(SPEC_EXTENSION.test(entry.name) ? readSpecFile(join(dir, path), path, options.maxFileBytes) : { path, size: 0 });
      }
    }
  };
  walk(projects, true);
  if (options.listOutside) walk('', false);
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
