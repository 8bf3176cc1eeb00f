// What a change does to specs (create, update, delete, version bumps) and which environments it runs
// and why, on the example repository (heads edited in memory) and on small synthetic repositories.
import { describe, expect, it } from 'vitest';
import type { Change, Reason } from '../../../src/engine/plan/types.js';
import { validate } from '../../helpers/repo.js';
import { context, dependencyChain, driver, environment, environmentTemplate, pathOf, resource, resourceTemplate, sharedWith, spec } from '../fixtures.js';
import {
  CTX_AWS,
  DRV_NOTIFY,
  DRV_RENDER,
  DRV_TOFU,
  ENV_DEV,
  ENV_STAGING,
  ET_WEB_STACK,
  RES_DNS,
  RT_APP,
  RT_DATABASE,
  RT_NETWORK,
  edit,
  exampleFiles,
  plan,
  runsOf,
  without,
  type Files,
} from './repo.js';

const base = exampleFiles();
const SPEC_COUNT = Object.keys(base).length;

/** The reasons of each run, keyed `project/environment`. */
const reasonsOf = (p: ReturnType<typeof plan>): Record<string, Reason[]> => Object.fromEntries(p.runs.map((r) => [`${r.project}/${r.environment}`, r.reasons]));

const WEB_STACK_V1 = { kind: 'EnvironmentTemplate', project: 'payments', name: 'web-stack', version: 'v1' } as const;
const DEV = { kind: 'Environment', project: 'payments', name: 'dev' } as const;
const STAGING = { kind: 'Environment', project: 'payments', name: 'staging' } as const;

describe('changes: nothing changed', () => {
  it('gives no change and no run when head is base, and counts every spec unchanged', () => {
    const p = plan(base, base);
    expect(p.changes).toEqual([]);
    expect(p.runs).toEqual([]);
    expect(p.findings).toEqual([]);
    expect(p.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: SPEC_COUNT, deploys: 0, destroys: 0, approvals: 0, errors: 0, warnings: 0 });
  });

  it('treats a spec whose file only changed formatting (same data, different bytes) as unchanged', () => {
    const reformatted = {
      ...base,
      [ENV_DEV]: [
        "apiVersion: 'eaas.envmgmt.io/v1'",
        'kind: Environment # reformatted',
        'metadata: { name: dev, project: payments, description: "Developers\' shared environment" }',
        'spec:',
        '    template: { name: web-stack, version: v1 }',
        '    agents: [ { name: linux-small } ]',
        '    variables:',
        '      - { name: owner_team, value: payments-dev }',
        "      - { name: replicas, value: '1' }",
        '',
      ].join('\n'),
    };
    expect(reformatted[ENV_DEV]).not.toBe(base[ENV_DEV]);
    const p = plan(base, reformatted);
    expect(p.changes).toEqual([]);
    expect(p.runs).toEqual([]);
    expect(p.summary.unchanged).toBe(SPEC_COUNT);
  });

  it('treats a template version moved from name.yaml to name@version.yaml with the same content as unchanged', () => {
    const moved = { ...without(base, ET_WEB_STACK), 'projects/payments/environmenttemplates/web-stack@v1.yaml': base[ET_WEB_STACK]! };
    const p = plan(base, moved);
    expect(p.changes).toEqual([]);
    expect(p.runs).toEqual([]);
    expect(p.summary.unchanged).toBe(SPEC_COUNT);
  });
});

