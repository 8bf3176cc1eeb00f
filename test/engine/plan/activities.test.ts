// The activity DAG of one environment run: onInit hooks first, each resource as its stages between
// its provider's hooks (or a custom provider's tasks), resource dependsOn as edges (reversed for a
// destroy), and the closing hooks on their conditions.
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../../src/engine/plan/types.js';
import { environmentTemplate, resourceTemplate, spec } from '../fixtures.js';
import { ENV_DEV, activitiesOf, edit, exampleFiles, plan, without, type Files } from './repo.js';

/** An approval hook (the hook type with no required options), as YAML list lines at `indent`. */
const approval = (indent: string, name: string, extra: string[] = []) => [`${indent}- name: ${name}`, `${indent}  type: approval`, ...extra.map((l) => `${indent}  ${l}`)];

/** Environment template `web` v1 with `lines` under spec, and the resource templates given. */
const repoOf = (lines: string[], ...resourceTemplates: Files[]): Files => Object.assign({}, ...resourceTemplates, environmentTemplate('web', 'v1', {}, lines));

/** Template resources: each `[name, dependsOn...]` is a resourcetemplate of version v1. */
const resources = (...list: string[][]) => [
  '  resources:',
  ...list.flatMap(([name, ...deps]) => [
    '  - kind: resourcetemplate',
    `    name: ${name}`,
    '    resourceOptions:',
    '      version: v1',
    ...(deps.length > 0 ? ['    dependsOn:', ...deps.map((d) => `    - name: ${d}`)] : []),
  ]),
];

const a = (id: string, type: Activity['type'], dependsOn: string[], when?: Activity['when']): Activity => ({ id, type, ...(when ? { when } : {}), dependsOn });
const stage = (id: string, ...dependsOn: string[]) => a(id, 'stage', dependsOn);

/** The plain OpenTofu deploy stages of resource `name` after `entry`. */
const tofuDeploy = (name: string, ...entry: string[]): Activity[] => [
  stage(`resource/${name}/checkout`, ...entry),
  stage(`resource/${name}/init`, `resource/${name}/checkout`),
  stage(`resource/${name}/plan`, `resource/${name}/init`),
  stage(`resource/${name}/apply`, `resource/${name}/plan`),
  stage(`resource/${name}/output`, `resource/${name}/apply`),
];

/** The plain OpenTofu destroy stages of resource `name` after `entry`. */
const tofuDestroy = (name: string, ...entry: string[]): Activity[] => [
  stage(`resource/${name}/checkout`, ...entry),
  stage(`resource/${name}/init`, `resource/${name}/checkout`),
  stage(`resource/${name}/plan`, `resource/${name}/init`),
  stage(`resource/${name}/destroy`, `resource/${name}/plan`),
];

