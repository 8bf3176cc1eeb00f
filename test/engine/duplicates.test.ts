// One definition per spec (kind, project, name, version) and one entry per name in each named list.
// Fixtures built with `spec` put metadata.name on line 4, column 9, and start their body on line 7.
import { describe, expect, it } from 'vitest';
import { findingsOf } from '../helpers/repo.js';
import { context, driver, environment, environmentTemplate, resourceTemplate, spec } from './fixtures.js';

const ET_WEB = 'projects/p/environmenttemplates/web.yaml';

describe('duplicate specs', () => {
  it('gives no findings for versions side by side, one name in several kinds, and one name in several projects', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1'),
      ...environmentTemplate('web', 'v2', { stem: 'web@v2' }),
      ...resourceTemplate('web', 'v1'),
      ...resourceTemplate('web', 'v1', { project: 'q' }),
      ...driver('web'),
      ...environment('web', 'web'),
    });
    expect(findings).toEqual([]);
  });

  it('reports a template version defined both in x.yaml and x@v1.yaml, at the second file\'s metadata.name', () => {
    const findings = findingsOf({
      ...environmentTemplate('x', 'v1'),
      ...environmentTemplate('x', 'v1', { stem: 'x@v1' }),
    });
    expect(findings).toEqual([
      {
        file: 'projects/p/environmenttemplates/x@v1.yaml',
        line: 4,
        column: 9,
        severity: 'error',
        code: 'duplicate-spec',
        message: expect.stringContaining('EnvironmentTemplate p/x version v1 is also defined in projects/p/environmenttemplates/x.yaml'),
      },
    ]);
  });

  it('reports a resource template version defined twice', () => {
    const findings = findingsOf({
      ...resourceTemplate('vpc', 'v2'),
      ...resourceTemplate('vpc', 'v2', { stem: 'vpc@v2' }),
    });
    expect(findings).toEqual([
      {
        file: 'projects/p/resourcetemplates/vpc@v2.yaml',
        line: 4,
        column: 9,
        severity: 'error',
        code: 'duplicate-spec',
        message: expect.stringContaining('ResourceTemplate p/vpc version v2 is also defined in projects/p/resourcetemplates/vpc.yaml'),
      },
    ]);
  });

  it('reports a copied environment whose metadata.name was not changed, on the copy', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1'),
      ...environment('dev', 'web'),
      ...environment('dev', 'web', 'v1', { stem: 'staging' }),
    });
    expect(findings).toEqual([
      {
        file: 'projects/p/environments/staging.yaml',
        line: 4,
        column: 9,
        severity: 'error',
        code: 'duplicate-spec',
        message: expect.stringContaining('Environment p/dev is also defined in projects/p/environments/dev.yaml'),
      },
      {
        file: 'projects/p/environments/staging.yaml',
        line: 4,
        column: 9,
        severity: 'error',
        code: 'name-mismatch',
        message: expect.stringContaining('metadata.name is "dev" but the file is named staging.yaml'),
      },
    ]);
  });

  it('reports the duplicate on the copy whose name disagrees with its file, even when the copy sorts first', () => {
    // "dev-copy.yaml" sorts before "dev.yaml"; the untouched original must not carry the error.
    const findings = findingsOf({
      ...driver('dev'),
      ...driver('dev', { stem: 'dev-copy' }),
    });
    expect(findings).toEqual([
      {
        file: 'projects/p/drivers/dev-copy.yaml',
        line: 4,
        column: 9,
        severity: 'error',
        code: 'duplicate-spec',
        message: expect.stringContaining('Driver p/dev is also defined in projects/p/drivers/dev.yaml'),
      },
      {
        file: 'projects/p/drivers/dev-copy.yaml',
        line: 4,
        column: 9,
        severity: 'error',
        code: 'name-mismatch',
        message: expect.stringContaining('metadata.name is "dev" but the file is named dev-copy.yaml'),
      },
    ]);
  });

  it('reports every further copy against the first definition', () => {
    const findings = findingsOf({
      ...environmentTemplate('x', 'v1'),
      ...environmentTemplate('x', 'v1', { stem: 'x@v1' }),
      ...environmentTemplate('x', 'v1', { stem: 'y' }),
    });
    const duplicates = findings.filter((f) => f.code === 'duplicate-spec');
    expect(duplicates).toEqual([
      {
        file: 'projects/p/environmenttemplates/x@v1.yaml',
        line: 4,
        column: 9,
        severity: 'error',
        code: 'duplicate-spec',
        message: expect.stringContaining('also defined in projects/p/environmenttemplates/x.yaml'),
      },
      {
        file: 'projects/p/environmenttemplates/y.yaml',
        line: 4,
        column: 9,
        severity: 'error',
        code: 'duplicate-spec',
        message: expect.stringContaining('also defined in projects/p/environmenttemplates/x.yaml'),
      },
    ]);
  });
});

