// References between specs resolve: to an existing spec, of the pinned version, in the referring
// project or shared with it. Positions are 1-based; fixtures built with `spec` start their body on
// line 7 (see fixtures.ts).
import { describe, expect, it } from 'vitest';
import { findingsOf, yaml } from '../helpers/repo.js';
import { context, driver, environment, environmentTemplate, resource, resourceTemplate, sharedWith, spec } from './fixtures.js';

const ET_WEB = 'projects/p/environmenttemplates/web.yaml';
const ENV_DEV = 'projects/p/environments/dev.yaml';
const RT_NET = 'projects/p/resourcetemplates/net.yaml';

describe('references: a valid repository', () => {
  it('gives no findings when every kind of reference resolves', () => {
    const findings = findingsOf({
      ...driver('deployer'),
      ...context('ctx'),
      ...resourceTemplate('vpc', 'v1'),
      ...resource('db'),
      ...environmentTemplate('base', 'v1'),
      ...environment('infra', 'base'),
      ...environmentTemplate('web', 'v1', {}, [
        '  contexts:',
        '  - name: ctx',
        '  resources:',
        '  - kind: resourcetemplate',
        '    name: vpc',
        '    resourceOptions:',
        '      version: v1',
        '  - kind: resource',
        '    name: db',
        '    type: static',
        '  - kind: environment',
        '    name: infra',
        '    type: static',
        '  hooks:',
        '    onInit:',
        '    - name: notify',
        '      type: driver',
        '      driver:',
        '        name: deployer',
      ]),
      ...spec('ResourceTemplate', 'net', [
        '  version: v1',
        '  provider: custom',
        '  contexts:',
        '  - name: ctx',
        '  providerOptions:',
        '    driver:',
        '      name: deployer',
        '    custom:',
        '      tasks:',
        '      - name: t1',
        '        type: driver',
        '        driver:',
        '          name: deployer',
        '  artifactDriver:',
        '    name: deployer',
        '  hooks:',
        '    onSuccess:',
        '    - name: report',
        '      type: driver',
        '      driver:',
        '        name: deployer',
        '    provider:',
        '      custom:',
        '        deploy:',
        '          apply:',
        '            before:',
        '            - name: pre',
        '              type: driver',
        '              driver:',
        '                name: deployer',
      ]),
      ...environment('dev', 'web'),
    });
    expect(findings).toEqual([]);
  });

  it('resolves an environment to the pinned one of several versions kept as name@version files', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1'),
      ...environmentTemplate('web', 'v2', { stem: 'web@v2' }),
      ...environment('dev', 'web', 'v2'),
    });
    expect(findings).toEqual([]);
  });
});

describe('references: environment to environment template', () => {
  it('reports an environment whose template does not exist, at the template name', () => {
    const findings = findingsOf({ ...environment('dev', 'web') });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 8, // "    name: web"
        column: 11,
        severity: 'error',
        code: 'ref-not-found',
        message: expect.stringContaining('EnvironmentTemplate "web" does not exist in project p'),
      },
    ]);
    expect(findings[0]!.message).toContain('projects/p/environmenttemplates/web.yaml');
  });

  it('suggests the closest template name when the environment misspells it', () => {
    const findings = findingsOf({
      ...environmentTemplate('webapp', 'v1'),
      ...environmentTemplate('database', 'v1'),
      ...environment('dev', 'wepapp'),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 8, column: 11, severity: 'error', code: 'ref-not-found' }]);
    expect(findings[0]!.message).toContain('did you mean "webapp"?');
  });

  it('gives no suggestion when no template name is close', () => {
    const findings = findingsOf({ ...environmentTemplate('database', 'v1'), ...environment('dev', 'web') });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).not.toContain('did you mean');
  });

  it('reports an environment whose template version does not exist, at the version value', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1'),
      ...environmentTemplate('web', 'v2', { stem: 'web@v2' }),
      ...environment('dev', 'web', 'v3'),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 9, // "    version: v3"
        column: 14,
        severity: 'error',
        code: 'ref-version-not-found',
        message: expect.stringContaining('EnvironmentTemplate "web" has no version "v3" (versions: v1, v2)'),
      },
    ]);
  });

  it('reports an environment that pins no template version as a missing field, not as a broken reference', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1'),
      [ENV_DEV]: yaml(
        'apiVersion: eaas.envmgmt.io/v1',
        'kind: Environment',
        'metadata:',
        '  name: dev',
        '  project: p',
        'spec:',
        '  template:',
        '    name: web',
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 7, // "  template:"
        column: 3,
        severity: 'error',
        code: 'missing-field',
        message: expect.stringContaining('"version"'),
      },
    ]);
  });
});