describe('activities of the example template web-stack', () => {
  const files = exampleFiles();

  it('deploys as onInit hooks, network → database → app by dependsOn with their hooks and tasks, then the closing hooks', () => {
    expect(activitiesOf(files, 'deploy', 'web-stack', 'payments')).toEqual([
      a('hook/onInit/change-approval', 'approval', []),
      a('hook/onInit/preflight', 'container', ['hook/onInit/change-approval']),
      stage('resource/network/checkout', 'hook/onInit/preflight'),
      stage('resource/network/init', 'resource/network/checkout'),
      stage('resource/network/plan', 'resource/network/init'),
      a('resource/network/plan/after/check-plan', 'http', ['resource/network/plan']),
      stage('resource/network/apply', 'resource/network/plan/after/check-plan'),
      stage('resource/network/output', 'resource/network/apply'),
      a('resource/database/onInit/snapshot-check', 'container', ['hook/onInit/preflight', 'resource/network/output']),
      stage('resource/database/checkout', 'resource/database/onInit/snapshot-check'),
      stage('resource/database/init', 'resource/database/checkout'),
      stage('resource/database/plan', 'resource/database/init'),
      stage('resource/database/apply', 'resource/database/plan'),
      stage('resource/database/output', 'resource/database/apply'),
      stage('resource/app/checkout', 'hook/onInit/preflight', 'resource/database/output'),
      a('resource/app/task/render', 'driver', ['resource/app/checkout']),
      a('resource/app/task/rollout', 'driver', ['resource/app/task/render']),
      a('hook/onSuccess/smoke-test', 'http', ['resource/app/task/rollout'], 'success'),
      a('hook/onFailure/page-on-call', 'driver', ['resource/app/task/rollout'], 'failure'),
      a('hook/onCompletion/announce', 'driver', ['hook/onSuccess/smoke-test', 'hook/onFailure/page-on-call'], 'always'),
    ]);
  });

  it('destroys app → database → network (reverse dependency order) with the destroy stages and the destroy hook of network', () => {
    expect(activitiesOf(files, 'destroy', 'web-stack', 'payments')).toEqual([
      a('hook/onInit/change-approval', 'approval', []),
      a('hook/onInit/preflight', 'container', ['hook/onInit/change-approval']),
      stage('resource/app/checkout', 'hook/onInit/preflight'),
      a('resource/app/task/render', 'driver', ['resource/app/checkout']),
      a('resource/app/task/rollout', 'driver', ['resource/app/task/render']),
      a('resource/database/onInit/snapshot-check', 'container', ['hook/onInit/preflight', 'resource/app/task/rollout']),
      stage('resource/database/checkout', 'resource/database/onInit/snapshot-check'),
      stage('resource/database/init', 'resource/database/checkout'),
      stage('resource/database/plan', 'resource/database/init'),
      stage('resource/database/destroy', 'resource/database/plan'),
      stage('resource/network/checkout', 'hook/onInit/preflight', 'resource/database/destroy'),
      stage('resource/network/init', 'resource/network/checkout'),
      stage('resource/network/plan', 'resource/network/init'),
      a('resource/network/destroy/before/backup-state', 'driver', ['resource/network/plan']),
      stage('resource/network/destroy', 'resource/network/destroy/before/backup-state'),
      a('hook/onSuccess/smoke-test', 'http', ['resource/network/destroy'], 'success'),
      a('hook/onFailure/page-on-call', 'driver', ['resource/network/destroy'], 'failure'),
      a('hook/onCompletion/announce', 'driver', ['hook/onSuccess/smoke-test', 'hook/onFailure/page-on-call'], 'always'),
    ]);
  });

  it('gives a planned run the same activities, and its approval gates', () => {
    const p = plan(files, edit(files, ENV_DEV, 'value: "1"', 'value: "2"'));
    expect(p.runs[0]!.activities).toEqual(activitiesOf(files, 'deploy', 'web-stack', 'payments'));
    expect(p.runs[0]!.approvals).toEqual(['hook/onInit/change-approval']);
  });

  it('gives a destroy run of a deleted environment the destroy activities of the base', () => {
    const p = plan(files, without(files, ENV_DEV));
    expect(p.runs[0]!.action).toBe('destroy');
    expect(p.runs[0]!.activities).toEqual(activitiesOf(files, 'destroy', 'web-stack', 'payments'));
  });
});

describe('activities: environment onInit hooks', () => {
  const cases: [string, string[], Activity[]][] = [
    [
      'a hook with dependsOn waits only for its siblings; one without waits for nothing',
      ['  hooks:', '    onInit:', ...approval('    ', 'approve'), ...approval('    ', 'check', ['dependsOn: [approve]'])],
      [a('hook/onInit/approve', 'approval', []), a('hook/onInit/check', 'approval', ['hook/onInit/approve'])],
    ],
    [
      'a diamond of hooks keeps every edge and ends at the hook nothing waits for',
      [
        '  hooks:',
        '    onInit:',
        ...approval('    ', 'first'),
        ...approval('    ', 'left', ['dependsOn: [first]']),
        ...approval('    ', 'right', ['dependsOn: [first]']),
        ...approval('    ', 'join', ['dependsOn: [left, right]']),
        ...resources(['net']),
      ],
      [
        a('hook/onInit/first', 'approval', []),
        a('hook/onInit/left', 'approval', ['hook/onInit/first']),
        a('hook/onInit/right', 'approval', ['hook/onInit/first']),
        a('hook/onInit/join', 'approval', ['hook/onInit/left', 'hook/onInit/right']),
        ...tofuDeploy('net', 'hook/onInit/join'),
      ],
    ],
    [
      'every resource waits for all onInit hooks that no other hook waits for',
      ['  hooks:', '    onInit:', ...approval('    ', 'one'), ...approval('    ', 'two'), ...resources(['net'])],
      [a('hook/onInit/one', 'approval', []), a('hook/onInit/two', 'approval', []), ...tofuDeploy('net', 'hook/onInit/one', 'hook/onInit/two')],
    ],
  ];
  it.each(cases)('%s', (_name, lines, expected) => {
    expect(activitiesOf(repoOf(lines, resourceTemplate('net')), 'deploy')).toEqual(expected);
  });
});

