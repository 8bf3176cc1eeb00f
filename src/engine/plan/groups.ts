// Runs grouped by cause, for a reviewer: environments that run for the same reasons, with the same
// activity graph and the same gates, are one group ("EnvironmentTemplate payments/web-stack v1
// changed → 152 environments in 3 projects"). A change to a template a fleet uses is then one line
// and one graph, whatever the fleet's size; an environment that changed itself stays its own group.
import { specKey } from './changes.js';
import type { Activity, Change, Plan, Reason, Run } from './types.js';

export interface RunGroup {
  action: Run['action'];
  /** The reasons the group's runs share; an environment's own change names it. */
  cause: Reason[];
  runs: Run[];
  /** The graph every run of the group runs, and the gates it waits for. */
  activities: Activity[];
  approvals: string[];
  /** Activities whose own definition the change touches (a hook, a resource's stages): what a reviewer looks at first. */
  changed: string[];
}

const reasonKey = (r: Reason) => `${r.type}|${r.kind}|${r.project}|${r.name}|${r.version ?? ''}|${r.action ?? ''}`;
const graphKey = (activities: readonly Activity[]) => JSON.stringify(activities.map((a) => [a.id, a.type, a.when ?? '', a.dependsOn]));

/** In the plan's order (dependency order): a group comes where its first run does. */
export function groupRuns(plan: Pick<Plan, 'runs' | 'changes'>): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  const changes = new Map(plan.changes.map((c) => [specKey(c), c]));
  for (const run of plan.runs) {
    const cause = [...run.reasons].sort((a, b) => (reasonKey(a) < reasonKey(b) ? -1 : 1));
    // The template version too: runs of two versions of a template are not one group, even with one graph.
    const key = `${run.action}\u0000${run.template ? `${run.template.name}@${run.template.version}` : ''}\u0000${cause.map(reasonKey).join(',')}\u0000${graphKey(run.activities)}\u0000${run.approvals.join(',')}`;
    const group = groups.get(key);
    if (group) group.runs.push(run);
    else groups.set(key, { action: run.action, cause: run.reasons, runs: [run], activities: run.activities, approvals: run.approvals, changed: changedActivities(run, changes) });
  }
  return [...groups.values()];
}

/** The gates a reviewer approves: each once, whatever the number of environments that wait for it. */
export const distinctGates = (runs: readonly Run[]) => [...new Set(runs.flatMap((r) => r.approvals))];

/**
 * The activities of a run whose definition its reasons change: a hook or resource of the changed
 * environment template (by the fields that changed), the stages of a changed resource template or
 * static resource. A context or driver change touches the run as a whole: no activity is marked.
 */
function changedActivities(run: Run, changes: ReadonlyMap<string, Change>): string[] {
  const ids = new Set<string>();
  const resource = (name: string) => run.activities.filter((a) => a.id.startsWith(`resource/${name}/`)).forEach((a) => ids.add(a.id));
  for (const reason of run.reasons) {
    const change = changes.get(specKey(reason));
    if (reason.type === 'resource-template-changed' || reason.type === 'static-resource-changed') resource(reason.name);
    if (reason.type !== 'template-changed' || !change) continue;
    for (const field of change.fields) {
      const hook = /^spec\.hooks\.(\w+)\[name=([^\]]+)\]/.exec(field.path);
      if (hook && run.activities.some((a) => a.id === `hook/${hook[1]}/${hook[2]}`)) ids.add(`hook/${hook[1]}/${hook[2]}`);
      const entry = /^spec\.resources\[name=([^\]]+)\]/.exec(field.path);
      if (entry) resource(entry[1]!);
    }
  }
  return run.activities.filter((a) => ids.has(a.id)).map((a) => a.id);
}
