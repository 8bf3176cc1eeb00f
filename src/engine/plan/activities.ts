// The activity graph of one environment run, after the workflow engine's decomposition: the
// environment's onInit hooks first; each resource as its stages (checkout, init, plan, apply, output;
// destroy in a destroy run; a custom provider's tasks), each stage between its provider's before and
// after hooks, the resource template's own hooks around them; `dependsOn` between resources and
// between hooks as edges (reversed between resources for a destroy); onSuccess, onFailure and
// onCompletion last.
import type { EnvironmentTemplate, ResourceTemplate } from '../../specs/kinds.js';
import type { LoadedSpec } from '../../specs/load.js';
import { DEPLOY_STAGES, DESTROY_STAGES } from '../../specs/schema/hooks.js';
import type { Hook } from '../../specs/walk.js';
import type { SpecIndex } from '../spec-index.js';
import type { Activity } from './types.js';

type Action = 'deploy' | 'destroy';
type When = Activity['when'];

/**
 * What an activity runs: a hook (or custom provider task) as written, or a provider stage of a
 * resource. Kept beside the graph, not in it: a plan shows activities, never hook options.
 */
export type ActivityDetail =
  | { kind: 'hook'; hook: Hook; resource?: string }
  | { kind: 'stage'; resource: string; stage: string; template: ResourceTemplate['spec'] };

class GraphBuilder {
  readonly activities: Activity[] = [];
  readonly details = new Map<string, ActivityDetail>();
  constructor(readonly action: Action) {}

  add(id: string, type: Activity['type'], dependsOn: readonly string[], when?: When, detail?: ActivityDetail): string {
    this.activities.push({ id, type, ...(when ? { when } : {}), dependsOn: [...new Set(dependsOn)] });
    if (detail) this.details.set(id, detail);
    return id;
  }

  /**
   * Adds a list of hooks: a hook with `dependsOn` waits for those siblings, one without waits for
   * `entry`. Returns the list's ends (hooks no sibling waits for), or `entry` when the list is empty.
   */
  hooks(list: readonly Hook[] | undefined, prefix: string, entry: readonly string[], when?: When, resource?: string): string[] {
    const hooks = (list ?? []).filter((h) => !(this.action === 'destroy' && h.skipConfig?.skipOnDestroy));
    if (hooks.length === 0) return [...entry];
    const names = new Set(hooks.map((h) => h.name));
    const waitedFor = new Set<string>();
    for (const hook of hooks) {
      const siblings = (hook.dependsOn ?? []).filter((d) => names.has(d));
      siblings.forEach((d) => waitedFor.add(d));
      this.add(`${prefix}/${hook.name}`, hook.type, siblings.length > 0 ? siblings.map((d) => `${prefix}/${d}`) : entry, when, {
        kind: 'hook',
        hook,
        ...(resource !== undefined ? { resource } : {}),
      });
    }
    return hooks.filter((h) => !waitedFor.has(h.name)).map((h) => `${prefix}/${h.name}`);
  }
}

type ProviderHooks = Record<string, Record<string, { before?: Hook[]; after?: Hook[] }> | undefined>;

function resourceActivities(graph: GraphBuilder, name: string, rt: ResourceTemplate['spec'], entry: string[]): string[] {
  const prefix = `resource/${name}`;
  const stage = (s: string) => ({ kind: 'stage' as const, resource: name, stage: s, template: rt });
  let ends = graph.hooks(rt.hooks?.onInit as Hook[] | undefined, `${prefix}/onInit`, entry, undefined, name);
  ends = [graph.add(`${prefix}/checkout`, 'stage', ends, undefined, stage('checkout'))];
  if (rt.provider === 'custom') {
    ends = graph.hooks(rt.providerOptions?.custom?.tasks as Hook[] | undefined, `${prefix}/task`, ends, undefined, name);
  } else {
    const lifecycle = (rt.hooks?.provider as Record<string, ProviderHooks | undefined> | undefined)?.[rt.provider]?.[graph.action];
    for (const s of graph.action === 'deploy' ? DEPLOY_STAGES : DESTROY_STAGES) {
      const around = lifecycle?.[s];
      ends = graph.hooks(around?.before, `${prefix}/${s}/before`, ends, undefined, name);
      ends = [graph.add(`${prefix}/${s}`, 'stage', ends, undefined, stage(s))];
      ends = graph.hooks(around?.after, `${prefix}/${s}/after`, ends, undefined, name);
    }
  }
  return closingHooks(graph, rt.hooks as LifecycleHooks | undefined, prefix, ends, name);
}