describe('activities: provider stages and their hooks', () => {
  const providerHooks = (provider: string, action: string, stages: Record<string, { before?: string[]; after?: string[] }>) => [
    '  hooks:',
    '    provider:',
    `      ${provider}:`,
    `        ${action}:`,
    ...Object.entries(stages).flatMap(([s, { before, after }]) => [
      `          ${s}:`,
      ...(before ? ['            before:', ...before.flatMap((h) => approval('            ', h))] : []),
      ...(after ? ['            after:', ...after.flatMap((h) => approval('            ', h))] : []),
    ]),
  ];

  it('runs an opentofu resource as checkout → init → plan → apply → output, no hooks', () => {
    expect(activitiesOf(repoOf(resources(['net']), resourceTemplate('net')), 'deploy')).toEqual(tofuDeploy('net'));
  });

  it('puts each provider before hook right before its stage and each after hook right after it', () => {
    const rt = resourceTemplate('net', 'v1', {}, providerHooks('opentofu', 'deploy', { init: { before: ['ib'] }, plan: { before: ['pb'], after: ['check'] }, apply: { before: ['ab'] }, output: { after: ['oa'] } }));
    expect(activitiesOf(repoOf(resources(['net']), rt), 'deploy')).toEqual([
      stage('resource/net/checkout'),
      a('resource/net/init/before/ib', 'approval', ['resource/net/checkout']),
      stage('resource/net/init', 'resource/net/init/before/ib'),
      a('resource/net/plan/before/pb', 'approval', ['resource/net/init']),
      stage('resource/net/plan', 'resource/net/plan/before/pb'),
      a('resource/net/plan/after/check', 'approval', ['resource/net/plan']),
      a('resource/net/apply/before/ab', 'approval', ['resource/net/plan/after/check']),
      stage('resource/net/apply', 'resource/net/apply/before/ab'),
      stage('resource/net/output', 'resource/net/apply'),
      a('resource/net/output/after/oa', 'approval', ['resource/net/output']),
    ]);
  });

  it('runs two after hooks of one stage side by side and waits for both at the next stage', () => {
    const rt = resourceTemplate('net', 'v1', {}, providerHooks('opentofu', 'deploy', { plan: { after: ['one', 'two'] } }));
    const ids = activitiesOf(repoOf(resources(['net']), rt), 'deploy');
    expect(ids.slice(3, 6)).toEqual([
      a('resource/net/plan/after/one', 'approval', ['resource/net/plan']),
      a('resource/net/plan/after/two', 'approval', ['resource/net/plan']),
      stage('resource/net/apply', 'resource/net/plan/after/one', 'resource/net/plan/after/two'),
    ]);
  });

  it('leaves the destroy hooks out of a deploy', () => {
    const rt = resourceTemplate('net', 'v1', {}, providerHooks('opentofu', 'destroy', { destroy: { before: ['backup'] } }));
    expect(activitiesOf(repoOf(resources(['net']), rt), 'deploy')).toEqual(tofuDeploy('net'));
  });

  it('uses the hooks of the resource template own provider: hcpterraform hooks for hcpterraform, opentofu hooks ignored', () => {
    const rt = spec('ResourceTemplate', 'net', [
      '  version: v1',
      '  provider: hcpterraform',
      '  hooks:',
      '    provider:',
      '      hcpterraform:',
      '        deploy:',
      '          apply:',
      '            after:',
      ...approval('            ', 'hcp'),
      '      opentofu:',
      '        deploy:',
      '          apply:',
      '            after:',
      ...approval('            ', 'tofu'),
    ]);
    expect(activitiesOf(repoOf(resources(['net']), rt), 'deploy')).toEqual([
      ...tofuDeploy('net').slice(0, 4),
      a('resource/net/apply/after/hcp', 'approval', ['resource/net/apply']),
      stage('resource/net/output', 'resource/net/apply/after/hcp'),
    ]);
  });
});

