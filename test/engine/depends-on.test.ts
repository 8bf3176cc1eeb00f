// `dependsOn` among hooks of one list and among resources of one template: names an existing
// sibling, lists it once, never loops. Fixtures built with `spec` start their body on line 7.
import { describe, expect, it } from 'vitest';
import { findingsOf } from '../helpers/repo.js';
import { environmentTemplate, resourceTemplate, spec } from './fixtures.js';

const ET_WEB = 'projects/p/environmenttemplates/web.yaml';
const RT_NET = 'projects/p/resourcetemplates/net.yaml';

/** Resource templates a, b, c, vpc, db, app: template resources in these tests resolve. */
const resourceTemplates = {
  ...resourceTemplate('a'),
  ...resourceTemplate('b'),
  ...resourceTemplate('c'),
  ...resourceTemplate('vpc'),
  ...resourceTemplate('db'),
  ...resourceTemplate('app'),
};

describe('dependsOn: a valid repository', () => {
  it('gives no findings for hooks, tasks and resources that depend on existing siblings without cycles', () => {
    const findings = findingsOf({
      ...resourceTemplates,
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:',
        '    onInit:',
        '    - name: approve',
        '      type: approval',
        '    - name: notify',
        '      type: approval',
        '      dependsOn:',
        '      - approve',
        '    - name: last',
        '      type: approval',
        '      dependsOn: [approve, notify]',
        '  resources:',
        '  - kind: resourcetemplate',
        '    name: vpc',
        '  - kind: resourcetemplate',
        '    name: db',
        '    dependsOn:',
        '    - name: vpc',
        '  - kind: resourcetemplate',
        '    name: app',
        '    dependsOn:',
        '    - name: vpc',
        '    - name: db',
      ]),
      ...spec('ResourceTemplate', 'net', [
        '  version: v1',
        '  provider: custom',
        '  providerOptions:',
        '    custom:',
        '      tasks:',
        '      - name: t1',
        '        type: approval',
        '      - name: t2',
        '        type: approval',
        '        dependsOn:',
        '        - t1',
        '  hooks:',
        '    provider:',
        '      custom:',
        '        destroy:',
        '          init:',
        '            before:',
        '            - name: h1',
        '              type: approval',
        '            - name: h2',
        '              type: approval',
        '              dependsOn:',
        '              - h1',
      ]),
    });
    expect(findings).toEqual([]);
  });
});

describe('dependsOn: unknown siblings', () => {
  it('reports a hook that depends on a name no hook of its list has, at that name', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onInit:', // 9
        '    - name: a', // 10
        '      type: approval', // 11
        '    - name: b', // 12
        '      type: approval', // 13
        '      dependsOn:', // 14
        '      - zzz', // 15
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 15,
        column: 9,
        severity: 'error',
        code: 'depends-on-unknown',
        message: 'hook "b" depends on "zzz", which is not a hook of this list: name one of the hooks of the same list (a, b)',
      },
    ]);
  });

  it('suggests the closest sibling for a misspelled dependsOn entry', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onSuccess:', // 9
        '    - name: approve', // 10
        '      type: approval', // 11
        '    - name: notify', // 12
        '      type: approval', // 13
        '      dependsOn: [aprove]', // 14
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 14,
        column: 19,
        severity: 'error',
        code: 'depends-on-unknown',
        message: 'hook "notify" depends on "aprove", which is not a hook of this list: did you mean "approve"?',
      },
    ]);
  });

  it('reports a hook that depends on a hook of another list', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onInit:', // 9
        '    - name: approve', // 10
        '      type: approval', // 11
        '    onSuccess:', // 12
        '    - name: notify', // 13
        '      type: approval', // 14
        '      dependsOn:', // 15
        '      - approve', // 16
      ]),
    });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 16, column: 9, severity: 'error', code: 'depends-on-unknown' }]);
    expect(findings[0]!.message).toContain('hook "notify" depends on "approve", which is not a hook of this list');
  });

  it('reports a custom provider task that depends on an unknown task, naming it a task', () => {
    const findings = findingsOf({
      ...spec('ResourceTemplate', 'net', [
        '  version: v1', // 7
        '  provider: custom', // 8
        '  providerOptions:', // 9
        '    custom:', // 10
        '      tasks:', // 11
        '      - name: t1', // 12
        '        type: approval', // 13
        '        dependsOn:', // 14
        '        - t0', // 15
      ]),
    });
    expect(findings).toEqual([
      {
        file: RT_NET,
        line: 15,
        column: 11,
        severity: 'error',
        code: 'depends-on-unknown',
        message: expect.stringContaining('task "t1" depends on "t0", which is not a task of this list'),
      },
    ]);
  });

  it('reports a template resource that depends on a resource the template does not list, at the name', () => {
    const findings = findingsOf({
      ...resourceTemplates,
      ...environmentTemplate('web', 'v1', {}, [
        '  resources:', // 8
        '  - kind: resourcetemplate', // 9
        '    name: vpc', // 10
        '  - kind: resourcetemplate', // 11
        '    name: app', // 12
        '    dependsOn:', // 13
        '    - name: database', // 14
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 14,
        column: 13,
        severity: 'error',
        code: 'depends-on-unknown',
        message: 'resource "app" depends on "database", which is not a resource of this list: name one of the resources of the same list (vpc, app)',
      },
    ]);
  });
});

