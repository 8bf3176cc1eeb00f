// The documented spelling variants: accepted, renamed to the canonical spelling in memory (keeping key
// order), never renamed inside open maps, and findings inside them still point at the source text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingsOf, validate, yaml } from '../helpers/repo.js';

const DRIVER = 'projects/p/drivers/d.yaml';
const TEMPLATE = 'projects/p/resourcetemplates/r.yaml';
const CLUSTER = 'projects/p/clusters/c.yaml';

const head = (kind: string, name: string) => ['apiVersion: eaas.envmgmt.io/v1', `kind: ${kind}`, 'metadata:', `  name: ${name}`, '  project: p'];

/** A container Driver whose container options start on line 10. */
const containerDriver = (...container: string[]) =>
  yaml(...head('Driver', 'd'), 'spec:', '  config:', '    type: container', '    container:', ...container);

/** A ResourceTemplate whose providerOptions entries start on line 10. */
const resourceTemplate = (...providerOptions: string[]) =>
  yaml(...head('ResourceTemplate', 'r'), 'spec:', '  version: v1', '  provider: opentofu', '  providerOptions:', ...providerOptions);

/** An mks Cluster whose config entries start on line 9. */
const mksCluster = (...config: string[]) =>
  yaml('apiVersion: infra.k8smgmt.io/v3', 'kind: Cluster', 'metadata:', '  name: c', '  project: p', 'spec:', '  type: mks', '  config:', ...config);

/** Validates one file and returns its findings and its loaded data. */
function load(file: string, text: string) {
  const result = validate({ [file]: text });
  expect(result.loaded.specs).toHaveLength(1);
  const spec = result.loaded.specs[0]!;
  return { findings: result.findings, data: spec.data, valid: spec.valid };
}

const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);

describe('envvars and memoryLimitMB in container options', () => {
  it('are accepted and renamed to envVars and memoryLimitMb, in the order of the source', () => {
    const { findings, data, valid } = load(
      DRIVER,
      containerDriver('      image: alpine', '      envvars:', '        A: "1"', '      memoryLimitMB: "1024"', '      workingDirPath: /w'),
    );
    expect(findings).toEqual([]);
    expect(valid).toBe(true);
    const container = at(data, 'spec', 'config', 'container') as Record<string, unknown>;
    expect(Object.keys(container)).toEqual(['image', 'envVars', 'memoryLimitMb', 'workingDirPath']);
    expect(container).toEqual({ image: 'alpine', envVars: { A: '1' }, memoryLimitMb: '1024', workingDirPath: '/w' });
  });

  it('leave the canonical spellings as they are', () => {
    const { findings, data } = load(DRIVER, containerDriver('      envVars:', '        A: "1"', '      memoryLimitMb: 1024'));
    expect(findings).toEqual([]);
    expect(at(data, 'spec', 'config', 'container')).toEqual({ envVars: { A: '1' }, memoryLimitMb: 1024 });
  });

  it('are renamed in the container options of a hook', () => {
    const text = yaml(
      ...head('EnvironmentTemplate', 't'),
      'spec:',
      '  version: v1',
      '  hooks:',
      '    onInit:',
      '    - name: h',
      '      type: container',
      '      options:',
      '        container:',
      '          memoryLimitMB: "1024"',
      '          envvars: {B: "2"}',
    );
    const { findings, data } = load('projects/p/environmenttemplates/t.yaml', text);
    expect(findings).toEqual([]);
    expect(at(data, 'spec', 'hooks', 'onInit', 0, 'options', 'container')).toEqual({ memoryLimitMb: '1024', envVars: { B: '2' } });
    expect(Object.keys(at(data, 'spec', 'hooks', 'onInit', 0, 'options', 'container') as object)).toEqual(['memoryLimitMb', 'envVars']);
  });
});