describe('references: environment template resources and contexts', () => {
  it('reports a missing resource template, static resource and environment, each at its name', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  resources:', // 8
        '  - kind: resourcetemplate', // 9
        '    name: vpc', // 10
        '  - kind: resource', // 11
        '    name: db', // 12
        '  - kind: environment', // 13
        '    name: infra', // 14
      ]),
    });
    expect(findings).toEqual([
      { file: ET_WEB, line: 10, column: 11, severity: 'error', code: 'ref-not-found', message: expect.stringContaining('ResourceTemplate "vpc" does not exist') },
      { file: ET_WEB, line: 12, column: 11, severity: 'error', code: 'ref-not-found', message: expect.stringContaining('Resource "db" does not exist') },
      { file: ET_WEB, line: 14, column: 11, severity: 'error', code: 'ref-not-found', message: expect.stringContaining('Environment "infra" does not exist') },
    ]);
    expect(findings[0]!.message).toContain('projects/p/resourcetemplates/vpc.yaml');
    expect(findings[1]!.message).toContain('projects/p/resources/db.yaml');
    expect(findings[2]!.message).toContain('projects/p/environments/infra.yaml');
  });

  it('does not resolve a resource reference to a spec of another kind with the same name', () => {
    const findings = findingsOf({
      ...resource('vpc'),
      ...environmentTemplate('web', 'v1', {}, ['  resources:', '  - kind: resourcetemplate', '    name: vpc']),
    });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 10, column: 11, code: 'ref-not-found' }]);
  });

  it('reports a resource template version that does not exist, at the version value', () => {
    const findings = findingsOf({
      ...resourceTemplate('vpc', 'v1'),
      ...environmentTemplate('web', 'v1', {}, [
        '  resources:', // 8
        '  - kind: resourcetemplate', // 9
        '    name: vpc', // 10
        '    resourceOptions:', // 11
        '      version: v2', // 12
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 12,
        column: 16,
        severity: 'error',
        code: 'ref-version-not-found',
        message: expect.stringContaining('ResourceTemplate "vpc" has no version "v2" (versions: v1)'),
      },
    ]);
  });

  it('suggests the closest resource template name for a near miss', () => {
    const findings = findingsOf({
      ...resourceTemplate('postgres', 'v1'),
      ...environmentTemplate('web', 'v1', {}, ['  resources:', '  - kind: resourcetemplate', '    name: postgers']),
    });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 10, column: 11, severity: 'error', code: 'ref-not-found' }]);
    expect(findings[0]!.message).toContain('did you mean "postgres"?');
  });

  it('reports a missing config context of an environment template, at the context name', () => {
    const findings = findingsOf({
      ...context('aws-creds'),
      ...environmentTemplate('web', 'v1', {}, [
        '  contexts:', // 8
        '  - name: aws-creds', // 9
        '  - name: aws-cred', // 10
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 10,
        column: 11,
        severity: 'error',
        code: 'ref-not-found',
        message: expect.stringContaining('ConfigContext "aws-cred" does not exist in project p'),
      },
    ]);
    expect(findings[0]!.message).toContain('did you mean "aws-creds"?');
  });

  it('reports a missing config context of a resource template', () => {
    const findings = findingsOf({
      ...resourceTemplate('net', 'v1', {}, [
        '  contexts:', // 9
        '  - name: ctx', // 10
      ]),
    });
    expect(findings).toEqual([
      { file: RT_NET, line: 10, column: 11, severity: 'error', code: 'ref-not-found', message: expect.stringContaining('ConfigContext "ctx"') },
    ]);
  });
});