describe('changes: each kind of change', () => {
  it('reports an edited environment as an update with its field diff', () => {
    const p = plan(base, edit(base, ENV_DEV, 'value: "1"', 'value: "2"'));
    expect(p.changes).toEqual<Change[]>([
      { ...DEV, action: 'update', file: ENV_DEV, fields: [{ path: 'spec.variables[name=replicas].value', before: '1', after: '2' }] },
    ]);
    expect(p.summary).toMatchObject({ create: 0, update: 1, delete: 0, unchanged: SPEC_COUNT - 1 });
  });

  it('reports a new environment as a create listing its fields as after values', () => {
    const qa = 'projects/payments/environments/qa.yaml';
    const head = { ...base, [qa]: 'apiVersion: eaas.envmgmt.io/v1\nkind: Environment\nmetadata:\n  name: qa\n  project: payments\nspec:\n  template:\n    name: web-stack\n    version: v1\n' };
    const p = plan(base, head);
    expect(p.changes).toEqual<Change[]>([
      {
        kind: 'Environment',
        project: 'payments',
        name: 'qa',
        action: 'create',
        file: qa,
        fields: [
          { path: 'apiVersion', after: 'eaas.envmgmt.io/v1' },
          { path: 'kind', after: 'Environment' },
          { path: 'metadata.name', after: 'qa' },
          { path: 'metadata.project', after: 'payments' },
          { path: 'spec.template.name', after: 'web-stack' },
          { path: 'spec.template.version', after: 'v1' },
        ],
      },
    ]);
    expect(p.summary).toMatchObject({ create: 1, update: 0, delete: 0, unchanged: SPEC_COUNT });
  });

  it('reports a deleted static resource as a delete listing its fields as before values', () => {
    const p = plan(base, without(base, RES_DNS));
    expect(p.changes).toEqual<Change[]>([
      {
        kind: 'Resource',
        project: 'payments',
        name: 'dns-zone',
        action: 'delete',
        file: RES_DNS,
        fields: [
          { path: 'apiVersion', before: 'eaas.envmgmt.io/v1' },
          { path: 'kind', before: 'Resource' },
          { path: 'metadata.name', before: 'dns-zone' },
          { path: 'metadata.project', before: 'payments' },
          { path: 'spec.variables[name=zone_id].name', before: 'zone_id' },
          { path: 'spec.variables[name=zone_id].value', before: 'Z0EXAMPLE' },
          { path: 'spec.variables[name=zone_id].valueType', before: 'text' },
          { path: 'spec.variables[name=domain].name', before: 'domain' },
          { path: 'spec.variables[name=domain].value', before: 'payments.example.com' },
          { path: 'spec.variables[name=domain].valueType', before: 'text' },
        ],
      },
    ]);
    expect(p.summary).toMatchObject({ create: 0, update: 0, delete: 1, unchanged: SPEC_COUNT - 1 });
  });

  it('reports a new template version web-stack@v2.yaml as a create with versionBump from v1, diffed against v1', () => {
    const v2 = 'projects/payments/environmenttemplates/web-stack@v2.yaml';
    const head = { ...base, [v2]: base[ET_WEB_STACK]!.replace('version: v1\n  versionState', 'version: v2\n  versionState').replace('value: "2"', 'value: "4"') };
    const p = plan(base, head);
    expect(p.changes).toEqual<Change[]>([
      {
        kind: 'EnvironmentTemplate',
        project: 'payments',
        name: 'web-stack',
        version: 'v2',
        action: 'create',
        file: v2,
        fields: [
          { path: 'spec.version', before: 'v1', after: 'v2' },
          { path: 'spec.variables[name=replicas].value', before: '2', after: '4' },
        ],
        versionBump: { from: ['v1'], comparedWith: 'v1' },
      },
    ]);
    // No environment runs v2 yet.
    expect(p.runs).toEqual([]);
    expect(p.findings).toEqual([]);
  });

  it('lists every earlier version in versionBump.from, in version order, and diffs against the latest', () => {
    const dir = 'projects/payments/environmenttemplates/';
    const v = (n: string) => base[ET_WEB_STACK]!.replace('version: v1\n  versionState', `version: ${n}\n  versionState`);
    const before = { ...without(base, ET_WEB_STACK), [`${dir}web-stack@v1.yaml`]: v('v1'), [`${dir}web-stack@v10.yaml`]: v('v10'), [`${dir}web-stack@v2.yaml`]: v('v2') };
    const p = plan(before, { ...before, [`${dir}web-stack@v11.yaml`]: v('v11') });
    expect(p.changes.map((c) => [c.action, c.version, c.versionBump, c.fields])).toEqual([
      ['create', 'v11', { from: ['v1', 'v2', 'v10'], comparedWith: 'v10' }, [{ path: 'spec.version', before: 'v10', after: 'v11' }]],
    ]);
  });

  it('reports a sensitive value change as sensitive, and no secret appears anywhere in the plan', () => {
    const head = edit(base, CTX_AWS, 'value: example-access-key-id', 'value: rotated-access-key-id');
    const p = plan(base, head);
    expect(p.changes).toEqual<Change[]>([
      { kind: 'ConfigContext', project: 'platform', name: 'aws-account', action: 'update', file: CTX_AWS, fields: [{ path: 'spec.envs[key=AWS_ACCESS_KEY_ID].value', sensitive: true }] },
    ]);
    const json = JSON.stringify(p);
    expect(json).not.toContain('example-access-key-id');
    expect(json).not.toContain('rotated-access-key-id');
  });

  it('reports a rotated image pull password as sensitive and runs the environments whose resources use that driver', () => {
    const p = plan(base, edit(base, DRV_TOFU, 'password: example-pull-password', 'password: rotated-pull-password'));
    expect(p.changes).toEqual<Change[]>([
      { kind: 'Driver', project: 'platform', name: 'tofu-runner', action: 'update', file: DRV_TOFU, fields: [{ path: 'spec.config.container.imagePullCredentials.password', sensitive: true }] },
    ]);
    expect(runsOf(p)).toEqual(['payments/dev deploy', 'payments/staging deploy']);
    expect(JSON.stringify(p)).not.toMatch(/example-pull-password|rotated-pull-password/);
  });

  it('reports a template version bumped inside its file as a delete of v1 and a create of v2 diffed against v1', () => {
    const p = plan(base, edit(base, ET_WEB_STACK, 'version: v1\n  versionState', 'version: v2\n  versionState'));
    expect(p.changes.map((c) => [c.action, c.version, c.file, c.versionBump])).toEqual([
      ['delete', 'v1', ET_WEB_STACK, undefined],
      ['create', 'v2', ET_WEB_STACK, { from: ['v1'], comparedWith: 'v1' }],
    ]);
    expect(p.changes[1]!.fields).toEqual([{ path: 'spec.version', before: 'v1', after: 'v2' }]);
  });

  it('reports no change for a spec whose only edit is a sensitive value written the same way', () => {
    const head = edit(base, CTX_AWS, 'value: example-secret-access-key', 'value: "example-secret-access-key"');
    expect(plan(base, head).changes).toEqual([]);
  });
});

