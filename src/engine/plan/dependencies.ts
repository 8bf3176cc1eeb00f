// What an environment's run is made of: its template, the template's resource templates, static
// resources, config contexts and drivers, and the environments it depends on.
import type { Environment, EnvironmentTemplate } from '../../specs/kinds.js';
import type { LoadedSpec } from '../../specs/load.js';
import { referencesOf } from '../references.js';
import type { SpecIndex } from '../spec-index.js';

export interface RunInputs {
  template: LoadedSpec;
  /** Every spec the run reads (the template included), environments excepted. */
  specs: LoadedSpec[];
  /** Names of environments (in the same project or shared) this one depends on. */
  environments: string[];
}

const cache = new WeakMap<SpecIndex, WeakMap<LoadedSpec, Omit<RunInputs, 'template'>>>();

/** The template and everything it reads; computed once per template and index. */
export function runInputs(env: LoadedSpec, index: SpecIndex): RunInputs | undefined {
  const { template } = (env.data as unknown as Environment).spec;
  const resolution = index.resolve('EnvironmentTemplate', template.name, env.project, template.version);
  if (resolution.status !== 'found') return undefined;
  const et = resolution.spec;
  let perIndex = cache.get(index);
  if (!perIndex) cache.set(index, (perIndex = new WeakMap()));
  let closure = perIndex.get(et);
  if (!closure) perIndex.set(et, (closure = collect(et, index)));
  return { template: et, ...closure };
}

function collect(et: LoadedSpec, index: SpecIndex): Omit<RunInputs, 'template'> {
  const specs: LoadedSpec[] = [et];
  const environments: string[] = [];
  const seen = new Set<LoadedSpec>([et]);
  const visit = (spec: LoadedSpec): void => {
    for (const ref of referencesOf(spec)) {
      if (ref.kind === 'Environment') {
        environments.push(ref.name);
        continue;
      }
      const resolution = index.resolve(ref.kind, ref.name, spec.project, ref.version);
      if (resolution.status !== 'found' || seen.has(resolution.spec)) continue;
      seen.add(resolution.spec);
      specs.push(resolution.spec);
      if (resolution.spec.kind.kind === 'ResourceTemplate') visit(resolution.spec);
    }
  };
  if ((et.data as unknown as EnvironmentTemplate).spec) visit(et);
  return { specs, environments };
}