describe('dependsOn: duplicate entries', () => {
  it('warns about a hook that lists the same sibling twice, at the repeat', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onInit:', // 9
        '    - name: a', // 10
        '      type: approval', // 11
        '    - name: b', // 12
        '      type: approval', // 13
        '      dependsOn:', // 14
        '      - a', // 15
        '      - a', // 16
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 16,
        column: 9,
        severity: 'warning',
        code: 'depends-on-duplicate',
        message: 'hook "b" lists "a" in dependsOn more than once: remove the repeat',
      },
    ]);
  });

  it('warns about a resource that lists the same sibling twice, at the repeated name', () => {
    const findings = findingsOf({
      ...resourceTemplates,
      ...environmentTemplate('web', 'v1', {}, [
        '  resources:', // 8
        '  - kind: resourcetemplate', // 9
        '    name: vpc', // 10
        '  - kind: resourcetemplate', // 11
        '    name: db', // 12
        '    dependsOn:', // 13
        '    - name: vpc', // 14
        '    - name: vpc', // 15
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 15,
        column: 13,
        severity: 'warning',
        code: 'depends-on-duplicate',
        message: 'resource "db" lists "vpc" in dependsOn more than once: remove the repeat',
      },
    ]);
  });
});

describe('dependsOn: cycles', () => {
  it('reports a hook that depends on itself, at its own name in dependsOn', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onCompletion:', // 9
        '    - name: a', // 10
        '      type: approval', // 11
        '      dependsOn:', // 12
        '      - a', // 13
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 13,
        column: 9,
        severity: 'error',
        code: 'depends-on-cycle',
        message: expect.stringContaining('dependsOn forms a cycle: "a" → "a"'),
      },
    ]);
  });

  it('reports a three-hook cycle once, with the whole cycle in the message', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onInit:', // 9
        '    - name: a', // 10
        '      type: approval', // 11
        '      dependsOn:', // 12
        '      - b', // 13
        '    - name: b', // 14
        '      type: approval', // 15
        '      dependsOn:', // 16
        '      - c', // 17
        '    - name: c', // 18
        '      type: approval', // 19
        '      dependsOn:', // 20
        '      - a', // 21
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 13,
        column: 9,
        severity: 'error',
        code: 'depends-on-cycle',
        message: 'dependsOn forms a cycle: "a" → "b" → "c" → "a"; a run could never start these hooks: remove one of these dependencies',
      },
    ]);
  });

  it('starts a cycle at its first member in list order, even after hooks outside the cycle', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onInit:', // 9
        '    - name: x', // 10
        '      type: approval', // 11
        '    - name: c', // 12
        '      type: approval', // 13
        '      dependsOn: [x, a]', // 14
        '    - name: a', // 15
        '      type: approval', // 16
        '      dependsOn: [b]', // 17
        '    - name: b', // 18
        '      type: approval', // 19
        '      dependsOn: [c]', // 20
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 14,
        column: 22,
        severity: 'error',
        code: 'depends-on-cycle',
        message: expect.stringContaining('"c" → "a" → "b" → "c"'),
      },
    ]);
  });

  it('reports a three-resource cycle with the whole cycle, at the first resource\'s dependsOn name', () => {
    const findings = findingsOf({
      ...resourceTemplates,
      ...environmentTemplate('web', 'v1', {}, [
        '  resources:', // 8
        '  - kind: resourcetemplate', // 9
        '    name: a', // 10
        '    dependsOn:', // 11
        '    - name: b', // 12
        '  - kind: resourcetemplate', // 13
        '    name: b', // 14
        '    dependsOn:', // 15
        '    - name: c', // 16
        '  - kind: resourcetemplate', // 17
        '    name: c', // 18
        '    dependsOn:', // 19
        '    - name: a', // 20
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 12,
        column: 13,
        severity: 'error',
        code: 'depends-on-cycle',
        message: 'dependsOn forms a cycle: "a" → "b" → "c" → "a"; a run could never start these resources: remove one of these dependencies',
      },
    ]);
  });

  it('reports a resource that depends on itself', () => {
    const findings = findingsOf({
      ...resourceTemplates,
      ...environmentTemplate('web', 'v1', {}, [
        '  resources:', // 8
        '  - kind: resourcetemplate', // 9
        '    name: vpc', // 10
        '    dependsOn:', // 11
        '    - name: vpc', // 12
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 12,
        column: 13,
        severity: 'error',
        code: 'depends-on-cycle',
        message: expect.stringContaining('"vpc" → "vpc"'),
      },
    ]);
  });

  it('reports two separate cycles in one list as two findings', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onInit:', // 9
        '    - name: a', // 10
        '      type: approval', // 11
        '      dependsOn: [b]', // 12
        '    - name: b', // 13
        '      type: approval', // 14
        '      dependsOn: [a]', // 15
        '    - name: c', // 16
        '      type: approval', // 17
        '      dependsOn: [c]', // 18
      ]),
    });
    expect(findings).toEqual([
      { file: ET_WEB, line: 12, column: 19, severity: 'error', code: 'depends-on-cycle', message: expect.stringContaining('"a" → "b" → "a"') },
      { file: ET_WEB, line: 18, column: 19, severity: 'error', code: 'depends-on-cycle', message: expect.stringContaining('"c" → "c"') },
    ]);
  });

  it('places the finding right when the provider is spelled openTofu', () => {
    const findings = findingsOf({
      ...resourceTemplate('net', 'v1', {}, [
        '  hooks:', // 9
        '    provider:', // 10
        '      openTofu:', // 11
        '        destroy:', // 12
        '          destroy:', // 13
        '            after:', // 14
        '            - name: h1', // 15
        '              type: approval', // 16
        '              dependsOn: [h0]', // 17
      ]),
    });
    expect(findings).toMatchObject([{ file: RT_NET, line: 17, column: 27, severity: 'error', code: 'depends-on-unknown' }]);
  });

  it('reports a cycle among the before hooks of a provider stage', () => {
    const findings = findingsOf({
      ...resourceTemplate('net', 'v1', {}, [
        '  hooks:', // 9
        '    provider:', // 10
        '      opentofu:', // 11
        '        deploy:', // 12
        '          apply:', // 13
        '            before:', // 14
        '            - name: h1', // 15
        '              type: approval', // 16
        '              dependsOn: [h2]', // 17
        '            - name: h2', // 18
        '              type: approval', // 19
        '              dependsOn: [h1]', // 20
      ]),
    });
    expect(findings).toEqual([
      { file: RT_NET, line: 17, column: 27, severity: 'error', code: 'depends-on-cycle', message: expect.stringContaining('"h1" → "h2" → "h1"') },
    ]);
  });
});