describe('references: drivers', () => {
  it('reports a hook whose driver does not exist, at driver.name', () => {
    const findings = findingsOf({
      ...driver('deployer'),
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onFailure:', // 9
        '    - name: notify', // 10
        '      type: driver', // 11
        '      driver:', // 12
        '        name: deploer', // 13
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 13,
        column: 15,
        severity: 'error',
        code: 'ref-not-found',
        message: expect.stringContaining('Driver "deploer" does not exist in project p'),
      },
    ]);
    expect(findings[0]!.message).toContain('did you mean "deployer"?');
  });

  it('needs no Driver spec for a hook whose driver is given inline under data', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:',
        '    onInit:',
        '    - name: notify',
        '      type: driver',
        '      driver:',
        '        name: inline-only',
        '        data:',
        '          config:',
        '            type: http',
        '            http:',
        '              endpoint: https://example.com/hook',
      ]),
    });
    expect(findings).toEqual([]);
  });

  it('reports a missing driver of a provider lifecycle hook of a resource template', () => {
    const findings = findingsOf({
      ...resourceTemplate('net', 'v1', {}, [
        '  hooks:', // 9
        '    provider:', // 10
        '      opentofu:', // 11
        '        deploy:', // 12
        '          plan:', // 13
        '            after:', // 14
        '            - name: scan', // 15
        '              type: driver', // 16
        '              driver:', // 17
        '                name: scanner', // 18
      ]),
    });
    expect(findings).toEqual([
      { file: RT_NET, line: 18, column: 23, severity: 'error', code: 'ref-not-found', message: expect.stringContaining('Driver "scanner"') },
    ]);
  });

  it('reports a missing providerOptions.driver, artifactDriver and custom task driver, each at its name', () => {
    const findings = findingsOf({
      ...spec('ResourceTemplate', 'net', [
        '  version: v1', // 7
        '  provider: custom', // 8
        '  providerOptions:', // 9
        '    driver:', // 10
        '      name: runner', // 11
        '    custom:', // 12
        '      tasks:', // 13
        '      - name: t1', // 14
        '        type: driver', // 15
        '        driver:', // 16
        '          name: task-driver', // 17
        '  artifactDriver:', // 18
        '    name: artifacts', // 19
      ]),
    });
    expect(findings).toEqual([
      { file: RT_NET, line: 11, column: 13, severity: 'error', code: 'ref-not-found', message: expect.stringContaining('Driver "runner"') },
      { file: RT_NET, line: 17, column: 17, severity: 'error', code: 'ref-not-found', message: expect.stringContaining('Driver "task-driver"') },
      { file: RT_NET, line: 19, column: 11, severity: 'error', code: 'ref-not-found', message: expect.stringContaining('Driver "artifacts"') },
    ]);
  });

  it('needs no Driver spec for an inline providerOptions.driver or artifactDriver', () => {
    const inline = (indent: string) => [
      `${indent}data:`,
      `${indent}  config:`,
      `${indent}    type: http`,
      `${indent}    http:`,
      `${indent}      endpoint: https://example.com/run`,
    ];
    const findings = findingsOf({
      ...spec('ResourceTemplate', 'net', [
        '  version: v1',
        '  provider: opentofu',
        '  providerOptions:',
        '    driver:',
        '      name: runner',
        ...inline('      '),
        '  artifactDriver:',
        '    name: artifacts',
        ...inline('    '),
      ]),
    });
    expect(findings).toEqual([]);
  });
});

