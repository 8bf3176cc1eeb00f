// An environment's variables, envVars and files against what its EnvironmentTemplate (and the
// template's ConfigContexts) allow. In these fixtures the environment's own lines start at line 10:
//   7 template: / 8 name: web / 9 version: v1 / 10 <first line passed to `dev`>
import { describe, expect, it } from 'vitest';
import { findingsOf } from '../helpers/repo.js';
import { context, environment, environmentTemplate } from './fixtures.js';

const ET_WEB = 'projects/p/environmenttemplates/web.yaml';
const ENV_DEV = 'projects/p/environments/dev.yaml';
const CTX = 'projects/p/configcontexts/ctx.yaml';

/** EnvironmentTemplate web v1; `body` starts at line 8. */
const template = (...body: string[]) => environmentTemplate('web', 'v1', {}, body);
/** Environment dev on web v1; `body` starts at line 10. */
const dev = (...body: string[]) => environment('dev', 'web', 'v1', {}, body);

describe('overrides: a valid repository', () => {
  it('gives no findings when every override respects the template and its contexts', () => {
    const findings = findingsOf({
      ...context('ctx', {}, [
        '  envs:',
        '  - key: LOG_LEVEL',
        '    value: info',
        '    options:',
        '      override:',
        '        type: restricted',
        '        restrictedValues: [info, debug]',
        '  - key: API_TOKEN',
        '    options:',
        '      required: true',
        '      sensitive: true',
      ]),
      ...template(
        '  contexts:',
        '  - name: ctx',
        '  variables:',
        '  - name: region',
        '    value: eu',
        '    options:',
        '      override:',
        '        type: notallowed',
        '  - name: size',
        '    value: small',
        '    options:',
        '      override:',
        '        type: restricted',
        '        restrictedValues: [small, medium]',
        '  - name: replicas',
        '    value: 1',
        '    options:',
        '      override:',
        '        type: restricted',
        '        restrictedValues: ["1", "2"]',
        '  - name: owner',
        '    options:',
        '      required: true',
        '  - name: tier',
        '    value: gold',
        '    options:',
        '      required: true',
        '      override:',
        '        type: allowed',
        '  files:',
        '  - name: config.json',
        '    data: aGk=',
        '    options:',
        '      override:',
        '        type: allowed',
      ),
      ...dev(
        '  variables:',
        '  - name: region',
        '    value: eu',
        '  - name: size',
        '    value: medium',
        '  - name: replicas',
        '    value: 2',
        '  - name: owner',
        '    value: team-a',
        '  envVars:',
        '  - key: LOG_LEVEL',
        '    value: debug',
        '  - key: API_TOKEN',
        '    value: t0k3n',
        '  files:',
        '  - mountPath: config.json',
        '    data: eyJhIjoxfQ==',
      ),
    });
    expect(findings).toEqual([]);
  });

  it('lets the template\'s own declaration win over a config context\'s declaration of the same name', () => {
    const findings = findingsOf({
      ...context('ctx', {}, ['  variables:', '  - name: region', '    value: eu', '    options:', '      override:', '        type: notallowed']),
      ...template('  contexts:', '  - name: ctx', '  variables:', '  - name: region', '    value: eu', '    options:', '      override:', '        type: allowed'),
      ...dev('  variables:', '  - name: region', '    value: us'),
    });
    expect(findings).toEqual([]);
  });
});