/** A template `web` declaring `db_password` sensitive, and an environment `dev` overriding it. */
const sensitiveRepo = (devValue: string): Files => ({
  ...environmentTemplate('web', 'v1', {}, ['  variables:', '  - name: db_password', '    value: default-pw', '    options:', '      sensitive: true', '      override:', '        type: allowed']),
  ...environment('dev', 'web', 'v1', {}, ['  variables:', '  - name: db_password', `    value: ${devValue}`]),
});

describe('changes: an environment overriding a value its template declares sensitive', () => {
  it('shows the changed override as sensitive, without either value', () => {
    const p = plan(sensitiveRepo('old-env-secret'), sensitiveRepo('new-env-secret'));
    expect(p.changes).toEqual<Change[]>([
      { kind: 'Environment', project: 'p', name: 'dev', action: 'update', file: pathOf('Environment', 'dev'), fields: [{ path: 'spec.variables[name=db_password].value', sensitive: true }] },
    ]);
    const json = JSON.stringify(p);
    expect(json).not.toContain('old-env-secret');
    expect(json).not.toContain('new-env-secret');
  });

  it('flags the override of a created environment as sensitive', () => {
    const repo = sensitiveRepo('created-env-secret');
    const created = plan(without(repo, pathOf('Environment', 'dev')), repo);
    expect(created.changes[0]!.fields.filter((f) => f.sensitive)).toHaveLength(1);
  });

  it('masks an environment override of a variable the template config context declares sensitive', () => {
    const head = edit(base, ENV_DEV, '    value: payments-dev\n', '    value: payments-dev\n  - name: aws_secret_access_key\n    value: env-override-secret\n');
    const p = plan(base, head);
    expect(p.changes.map((c) => c.fields)).toEqual([
      [
        { path: 'spec.variables[name=aws_secret_access_key].name', after: 'aws_secret_access_key' },
        { path: 'spec.variables[name=aws_secret_access_key].value', sensitive: true },
      ],
    ]);
    expect(JSON.stringify(p)).not.toContain('env-override-secret');
  });

  it('keeps the override secret when the environment is created or deleted', () => {
    const repo = sensitiveRepo('created-env-secret');
    const created = plan(without(repo, pathOf('Environment', 'dev')), repo);
    const deleted = plan(repo, without(repo, pathOf('Environment', 'dev')));
    expect(created.changes.map((c) => c.action)).toEqual(['create']);
    expect(deleted.changes.map((c) => c.action)).toEqual(['delete']);
    expect(JSON.stringify(created)).not.toContain('created-env-secret');
    expect(JSON.stringify(deleted)).not.toContain('created-env-secret');
  });
});

