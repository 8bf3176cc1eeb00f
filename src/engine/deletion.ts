// Deletion safety: a revision that deletes every spec of a project, or more than a set share of them,
// is held until someone approves the gate `deletion` (as Argo CD refuses to sync an empty source and
// asks before pruning). A mistaken `root`, a lost `projects/` folder or a wrong branch looks exactly
// like that, and applying it would destroy every environment.
export const DELETION_GATE = 'deletion';

export interface MassDeletion {
  project: string;
  /** Specs of the project the system holds (in scope), and how many the revision deletes. */
  held: number;
  deleted: number;
  /** Why it is held, in words. */
  reason: string;
}

interface Keyed {
  kind: string;
  project: string;
  name: string;
  version?: string;
}

const id = (k: Keyed) => `${k.kind}\u0000${k.project}\u0000${k.name}\u0000${k.version ?? ''}`;

/**
 * Projects whose deletions must be approved: all their specs gone, or (with `maxShare`, 0 to 1) more
 * than that share of them. `before` and `after` are the specs in scope (the projects and kinds the
 * revision speaks for) before and after the revision.
 */
export function massDeletions(before: readonly Keyed[], after: readonly Keyed[], maxShare?: number): MassDeletion[] {
  const kept = new Set(after.map(id));
  const count = new Map<string, { held: number; deleted: number }>();
  for (const spec of before) {
    const c = count.get(spec.project) ?? { held: 0, deleted: 0 };
    c.held++;
    if (!kept.has(id(spec))) c.deleted++;
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