describe('overrides: notallowed', () => {
  it('reports an environment that overrides a notallowed variable, at its value', () => {
    const findings = findingsOf({
      ...template('  variables:', '  - name: region', '    value: eu', '    options:', '      override:', '        type: notallowed'),
      ...dev(
        '  variables:', // 10
        '  - name: region', // 11
        '    value: us', // 12
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 12,
        column: 12,
        severity: 'error',
        code: 'override-not-allowed',
        message:
          'variable "region" may not be overridden (override.type: notallowed in EnvironmentTemplate "web", projects/p/environmenttemplates/web.yaml): remove this value, or allow overrides in the template',
      },
    ]);
  });

  it('accepts an environment that repeats the value of a notallowed variable unchanged', () => {
    const findings = findingsOf({
      ...template('  variables:', '  - name: region', '    value: eu', '    options:', '      override:', '        type: notallowed'),
      ...dev('  variables:', '  - name: region', '    value: eu'),
    });
    expect(findings).toEqual([]);
  });

  it('reports an override of a notallowed env declared by the template\'s config context, naming the context', () => {
    const findings = findingsOf({
      ...context('ctx', {}, ['  envs:', '  - key: LOG_LEVEL', '    value: info', '    options:', '      override:', '        type: notallowed']),
      ...template('  contexts:', '  - name: ctx'),
      ...dev(
        '  envVars:', // 10
        '  - key: LOG_LEVEL', // 11
        '    value: debug', // 12
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 12,
        column: 12,
        severity: 'error',
        code: 'override-not-allowed',
        message: expect.stringContaining('environment variable "LOG_LEVEL" may not be overridden (override.type: notallowed in ConfigContext "ctx", projects/p/configcontexts/ctx.yaml)'),
      },
    ]);
  });

  it('checks an environment against a template shared from another project and that project\'s config context', () => {
    const findings = findingsOf({
      ...context('ctx', { project: 'q' }, ['  envs:', '  - key: LOG_LEVEL', '    value: info', '    options:', '      override:', '        type: notallowed']),
      ...environmentTemplate('web', 'v1', { project: 'q' }, ['  contexts:', '  - name: ctx', '  sharing:', '    enabled: true', '    projects:', '    - name: p']),
      ...dev(
        '  envVars:', // 10
        '  - key: LOG_LEVEL', // 11
        '    value: debug', // 12
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 12,
        column: 12,
        severity: 'error',
        code: 'override-not-allowed',
        message: expect.stringContaining('notallowed in ConfigContext "ctx", projects/q/configcontexts/ctx.yaml'),
      },
    ]);
  });

  it('reports an override of a notallowed sensitive file at its data, without the data in the message', () => {
    const findings = findingsOf({
      ...template('  files:', '  - name: config.json', '    data: aGk=', '    options:', '      sensitive: true', '      override:', '        type: notallowed'),
      ...dev(
        '  files:', // 10
        '  - name: config.json', // 11
        '    data: Q0FOQVJZLWZpbGU=', // 12
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 12,
        column: 11,
        severity: 'error',
        code: 'override-not-allowed',
        message: expect.stringContaining('file "config.json" may not be overridden'),
      },
    ]);
    expect(findings[0]!.message).not.toContain('Q0FOQVJZLWZpbGU=');
    expect(findings[0]!.message).not.toContain('aGk=');
  });
});

describe('overrides: restricted', () => {
  const sizeTemplate = template(
    '  variables:',
    '  - name: size',
    '    value: small',
    '    options:',
    '      override:',
    '        type: restricted',
    '        restrictedValues: [small, medium, large]',
  );

  it('reports a restricted variable set to a value outside restrictedValues, with a suggestion for a near miss', () => {
    const findings = findingsOf({
      ...sizeTemplate,
      ...dev(
        '  variables:', // 10
        '  - name: size', // 11
        '    value: smal', // 12
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 12,
        column: 12,
        severity: 'error',
        code: 'override-restricted',
        message: 'variable "size" is "smal", but EnvironmentTemplate "web" restricts it to: "small", "medium", "large": did you mean "small"?',
      },
    ]);
  });

  it('tells the user to pick one of the restricted values when no value is close', () => {
    const findings = findingsOf({ ...sizeTemplate, ...dev('  variables:', '  - name: size', '    value: enormous') });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 12, column: 12, severity: 'error', code: 'override-restricted' }]);
    expect(findings[0]!.message).toContain('restricts it to: "small", "medium", "large": pick one of them');
  });

  it('reports a restricted env of a config context overridden with a value outside its list', () => {
    const findings = findingsOf({
      ...context('ctx', {}, [
        '  envs:',
        '  - key: DRIVER_DEBUG',
        '    value: "false"',
        '    options:',
        '      override:',
        '        type: restricted',
        '        restrictedValues: ["true", "false"]',
      ]),
      ...template('  contexts:', '  - name: ctx'),
      ...dev(
        '  envVars:', // 10
        '  - key: DRIVER_DEBUG', // 11
        '    value: "yes"', // 12
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 12,
        column: 12,
        severity: 'error',
        code: 'override-restricted',
        message: expect.stringContaining('environment variable "DRIVER_DEBUG" is "yes", but ConfigContext "ctx" restricts it to: "true", "false"'),
      },
    ]);
  });

  it('masks a restricted value that the template marks sensitive, even when the environment does not repeat the options', () => {
    const findings = findingsOf({
      ...template(
        '  variables:',
        '  - name: db_tier',
        '    value: gold',
        '    options:',
        '      sensitive: true',
        '      override:',
        '        type: restricted',
        '        restrictedValues: [gold, silver]',
      ),
      ...dev(
        '  variables:', // 10
        '  - name: db_tier', // 11
        '    value: golld-CANARY-91c2', // 12
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 12,
        column: 12,
        severity: 'error',
        code: 'override-restricted',
        message: expect.stringContaining('variable "db_tier" is (sensitive value), but EnvironmentTemplate "web" restricts it to: "gold", "silver"'),
      },
    ]);
    expect(findings[0]!.message).not.toContain('CANARY-91c2');
  });
});