describe('impact on the example repository: why each environment runs', () => {
  it('runs an updated environment alone, for environment-updated, with its template and approvals', () => {
    const p = plan(base, edit(base, ENV_DEV, 'value: "1"', 'value: "2"'));
    expect(runsOf(p)).toEqual(['payments/dev deploy']);
    expect(p.runs[0]).toMatchObject({ template: { name: 'web-stack', version: 'v1' }, reasons: [{ type: 'environment-updated', ...DEV }], approvals: ['hook/onInit/change-approval'] });
    expect(p.summary).toMatchObject({ deploys: 1, destroys: 0, approvals: 1 });
  });

  it('runs a created environment for environment-created', () => {
    const qa = 'projects/payments/environments/qa.yaml';
    const p = plan(base, { ...base, [qa]: base[ENV_STAGING]!.replace('name: staging', 'name: qa') });
    expect(reasonsOf(p)).toEqual({ 'payments/qa': [{ type: 'environment-created', kind: 'Environment', project: 'payments', name: 'qa' }] });
  });

  it('destroys a deleted environment, for environment-deleted, with the destroy activities of its template', () => {
    const p = plan(base, without(base, ENV_STAGING));
    expect(runsOf(p)).toEqual(['payments/staging destroy']);
    expect(p.runs[0]!.reasons).toEqual([{ type: 'environment-deleted', ...STAGING }]);
    expect(p.runs[0]!.template).toEqual({ name: 'web-stack', version: 'v1' });
    expect(p.runs[0]!.activities.map((a) => a.id)).toContain('resource/network/destroy');
    expect(p.runs[0]!.activities.map((a) => a.id)).not.toContain('resource/network/apply');
    expect(p.summary).toMatchObject({ deploys: 0, destroys: 1, delete: 1 });
  });

  it('runs every environment of an edited template version, for template-changed', () => {
    const p = plan(base, edit(base, ET_WEB_STACK, 'value: "2"', 'value: "4"'));
    const reason = { type: 'template-changed', ...WEB_STACK_V1, action: 'update' };
    expect(reasonsOf(p)).toEqual({ 'payments/dev': [reason], 'payments/staging': [reason] });
  });

  it('runs an environment moved to a new template version for both its own edit and the new version', () => {
    const v2 = 'projects/payments/environmenttemplates/web-stack@v2.yaml';
    const head = edit({ ...base, [v2]: base[ET_WEB_STACK]!.replace('version: v1\n  versionState', 'version: v2\n  versionState') }, ENV_DEV, 'version: v1', 'version: v2');
    const p = plan(base, head);
    expect(reasonsOf(p)).toEqual({
      'payments/dev': [
        { type: 'environment-updated', ...DEV },
        { type: 'template-changed', ...WEB_STACK_V1, version: 'v2', action: 'create' },
      ],
    });
    expect(p.runs[0]!.template).toEqual({ name: 'web-stack', version: 'v2' });
  });

  it('gives an environment moved to v2 no reason from an in-place edit of v1, with or without an unrelated deletion in the change', () => {
    const v2 = 'projects/payments/environmenttemplates/web-stack@v2.yaml';
    let head: Files = { ...base, [v2]: base[ET_WEB_STACK]!.replace('version: v1\n  versionState', 'version: v2\n  versionState') };
    head = edit(edit(head, ENV_DEV, 'version: v1', 'version: v2'), ET_WEB_STACK, 'value: "2"', 'value: "4"');
    const expected = {
      'payments/dev': [
        { type: 'environment-updated', ...DEV },
        { type: 'template-changed', ...WEB_STACK_V1, version: 'v2', action: 'create' },
      ],
      'payments/staging': [{ type: 'template-changed', ...WEB_STACK_V1, action: 'update' }],
    };
    expect(reasonsOf(plan(base, head))).toEqual(expected);
    expect(reasonsOf(plan(base, without(head, 'projects/platform/clusters/shared-eks.yaml')))).toEqual(expected);
  });

  it('runs the environments of a template whose resource template changed, for resource-template-changed', () => {
    const p = plan(base, edit(base, RT_DATABASE, 'value: db.t3.medium', 'value: db.r6g.large'));
    const reason = { type: 'resource-template-changed', kind: 'ResourceTemplate', project: 'payments', name: 'database', version: 'v1', action: 'update' };
    expect(reasonsOf(p)).toEqual({ 'payments/dev': [reason], 'payments/staging': [reason] });
  });

  it('runs the environments of a template whose static resource changed, for static-resource-changed', () => {
    const p = plan(base, edit(base, RES_DNS, 'value: Z0EXAMPLE', 'value: Z1EXAMPLE'));
    const reason = { type: 'static-resource-changed', kind: 'Resource', project: 'payments', name: 'dns-zone', action: 'update' };
    expect(reasonsOf(p)).toEqual({ 'payments/dev': [reason], 'payments/staging': [reason] });
  });

  it('runs the environments of a template whose static resource is deleted, for static-resource-changed with action delete', () => {
    const p = plan(base, without(base, RES_DNS));
    const reason = { type: 'static-resource-changed', kind: 'Resource', project: 'payments', name: 'dns-zone', action: 'delete' };
    expect(reasonsOf(p)).toEqual({ 'payments/dev': [reason], 'payments/staging': [reason] });
  });

  it('names a config context used by both the template and a resource template once, for context-changed', () => {
    const p = plan(base, edit(base, CTX_AWS, 'description: Access key of the deploy user', 'description: Access key of the CI user'));
    const reason = { type: 'context-changed', kind: 'ConfigContext', project: 'platform', name: 'aws-account', action: 'update' };
    expect(reasonsOf(p)).toEqual({ 'payments/dev': [reason], 'payments/staging': [reason] });
  });

  it('runs the environments whose template hooks use a changed driver (notify), for driver-changed', () => {
    const p = plan(base, edit(base, DRV_NOTIFY, 'maxRetryCount: 2', 'maxRetryCount: 3'));
    const reason = { type: 'driver-changed', kind: 'Driver', project: 'platform', name: 'notify', action: 'update' };
    expect(reasonsOf(p)).toEqual({ 'payments/dev': [reason], 'payments/staging': [reason] });
  });

  it('runs the environments whose resource templates run on a changed driver (tofu-runner), for driver-changed', () => {
    const p = plan(base, edit(base, DRV_TOFU, 'maxRetryCount: 1', 'maxRetryCount: 2'));
    const reason = { type: 'driver-changed', kind: 'Driver', project: 'platform', name: 'tofu-runner', action: 'update' };
    expect(reasonsOf(p)).toEqual({ 'payments/dev': [reason], 'payments/staging': [reason] });
  });

  it('runs the environments whose custom tasks use a changed driver (render-manifests), for driver-changed', () => {
    const p = plan(base, edit(base, DRV_RENDER, 'until: 20m', 'until: 30m'));
    const reason = { type: 'driver-changed', kind: 'Driver', project: 'payments', name: 'render-manifests', action: 'update' };
    expect(reasonsOf(p)).toEqual({ 'payments/dev': [reason], 'payments/staging': [reason] });
  });

  it('gives every reason of an environment, its own edit first, then what its template reads in order', () => {
    let head = edit(base, ENV_DEV, 'value: "1"', 'value: "2"');
    head = edit(head, RT_APP, 'timeoutSeconds: 900', 'timeoutSeconds: 901');
    head = edit(head, RT_NETWORK, 'value: 10.20.0.0/16', 'value: 10.30.0.0/16');
    head = edit(head, DRV_NOTIFY, 'maxRetryCount: 2', 'maxRetryCount: 3');
    const p = plan(base, head);
    const rt = (name: string) => ({ type: 'resource-template-changed', kind: 'ResourceTemplate', project: 'payments', name, version: 'v1', action: 'update' });
    const notify = { type: 'driver-changed', kind: 'Driver', project: 'platform', name: 'notify', action: 'update' };
    expect(reasonsOf(p)).toEqual({
      'payments/dev': [{ type: 'environment-updated', ...DEV }, rt('network'), rt('app'), notify],
      'payments/staging': [rt('network'), rt('app'), notify],
    });
  });

  it('runs nothing for a change to a spec no environment reads (a cluster)', () => {
    const p = plan(base, edit(base, 'projects/platform/clusters/shared-eks.yaml', 'desiredCapacity: 2', 'desiredCapacity: 3'));
    expect(p.changes.map((c) => `${c.action} ${c.kind}/${c.name}`)).toEqual(['update Cluster/shared-eks']);
    expect(p.runs).toEqual([]);
  });
});

