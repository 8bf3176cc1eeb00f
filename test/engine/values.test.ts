// Values that must parse: `valueType: json`, and `valueType: expression` in the documented `$(...)$`
// forms naming resources the environment template contains. Fixtures built with `spec` start their
// body on line 7; the environment's own lines start at line 10.
import { describe, expect, it } from 'vitest';
import { findingsOf } from '../helpers/repo.js';
import { context, environment, environmentTemplate, resource, resourceTemplate } from './fixtures.js';

const ET_WEB = 'projects/p/environmenttemplates/web.yaml';
const ENV_DEV = 'projects/p/environments/dev.yaml';
const EXPRESSION_FORMS = 'use $(environment.name)$, $(resource."NAME".output.KEY.value)$ or $(#environment["NAME"]["KEY"])$';

/** EnvironmentTemplate web v1 with one resource, vpc; `body` starts at line 11. */
const webWithVpc = (...body: string[]) => ({
  ...resourceTemplate('vpc'),
  ...environmentTemplate('web', 'v1', {}, [
    '  resources:', // 8
    '  - kind: resourcetemplate', // 9
    '    name: vpc', // 10
    ...body,
  ]),
});

/** A template variable `v` of the given valueType and value, at lines 11-14; the value is on line 14. */
const variable = (valueType: string, value: string, ...more: string[]) => [
  '  variables:', // 11
  '  - name: v', // 12
  `    valueType: ${valueType}`, // 13
  `    value: ${value}`, // 14
  ...more,
];

describe('values: a valid repository', () => {
  it('gives no findings for valid JSON and for every documented expression form', () => {
    const findings = findingsOf({
      ...resource('rds'),
      ...resourceTemplate('vpc'),
      ...environmentTemplate('web', 'v1', {}, [
        '  resources:',
        '  - kind: resourcetemplate',
        '    name: vpc',
        '  - kind: resource',
        '    name: rds',
        '  variables:',
        '  - name: tags',
        '    valueType: json',
        '    value: \'{"team": "a", "tags": ["latest"]}\'',
        '  - name: list',
        '    valueType: json',
        '    value: \'["latest"]\'',
        '  - name: cluster_name',
        '    valueType: expression',
        '    value: $(environment.name)$',
        '  - name: subnets',
        '    valueType: expression',
        '    value: $(resource."vpc".output.public_subnets.value)$',
        '  - name: db_host',
        '    valueType: expression',
        '    value: $(#environment["rds"]["host"])$',
        '  - name: label',
        '    valueType: expression',
        '    value: prefix-$(environment.name)$-$( resource."vpc".output.id.value )$',
        '  - name: plain',
        '    valueType: text',
        '    value: $(not an expression',
        '  - name: hcl',
        '    valueType: hcl',
        '    value: \'{"default"}\'',
      ]),
      ...environment('dev', 'web', 'v1', {}, [
        '  variables:',
        '  - name: subnets',
        '    valueType: expression',
        '    value: $(resource."vpc".output.private_subnets.value)$',
        '  - name: tags',
        '    valueType: json',
        '    value: \'{}\'',
      ]),
      ...context('ctx', {}, [
        '  variables:',
        '  - name: anything',
        '    valueType: expression',
        '    value: $(resource."sp-env".output.name.value)$',
      ]),
    });
    expect(findings).toEqual([]);
  });
});