describe('overrides: required', () => {
  const ownerTemplate = template('  variables:', '  - name: owner', '    options:', '      required: true', '  - name: tier', '    value: gold');

  it('reports a required variable that no one gives a value, at spec.template when the environment has no variables', () => {
    const findings = findingsOf({ ...ownerTemplate, ...dev() });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 7,
        column: 3,
        severity: 'error',
        code: 'required-missing',
        message: 'variable "owner" is required by EnvironmentTemplate "web" (projects/p/environmenttemplates/web.yaml) and has no value: give it one under spec.variables',
      },
    ]);
  });

  it('reports a required variable missing from the environment\'s variables, at the variables key', () => {
    const findings = findingsOf({
      ...ownerTemplate,
      ...dev(
        '  variables:', // 10
        '  - name: tier', // 11
        '    value: silver', // 12
      ),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 10, column: 3, severity: 'error', code: 'required-missing' }]);
  });

  it('reports a required variable that the environment lists without a value, at that entry', () => {
    const findings = findingsOf({
      ...ownerTemplate,
      ...dev(
        '  variables:', // 10
        '  - name: owner', // 11
        '    valueType: text', // 12
      ),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 11, column: 5, severity: 'error', code: 'required-missing' }]);
  });

  it('reports a required variable that the environment sets to an empty string', () => {
    const findings = findingsOf({
      ...ownerTemplate,
      ...dev(
        '  variables:', // 10
        '  - name: owner', // 11
        '    value: ""', // 12
      ),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 11, column: 5, severity: 'error', code: 'required-missing' }]);
  });

  it('accepts a required variable whose value comes from the template\'s default', () => {
    const findings = findingsOf({
      ...template('  variables:', '  - name: owner', '    value: team-a', '    options:', '      required: true'),
      ...dev(),
    });
    expect(findings).toEqual([]);
  });

  it('reports a required env of a config context with no value, naming envVars as the place to give it', () => {
    const findings = findingsOf({
      ...context('ctx', {}, ['  envs:', '  - key: API_TOKEN', '    options:', '      required: true']),
      ...template('  contexts:', '  - name: ctx'),
      ...dev(),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 7,
        column: 3,
        severity: 'error',
        code: 'required-missing',
        message: `environment variable "API_TOKEN" is required by ConfigContext "ctx" (${CTX}) and has no value: give it one under spec.envVars`,
      },
    ]);
  });

  it('reports a required file with no data', () => {
    const findings = findingsOf({
      ...template('  files:', '  - name: kubeconfig', '    options:', '      required: true'),
      ...dev(
        '  files:', // 10
        '  - name: other.json', // 11
        '    data: e30=', // 12
      ),
    });
    const required = findings.filter((f) => f.code === 'required-missing');
    expect(required).toEqual([
      {
        file: ENV_DEV,
        line: 10,
        column: 3,
        severity: 'error',
        code: 'required-missing',
        message: expect.stringContaining('file "kubeconfig" is required by EnvironmentTemplate "web"'),
      },
    ]);
  });
});

describe('overrides: undeclared', () => {
  it('warns about a variable the template does not declare, suggesting the closest declared one', () => {
    const findings = findingsOf({
      ...template('  variables:', '  - name: region', '    value: eu'),
      ...dev(
        '  variables:', // 10
        '  - name: regoin', // 11
        '    value: us', // 12
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 11,
        column: 11,
        severity: 'warning',
        code: 'undeclared-override',
        message: 'EnvironmentTemplate "web" version v1 declares no variable "regoin", so this value has no effect: did you mean "region"?',
      },
    ]);
  });

  it('warns about an env var the template does not declare, telling the user to remove or declare it', () => {
    const findings = findingsOf({
      ...template('  variables:', '  - name: region', '    value: eu'),
      ...dev(
        '  envVars:', // 10
        '  - key: HTTP_PROXY', // 11
        '    value: http://proxy', // 12
      ),
    });
    expect(findings).toEqual([
      {
        file: ENV_DEV,
        line: 11,
        column: 10,
        severity: 'warning',
        code: 'undeclared-override',
        message: 'EnvironmentTemplate "web" version v1 declares no environment variable "HTTP_PROXY", so this value has no effect: remove it, or declare it in the template',
      },
    ]);
  });

  it('warns about an undeclared file named by mountPath, at the mountPath', () => {
    const findings = findingsOf({
      ...template('  variables: []'),
      ...dev(
        '  files:', // 10
        '  - data: e30=', // 11
        '    mountPath: extra.json', // 12
      ),
    });
    expect(findings).toMatchObject([{ file: ENV_DEV, line: 12, column: 16, severity: 'warning', code: 'undeclared-override' }]);
    expect(findings[0]!.message).toContain('declares no file "extra.json"');
  });
});