/**
 * Project p: template `web` (context et-ctx; resource templates net on driver provd, with artifact
 * driver artd and context rt-ctx, and job, a custom provider whose task runs on driver taskd; static resource `static`; an
 * onInit hook on driver hookd) run by `dev`; template `other`, reading nothing, run by `solo`.
 */
const repo: Files = {
  ...driver('hookd'),
  ...driver('provd'),
  ...driver('taskd'),
  ...driver('artd'),
  ...context('et-ctx', {}, ['  envs:', '  - key: A', '    value: one']),
  ...context('rt-ctx', {}, ['  envs:', '  - key: B', '    value: one']),
  ...resource('static', {}, ['  variables:', '  - name: zone', '    value: one']),
  ...resourceTemplate('net', 'v1', {}, ['  providerOptions:', '    driver:', '      name: provd', '  artifactDriver:', '    name: artd', '  contexts:', '  - name: rt-ctx']),
  ...spec('ResourceTemplate', 'job', ['  version: v1', '  provider: custom', '  providerOptions:', '    custom:', '      tasks:', '      - name: run', '        type: driver', '        driver:', '          name: taskd']),
  ...environmentTemplate('web', 'v1', {}, [
    '  contexts:',
    '  - name: et-ctx',
    '  resources:',
    '  - kind: resourcetemplate',
    '    name: net',
    '    resourceOptions:',
    '      version: v1',
    '  - kind: resourcetemplate',
    '    name: job',
    '    resourceOptions:',
    '      version: v1',
    '  - kind: resource',
    '    name: static',
    '  hooks:',
    '    onInit:',
    '    - name: notify',
    '      type: driver',
    '      driver:',
    '        name: hookd',
  ]),
  ...environment('dev', 'web', 'v1'),
  ...environmentTemplate('other', 'v1', {}, ['  readme: reads nothing']),
  ...environment('solo', 'other', 'v1'),
};

