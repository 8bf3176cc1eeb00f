// Deletion safety: a revision that deletes every spec of a project, or more than a set share of them,
// is held until someone approves the gate `deletion` (as Argo CD refuses to sync an empty source and
// asks before pruning). A mistaken `root`, a lost `projects/` folder or a wrong branch looks exactly
// like that, and applying it would destroy every environment.
import type { LoadResult } from '../specs/load.js';
import { inScope } from './desired.js';
import { specKey } from './plan/changes.js';

export const DELETION_GATE = 'deletion';

export interface MassDeletion {
  project: string;
  /** Specs of the project the system holds (in scope), and how many the revision deletes. */
  held: number;
  deleted: number;
  /** Why it is held, in words. */
  reason: string;
}

type Keyed = Parameters<typeof specKey>[0];

/**
 * Projects whose deletions must be approved: all their specs gone, or (with `maxShare`, 0 to 1) more
 * than that share of them. `before` and `after` are the specs in scope (the projects and kinds the
 * revision speaks for) before and after the revision.
 */
export function massDeletions(before: readonly Keyed[], after: readonly Keyed[], maxShare?: number): MassDeletion[] {
  const kept = new Set(after.map(specKey));
  const count = new Map<string, { held: number; deleted: number }>();
  for (const spec of before) {
    const c = count.get(spec.project) ?? { held: 0, deleted: 0 };
    c.held++;
    if (!kept.has(specKey(spec))) c.deleted++;
    count.set(spec.project, c);
  }
  const found: MassDeletion[] = [];
  for (const [project, { held, deleted }] of [...count].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (deleted === 0) continue;
    if (deleted === held) found.push({ project, held, deleted, reason: `deletes all ${held} spec${held === 1 ? '' : 's'} of project ${project}` });
    else if (maxShare !== undefined && deleted / held > maxShare) {
      found.push({ project, held, deleted, reason: `deletes ${deleted} of the ${held} specs of project ${project} (${Math.round((100 * deleted) / held)}%, more than deletion.maxShare ${maxShare})` });
    }
  }
  return found;
}

/** The mass deletions of going from `before` to `after`, among the specs `scope` takes in. */
export function deletionsBetween(before: LoadResult, after: LoadResult, scope: (kind: string, project: string) => boolean, maxShare?: number): MassDeletion[] {
  return massDeletions(inScope(before, scope), inScope(after, scope), maxShare);
}

/** What the deletions are, in one sentence's words ("deletes all 3 specs of project pay; ..."). */
export const describeDeletions = (deletions: readonly MassDeletion[]) => deletions.map((d) => d.reason).join('; ');
