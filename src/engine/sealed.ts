// What the system keeps behind the `sealed://` references of a run's specs: each secret place of the
// specs the environment's run reads, named as the export names it in Git (sealedReference), with the
// value the system holds there. The app answers a runner's references from this map, and only them.
import { sensitiveKeysOf } from './declarations.js';
import { refOf } from './plan/changes.js';
import { mapSecrets, SEALED_PREFIX, sealedReference, unsealFrom } from './secrets.js';
import type { SpecIndex } from './spec-index.js';
import type { DocPath } from '../specs/findings.js';
import type { LoadedSpec } from '../specs/load.js';

/**
 * A spec as Git holds it, with each `sealed://` reference replaced by the value `held` (the system's
 * document of the same spec) has there, where the spec's template (and `sensitiveNames`) still make
 * the place a secret: what an apply stores, a drift check compares and a plan reads.
 */
export function unsealedFromGit(spec: LoadedSpec, held: unknown, index: SpecIndex, sensitiveNames: readonly string[] = []): unknown {
  return unsealFrom(spec.data, held, sensitiveKeysOf(spec, index, sensitiveNames));
}

export function sealedValuesOf(specs: readonly LoadedSpec[], index: SpecIndex, sensitiveNames: readonly string[] = []): Map<string, string> {
  const values = new Map<string, string>();
  for (const spec of specs) {
    const named = refOf(spec);
    const keep = (value: unknown, path: DocPath) => {
      // A place the system itself holds as a reference has no value to give; structured secrets are not sealed one by one.
      if ((typeof value === 'string' && !value.startsWith(SEALED_PREFIX)) || typeof value === 'number' || typeof value === 'boolean') values.set(sealedReference(named, spec.data, path), String(value));
      return value;
    };
    mapSecrets(spec.data, keep, sensitiveKeysOf(spec, index, sensitiveNames));
  }
  return values;
}

/** The `sealed://` references a spec holds where it holds secrets (a reference anywhere else is text), each once. */
export function sealedReferencesIn(spec: LoadedSpec, sensitiveKeys: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  mapSecrets(spec.data, (value) => (typeof value === 'string' && value.startsWith(SEALED_PREFIX) && found.add(value), value), sensitiveKeys);
  return [...found];
}

/** The spec's document with each reference at a secret place that `values` holds replaced by its value. */
export function unsealWith(spec: LoadedSpec, sensitiveKeys: ReadonlySet<string>, values: ReadonlyMap<string, string>): Record<string, unknown> {
  return mapSecrets(spec.data, (value) => (typeof value === 'string' && values.has(value) ? values.get(value) : value), sensitiveKeys) as Record<string, unknown>;
}