describe('impact on a synthetic repository: each input of a run, alone', () => {
  it('is a valid repository', () => {
    expect(validate(repo).findings).toEqual([]);
  });

  const cases: [string, string, string, string, Omit<Reason, 'project'>][] = [
    ['a config context of the template', pathOf('ConfigContext', 'et-ctx'), 'value: one', 'value: two', { type: 'context-changed', kind: 'ConfigContext', name: 'et-ctx', action: 'update' }],
    ['a config context of a resource template', pathOf('ConfigContext', 'rt-ctx'), 'value: one', 'value: two', { type: 'context-changed', kind: 'ConfigContext', name: 'rt-ctx', action: 'update' }],
    ['a static resource', pathOf('Resource', 'static'), 'value: one', 'value: two', { type: 'static-resource-changed', kind: 'Resource', name: 'static', action: 'update' }],
    ['a hook driver', pathOf('Driver', 'hookd'), 'https://example.com/run', 'https://example.com/v2', { type: 'driver-changed', kind: 'Driver', name: 'hookd', action: 'update' }],
    ['a providerOptions.driver', pathOf('Driver', 'provd'), 'https://example.com/run', 'https://example.com/v2', { type: 'driver-changed', kind: 'Driver', name: 'provd', action: 'update' }],
    ['an artifactDriver', pathOf('Driver', 'artd'), 'https://example.com/run', 'https://example.com/v2', { type: 'driver-changed', kind: 'Driver', name: 'artd', action: 'update' }],
    ['a custom task driver', pathOf('Driver', 'taskd'), 'https://example.com/run', 'https://example.com/v2', { type: 'driver-changed', kind: 'Driver', name: 'taskd', action: 'update' }],
    ['a resource template', pathOf('ResourceTemplate', 'net'), 'name: rt-ctx', 'name: et-ctx', { type: 'resource-template-changed', kind: 'ResourceTemplate', name: 'net', version: 'v1', action: 'update' }],
    ['the template', pathOf('EnvironmentTemplate', 'web'), '    name: static', '    name: static\n    type: static', { type: 'template-changed', kind: 'EnvironmentTemplate', name: 'web', version: 'v1', action: 'update' }],
  ];

  it.each(cases)('runs dev, and only dev, when %s changes', (_what, file, from, to, reason) => {
    const p = plan(repo, edit(repo, file, from, to));
    expect(p.changes.map((c) => c.file)).toEqual([file]);
    expect(reasonsOf(p)).toEqual({ 'p/dev': [{ ...reason, project: 'p' }] });
  });

  it('runs an environment of another project through a template shared with it, naming the owner project in the reason', () => {
    const shared: Files = {
      ...resourceTemplate('net', 'v1', {}, sharedWith('q')),
      ...environmentTemplate('web', 'v1', {}, ['  resources:', '  - kind: resourcetemplate', '    name: net', '    resourceOptions:', '      version: v1', ...sharedWith('q')]),
      ...environment('dev', 'web', 'v1', { project: 'q' }),
    };
    expect(validate(shared).findings).toEqual([]);
    const p = plan(shared, edit(shared, pathOf('ResourceTemplate', 'net'), 'provider: opentofu', 'provider: hcpterraform'));
    expect(reasonsOf(p)).toEqual({ 'q/dev': [{ type: 'resource-template-changed', kind: 'ResourceTemplate', project: 'p', name: 'net', version: 'v1', action: 'update' }] });
    expect(p.runs[0]!.activities.map((x) => x.id)).toEqual(['resource/net/checkout', 'resource/net/init', 'resource/net/plan', 'resource/net/apply', 'resource/net/output']);
  });

  it('runs nothing when a driver no template uses changes', () => {
    const withUnused = { ...repo, ...driver('unused') };
    const p = plan(withUnused, edit(withUnused, pathOf('Driver', 'unused'), 'https://example.com/run', 'https://example.com/v2'));
    expect(p.changes.map((c) => c.name)).toEqual(['unused']);
    expect(p.runs).toEqual([]);
  });

  it('runs nothing for a new version of a template that no environment pins', () => {
    const head = { ...repo, ...environmentTemplate('web', 'v2', { stem: 'web@v2' }) };
    const p = plan(repo, head);
    expect(p.changes.map((c) => [c.action, c.name, c.version])).toEqual([['create', 'web', 'v2']]);
    expect(p.runs).toEqual([]);
  });
});