describe('overrides: the template\'s own restricted defaults', () => {
  it('reports a template whose default is not among its own restrictedValues, at the value', () => {
    const findings = findingsOf({
      ...template(
        '  variables:', // 8
        '  - name: size', // 9
        '    value: huge', // 10
        '    options:', // 11
        '      override:', // 12
        '        type: restricted', // 13
        '        restrictedValues: [small, medium]', // 14
      ),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 10,
        column: 12,
        severity: 'error',
        code: 'restricted-default',
        message: 'variable "size" has the value "huge", which is not among its own restrictedValues ("small", "medium"): add it there or change the value',
      },
    ]);
  });

  it('reports a config context env whose default is not among its restrictedValues', () => {
    const findings = findingsOf({
      ...context('ctx', {}, [
        '  envs:', // 7
        '  - key: DRIVER_DEBUG', // 8
        '    value: maybe', // 9
        '    options:', // 10
        '      override:', // 11
        '        type: restricted', // 12
        '        restrictedValues: ["true", "false"]', // 13
      ]),
    });
    expect(findings).toMatchObject([{ file: CTX, line: 9, column: 12, severity: 'error', code: 'restricted-default' }]);
  });

  it('masks a sensitive default that is not among its restrictedValues', () => {
    const findings = findingsOf({
      ...template(
        '  variables:', // 8
        '  - name: password', // 9
        '    value: CANARY-77e1-secret', // 10
        '    options:', // 11
        '      sensitive: true', // 12
        '      override:', // 13
        '        type: restricted', // 14
        '        restrictedValues: [a, b]', // 15
      ),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 10,
        column: 12,
        severity: 'error',
        code: 'restricted-default',
        message: expect.stringContaining('variable "password" has the value (sensitive value)'),
      },
    ]);
    expect(findings[0]!.message).not.toContain('CANARY-77e1');
  });

  it('reports a restricted override that lists no restrictedValues, at the override key', () => {
    const findings = findingsOf({
      ...template(
        '  variables:', // 8
        '  - name: size', // 9
        '    value: small', // 10
        '    options:', // 11
        '      override:', // 12
        '        type: restricted', // 13
      ),
    });
    expect(findings).toEqual([
      {
        file: ET_WEB,
        line: 12,
        column: 7,
        severity: 'error',
        code: 'restricted-without-values',
        message: 'variable "size" is restricted but lists no restrictedValues: list the allowed values',
      },
    ]);
  });
});

describe('overrides: sensitive values never reach a message', () => {
  it('keeps every planted sensitive value out of every finding of a repository full of override mistakes', () => {
    const CANARY = 'CANARY-d41d8cd9';
    const findings = findingsOf({
      ...context('ctx', {}, [
        '  envs:',
        '  - key: DB_PASSWORD',
        `    value: ${CANARY}-ctx-default`,
        '    options:',
        '      sensitive: true',
        '      override:',
        '        type: restricted',
        '        restrictedValues: [x, y]',
      ]),
      ...template(
        '  contexts:',
        '  - name: ctx',
        '  variables:',
        '  - name: api_key',
        `    value: ${CANARY}-template-default`,
        '    options:',
        '      sensitive: true',
        '      override:',
        '        type: notallowed',
        '  - name: tier_secret',
        '    value: a',
        '    options:',
        '      sensitive: true',
        '      override:',
        '        type: restricted',
        '        restrictedValues: [a, b]',
        '  files:',
        '  - name: creds.json',
        `    data: ${CANARY}-file`,
        '    options:',
        '      sensitive: true',
        '      override:',
        '        type: notallowed',
      ),
      ...dev(
        '  variables:',
        '  - name: api_key',
        `    value: ${CANARY}-env-1`,
        '  - name: tier_secret',
        `    value: ${CANARY}-env-2`,
        '  envVars:',
        '  - key: DB_PASSWORD',
        `    value: ${CANARY}-env-3`,
        '  files:',
        '  - name: creds.json',
        `    data: ${CANARY}-env-4`,
      ),
    });
    expect(findings.map((f) => f.code).sort()).toEqual([
      'override-not-allowed',
      'override-not-allowed',
      'override-restricted',
      'override-restricted',
      'restricted-default',
    ]);
    for (const finding of findings) expect(finding.message).not.toContain(CANARY);
  });
});
