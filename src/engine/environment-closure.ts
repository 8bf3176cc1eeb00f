// What one environment's run reads: the environment, its template and, through the template, every
// resource template, resource, config context and driver it names (runInputs, as the runner walks
// it). Also what it looked for, found or not, so that validation knows which files could hold them.
import type { KindName } from '../specs/kinds.js';
import type { LoadedSpec } from '../specs/load.js';
import { referencesOf } from './references.js';
import type { SpecIndex } from './spec-index.js';

/** A spec looked for by name from a project, and the one found, if any. */
export interface Lookup {
  kind: KindName;
  name: string;
  version?: string;
  /** The project of the spec that names it (the environment's own, for the environment). */
  from: string;
  found: LoadedSpec | undefined;
}

export interface EnvironmentClosure {
  environment: LoadedSpec | undefined;
  /** The specs the run reads: the environment first, then its template and what that names. */
  specs: LoadedSpec[];
  lookups: Lookup[];
}

export function environmentClosure(index: SpecIndex, project: string, name: string): EnvironmentClosure {
  const environment = index.find('Environment', project, name)[0];
  const lookups: Lookup[] = [{ kind: 'Environment', name, from: project, found: environment }];
  if (!environment) return { environment, specs: [], lookups };
  const specs = [environment];
  const seen = new Set(specs);
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    // The references of a spec that fails its schema cannot be read safely; its own findings refuse the run.
    if (!spec.valid) continue;
    for (const ref of referencesOf(spec)) {
      const resolution = index.resolve(ref.kind, ref.name, spec.project, ref.version);
      const found = resolution.status === 'found' ? resolution.spec : undefined;
      lookups.push({ kind: ref.kind, name: ref.name, ...(ref.version !== undefined ? { version: ref.version } : {}), from: spec.project, found });
      // An environment this one depends on must exist, but the run reads nothing of it: what it is
      // made of is checked by its own run.
      if (!found || ref.kind === 'Environment' || seen.has(found)) continue;
      seen.add(found);
      specs.push(found);
    }
  }
  return { environment, specs, lookups };
}