/** alpha depends on mid, which depends on zeta (see dependencyChain). */
const chain: Files = dependencyChain();

describe('impact: environments that depend on environments', () => {
  it('is a valid repository', () => {
    expect(validate(chain).findings).toEqual([]);
  });

  it('runs the environments that depend on a running one, transitively, for dependency-runs, each after its dependency', () => {
    const p = plan(chain, edit(chain, pathOf('Environment', 'zeta'), 'version: v1', 'version: v1\n  variables:\n  - name: x\n    value: y'));
    expect(runsOf(p)).toEqual(['p/zeta deploy', 'p/mid deploy', 'p/alpha deploy']);
    expect(reasonsOf(p)).toEqual({
      'p/zeta': [{ type: 'environment-updated', kind: 'Environment', project: 'p', name: 'zeta' }],
      'p/mid': [{ type: 'dependency-runs', kind: 'Environment', project: 'p', name: 'zeta' }],
      'p/alpha': [{ type: 'dependency-runs', kind: 'Environment', project: 'p', name: 'mid' }],
    });
  });

  it('does not run the environments a running environment depends on', () => {
    const p = plan(chain, edit(chain, pathOf('Environment', 'mid'), 'version: v1', 'version: v1\n  variables:\n  - name: x\n    value: y'));
    expect(runsOf(p)).toEqual(['p/mid deploy', 'p/alpha deploy']);
  });

  it('adds dependency-runs after the own reasons of an environment that runs anyway', () => {
    const head = edit(edit(chain, pathOf('Environment', 'zeta'), 'version: v1', 'version: v1\n  agents:\n  - name: a'), pathOf('Environment', 'alpha'), 'version: v1', 'version: v1\n  agents:\n  - name: a');
    const p = plan(chain, head);
    expect(runsOf(p)).toEqual(['p/zeta deploy', 'p/mid deploy', 'p/alpha deploy']);
    expect(reasonsOf(p)['p/alpha']).toEqual([
      { type: 'environment-updated', kind: 'Environment', project: 'p', name: 'alpha' },
      { type: 'dependency-runs', kind: 'Environment', project: 'p', name: 'mid' },
    ]);
  });

  it('destroys a dependent environment before the environment it depends on', () => {
    const p = plan(chain, without(chain, pathOf('Environment', 'alpha'), pathOf('Environment', 'mid')));
    expect(runsOf(p)).toEqual(['p/alpha destroy', 'p/mid destroy']);
    expect(p.runs.map((r) => r.reasons)).toEqual([
      [{ type: 'environment-deleted', kind: 'Environment', project: 'p', name: 'alpha' }],
      [{ type: 'environment-deleted', kind: 'Environment', project: 'p', name: 'mid' }],
    ]);
  });
});

