// Where the lists that rules and plans care about live inside each kind of spec.
import type { Static } from '@sinclair/typebox';
import type { DocPath } from './findings.js';
import type { Hook as HookSchema } from './schema/hooks.js';
import { DEPLOY_STAGES, DESTROY_STAGES, LIFECYCLE_HOOKS, PROVIDERS } from './schema/hooks.js';
import type { EnvironmentTemplate, ResourceTemplate } from './kinds.js';

export type Hook = Static<typeof HookSchema>;

export interface HookListAt {
  hooks: Hook[];
  path: DocPath;
}

type HookOwner = EnvironmentTemplate['spec'] | ResourceTemplate['spec'];

const cache = new WeakMap<object, HookListAt[]>();

/** Every list of hooks (or custom provider tasks) of a template, with its path; computed once per spec. */
export function hookLists(spec: HookOwner): HookListAt[] {
  let lists = cache.get(spec);
  if (!lists) cache.set(spec, (lists = collectHookLists(spec)));
  return lists;
}

function collectHookLists(spec: HookOwner): HookListAt[] {
  const lists: HookListAt[] = [];
  const hooks = spec.hooks as Record<string, unknown> | undefined;
  for (const when of LIFECYCLE_HOOKS) {
    const list = hooks?.[when] as Hook[] | undefined;
    if (list) lists.push({ hooks: list, path: ['spec', 'hooks', when] });
  }
  const provider = hooks?.provider as Record<string, Record<string, Record<string, Record<string, Hook[]>>>> | undefined;
  for (const p of PROVIDERS) {
    for (const [action, stages] of [
      ['deploy', DEPLOY_STAGES],
      ['destroy', DESTROY_STAGES],
    ] as const) {
      for (const stage of stages) {
        for (const side of ['before', 'after'] as const) {
          const list = provider?.[p]?.[action]?.[stage]?.[side];
          if (list) lists.push({ hooks: list, path: ['spec', 'hooks', 'provider', p, action, stage, side] });
        }
      }
    }
  }
  const tasks = 'providerOptions' in spec ? spec.providerOptions?.custom?.tasks : undefined;
  if (tasks) lists.push({ hooks: tasks as Hook[], path: ['spec', 'providerOptions', 'custom', 'tasks'] });
  return lists;
}
