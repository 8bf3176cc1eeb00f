// A snapshot's raw material: the files of a config repository at one revision, however obtained
// (a checkout on disk now; git objects or the GitHub API later).
import type { LinkTarget } from './links.js';

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
