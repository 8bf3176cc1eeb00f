// What the system holds once a revision is applied: the revision's specs where its repository speaks
// (its projects, the kinds that sync from Git), the system's own everywhere else. Plans and deletion
// checks compare the system with this, never with the revision alone: a repository that owns one
// project must not read as deleting every other.
import type { LoadResult } from '../specs/load.js';
import { refOf } from './plan/changes.js';

export function desiredState(system: LoadResult, revision: LoadResult, speaksFor: (kind: string, project: string) => boolean): LoadResult {
  return {
    ...revision,
    specs: [...revision.specs.filter((s) => speaksFor(s.kind.kind, s.project)), ...system.specs.filter((s) => !speaksFor(s.kind.kind, s.project))],
    textOf: (file) => revision.textOf(file) ?? system.textOf(file),
  };
}

/** The specs of a load result a revision speaks for. */
export const inScope = (loaded: LoadResult, speaksFor: (kind: string, project: string) => boolean) => loaded.specs.filter((s) => speaksFor(s.kind.kind, s.project)).map(refOf);
