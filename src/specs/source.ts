// A snapshot's raw material: the files of a config repository at one revision, however obtained
// (a checkout on disk now; git objects or the GitHub API later).
import type { LinkTarget } from './links.js';

/** Orders anything with a path by it, in code-unit order (as git lists paths). */
export const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export interface SourceFile {
  /** Path relative to the validated folder, with `/` separators. */
  path: string;
  size: number;
  /** Absent when the file is too large to read or is not a spec file. */
  content?: Uint8Array;
  /** Why the reader did not read it although it looks like a spec (for example a symbolic link). */
  skipped?: string;
  /** For a symbolic link (never followed), whether it leads inside the checkout or out of it. */
  link?: LinkTarget;
}