describe('values: json', () => {
  it('reports a json variable whose value does not parse, at the value', () => {
    const findings = findingsOf({ ...webWithVpc(...variable('json', '\'{"default"}\'')) });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 14,
        column: 12,
        severity: 'error',
        code: 'invalid-json',
        message: expect.stringContaining('variable "v" has valueType json but its value does not parse: '),
      },
    ]);
    expect(findings[0]!.message).toContain('write valid JSON');
  });

  it('reports an environment\'s json override that does not parse, in the environment', () => {
    const findings = findingsOf({
      ...webWithVpc('  variables:', '  - name: v', '    valueType: json', '    value: "{}"'),
      ...environment('dev', 'web', 'v1', {}, [
        '  variables:', // 10
        '  - name: v', // 11
        '    valueType: json', // 12
        '    value: "[1, 2"', // 13
      ]),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 13, column: 12, severity: 'error', code: 'invalid-json' }]);
  });

  it('keeps a sensitive value that is not valid JSON out of the message', () => {
    const findings = findingsOf({
      ...webWithVpc(...variable('json', 'hunter2-CANARY-json', '    options:', '      sensitive: true')),
    });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 14, column: 12, severity: 'error', code: 'invalid-json' }]);
    expect(findings[0]!.message).not.toContain('CANARY');
  });

  it('keeps out of the message an invalid JSON override of a variable that the template marks sensitive', () => {
    const findings = findingsOf({
      ...webWithVpc('  variables:', '  - name: v', '    valueType: json', '    value: "{}"', '    options:', '      sensitive: true'),
      ...environment('dev', 'web', 'v1', {}, [
        '  variables:', // 10
        '  - name: v', // 11
        '    valueType: json', // 12
        '    value: hunter2-CANARY-env', // 13
      ]),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 13, column: 12, severity: 'error', code: 'invalid-json' }]);
    for (const finding of findings) expect(finding.message).not.toContain('CANARY');
  });
});

describe('values: expression syntax', () => {
  it('reports an expression whose $( is never closed, at the value', () => {
    const findings = findingsOf({ ...webWithVpc(...variable('expression', '$(environment.name')) });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 14,
        column: 12,
        severity: 'error',
        code: 'invalid-expression',
        message: `variable "v": "$(" at offset 0 is never closed with ")$"; ${EXPRESSION_FORMS}`,
      },
    ]);
  });

  it('reports an expression in an unsupported form, quoting it', () => {
    const findings = findingsOf({ ...webWithVpc(...variable('expression', '$(env.name)$')) });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 14,
        column: 12,
        severity: 'error',
        code: 'invalid-expression',
        message: `variable "v": "$(env.name)$" is not a supported expression; ${EXPRESSION_FORMS}`,
      },
    ]);
  });

  it('reports a resource expression that does not read .output', () => {
    const findings = findingsOf({ ...webWithVpc(...variable('expression', '$(resource."vpc".id)$')) });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 14, column: 12, severity: 'error', code: 'invalid-expression' }]);
    expect(findings[0]!.message).toContain('"$(resource."vpc".id)$" is not a supported expression');
  });

  it('reports an expression value that contains no $(...)$ at all', () => {
    const findings = findingsOf({ ...webWithVpc(...variable('expression', 'environment.name')) });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 14,
        column: 12,
        severity: 'error',
        code: 'invalid-expression',
        message: `variable "v": an expression value must contain at least one $(...)$; ${EXPRESSION_FORMS}`,
      },
    ]);
  });

  it('reports each unsupported expression of one value', () => {
    const findings = findingsOf({ ...webWithVpc(...variable('expression', '$(foo)$-$(bar)$')) });
    expect(findings).toEqual([
      { file: ET_WEB, line: 14, column: 12, severity: 'error', code: 'invalid-expression', message: expect.stringContaining('"$(bar)$" is not a supported expression') },
      { file: ET_WEB, line: 14, column: 12, severity: 'error', code: 'invalid-expression', message: expect.stringContaining('"$(foo)$" is not a supported expression') },
    ]);
  });

  it('reports an invalid expression in an environment, in the environment file', () => {
    const findings = findingsOf({
      ...webWithVpc('  variables:', '  - name: name', '    valueType: expression', '    value: $(environment.name)$'),
      ...environment('dev', 'web', 'v1', {}, [
        '  variables:', // 10
        '  - name: name', // 11
        '    valueType: expression', // 12
        '    value: $(environment.name', // 13
      ]),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 13, column: 12, severity: 'error', code: 'invalid-expression' }]);
  });

  it('keeps a sensitive value out of the message of an invalid expression', () => {
    const findings = findingsOf({
      ...webWithVpc(...variable('expression', '$(CANARY-expr-secret)$', '    options:', '      sensitive: true')),
    });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 14, column: 12, severity: 'error', code: 'invalid-expression' }]);
    expect(findings[0]!.message).not.toContain('CANARY-expr-secret');
  });
});

