// The plan of a change: from the specs before (base revision, or later the system's live state)
// and after (head revision) to changes, runs with their reasons and activities, and findings.
import { distinctGates } from './groups.js';
import { atValue, error, warning, type Finding, type PendingFinding } from '../../specs/findings.js';
import type { LoadResult } from '../../specs/load.js';
import { locateFindings } from '../../specs/locate.js';
import { referencesOf } from '../references.js';
import { SpecIndex } from '../spec-index.js';
import { buildActivities } from './activities.js';
import { keyOf, planChanges, specKey } from './changes.js';
import { runInputs } from './dependencies.js';
import { analyzeImpact } from './impact.js';
import type { Change, Plan, Run } from './types.js';

export interface PlanInput {
  /** A name for each side: a commit, a ref, or "system". */
  base: { revision: string; loaded: LoadResult };
  head: { revision: string; loaded: LoadResult };
  /** The repository's own credential names (`sensitive.names` of `.github/envsync.yml`): masked in every kind. */
  sensitiveNames?: readonly string[];
}

export function planChange({ base, head, sensitiveNames = [] }: PlanInput): Plan {
  const baseIndex = new SpecIndex(base.loaded.specs);
  const headIndex = new SpecIndex(head.loaded.specs);
  const { changes, unchanged } = planChanges(baseIndex, headIndex, sensitiveNames);
  const impacts = analyzeImpact(changes, baseIndex, headIndex);

  const runs: Run[] = impacts.map(({ environment, action, reasons }) => {
    const index = action === 'deploy' ? headIndex : baseIndex;
    const inputs = runInputs(environment, index);
    const activities = inputs ? buildActivities(inputs.template, index, action) : [];
    const template = inputs ? { name: inputs.template.name, version: inputs.template.version ?? '' } : undefined;
    return {
      project: environment.project,
      environment: environment.name,
      action,
      ...(template ? { template } : {}),
      reasons,
      approvals: activities.filter((a) => a.type === 'approval').map((a) => a.id),
      activities,
    };
  });

  const pending = [...deletedTemplatesInUse(changes, baseIndex, headIndex), ...inPlaceVersionEdits(changes, headIndex)];
  const findings: Finding[] = locateFindings(pending, (file) => head.loaded.textOf(file) ?? base.loaded.textOf(file));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const count = (action: Change['action']) => changes.filter((c) => c.action === action).length;
  return {
    base: base.revision,
    head: head.revision,
    summary: {
      create: count('create'),
      update: count('update'),
      delete: count('delete'),
      unchanged,
      deploys: runs.filter((r) => r.action === 'deploy').length,
      destroys: runs.filter((r) => r.action === 'destroy').length,
      // A gate is approved once for every run that waits for it: what a reviewer does, not gates × environments.
      approvals: distinctGates(runs).length,
      errors,
      warnings: findings.length - errors,
    },
    changes,
    runs,
    findings,
  };
}

/** A template version this change deletes while a spec of the head still uses it. */
function deletedTemplatesInUse(changes: readonly Change[], base: SpecIndex, head: SpecIndex): PendingFinding[] {
  const deleted = new Set(changes.filter((c) => c.action === 'delete' && c.version !== undefined).map(specKey));
  if (deleted.size === 0) return [];
  const findings: PendingFinding[] = [];
  for (const spec of head.specs) {
    if (!spec.valid) continue;
    for (const ref of referencesOf(spec)) {
      if (ref.kind !== 'EnvironmentTemplate' && ref.kind !== 'ResourceTemplate') continue;
      if (head.resolve(ref.kind, ref.name, spec.project, ref.version).status === 'found') continue;
      const was = base.resolve(ref.kind, ref.name, spec.project, ref.version);
      if (was.status !== 'found' || !deleted.has(keyOf(was.spec))) continue;
      findings.push(
        error(
          spec.file,
          'deleted-template-in-use',
          `${ref.kind} "${ref.name}" version ${ref.version ?? '(any)'} is deleted by this change, but ${spec.kind.kind} "${spec.name}" still uses it: keep that version, or move this ${spec.kind.kind} to another version in the same change`,
          atValue(ref.versionPath ?? ref.path),
        ),
      );
    }
  }
  return findings;
}

/** An edit of a template version that environments already run: they change under their users. */
function inPlaceVersionEdits(changes: readonly Change[], head: SpecIndex): PendingFinding[] {
  const edited = new Map(changes.filter((c) => c.action === 'update' && c.version !== undefined).map((c) => [specKey(c), c]));
  if (edited.size === 0) return [];
  const users = new Map<string, string[]>();
  for (const env of head.specs) {
    if (env.kind.kind !== 'Environment' || !env.valid) continue;
    for (const spec of runInputs(env, head)?.specs ?? []) {
      const key = keyOf(spec);
      if (edited.has(key)) users.set(key, [...(users.get(key) ?? []), `${env.project}/${env.name}`]);
    }
  }
  const findings: PendingFinding[] = [];
  for (const [key, envs] of users) {
    const change = edited.get(key)!;
    const shown = envs.length > 5 ? `${envs.slice(0, 5).join(', ')} and ${envs.length - 5} more` : envs.join(', ');
    findings.push(
      warning(
        change.file,
        'in-place-version-edit',
        `${change.kind} "${change.name}" version ${change.version} changes in place while environments use it (${shown}): they will run the new content under the same version; bump the version to roll it out deliberately`,
        atValue(['spec', 'version']),
      ),
    );
  }
  return findings;
}
