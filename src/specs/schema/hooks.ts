// Hooks: activities added around a run (onInit ... onCompletion) or around provider stages.
import { Type } from '@sinclair/typebox';
import { Closed, Enum, NameRefList, Seconds } from './common.js';
import { ContainerOptions, DriverRef, HttpOptions } from './drivers.js';

export const HOOK_TYPES = ['approval', 'container', 'http', 'driver'] as const;
export const APPROVAL_TYPES = ['internal', 'email', 'jira', 'github_pull_request'] as const;

export const Hook = Closed(
  {
    name: Type.String({ minLength: 1 }),
    type: Enum(HOOK_TYPES),
    agents: Type.Optional(NameRefList('Agents (runner labels) that may execute this hook.')),
    dependsOn: Type.Optional(Type.Array(Type.String(), { description: 'Names of hooks of the same list.' })),
    onFailure: Type.Optional(
      Enum(['continue', 'unspecified'], '`continue` lets the run go on when this hook fails; otherwise the run fails.'),
    ),
    timeoutSeconds: Type.Optional(Seconds('Time allowed for the hook.')),
    maxRetryCount: Type.Optional(Type.Integer({ minimum: 0 })),
    executeOnce: Type.Optional(Type.Boolean()),
    skipConfig: Type.Optional(
      Closed({
        condition: Type.Optional(Type.String()),
        skipOnDestroy: Type.Optional(Type.Boolean()),
      }),
    ),
    options: Type.Optional(
      Closed({
        approval: Type.Optional(Closed({ type: Enum(APPROVAL_TYPES) })),
        container: Type.Optional(ContainerOptions),
        http: Type.Optional(HttpOptions),
      }),
    ),
    driver: Type.Optional(DriverRef),
  },
  {
    // A hook of type X needs the options of X; these keep the schema's one-source promise.
    allOf: [
      {
        if: { properties: { type: { const: 'container' } }, required: ['type'] },
        then: { required: ['options'], properties: { options: { required: ['container'] } } },
      },
      {
        if: { properties: { type: { const: 'http' } }, required: ['type'] },
        then: { required: ['options'], properties: { options: { required: ['http'] } } },
      },
      {
        if: { properties: { type: { const: 'driver' } }, required: ['type'] },
        then: { required: ['driver'] },
      },
    ],
  },
);

export const HookList = Type.Array(Hook);

const Around = Closed({ before: Type.Optional(HookList), after: Type.Optional(HookList) });

export const DEPLOY_STAGES = ['init', 'plan', 'apply', 'output'] as const;
export const DESTROY_STAGES = ['init', 'plan', 'destroy'] as const;

export const ProviderLifecycleHooks = Closed({
  deploy: Type.Optional(Closed(Object.fromEntries(DEPLOY_STAGES.map((s) => [s, Type.Optional(Around)])))),
  destroy: Type.Optional(Closed(Object.fromEntries(DESTROY_STAGES.map((s) => [s, Type.Optional(Around)])))),
});

export const PROVIDERS = ['opentofu', 'hcpterraform', 'custom'] as const;

const lifecycle = {
  onInit: Type.Optional(HookList),
  onSuccess: Type.Optional(HookList),
  onFailure: Type.Optional(HookList),
  onCompletion: Type.Optional(HookList),
};

export const LIFECYCLE_HOOKS = ['onInit', 'onSuccess', 'onFailure', 'onCompletion'] as const;

export const EnvironmentHooks = Closed(lifecycle);

export const ResourceHooks = Closed({
  ...lifecycle,
  provider: Type.Optional(
    Closed(Object.fromEntries(PROVIDERS.map((p) => [p, Type.Optional(ProviderLifecycleHooks)]))),
  ),
});