describe('openTofu under providerOptions', () => {
  it('is accepted and renamed to opentofu, in the order of the source', () => {
    const { findings, data, valid } = load(TEMPLATE, resourceTemplate('    openTofu:', '      lock: true', '    driver:', '      name: x'));
    expect(findings.filter((f) => f.code !== 'ref-not-found')).toEqual([]);
    expect(valid).toBe(true);
    const options = at(data, 'spec', 'providerOptions') as Record<string, unknown>;
    expect(Object.keys(options)).toEqual(['opentofu', 'driver']);
    expect(options.opentofu).toEqual({ lock: true });
  });

  it('is renamed in the resource template of the reference documents', () => {
    const url = new URL('../../../shared/reference/specs/resourcetemplate-inline-driver.yaml', import.meta.url);
    const { findings, data } = load('projects/demoproject/resourcetemplates/demo-rt-inline-driver.yaml', readFileSync(url, 'utf8'));
    expect(findings).toEqual([]);
    const options = at(data, 'spec', 'providerOptions') as Record<string, unknown>;
    expect(Object.keys(options)).toEqual(['driver', 'opentofu']);
    expect(options.opentofu).toEqual({ backendType: 'system', lock: true, refresh: true, timeoutSeconds: 1800 });
  });
});

describe('privateip in MKS nodes', () => {
  it('is accepted and renamed to privateIP, in the order of the source', () => {
    const { findings, data } = load(
      CLUSTER,
      mksCluster('    nodes:', '    - hostname: n1', '      privateip: 10.0.0.1', '      arch: amd64', '    - hostname: n2', '      privateIP: 10.0.0.2'),
    );
    expect(findings).toEqual([]);
    const nodes = at(data, 'spec', 'config', 'nodes') as Record<string, unknown>[];
    expect(nodes).toEqual([
      { hostname: 'n1', privateIP: '10.0.0.1', arch: 'amd64' },
      { hostname: 'n2', privateIP: '10.0.0.2' },
    ]);
    expect(Object.keys(nodes[0]!)).toEqual(['hostname', 'privateIP', 'arch']);
  });

  it('is renamed in the MKS cluster of the reference documents', () => {
    const url = new URL('../../../shared/reference/specs/cluster-mks.yaml', import.meta.url);
    const { findings, data } = load('projects/demo/clusters/demo-mks.yaml', readFileSync(url, 'utf8'));
    expect(findings).toEqual([]);
    const nodes = at(data, 'spec', 'config', 'nodes') as Record<string, unknown>[];
    expect(Object.keys(nodes[0]!)).toEqual(['arch', 'hostname', 'operatingSystem', 'privateIP', 'roles']);
    expect(nodes.map((n) => n.privateIP)).toEqual(['10.0.0.106', '10.0.0.207']);
  });

  it('is left as it is where the cluster type does not type the nodes (aws-eks config is open)', () => {
    const text = yaml('apiVersion: infra.k8smgmt.io/v3', 'kind: Cluster', 'metadata:', '  name: c', '  project: p', 'spec:', '  type: aws-eks', '  config:', '    nodes:', '    - privateip: 1');
    const { findings, data } = load(CLUSTER, text);
    expect(findings).toEqual([]);
    expect(at(data, 'spec', 'config', 'nodes')).toEqual([{ privateip: 1 }]);
  });
});

describe('open maps', () => {
  it('keep keys that look like variants exactly as written (labels, env var names, headers)', () => {
    const text = yaml(
      'apiVersion: eaas.envmgmt.io/v1',
      'kind: Driver',
      'metadata:',
      '  name: d',
      '  project: p',
      '  labels:',
      '    envvars: a',
      '    memoryLimitMB: b',
      '    openTofu: c',
      '    privateip: d',
      'spec:',
      '  config:',
      '    type: container',
      '    container:',
      '      envvars:',
      '        envvars: x',
      '        memoryLimitMB: y',
      '    http:',
      '      endpoint: https://example.com',
      '      headers:',
      '        privateip: z',
    );
    const { findings, data } = load(DRIVER, text);
    expect(findings).toEqual([]);
    expect(at(data, 'metadata', 'labels')).toEqual({ envvars: 'a', memoryLimitMB: 'b', openTofu: 'c', privateip: 'd' });
    expect(at(data, 'spec', 'config', 'container')).toEqual({ envVars: { envvars: 'x', memoryLimitMB: 'y' } });
    expect(at(data, 'spec', 'config', 'http', 'headers')).toEqual({ privateip: 'z' });
  });
});

