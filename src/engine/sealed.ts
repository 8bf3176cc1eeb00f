// What the system keeps behind the `sealed://` references of a run's specs: each secret place of the
// specs the environment's run reads, named as the export names it in Git (sealedReference), with the
// value the system holds there. The app answers a runner's references from this map, and only them.
import { sensitiveKeysOf } from './declarations.js';
import { mapSecrets, SEALED_PREFIX, sealedReference } from './secrets.js';
import type { SpecIndex } from './spec-index.js';
import type { DocPath } from '../specs/findings.js';
import type { LoadedSpec } from '../specs/load.js';

export function sealedValuesOf(specs: readonly LoadedSpec[], index: SpecIndex): Map<string, string> {
  const values = new Map<string, string>();
  for (const spec of specs) {
    const named = { kind: spec.kind.kind, project: spec.project, name: spec.name };
    const keep = (value: unknown, path: DocPath) => {
      // A place the system itself holds as a reference has no value to give; structured secrets are not sealed one by one.
      if ((typeof value === 'string' && !value.startsWith(SEALED_PREFIX)) || typeof value === 'number' || typeof value === 'boolean') values.set(sealedReference(named, path), String(value));
      return value;
    };
    mapSecrets(spec.data, keep, sensitiveKeysOf(spec, index));
  }
  return values;
}

/** The `sealed://` references in `data`, each once, in the order they come. */
export function sealedReferencesIn(data: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (typeof node === 'string' && node.startsWith(SEALED_PREFIX)) found.add(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) Object.values(node).forEach(walk);
  };
  walk(data);
  return [...found];
}

/** `data` with each `sealed://` reference that `values` holds replaced by its value. */
export function unsealWith(data: unknown, values: ReadonlyMap<string, string>): unknown {
  if (typeof data === 'string') return data.startsWith(SEALED_PREFIX) ? (values.get(data) ?? data) : data;
  if (Array.isArray(data)) return data.map((v) => unsealWith(v, values));
  if (typeof data === 'object' && data !== null) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, unsealWith(v, values)]));
  return data;
}
