// Git and the system: a revision checked, then applied (Git to system); where the system and a
// checkout differ (drift); the file changes that make a checkout hold what the system holds (system
// to Git). Secrets Git holds as `sealed://` references keep the values the system has, and are not
// drift. Whether a revision may be applied at all (forward only, owned projects) is the flows' call.
import { planExport, type ExportOptions, type ExportPlan, type SystemSpec } from '../engine/export.js';
import { unsealedFromGit } from '../engine/sealed.js';
import { SpecIndex } from '../engine/spec-index.js';
import { validateRepository, type SourceValidation } from '../engine/validate.js';
import { equalJson } from '../specs/json.js';
import { uniquePathOf } from '../specs/layout.js';
import { loadSpecs, type LoadResult } from '../specs/load.js';
import { locateFindings } from '../specs/locate.js';
import type { SourceFile } from '../specs/source.js';
import { SystemError } from './errors.js';
import type { ApplyResult, ResourceKey, RunnerSettings, StoredResource } from './records.js';
import type { Store } from './store.js';

export type Drift = ResourceKey & { state: 'changed' | 'only-in-git' | 'only-in-system' };

const CHECKED = Symbol('checked');

/** Made only by checkRevision: a revision whose specs validate without error. */
export interface CheckedRevision {
  readonly revision: string;
  readonly loaded: LoadResult;
  readonly [CHECKED]: true;
}

/** Who applies a revision, and how. */
export interface GitChange {
  trigger: 'webhook' | 'manual';
  actor: string | null;
}

export interface ApplyOptions {
  root?: string;
  /** The specs the revision speaks for (its repository's projects, the kinds that sync from Git); all when absent. */
  scope?: (kind: string, project: string) => boolean;
  /** The followed repository the revision comes from, and what it claims and runs with at it. */
  repo?: string;
  projects?: string[];
  runner?: RunnerSettings;
  /** The repository's own credential names (`sensitive.names`): its values behind sealed references are kept as the declared secrets' are. */
  sensitiveNames?: readonly string[];
  /** One spec only, within the scope: put back as the revision holds it, or deleted when it holds none (a console's "revert to Git"). */
  only?: ResourceKey;
}

/** A revision loaded and validated, refused with its findings when it has errors. */
export function checkRevision(files: readonly SourceFile[], revision: string, root = ''): CheckedRevision {
  const loaded = loadSpecs(files, { root });
  return checkedRevision({ findings: locateFindings(validateRepository(loaded), loaded.textOf), loaded }, revision);
}

/** The same check over a validation made elsewhere (off the event loop: see validate-off-thread.ts). */
export function checkedRevision(validation: SourceValidation, revision: string): CheckedRevision {
  const errors = validation.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new SystemError(`revision ${revision} does not validate: nothing was applied`, 422, errors);
  return { revision, loaded: validation.loaded, [CHECKED]: true };
}

const keyOf = (s: { kind: { kind: string }; project: string; name: string; version?: string }): ResourceKey => ({ kind: s.kind.kind, project: s.project, name: s.name, ...(s.version !== undefined ? { version: s.version } : {}) });

/**
 * Git to system: makes the system hold a revision's specs. A revision that does not validate is
 * refused whole. Secrets Git holds as `sealed://` references keep the values the system has.
 */
export async function applyRevision(store: Store, files: readonly SourceFile[] | CheckedRevision, revision: string, change: GitChange, options: ApplyOptions = {}): Promise<ApplyResult> {
  // A revision checked already (a push checks it before starting its runs) is not checked twice.
  const { loaded } = 'loaded' in files ? files : checkRevision(files, revision, options.root ?? '');
  const { only } = options;
  const inScope = (r: ResourceKey) =>
    (options.scope?.(r.kind, r.project) ?? true) && (!only || (r.kind === only.kind && r.project === only.project && r.name === only.name && (r.version ?? '') === (only.version ?? '')));
  const current = new Map((await store.listResources()).map((r) => [uniquePathOf(r), r]));
  const index = new SpecIndex(loaded.specs);
  const fromGit = loaded.specs
    .filter((s) => inScope(keyOf(s)))
    .map((s) => {
      const key = keyOf(s);
      const held = current.get(uniquePathOf(key));
      return { ...key, spec: held ? unsealedFromGit(s, held.spec, index, options.sensitiveNames) : s.data };
    });
  // What the revision does not speak for (another repository's projects, kinds that do not sync
  // from Git) stays as the system has it: decided inside the store's write.
  return store.applyRevision({ revision, resources: fromGit, ...change, owns: inScope, repo: options.repo, projects: options.projects, runner: options.runner });
}

/**
 * Where the system and a checkout differ, for the specs in scope: created or changed in the system,
 * or only in Git. Secrets Git holds as `sealed://` references are not drift.
 */
export async function driftFrom(store: Store, checkout: LoadResult, scope: (kind: string, project: string) => boolean = () => true, sensitiveNames: readonly string[] = []): Promise<Drift[]> {
  const system = new Map((await store.listResources()).filter((r) => scope(r.kind, r.project)).map((r) => [uniquePathOf(r), r]));
  const index = new SpecIndex(checkout.specs);
  const drift: Drift[] = [];
  const seen = new Set<string>();
  for (const spec of checkout.specs) {
    if (!scope(spec.kind.kind, spec.project)) continue;
    const key = keyOf(spec);
    const path = uniquePathOf(key);
    seen.add(path);
    const held = system.get(path);
    if (!held) drift.push({ ...key, state: 'only-in-git' });
    else if (!equalJson(unsealedFromGit(spec, held.spec, index, sensitiveNames), held.spec)) drift.push({ ...key, state: 'changed' });
  }
  for (const [path, r] of system) {
    if (!seen.has(path)) drift.push({ kind: r.kind, project: r.project, name: r.name, ...(r.version !== undefined ? { version: r.version } : {}), state: 'only-in-system' });
  }
  return drift.sort((a, b) => (uniquePathOf(a) < uniquePathOf(b) ? -1 : 1));
}

/** System to Git: the file changes that make a checkout hold what the system holds. */
export async function exportPlan(store: Store, checkout: LoadResult, options: ExportOptions = {}): Promise<ExportPlan> {
  const system: SystemSpec[] = (await store.listResources()).map((r: StoredResource) => ({
    kind: r.kind,
    project: r.project,
    name: r.name,
    ...(r.version !== undefined ? { version: r.version } : {}),
    document: structuredClone(r.spec) as Record<string, unknown>,
  }));
  return planExport(checkout, system, options);
}