describe('both spellings in one mapping', () => {
  it('are not merged: the variant is reported as an unknown field at its key', () => {
    // line 10 is `      envvars:`.
    const text = containerDriver('      envvars:', '        A: "1"', '      envVars:', '        B: "2"');
    const { findings, data } = load(DRIVER, text);
    expect(findings).toEqual([
      {
        file: DRIVER,
        line: 10,
        column: 7,
        severity: 'error',
        code: 'unknown-field',
        message: 'unknown field "envvars" in spec.config.container: did you mean "envVars"?',
      },
    ]);
    expect(at(data, 'spec', 'config', 'container')).toEqual({ envvars: { A: '1' }, envVars: { B: '2' } });
  });

  it('do not mislead the position of a finding inside the canonical one', () => {
    // line 12 is `      envVars:` and line 13 `        B: [x]`: the wrong value is at 13:12, not in the envvars block above.
    const text = containerDriver('      envvars:', '        A: "1"', '      envVars:', '        B: [x]');
    const wrong = findingsOf({ [DRIVER]: text }).filter((f) => f.code === 'wrong-type');
    expect(wrong).toEqual([
      {
        file: DRIVER,
        line: 13,
        column: 12,
        severity: 'error',
        code: 'wrong-type',
        message: 'spec.config.container.envVars.B must be a string or a number or true or false, not a list',
      },
    ]);
  });
});

describe('positions inside variant-spelled fields', () => {
  it('point into an envvars block at the offending value', () => {
    // line 11 is `        A: [x]`.
    const findings = findingsOf({ [DRIVER]: containerDriver('      envvars:', '        A: [x]') });
    expect(findings).toEqual([
      {
        file: DRIVER,
        line: 11,
        column: 12,
        severity: 'error',
        code: 'wrong-type',
        message: 'spec.config.container.envVars.A must be a string or a number or true or false, not a list',
      },
    ]);
  });

  it('point at the value of memoryLimitMB', () => {
    // line 10 is `      memoryLimitMB: [1]`.
    expect(findingsOf({ [DRIVER]: containerDriver('      memoryLimitMB: [1]') })).toMatchObject([
      { line: 10, column: 22, code: 'wrong-type', message: 'spec.config.container.memoryLimitMb must be a whole number or a string, not a list' },
    ]);
  });

  it('point into an openTofu block at the offending key and values', () => {
    // lines 10-13: `    openTofu:`, `      lok: true`, `      timeoutSeconds: later`, `      backendType: sytem`.
    const text = resourceTemplate('    openTofu:', '      lok: true', '      timeoutSeconds: later', '      backendType: sytem');
    expect(findingsOf({ [TEMPLATE]: text })).toEqual([
      {
        file: TEMPLATE,
        line: 11,
        column: 7,
        severity: 'error',
        code: 'unknown-field',
        message: 'unknown field "lok" in spec.providerOptions.opentofu: did you mean "lock"?',
      },
      {
        file: TEMPLATE,
        line: 12,
        column: 23,
        severity: 'error',
        code: 'wrong-type',
        message: 'spec.providerOptions.opentofu.timeoutSeconds must be a whole number, not a string',
      },
      {
        file: TEMPLATE,
        line: 13,
        column: 20,
        severity: 'error',
        code: 'invalid-value',
        message: 'spec.providerOptions.opentofu.backendType must be one of: system, custom: did you mean "system"?',
      },
    ]);
  });

  it('point at the value of a wrong-typed privateip in the second node', () => {
    // line 13 is `      privateip: 5`.
    const text = mksCluster('    nodes:', '    - hostname: n1', '      privateip: 10.0.0.1', '    - hostname: n2', '      privateip: 5');
    expect(findingsOf({ [CLUSTER]: text })).toEqual([
      {
        file: CLUSTER,
        line: 13,
        column: 18,
        severity: 'error',
        code: 'wrong-type',
        message: 'spec.config.nodes[1].privateIP must be a string, not a number',
      },
    ]);
  });
});

describe('renaming keeps every key of the mapping', () => {
  it('keeps a key named __proto__ as an ordinary field, so it is still reported as unknown', () => {
    // line 11 is `      __proto__: {x: 1}`; without the envvars variant next to it, it is reported the same way.
    const plain = findingsOf({ [DRIVER]: containerDriver('      envVars: {A: "1"}', '      __proto__: {x: 1}') });
    const renamed = findingsOf({ [DRIVER]: containerDriver('      envvars: {A: "1"}', '      __proto__: {x: 1}') });
    const expected = { file: DRIVER, line: 11, column: 7, severity: 'error', code: 'unknown-field' };
    expect(plain).toMatchObject([expected]);
    expect(plain[0]!.message).toContain('unknown field "__proto__" in spec.config.container');
    expect(renamed).toEqual(plain);
  });
});
