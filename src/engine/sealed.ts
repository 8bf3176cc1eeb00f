// What the system keeps behind the `sealed://` references of a run's specs: each secret place of the
// specs the environment's run reads, named as the export names it in Git (sealedReference), with the
// value the system holds there. The app answers a runner's references from this map, and only them.
import { sensitiveKeysOf } from './declarations.js';
import { specKeyOf } from './environment-closure.js';
import { mapSecrets, SEALED_PREFIX, sealedReference } from './secrets.js';
import type { SpecIndex } from './spec-index.js';
import type { DocPath } from '../specs/findings.js';
import type { LoadedSpec } from '../specs/load.js';

export function sealedValuesOf(specs: readonly LoadedSpec[], index: SpecIndex, sensitiveNames: readonly string[] = []): Map<string, string> {
  const values = new Map<string, string>();
  for (const spec of specs) {
    const named = specKeyOf(spec);
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