describe('references: across projects', () => {
  const hookUsing = (name: string) => [
    '  hooks:', // 8
    '    onInit:', // 9
    '    - name: notify', // 10
    '      type: driver', // 11
    '      driver:', // 12
    `        name: ${name}`, // 13
  ];

  it('accepts a driver of another project shared with the referring project', () => {
    const findings = findingsOf({
      ...driver('deployer', { project: 'q' }, sharedWith('p')),
      ...environmentTemplate('web', 'v1', {}, hookUsing('deployer')),
    });
    expect(findings).toEqual([]);
  });

  it('accepts a driver of another project shared with every project through "*"', () => {
    const findings = findingsOf({
      ...driver('deployer', { project: 'q' }, sharedWith('*')),
      ...environmentTemplate('web', 'v1', {}, hookUsing('deployer')),
    });
    expect(findings).toEqual([]);
  });

  it('reports ref-not-shared for a driver of another project that does not share it at all', () => {
    const findings = findingsOf({
      ...driver('deployer', { project: 'q' }),
      ...environmentTemplate('web', 'v1', {}, hookUsing('deployer')),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 13,
        column: 15,
        severity: 'error',
        code: 'ref-not-shared',
        message: expect.stringContaining('Driver "deployer" belongs to project q and is not shared with project p'),
      },
    ]);
    expect(findings[0]!.message).toContain('projects/q/drivers/deployer.yaml');
  });

  it('reports ref-not-shared when sharing lists the referring project but is not enabled', () => {
    const findings = findingsOf({
      ...driver('deployer', { project: 'q' }, ['  sharing:', '    enabled: false', '    projects:', '    - name: p']),
      ...environmentTemplate('web', 'v1', {}, hookUsing('deployer')),
    });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 13, column: 15, severity: 'error', code: 'ref-not-shared' }]);
  });

  it('reports ref-not-shared when sharing is enabled for other projects only', () => {
    const findings = findingsOf({
      ...driver('deployer', { project: 'q' }, sharedWith('r', 's')),
      ...environmentTemplate('web', 'v1', {}, hookUsing('deployer')),
    });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 13, column: 15, severity: 'error', code: 'ref-not-shared' }]);
  });

  it('accepts an environment whose template, with its pinned version, is shared from another project', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', { project: 'q' }, sharedWith('p')),
      ...environment('dev', 'web'),
    });
    expect(findings).toEqual([]);
  });

  it('reports an environment whose template exists only in a project that does not share it, at the template name', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', { project: 'q' }, sharedWith('r')),
      ...environment('dev', 'web'),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 8,
        column: 11,
        severity: 'error',
        code: 'ref-not-shared',
        message: expect.stringContaining('EnvironmentTemplate "web" belongs to project q and is not shared with project p'),
      },
    ]);
  });

  it('reports a shared template version that does not exist, at the version value', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', { project: 'q' }, sharedWith('p')),
      ...environment('dev', 'web', 'v9'),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 9, column: 14, severity: 'error', code: 'ref-version-not-found' }]);
    expect(findings[0]!.message).toContain('(versions: v1)');
  });

  it('accepts template resources and contexts shared from another project', () => {
    const findings = findingsOf({
      ...resourceTemplate('vpc', 'v1', { project: 'q' }, sharedWith('p')),
      ...context('ctx', { project: 'q' }, ['  envs: []', ...sharedWith('*')]),
      ...environmentTemplate('web', 'v1', {}, ['  contexts:', '  - name: ctx', '  resources:', '  - kind: resourcetemplate', '    name: vpc']),
    });
    expect(findings).toEqual([]);
  });

  it('reports a config context of another project that is not shared, at the context name', () => {
    const findings = findingsOf({
      ...context('ctx', { project: 'q' }),
      ...environmentTemplate('web', 'v1', {}, ['  contexts:', '  - name: ctx']),
    });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 9, column: 11, severity: 'error', code: 'ref-not-shared' }]);
  });

  it('suggests the name of a driver shared from another project for a near miss', () => {
    const findings = findingsOf({
      ...driver('deployer', { project: 'q' }, sharedWith('p')),
      ...environmentTemplate('web', 'v1', {}, hookUsing('deploer')),
    });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 13, column: 15, severity: 'error', code: 'ref-not-found' }]);
    expect(findings[0]!.message).toContain('did you mean "deployer"?');
  });
});
