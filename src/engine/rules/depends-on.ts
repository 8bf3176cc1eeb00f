// `dependsOn` names an existing sibling, lists it once, and never loops back.
import { atValue, error, warning, type DocPath, type PendingFinding } from '../../specs/findings.js';
import type { EnvironmentTemplate, ResourceTemplate } from '../../specs/kinds.js';
import type { LoadedSpec } from '../../specs/load.js';
import { didYouMean } from '../../specs/suggest.js';
import { hookLists } from '../../specs/walk.js';
import { findCycles } from '../graph.js';
import type { Rule } from './context.js';

interface Sibling {
  name: string;
  dependsOn: { name: string; path: DocPath }[];
}

interface SiblingGroup {
  siblings: Sibling[];
  what: string;
}

function groupsOf(spec: LoadedSpec): SiblingGroup[] {
  if (spec.kind.kind !== 'EnvironmentTemplate' && spec.kind.kind !== 'ResourceTemplate') return [];
  const s = spec.data.spec as EnvironmentTemplate['spec'] | ResourceTemplate['spec'];
  const groups: SiblingGroup[] = hookLists(s).map((list) => ({
    what: list.path.at(-1) === 'tasks' ? 'task' : 'hook',
    siblings: list.hooks.map((hook, i) => ({
      name: hook.name,
      dependsOn: (hook.dependsOn ?? []).map((name, j) => ({ name, path: [...list.path, i, 'dependsOn', j] })),
    })),
  }));
  if ('resources' in s && s.resources) {
    groups.push({
      what: 'resource',
      siblings: s.resources.map((r, i) => ({
        name: r.name,
        dependsOn: (r.dependsOn ?? []).map((d, j) => ({ name: d.name, path: ['spec', 'resources', i, 'dependsOn', j, 'name'] })),
      })),
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

function checkGroup(file: string, { siblings, what }: SiblingGroup): PendingFinding[] {
  const findings: PendingFinding[] = [];
  const names = siblings.map((s) => s.name);
  const known = new Set(names);
  const edges = new Map<string, string[]>();
  for (const sibling of siblings) {
    const seen = new Set<string>();
    const targets: string[] = [];
    for (const dep of sibling.dependsOn) {
      if (seen.has(dep.name)) {
        findings.push(warning(file, 'depends-on-duplicate', `${what} "${sibling.name}" lists "${dep.name}" in dependsOn more than once: remove the repeat`, atValue(dep.path)));
        continue;
      }
      seen.add(dep.name);
      if (!known.has(dep.name)) {
        const hint = didYouMean(dep.name, names.filter((n) => n !== sibling.name)) || `: name one of the ${what}s of the same list (${names.join(', ')})`;
        findings.push(error(file, 'depends-on-unknown', `${what} "${sibling.name}" depends on "${dep.name}", which is not a ${what} of this list${hint}`, atValue(dep.path)));
        continue;
      }
      targets.push(dep.name);
    }
    edges.set(sibling.name, [...(edges.get(sibling.name) ?? []), ...targets]);
  }
  for (const cycle of findCycles(names, edges)) {
    const start = siblings.find((s) => s.name === cycle[0])!;
    const next = cycle[1] ?? cycle[0]!;
    const entry = start.dependsOn.find((d) => d.name === next)!;
    const loop = [...cycle, cycle[0]].map((n) => `"${n}"`).join(' → ');
    findings.push(error(file, 'depends-on-cycle', `dependsOn forms a cycle: ${loop}; a run could never start these ${what}s: remove one of these dependencies`, atValue(entry.path)));
  }
  return findings;
}
