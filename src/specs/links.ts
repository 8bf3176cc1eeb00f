// Symbolic links in a config repository. envsync never follows one: a link could lead out of the
// checkout (`.github/envsync.yml -> /etc/passwd`), and whatever envsync reads may end up in a
// finding, a check run or a comment. The app reads a repository as Git stores it (a link is a
// blob holding its target), so not following links keeps the CLI and the app reading the same specs.
// Pure: the readers say where a link leads, this says what it means.
import { posix } from 'node:path';
import { atStart, error, warning, type PendingFinding } from './findings.js';
import { layoutRoot, placeOf } from './layout.js';
import { KIND_BY_PLURAL } from './kinds.js';
import { RESOURCE_NAME } from './schema/common.js';

/** Where a link leads: to a place inside the checkout (or nowhere inside it), or out of it. */
export type LinkTarget = 'inside' | 'outside';

/**
 * Where a link stored in Git leads, from the target text alone (a revision has no file system to
 * resolve it in): outside when absolute or when it climbs above the checkout's top.
 */
export function gitLinkTarget(linkPath: string, target: string): LinkTarget {
  if (target === '' || target.startsWith('/') || /^[A-Za-z]:/.test(target) || target.includes('\\')) return 'outside';
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  return resolved === '..' || resolved.startsWith('../') ? 'outside' : 'inside';
}

/** What a link stands in for: the configuration file, a folder on the way to the specs, or something under `projects/`. */
export type LinkRole = 'config' | 'layout' | 'projects-entry';

/** The folders a reader passes on its way to the specs: each folder of the layout root, then `projects`. */
export function layoutFolders(root: string | undefined): string[] {
  const base = layoutRoot(root);
  const parts = base === '' ? ['projects'] : [...base.split('/'), 'projects'];
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

const DO_NOT_FOLLOW = 'envsync does not follow symbolic links (the app reads the repository as Git stores it)';

/**
 * The finding of a link a reader did not follow, at `path` (relative to the checkout), or none when
 * the link is somewhere envsync would not read anyway (a link to a README under `projects/`).
 */
export function linkFinding(path: string, target: LinkTarget, role: LinkRole, root?: string): PendingFinding | undefined {
  const noun = role !== 'layout' && posix.basename(path).lastIndexOf('.') > 0 ? 'file' : 'folder';
  if (target === 'outside') {
    return error(
      path,
      'link-outside-checkout',
      `a symbolic link that leads outside the checkout: envsync never reads it, so that a change cannot make it print files of the machine it runs on; put the ${noun} itself here`,
      atStart,
    );
  }
  if (role === 'config') {
    return error(path, 'link-not-followed', `a symbolic link: ${DO_NOT_FOLLOW}, so the settings in force are the defaults; replace the link with the file`, atStart);
  }
  if (role === 'layout') {
    return error(
      path,
      'link-not-followed',
      `a symbolic link: ${DO_NOT_FOLLOW}, so no spec under it is read; replace the link with the folder, or set root in .github/envsync.yml to the folder it points to`,
      atStart,
    );
  }
  if (!mayHoldSpecs(path, root)) return undefined;
  return warning(path, 'file-skipped', `not read: a symbolic link, and ${DO_NOT_FOLLOW}; store the ${noun === 'file' ? 'spec as a regular file' : 'specs in a regular folder'}`, atStart);
}

/** Whether a path under `projects/` is a spec's place, or a project or kind folder that would hold specs. */
function mayHoldSpecs(path: string, root: string | undefined): boolean {
  const base = layoutRoot(root);
  const relative = base === '' ? path : path.slice(base.length + 1);
  if (placeOf(relative).type !== 'outside') return true;
  const parts = relative.split('/');
  return parts[0] === 'projects' && ((parts.length === 2 && RESOURCE_NAME.test(parts[1]!)) || (parts.length === 3 && KIND_BY_PLURAL.has(parts[2]!)));
}