describe('activities: resources and their dependsOn', () => {
  const rts = [resourceTemplate('vpc'), resourceTemplate('db'), resourceTemplate('app'), resourceTemplate('cache')];

  it('starts a resource after every resource it depends on, in the order the template lists them', () => {
    expect(activitiesOf(repoOf(resources(['vpc'], ['db', 'vpc'], ['app', 'vpc', 'db']), ...rts), 'deploy')).toEqual([
      ...tofuDeploy('vpc'),
      ...tofuDeploy('db', 'resource/vpc/output'),
      ...tofuDeploy('app', 'resource/vpc/output', 'resource/db/output'),
    ]);
  });

  it("builds a resource's dependencies first even when the template lists it before them", () => {
    expect(activitiesOf(repoOf(resources(['app', 'db'], ['db']), ...rts), 'deploy')).toEqual([...tofuDeploy('db'), ...tofuDeploy('app', 'resource/db/output')]);
  });

  it('ignores a dependsOn on a static resource (only resource templates run)', () => {
    const lines = ['  resources:', '  - kind: resourcetemplate', '    name: app', '    resourceOptions:', '      version: v1', '    dependsOn:', '    - name: zone', '  - kind: resource', '    name: zone'];
    const files = { ...repoOf(lines, ...rts), ...spec('Resource', 'zone', ['  variables: []']) };
    expect(activitiesOf(files, 'deploy')).toEqual(tofuDeploy('app'));
  });

  it('runs the closing hooks after every resource nothing depends on', () => {
    const lines = [...resources(['vpc'], ['db', 'vpc'], ['cache', 'vpc']), '  hooks:', '    onCompletion:', ...approval('    ', 'done')];
    const activities = activitiesOf(repoOf(lines, ...rts), 'deploy');
    expect(activities.at(-1)).toEqual(a('hook/onCompletion/done', 'approval', ['resource/db/output', 'resource/cache/output'], 'always'));
  });

  it('runs the closing hooks after the onInit hooks when the template has no resource templates', () => {
    const lines = ['  hooks:', '    onInit:', ...approval('    ', 'go'), '    onSuccess:', ...approval('    ', 'yay')];
    expect(activitiesOf(repoOf(lines), 'deploy')).toEqual([a('hook/onInit/go', 'approval', []), a('hook/onSuccess/yay', 'approval', ['hook/onInit/go'], 'success')]);
  });

  it('names a resource whose template version does not resolve resource/<name>/unresolved', () => {
    expect(activitiesOf(repoOf(resources(['ghost'])), 'deploy', 'web', 'p', true)).toEqual([stage('resource/ghost/unresolved')]);
  });
});

describe('activities: custom provider tasks', () => {
  const custom = (tasks: string[]) => spec('ResourceTemplate', 'app', ['  version: v1', '  provider: custom', '  providerOptions:', '    custom:', '      tasks:', ...tasks]);

  it('runs tasks after checkout, each after the tasks it depends on, with no init/plan/apply stages', () => {
    const rt = custom([...approval('      ', 'render'), ...approval('      ', 'lint'), ...approval('      ', 'rollout', ['dependsOn: [render, lint]'])]);
    expect(activitiesOf(repoOf(['  hooks:', '    onSuccess:', ...approval('    ', 'ok'), ...resources(['app'])], rt), 'deploy')).toEqual([
      stage('resource/app/checkout'),
      a('resource/app/task/render', 'approval', ['resource/app/checkout']),
      a('resource/app/task/lint', 'approval', ['resource/app/checkout']),
      a('resource/app/task/rollout', 'approval', ['resource/app/task/render', 'resource/app/task/lint']),
      a('hook/onSuccess/ok', 'approval', ['resource/app/task/rollout'], 'success'),
    ]);
  });

  it('gives a task the type of its hook (driver)', () => {
    const rt = custom(['      - name: render', '        type: driver', '        driver:', '          name: d']);
    const files = { ...repoOf(resources(['app']), rt), ...spec('Driver', 'd', ['  config:', '    type: http', '    http:', '      endpoint: https://x']) };
    expect(activitiesOf(files, 'deploy')).toEqual([stage('resource/app/checkout'), a('resource/app/task/render', 'driver', ['resource/app/checkout'])]);
  });

  it('ends a custom resource without tasks at its checkout', () => {
    const rt = spec('ResourceTemplate', 'app', ['  version: v1', '  provider: custom']);
    expect(activitiesOf(repoOf(resources(['app'], ['db', 'app']), rt, resourceTemplate('db')), 'deploy')).toEqual([stage('resource/app/checkout'), ...tofuDeploy('db', 'resource/app/checkout')]);
  });
});

