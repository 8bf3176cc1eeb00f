// `dependsOn` names an existing sibling, lists it once, and never loops back.
import { atValue, error, warning, type DocPath, type PendingFinding } from '../../specs/findings.js';
import type { EnvironmentTemplate, ResourceTemplate } from '../../specs/kinds.js';
import type { LoadedSpec } from '../../specs/load.js';
import { didYouMean } from '../../specs/suggest.js';
import { hookLists } from '../../specs/walk.js';
import { findCycles } from '../graph.js';
import type { Rule } from './context.js';

/** One list of siblings; paths are built only for findings (most lists have none). */
interface SiblingGroup {
  what: string;
  names: string[];
  dependsOn: (readonly string[] | undefined)[];
  pathOf: (sibling: number, entry: number) => DocPath;
}

function groupsOf(spec: LoadedSpec): SiblingGroup[] {
  if (spec.kind.kind !== 'EnvironmentTemplate' && spec.kind.kind !== 'ResourceTemplate') return [];
  const s = spec.data.spec as EnvironmentTemplate['spec'] | ResourceTemplate['spec'];
  const groups: SiblingGroup[] = [];
  for (const list of hookLists(s)) {
    if (!list.hooks.some((h) => h.dependsOn)) continue;
    groups.push({
      what: list.path.at(-1) === 'tasks' ? 'task' : 'hook',
      names: list.hooks.map((h) => h.name),
      dependsOn: list.hooks.map((h) => h.dependsOn),
      pathOf: (i, j) => [...list.path, i, 'dependsOn', j],
    });
  }
  if ('resources' in s && s.resources?.some((r) => r.dependsOn)) {
    groups.push({
      what: 'resource',
      names: s.resources.map((r) => r.name),
      dependsOn: s.resources.map((r) => r.dependsOn?.map((d) => d.name)),
      pathOf: (i, j) => ['spec', 'resources', i, 'dependsOn', j, 'name'],
    });
  }
  return groups;
}

export const checkDependsOn: Rule = ({ valid }) => {
  const findings: PendingFinding[] = [];
  for (const spec of valid) {
    for (const group of groupsOf(spec)) findings.push(...checkGroup(spec.file, group));
  }
  return findings;
};

function checkGroup(file: string, { what, names, dependsOn, pathOf }: SiblingGroup): PendingFinding[] {
  const findings: PendingFinding[] = [];
  const edges = new Map<string, string[]>();
  names.forEach((name, i) => {
    const targets: string[] = [];
    (dependsOn[i] ?? []).forEach((target, j) => {
      if (targets.includes(target) || (dependsOn[i] ?? []).indexOf(target) < j) {
        findings.push(warning(file, 'depends-on-duplicate', `${what} "${name}" lists "${target}" in dependsOn more than once: remove the repeat`, atValue(pathOf(i, j))));
      } else if (!names.includes(target)) {
        const hint = didYouMean(target, names.filter((n) => n !== name)) || `: name one of the ${what}s of the same list (${names.join(', ')})`;
        findings.push(error(file, 'depends-on-unknown', `${what} "${name}" depends on "${target}", which is not a ${what} of this list${hint}`, atValue(pathOf(i, j))));
      } else {
        targets.push(target);
      }
    });
    edges.set(name, [...(edges.get(name) ?? []), ...targets]);
  });
  for (const cycle of findCycles(names, edges)) {
    const start = names.indexOf(cycle[0]!);
    const next = cycle[1] ?? cycle[0]!;
    const entry = (dependsOn[start] ?? []).indexOf(next);
    const loop = [...cycle, cycle[0]].map((n) => `"${n}"`).join(' → ');
    findings.push(error(file, 'depends-on-cycle', `dependsOn forms a cycle: ${loop}; a run could never start these ${what}s: remove one of these dependencies`, atValue(pathOf(start, entry))));
  }
  return findings;
}