describe('findings: deleted-template-in-use', () => {
  it('is an error at the template version of each environment that still pins a deleted template version', () => {
    const p = plan(base, without(base, ET_WEB_STACK));
    const message = (env: string) =>
      `EnvironmentTemplate "web-stack" version v1 is deleted by this change, but Environment "${env}" still uses it: keep that version, or move this Environment to another version in the same change`;
    expect(p.findings).toEqual([
      { file: ENV_DEV, line: 11, column: 14, severity: 'error', code: 'deleted-template-in-use', message: message('dev') },
      { file: ENV_STAGING, line: 10, column: 14, severity: 'error', code: 'deleted-template-in-use', message: message('staging') },
    ]);
    expect(p.summary.errors).toBe(2);
  });

  it('is an error at resourceOptions.version of a template that still uses a deleted resource template version', () => {
    const p = plan(base, without(base, RT_DATABASE));
    expect(p.findings.map((f) => [f.file, f.line, f.column, f.severity, f.code])).toEqual([[ET_WEB_STACK, 27, 16, 'error', 'deleted-template-in-use']]);
    expect(p.findings[0]!.message).toBe(
      'ResourceTemplate "database" version v1 is deleted by this change, but EnvironmentTemplate "web-stack" still uses it: keep that version, or move this EnvironmentTemplate to another version in the same change',
    );
  });

  it('is not reported when every user of the deleted version moves to a new version in the same change', () => {
    const v2 = 'projects/payments/environmenttemplates/web-stack@v2.yaml';
    let head: Files = { ...without(base, ET_WEB_STACK), [v2]: base[ET_WEB_STACK]!.replace('version: v1\n  versionState', 'version: v2\n  versionState') };
    head = edit(edit(head, ENV_DEV, 'version: v1', 'version: v2'), ENV_STAGING, 'version: v1', 'version: v2');
    const p = plan(base, head);
    expect(p.findings).toEqual([]);
    expect(p.changes.map((c) => `${c.action} ${c.name}@${c.version ?? ''}`)).toEqual(['update dev@', 'update staging@', 'delete web-stack@v1', 'create web-stack@v2']);
  });
});

describe('findings: in-place-version-edit', () => {
  it('warns at spec.version of a template version edited in place while environments use it, naming them', () => {
    const p = plan(base, edit(base, ET_WEB_STACK, 'value: "2"', 'value: "4"'));
    expect(p.findings).toEqual([
      {
        file: ET_WEB_STACK,
        line: 10,
        column: 12,
        severity: 'warning',
        code: 'in-place-version-edit',
        message:
          'EnvironmentTemplate "web-stack" version v1 changes in place while environments use it (payments/dev, payments/staging): they will run the new content under the same version; bump the version to roll it out deliberately',
      },
    ]);
    expect(p.summary).toMatchObject({ errors: 0, warnings: 1 });
  });

  it('warns at spec.version of a resource template version edited in place', () => {
    const p = plan(base, edit(base, RT_DATABASE, 'value: db.t3.medium', 'value: db.r6g.large'));
    expect(p.findings.map((f) => [f.file, f.line, f.column, f.severity, f.code])).toEqual([[RT_DATABASE, 9, 12, 'warning', 'in-place-version-edit']]);
    expect(p.findings[0]!.message).toContain('ResourceTemplate "database" version v1 changes in place while environments use it (payments/dev, payments/staging)');
  });

  it('does not warn about an edited template version no environment uses', () => {
    const v2 = 'projects/payments/environmenttemplates/web-stack@v2.yaml';
    const before = { ...base, [v2]: base[ET_WEB_STACK]!.replace('version: v1\n  versionState', 'version: v2\n  versionState') };
    const p = plan(before, edit(before, v2, 'value: "2"', 'value: "4"'));
    expect(p.changes.map((c) => `${c.action} ${c.name}@${c.version ?? ''}`)).toEqual(['update web-stack@v2']);
    expect(p.findings).toEqual([]);
  });

  it('does not warn about a template file that only changed formatting', () => {
    const p = plan(base, edit(base, ET_WEB_STACK, '  versionState: active', '  versionState: "active" # unchanged'));
    expect(p.changes).toEqual([]);
    expect(p.findings).toEqual([]);
  });
});