describe('activities: lifecycle hooks of a resource template', () => {
  it('runs onInit before checkout, then onSuccess (success) and onFailure (failure) after the stages, then onCompletion (always) after both', () => {
    const rt = resourceTemplate('net', 'v1', {}, [
      '  hooks:',
      '    onInit:',
      ...approval('    ', 'prepare'),
      '    onSuccess:',
      ...approval('    ', 'celebrate'),
      '    onFailure:',
      ...approval('    ', 'page'),
      '    onCompletion:',
      ...approval('    ', 'report'),
    ]);
    expect(activitiesOf(repoOf([...resources(['net'], ['app', 'net'])], rt, resourceTemplate('app')), 'deploy')).toEqual([
      a('resource/net/onInit/prepare', 'approval', []),
      ...tofuDeploy('net', 'resource/net/onInit/prepare'),
      a('resource/net/onSuccess/celebrate', 'approval', ['resource/net/output'], 'success'),
      a('resource/net/onFailure/page', 'approval', ['resource/net/output'], 'failure'),
      a('resource/net/onCompletion/report', 'approval', ['resource/net/onSuccess/celebrate', 'resource/net/onFailure/page'], 'always'),
      ...tofuDeploy('app', 'resource/net/onCompletion/report'),
    ]);
  });

  it('starts a dependent resource after both closing branches when the resource has onSuccess and onFailure but no onCompletion', () => {
    const rt = resourceTemplate('net', 'v1', {}, ['  hooks:', '    onSuccess:', ...approval('    ', 'ok'), '    onFailure:', ...approval('    ', 'ko')]);
    const activities = activitiesOf(repoOf(resources(['net'], ['app', 'net']), rt, resourceTemplate('app')), 'deploy');
    expect(activities.find((x) => x.id === 'resource/app/checkout')).toEqual(stage('resource/app/checkout', 'resource/net/onSuccess/ok', 'resource/net/onFailure/ko'));
  });
});

describe('activities: closing hooks of the environment', () => {
  const rts = [resourceTemplate('net')];

  it('runs onSuccess on success and onFailure on failure after the resources, and onCompletion always after both', () => {
    const lines = [...resources(['net']), '  hooks:', '    onSuccess:', ...approval('    ', 's1'), ...approval('    ', 's2', ['dependsOn: [s1]']), '    onFailure:', ...approval('    ', 'f'), '    onCompletion:', ...approval('    ', 'c')];
    expect(activitiesOf(repoOf(lines, ...rts), 'deploy').slice(5)).toEqual([
      a('hook/onSuccess/s1', 'approval', ['resource/net/output'], 'success'),
      a('hook/onSuccess/s2', 'approval', ['hook/onSuccess/s1'], 'success'),
      a('hook/onFailure/f', 'approval', ['resource/net/output'], 'failure'),
      a('hook/onCompletion/c', 'approval', ['hook/onSuccess/s2', 'hook/onFailure/f'], 'always'),
    ]);
  });

  it('runs onCompletion right after the resources when there is no onSuccess or onFailure', () => {
    const lines = [...resources(['net']), '  hooks:', '    onCompletion:', ...approval('    ', 'c')];
    expect(activitiesOf(repoOf(lines, ...rts), 'deploy').slice(5)).toEqual([a('hook/onCompletion/c', 'approval', ['resource/net/output'], 'always')]);
  });

  it('runs onCompletion after onFailure and the resources when there is no onSuccess', () => {
    const lines = [...resources(['net']), '  hooks:', '    onFailure:', ...approval('    ', 'f'), '    onCompletion:', ...approval('    ', 'c')];
    expect(activitiesOf(repoOf(lines, ...rts), 'deploy').slice(5)).toEqual([
      a('hook/onFailure/f', 'approval', ['resource/net/output'], 'failure'),
      a('hook/onCompletion/c', 'approval', ['resource/net/output', 'hook/onFailure/f'], 'always'),
    ]);
  });
});

