// Which environments a change runs, and why: the environment itself changed, or something its run is
// made of, or an environment it depends on runs. A deleted environment is destroyed.
import type { LoadedSpec } from '../../specs/load.js';
import type { SpecIndex } from '../spec-index.js';
import { keyOf, refOf, specKey } from './changes.js';
import { runInputs } from './dependencies.js';
import type { Change, Reason, ReasonType } from './types.js';

const REASON_OF_KIND: Partial<Record<string, ReasonType>> = {
  EnvironmentTemplate: 'template-changed',
  ResourceTemplate: 'resource-template-changed',
  Resource: 'static-resource-changed',
  ConfigContext: 'context-changed',
  Driver: 'driver-changed',
};

export interface Impact {
  environment: LoadedSpec;
  action: 'deploy' | 'destroy';
  reasons: Reason[];
}

export function analyzeImpact(changes: readonly Change[], base: SpecIndex, head: SpecIndex): Impact[] {
  const changed = new Map(changes.map((c) => [specKey(c), c]));
  const anyDeleted = changes.some((c) => c.action === 'delete');
  const impacts = new Map<LoadedSpec, Impact>();
  const dependsOn = new Map<LoadedSpec, LoadedSpec[]>();

  for (const env of head.specs) {
    if (env.kind.kind !== 'Environment' || !env.valid) continue;
    const reasons: Reason[] = [];
    const own = changed.get(keyOf(env));
    if (own) reasons.push({ type: own.action === 'create' ? 'environment-created' : 'environment-updated', ...refOf(env) });
    const inputs = runInputs(env, head);
    // What the run reads now, and what it read before: a deleted input shows only on the base side.
    const before = anyDeleted ? base.find('Environment', env.project, env.name).find((s) => s.valid) : undefined;
    const seen = new Set<string>();
    const consider = (spec: LoadedSpec, onlyDeleted: boolean) => {
      const key = keyOf(spec);
      const change = changed.get(key);
      const type = REASON_OF_KIND[spec.kind.kind];
      if (!type || !change || seen.has(key) || (onlyDeleted && change.action !== 'delete')) return;
      seen.add(key);
      reasons.push({ type, ...refOf(spec), action: change.action });
    };
    for (const spec of inputs?.specs ?? []) consider(spec, false);
    for (const spec of (before && runInputs(before, base)?.specs) ?? []) consider(spec, true);
    if (inputs) dependsOn.set(env, environmentsOf(env, head));
    if (reasons.length > 0) impacts.set(env, { environment: env, action: 'deploy', reasons });
  }

  // An environment runs after, and because, an environment it depends on runs: to a fixed point.
  let grew = true;
  while (grew) {
    grew = false;
    for (const [env, deps] of dependsOn) {
      for (const dep of deps) {
        if (!impacts.has(dep)) continue;
        const impact = impacts.get(env) ?? { environment: env, action: 'deploy' as const, reasons: [] };
        if (impact.reasons.some((r) => r.type === 'dependency-runs' && r.name === dep.name && r.project === dep.project)) continue;
        impact.reasons.push({ type: 'dependency-runs', ...refOf(dep) });
        impacts.set(env, impact);
        grew = true;
      }
    }
  }

  const destroyDeps = new Map<LoadedSpec, LoadedSpec[]>();
  for (const change of changes) {
    if (change.kind !== 'Environment' || change.action !== 'delete') continue;
    const env = base.find('Environment', change.project, change.name)[0];
    if (!env) continue;
    impacts.set(env, { environment: env, action: 'destroy', reasons: [{ type: 'environment-deleted', ...refOf(env) }] });
    destroyDeps.set(env, environmentsOf(env, base));
  }
  const all = [...impacts.values()];
  const deploys = inDependencyOrder(all.filter((i) => i.action === 'deploy'), dependsOn);
  // Destroys go the other way: an environment is destroyed before those it depends on.
  const destroys = inDependencyOrder(all.filter((i) => i.action === 'destroy'), destroyDeps).reverse();
  return [...deploys, ...destroys];
}

function environmentsOf(env: LoadedSpec, index: SpecIndex): LoadedSpec[] {
  return (runInputs(env, index)?.environments ?? []).flatMap((name) => {
    const r = index.resolve('Environment', name, env.project);
    return r.status === 'found' ? [r.spec] : [];
  });
}

/** Dependencies first; otherwise by project and name, so that the order is stable. */
function inDependencyOrder(impacts: Impact[], dependsOn: Map<LoadedSpec, LoadedSpec[]>): Impact[] {
  const label = (i: Impact) => `${i.environment.project}/${i.environment.name}`;
  const sorted = [...impacts].sort((a, b) => (label(a) < label(b) ? -1 : label(a) > label(b) ? 1 : 0));
  const impactOf = new Map(sorted.map((i) => [i.environment, i]));
  const ordered: Impact[] = [];
  const placed = new Set<LoadedSpec>();
  const visiting = new Set<LoadedSpec>();
  const place = (impact: Impact): void => {
    const env = impact.environment;
    if (placed.has(env) || visiting.has(env)) return; // a dependency cycle is reported by validation
    visiting.add(env);
    for (const dep of dependsOn.get(env) ?? []) {
      const depImpact = impactOf.get(dep);
      if (depImpact) place(depImpact);
    }
    visiting.delete(env);
    placed.add(env);
    ordered.push(impact);
  };
  sorted.forEach(place);
  return ordered;
}
