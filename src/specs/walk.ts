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
const ACTIONS = ['deploy', 'destroy'] as const;

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
  const provider = hooks?.provider as Record<string, Record<string, Record<string, Record<string, Hook[]>>> | undefined> | undefined;
  // Only what is present is visited, in the canonical order (provider, action, stage, side).
  if (provider) {
    for (const p of PROVIDERS) {
      const actions = provider[p];
      if (!actions) continue;
      for (const action of ACTIONS) {
        const stages = actions[action];
        if (!stages) continue;
        for (const stage of action === 'deploy' ? DEPLOY_STAGES : DESTROY_STAGES) {
          const around = stages[stage];
          if (!around) continue;
          if (around.before) lists.push({ hooks: around.before, path: ['spec', 'hooks', 'provider', p, action, stage, 'before'] });
          if (around.after) lists.push({ hooks: around.after, path: ['spec', 'hooks', 'provider', p, action, stage, 'after'] });
        }
      }
    }
  }
  const tasks = 'providerOptions' in spec ? spec.providerOptions?.custom?.tasks : undefined;
  if (tasks) lists.push({ hooks: tasks as Hook[], path: ['spec', 'providerOptions', 'custom', 'tasks'] });
  return lists;
}