interface LifecycleHooks {
  onSuccess?: Hook[];
  onFailure?: Hook[];
  onCompletion?: Hook[];
}

/** onSuccess and onFailure after `ends`, each on its condition; onCompletion after both, always. */
function closingHooks(graph: GraphBuilder, hooks: LifecycleHooks | undefined, prefix: string, ends: string[], resource?: string): string[] {
  const success = graph.hooks(hooks?.onSuccess, `${prefix}/onSuccess`, ends, 'success', resource);
  const failure = graph.hooks(hooks?.onFailure, `${prefix}/onFailure`, ends, 'failure', resource);
  const before = [...new Set([...success, ...failure])];
  return graph.hooks(hooks?.onCompletion, `${prefix}/onCompletion`, before, 'always', resource);
}

/** The activities of running `template` for an environment of `project`, resolving resources in `index`. */
export function buildActivities(template: LoadedSpec, index: SpecIndex, action: Action): Activity[] {
  return buildRunGraph(template, index, action).activities;
}

/** The activities and, for each, what it runs. */
export function buildRunGraph(template: LoadedSpec, index: SpecIndex, action: Action): { activities: Activity[]; details: Map<string, ActivityDetail> } {
  const et = (template.data as unknown as EnvironmentTemplate).spec;
  const graph = new GraphBuilder(action);
  const init = graph.hooks(et.hooks?.onInit as Hook[] | undefined, 'hook/onInit', []);

  // Only resource templates do work; static resources and environments are inputs.
  const dynamic = (et.resources ?? []).filter((r) => r.kind === 'resourcetemplate');
  const names = new Set(dynamic.map((r) => r.name));
  const waitsFor = new Map(dynamic.map((r) => [r.name, (r.dependsOn ?? []).map((d) => d.name).filter((d) => names.has(d) && d !== r.name)]));
  if (action === 'destroy') {
    // Tear down dependents before what they depend on.
    const reversed = new Map(dynamic.map((r) => [r.name, [] as string[]]));
    for (const [name, deps] of waitsFor) for (const dep of deps) reversed.get(dep)!.push(name);
    for (const [name, deps] of reversed) waitsFor.set(name, deps);
  }
  const ends = new Map<string, string[]>();
  const build = (name: string, trail: Set<string>): string[] => {
    const done = ends.get(name);
    if (done) return done;
    if (trail.has(name)) return init; // a cycle is a validation error; do not loop
    trail.add(name);
    const entry = [...new Set([...init, ...(waitsFor.get(name) ?? []).flatMap((d) => build(d, trail))])];
    const resource = dynamic.find((r) => r.name === name)!;
    const resolution = index.resolve('ResourceTemplate', name, template.project, resource.resourceOptions?.version);
    const result =
      resolution.status === 'found'
        ? resourceActivities(graph, name, (resolution.spec.data as unknown as ResourceTemplate).spec, entry)
        : [graph.add(`resource/${name}/unresolved`, 'stage', entry)];
    ends.set(name, result);
    return result;
  };
  for (const r of dynamic) build(r.name, new Set());

  const waitedFor = new Set([...waitsFor.values()].flat());
  const last = dynamic.filter((r) => !waitedFor.has(r.name));
  const sinks = last.length > 0 ? [...new Set(last.flatMap((r) => ends.get(r.name) ?? []))] : init;
  closingHooks(graph, et.hooks as LifecycleHooks | undefined, 'hook', sinks);
  return { activities: graph.activities, details: graph.details };
}