describe('activities: destroy runs', () => {
  const skip = ['skipConfig:', '  skipOnDestroy: true'];

  it('runs an opentofu resource as checkout → init → plan → destroy, with the destroy provider hooks only', () => {
    const rt = resourceTemplate('net', 'v1', {}, [
      '  hooks:',
      '    provider:',
      '      opentofu:',
      '        deploy:',
      '          apply:',
      '            before:',
      ...approval('            ', 'deploy-only'),
      '        destroy:',
      '          plan:',
      '            after:',
      ...approval('            ', 'review'),
      '          destroy:',
      '            before:',
      ...approval('            ', 'backup'),
      '            after:',
      ...approval('            ', 'cleanup'),
    ]);
    expect(activitiesOf(repoOf(resources(['net']), rt), 'destroy')).toEqual([
      stage('resource/net/checkout'),
      stage('resource/net/init', 'resource/net/checkout'),
      stage('resource/net/plan', 'resource/net/init'),
      a('resource/net/plan/after/review', 'approval', ['resource/net/plan']),
      a('resource/net/destroy/before/backup', 'approval', ['resource/net/plan/after/review']),
      stage('resource/net/destroy', 'resource/net/destroy/before/backup'),
      a('resource/net/destroy/after/cleanup', 'approval', ['resource/net/destroy']),
    ]);
  });

  it('destroys resources in reverse dependency order: dependents first', () => {
    const rts = [resourceTemplate('vpc'), resourceTemplate('db'), resourceTemplate('app')];
    expect(activitiesOf(repoOf(resources(['vpc'], ['db', 'vpc'], ['app', 'vpc', 'db']), ...rts), 'destroy')).toEqual([
      ...tofuDestroy('app'),
      ...tofuDestroy('db', 'resource/app/destroy'),
      ...tofuDestroy('vpc', 'resource/db/destroy', 'resource/app/destroy'),
    ]);
  });

  it('runs the destroy closing hooks after the resource destroyed last', () => {
    const rts = [resourceTemplate('vpc'), resourceTemplate('db')];
    const lines = [...resources(['vpc'], ['db', 'vpc']), '  hooks:', '    onSuccess:', ...approval('    ', 'done')];
    expect(activitiesOf(repoOf(lines, ...rts), 'destroy').at(-1)).toEqual(a('hook/onSuccess/done', 'approval', ['resource/vpc/destroy'], 'success'));
  });

  it('leaves out every hook and task with skipConfig.skipOnDestroy, and a hook that depended on one waits for the entry instead', () => {
    const rt = resourceTemplate('net', 'v1', {}, [
      '  hooks:',
      '    onInit:',
      ...approval('    ', 'rt-skip', skip),
      '    provider:',
      '      opentofu:',
      '        destroy:',
      '          destroy:',
      '            before:',
      ...approval('            ', 'backup', skip),
    ]);
    const job = spec('ResourceTemplate', 'job', ['  version: v1', '  provider: custom', '  providerOptions:', '    custom:', '      tasks:', ...approval('      ', 'render', skip), ...approval('      ', 'teardown')]);
    const lines = [
      ...resources(['net'], ['job']),
      '  hooks:',
      '    onInit:',
      ...approval('    ', 'approve', skip),
      ...approval('    ', 'check', ['dependsOn: [approve]']),
      '    onSuccess:',
      ...approval('    ', 'notify', skip),
      '    onCompletion:',
      ...approval('    ', 'report'),
    ];
    const files = repoOf(lines, rt, job);
    expect(activitiesOf(files, 'destroy')).toEqual([
      a('hook/onInit/check', 'approval', []),
      ...tofuDestroy('net', 'hook/onInit/check'),
      stage('resource/job/checkout', 'hook/onInit/check'),
      a('resource/job/task/teardown', 'approval', ['resource/job/checkout']),
      a('hook/onCompletion/report', 'approval', ['resource/net/destroy', 'resource/job/task/teardown'], 'always'),
    ]);
    // The same hooks all run in a deploy.
    const deployIds = activitiesOf(files, 'deploy').map((x) => x.id);
    expect(deployIds).toEqual(expect.arrayContaining(['hook/onInit/approve', 'resource/net/onInit/rt-skip', 'resource/job/task/render', 'hook/onSuccess/notify']));
    expect(deployIds).not.toContain('resource/net/destroy/before/backup');
  });
});
