// Reads the spec files of a checkout. Only `<root>/projects/` is read: a config repository may hold
// anything else (docs, CI, vendored code) and none of it is a spec. On request the YAML files
// elsewhere are listed too (not read), so that `--verbose` can name a spec put in the wrong place.
// No symbolic link is followed (see links.ts): each is passed on as a file to report, with where it leads.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { SourceFile } from './source.js';
import { isSpecFileName, layoutRoot } from './layout.js';
import { layoutFolders, type LinkTarget } from './links.js';

export interface ReadOptions {
  /** Layout root relative to the folder ('' or '.' for the folder itself). */
  root: string;
  maxFileBytes: number;
  /** Also list (without reading) YAML files outside `<root>/projects/`, skipping dot folders and node_modules. */
  listOutside?: boolean;
}


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
        else if (entry.isFile() && isSpecFileName(entry.name)) files.push({ path, size: 0 });
      } else if (entry.isDirectory()) {
        walk(path, true);
      } else if (entry.isSymbolicLink()) {
        files.push(linkSource(path, linkAt(dir, path) ?? 'outside'));
      } else if (entry.isFile()) {
        files.push(isSpecFileName(entry.name) ? readRegularFile(join(dir, path), path, options.maxFileBytes) : { path, size: 0 });
      }
    }
  };
  // `projects` or a folder of the root may itself be a link: then nothing under it is read.
  const link = firstLink(dir, layoutFolders(options.root));
  if (link) files.push(linkSource(link.path, link.target));
  else walk(projects, true);
  if (options.listOutside) walk('', false);
  return files;
}

const linkSource = (path: string, link: LinkTarget): SourceFile => ({ path, size: 0, skipped: 'symbolic link, not followed', link });

/** The first of `paths` (relative to `dir`, each inside the one before) that is a symbolic link, with where it leads. */
export function firstLink(dir: string, paths: readonly string[]): { path: string; target: LinkTarget } | undefined {
  for (const path of paths) {
    const target = linkAt(dir, path);
    if (target) return { path, target };
  }
  return undefined;
}

/** Where the symbolic link at `relative` leads, or undefined when there is no link there. */
export function linkAt(dir: string, relative: string): LinkTarget | undefined {
  const full = join(dir, relative);
  try {
    if (!lstatSync(full).isSymbolicLink()) return undefined;
  } catch {
    return undefined;
  }
  return leadsInside(dir, full) ? 'inside' : 'outside';
}

/** Whether a link's target, resolved on disk, lies in the checkout (real paths: a link may go through other links). */
function leadsInside(dir: string, full: string): boolean {
  let top: string;
  let target: string;
  try {
    top = realpathSync(dir);
  } catch {
    return false;
  }
  try {
    target = realpathSync(full);
  } catch {
    // Dangling, or a loop (realpath gives up with ELOOP rather than hang): judged by the target it names.
    try {
      target = resolve(realpathSync(dirname(full)), readlinkSync(full));
    } catch {
      return false;
    }
  }
  return target === top || target.startsWith(top.endsWith(sep) ? top : `${top}${sep}`);
}

// O_NOFOLLOW: a file swapped for a link after the folder was listed fails to open instead of being followed.
const READ_NO_LINK = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** Reads a regular file unless it is over the limit; one open, one fstat, one read (no separate stat). */
export function readRegularFile(full: string, path: string, maxFileBytes: number): SourceFile {
  const fd = openSync(full, READ_NO_LINK);
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