describe('values: resources named by expressions', () => {
  it('reports a template expression naming a resource the template does not contain, at the value', () => {
    const findings = findingsOf({ ...webWithVpc(...variable('expression', '$(resource."rds".output.host.value)$')) });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 14,
        column: 12,
        severity: 'error',
        code: 'expression-unknown-resource',
        message: 'variable "v" reads the output of resource "rds", which the environment template does not contain: the template\'s resources are vpc',
      },
    ]);
  });

  it('suggests the closest resource of the template for a near miss', () => {
    const findings = findingsOf({ ...webWithVpc(...variable('expression', '$(resource."vcp".output.id.value)$')) });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 14, column: 12, severity: 'error', code: 'expression-unknown-resource' }]);
    expect(findings[0]!.message).toContain('did you mean "vpc"?');
  });

  it('reports the #environment["NAME"] form naming an unknown resource', () => {
    const findings = findingsOf({ ...webWithVpc(...variable('expression', '$(#environment["rds"]["host"])$')) });
    expect(findings).toMatchObject([{ file: ET_WEB, line: 14, column: 12, severity: 'error', code: 'expression-unknown-resource' }]);
    expect(findings[0]!.message).toContain('resource "rds"');
  });

  it('reports an expression naming any resource in a template that has no resources', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  variables:', // 8
        '  - name: v', // 9
        '    valueType: expression', // 10
        '    value: $(resource."vpc".output.id.value)$', // 11
      ]),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 11,
        column: 12,
        severity: 'error',
        code: 'expression-unknown-resource',
        message: 'variable "v" reads the output of resource "vpc", which the environment template does not contain: the template\'s resources are none',
      },
    ]);
  });

  it('reports an environment expression naming a resource its template does not contain, in the environment', () => {
    const findings = findingsOf({
      ...webWithVpc('  variables:', '  - name: subnets', '    valueType: expression', '    value: $(resource."vpc".output.subnets.value)$'),
      ...environment('dev', 'web', 'v1', {}, [
        '  variables:', // 10
        '  - name: subnets', // 11
        '    valueType: expression', // 12
        '    value: $(resource."network".output.subnets.value)$', // 13
      ]),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 13,
        column: 12,
        severity: 'error',
        code: 'expression-unknown-resource',
        message: 'variable "subnets" reads the output of resource "network", which the environment template does not contain: the template\'s resources are vpc',
      },
    ]);
  });

  it('checks an environment\'s expression against the pinned template version', () => {
    const findings = findingsOf({
      ...resourceTemplate('vpc'),
      ...resourceTemplate('rds'),
      ...environmentTemplate('web', 'v1', {}, ['  resources:', '  - kind: resourcetemplate', '    name: vpc', '  variables:', '  - name: host']),
      ...environmentTemplate('web', 'v2', { stem: 'web@v2' }, ['  resources:', '  - kind: resourcetemplate', '    name: rds', '  variables:', '  - name: host']),
      ...environment('dev', 'web', 'v2', {}, [
        '  variables:', // 10
        '  - name: host', // 11
        '    valueType: expression', // 12
        '    value: $(resource."vpc".output.host.value)$', // 13
      ]),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 13, column: 12, severity: 'error', code: 'expression-unknown-resource' }]);
    expect(findings[0]!.message).toContain('the template\'s resources are rds');
  });

  it('does not check expression resources of an environment whose template does not resolve', () => {
    const findings = findingsOf({
      ...environment('dev', 'missing', 'v1', {}, ['  variables:', '  - name: x', '    valueType: expression', '    value: $(resource."rds".output.host.value)$']),
    });
    expect(findings.map((f) => f.code)).toEqual(['ref-not-found']);
  });
});