describe('duplicate entries', () => {
  it('gives no findings for distinct entries, and for one hook name used in different hook lists', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  variables:',
        '  - name: region',
        '    value: eu',
        '  - name: zone',
        '    value: a',
        '  envVars:',
        '  - key: TOKEN',
        '    value: t',
        '  - key: URL',
        '    value: u',
        '  files:',
        '  - name: a.json',
        '    data: e30=',
        '  - name: b.json',
        '    data: e30=',
        '  hooks:',
        '    onInit:',
        '    - name: notify',
        '      type: approval',
        '    - name: check',
        '      type: approval',
        '    onSuccess:',
        '    - name: notify',
        '      type: approval',
      ]),
    });
    expect(findings).toEqual([]);
  });

  it('reports a variable name listed twice, at the second entry\'s name', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  variables:', // 8
        '  - name: region', // 9
        '    value: eu', // 10
        '  - name: region', // 11
        '    value: us', // 12
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 11,
        column: 11,
        severity: 'error',
        code: 'duplicate-entry',
        message: 'variable "region" is already defined at spec.variables[0]: keep one entry per name',
      },
    ]);
  });

  it('reports an environment variable key listed twice in envVars of an environment', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, ['  envVars:', '  - key: TOKEN', '    value: t']),
      ...environment('dev', 'web', 'v1', {}, [
        '  envVars:', // 10
        '  - key: TOKEN', // 11
        '    value: a', // 12
        '  - key: TOKEN', // 13
        '    value: b', // 14
      ]),
    });
    expect(findings).toEqual([
      {
        file: 'projects/p/environments/dev.yaml',
        line: 13,
        column: 10,
        severity: 'error',
        code: 'duplicate-entry',
        message: 'environment variable "TOKEN" is already defined at spec.envVars[0]: keep one entry per key',
      },
    ]);
  });

  it('places the finding right when the environment spells envVars as envvars', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, ['  envVars:', '  - key: TOKEN', '    value: t']),
      ...environment('dev', 'web', 'v1', {}, [
        '  envvars:', // 10
        '  - key: TOKEN', // 11
        '    value: a', // 12
        '  - key: TOKEN', // 13
        '    value: b', // 14
      ]),
    });
    expect(findings).toMatchObject([{ file: 'projects/p/environments/dev.yaml', line: 13, column: 10, severity: 'error', code: 'duplicate-entry' }]);
  });

  it('reports a key listed twice in the envs of a config context', () => {
    const findings = findingsOf({
      ...context('ctx', {}, [
        '  envs:', // 7
        '  - key: A', // 8
        '    value: "1"', // 9
        '  - key: B', // 10
        '    value: "2"', // 11
        '  - key: A', // 12
        '    value: "3"', // 13
      ]),
    });
    expect(findings).toEqual([
      {
        file: 'projects/p/configcontexts/ctx.yaml',
        line: 12,
        column: 10,
        severity: 'error',
        code: 'duplicate-entry',
        message: 'environment variable "A" is already defined at spec.envs[0]: keep one entry per key',
      },
    ]);
  });

  it('reports a file name listed twice, at the second name', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  files:', // 8
        '  - name: a.json', // 9
        '    data: e30=', // 10
        '  - name: a.json', // 11
        '    data: e30=', // 12
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 11,
        column: 11,
        severity: 'error',
        code: 'duplicate-entry',
        message: 'file "a.json" is already defined at spec.files[0]: keep one entry per file',
      },
    ]);
  });

  it('reports a file mountPath listed twice, at the second mountPath', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  files:', // 8
        '  - mountPath: config.json', // 9
        '    data: e30=', // 10
        '  - data: e30=', // 11
        '    mountPath: config.json', // 12
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 12,
        column: 16,
        severity: 'error',
        code: 'duplicate-entry',
        message: 'file "config.json" is already defined at spec.files[0]: keep one entry per file',
      },
    ]);
  });

  it('reports a hook name listed twice in one hook list, at the second hook\'s name', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  hooks:', // 8
        '    onInit:', // 9
        '    - name: notify', // 10
        '      type: approval', // 11
        '    - name: notify', // 12
        '      type: approval', // 13
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 12,
        column: 13,
        severity: 'error',
        code: 'duplicate-entry',
        message: 'hook "notify" is already defined at spec.hooks.onInit[0]: keep one entry per name',
      },
    ]);
  });

  it('reports a custom provider task name listed twice', () => {
    const findings = findingsOf({
      ...spec('ResourceTemplate', 'net', [
        '  version: v1', // 7
        '  provider: custom', // 8
        '  providerOptions:', // 9
        '    custom:', // 10
        '      tasks:', // 11
        '      - name: t1', // 12
        '        type: approval', // 13
        '      - name: t1', // 14
        '        type: approval', // 15
      ]),
    });
    expect(findings).toEqual([
      {
        file: 'projects/p/resourcetemplates/net.yaml',
        line: 14,
        column: 15,
        severity: 'error',
        code: 'duplicate-entry',
        message: 'hook "t1" is already defined at spec.providerOptions.custom.tasks[0]: keep one entry per name',
      },
    ]);
  });

  it('reports a resource of an environment template listed twice', () => {
    const findings = findingsOf({
      ...resourceTemplate('vpc'),
      ...environmentTemplate('web', 'v1', {}, [
        '  resources:', // 8
        '  - kind: resourcetemplate', // 9
        '    name: vpc', // 10
        '  - kind: resourcetemplate', // 11
        '    name: vpc', // 12
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 12,
        column: 11,
        severity: 'error',
        code: 'duplicate-entry',
        message: 'resource "vpc" is already defined at spec.resources[0]: keep one entry per name',
      },
    ]);
  });

  it('reports each later repeat of an entry once', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  variables:', // 8
        '  - name: a', // 9
        '  - name: a', // 10
        '  - name: a', // 11
      ]),
    });
    expect(findings).toMatchObject([
      { file: ET_WEB, line: 10, column: 11, severity: 'error', code: 'duplicate-entry' },
      { file: ET_WEB, line: 11, column: 11, severity: 'error', code: 'duplicate-entry' },
    ]);
  });
});
