// Schema conformance: each finding names the field, says what is wrong and what to do, and points at
// the key (unknown or missing fields) or the value (wrong types and values).
import { describe, expect, it } from 'vitest';
import { findingsOf, yaml } from '../helpers/repo.js';

const DRIVER = 'projects/p/drivers/d.yaml';
const TEMPLATE = 'projects/p/environmenttemplates/t.yaml';
const CLUSTER = 'projects/p/clusters/c.yaml';
const ENVIRONMENT = 'projects/p/environments/e.yaml';

const head = (kind: string, name: string) => ['apiVersion: eaas.envmgmt.io/v1', `kind: ${kind}`, 'metadata:', `  name: ${name}`, '  project: p'];

/** A container Driver; `container` lines go under spec.config.container (line 10 on), `config` lines after them. */
const containerDriver = (container: string[], config: string[] = []) =>
  yaml(...head('Driver', 'd'), 'spec:', '  config:', '    type: container', '    container:', ...container, ...config);

/** An EnvironmentTemplate whose onInit hooks start on line 10. */
const templateWithHooks = (...hooks: string[]) =>
  yaml(...head('EnvironmentTemplate', 't'), 'spec:', '  version: v1', '  hooks:', '    onInit:', ...hooks);

/** A Cluster of a type; `config` lines start on line 9. */
const cluster = (type: string, ...config: string[]) =>
  yaml(
    'apiVersion: infra.k8smgmt.io/v3',
    'kind: Cluster',
    'metadata:',
    '  name: c',
    '  project: p',
    'spec:',
    `  type: ${type}`,
    '  config:',
    ...config,
  );

describe('unknown fields', () => {
  it('reports a misspelled field at its key, naming it and suggesting the closest known field', () => {
    // line 10 is `      imge: alpine`.
    expect(findingsOf({ [DRIVER]: containerDriver(['      imge: alpine']) })).toEqual([
      {
        file: DRIVER,
        line: 10,
        column: 7,
        severity: 'error',
        code: 'unknown-field',
        message: 'unknown field "imge" in spec.config.container: did you mean "image"?',
      },
    ]);
  });

  it('suggests dependsOn for dependOn in a hook, at the key', () => {
    const text = templateWithHooks('    - name: h', '      type: approval', '      dependOn: [x]', '      options:', '        approval:', '          type: internal');
    expect(findingsOf({ [TEMPLATE]: text })).toEqual([
      {
        file: TEMPLATE,
        line: 12,
        column: 7,
        severity: 'error',
        code: 'unknown-field',
        message: 'unknown field "dependOn" in spec.hooks.onInit[0]: did you mean "dependsOn"?',
      },
    ]);
  });

  it('suggests dependsOn for dependOn in a template resource, at the key', () => {
    const text = yaml(
      ...head('EnvironmentTemplate', 't'),
      'spec:',
      '  version: v1',
      '  resources:',
      '  - kind: resourcetemplate',
      '    name: a',
      '  - kind: resourcetemplate',
      '    name: b',
      '    dependOn:',
      '    - name: a',
    );
    const findings = findingsOf({ [TEMPLATE]: text }).filter((f) => f.code === 'unknown-field');
    expect(findings).toEqual([
      {
        file: TEMPLATE,
        line: 13,
        column: 5,
        severity: 'error',
        code: 'unknown-field',
        message: 'unknown field "dependOn" in spec.resources[1]: did you mean "dependsOn"?',
      },
    ]);
  });

  it('suggests a field whose only difference is case', () => {
    const f = findingsOf({ [DRIVER]: containerDriver(['      Image: alpine']) });
    expect(f).toMatchObject([{ line: 10, column: 7, code: 'unknown-field', message: 'unknown field "Image" in spec.config.container: did you mean "image"?' }]);
  });

  it('lists the known fields when no field is close', () => {
    const f = findingsOf({ [DRIVER]: containerDriver(['      image: alpine'], ['    zzzzzz: 1']) });
    expect(f).toEqual([
      {
        file: DRIVER,
        line: 11,
        column: 5,
        severity: 'error',
        code: 'unknown-field',
        message:
          'unknown field "zzzzzz" in spec.config: remove it; known fields here: type, container, http, function, maxRetryCount, timeoutSeconds, successCondition, pollingConfig',
      },
    ]);
  });

  it('reports a misspelled field in metadata', () => {
    const text = yaml(...head('Resource', 'r'), '  labls: {}', 'spec: {}');
    expect(findingsOf({ 'projects/p/resources/r.yaml': text })).toMatchObject([
      { line: 6, column: 3, code: 'unknown-field', message: 'unknown field "labls" in metadata: did you mean "labels"?' },
    ]);
  });
});

describe('wrong types', () => {
  it('reports a word where seconds are expected at the value', () => {
    // line 11 is `    timeoutSeconds: soon`.
    expect(findingsOf({ [DRIVER]: containerDriver(['      image: alpine'], ['    timeoutSeconds: soon']) })).toEqual([
      {
        file: DRIVER,
        line: 11,
        column: 21,
        severity: 'error',
        code: 'wrong-type',
        message: 'spec.config.timeoutSeconds must be a whole number, not a string',
      },
    ]);
  });

  it('calls a fraction a fraction where a whole number is needed', () => {
    expect(findingsOf({ [DRIVER]: containerDriver(['      image: alpine'], ['    maxRetryCount: 2.5']) })).toEqual([
      {
        file: DRIVER,
        line: 11,
        column: 20,
        severity: 'error',
        code: 'wrong-type',
        message: 'spec.config.maxRetryCount must be a whole number, not a fraction',
      },
    ]);
  });

  it('reports a negative number of seconds at the value', () => {
    expect(findingsOf({ [DRIVER]: containerDriver(['      image: alpine'], ['    timeoutSeconds: -5']) })).toMatchObject([
      { line: 11, column: 21, code: 'invalid-value', message: 'spec.config.timeoutSeconds must be at least 0' },
    ]);
  });

  it('reports a mapping where a list is expected at the value', () => {
    expect(findingsOf({ [DRIVER]: containerDriver(['      commands: {a: b}']) })).toMatchObject([
      { line: 10, column: 17, code: 'wrong-type', message: 'spec.config.container.commands must be a list, not a mapping' },
    ]);
  });

  it('accepts a number or a string for memory and CPU limits', () => {
    expect(findingsOf({ [DRIVER]: containerDriver(['      cpuLimitMilli: 500', '      memoryLimitMb: "1024"']) })).toEqual([]);
  });
});

describe('enum values', () => {
  it('reports a misspelled driver type at the value with the closest value suggested', () => {
    const text = yaml(...head('Driver', 'd'), 'spec:', '  config:', '    type: contaner', '    container:', '      image: alpine');
    expect(findingsOf({ [DRIVER]: text })).toEqual([
      {
        file: DRIVER,
        line: 8,
        column: 11,
        severity: 'error',
        code: 'invalid-value',
        message: 'spec.config.type must be one of: container, http, function: did you mean "container"?',
      },
    ]);
  });

  it('reports a misspelled hook type at the value with the closest value suggested', () => {
    const text = templateWithHooks('    - name: h', '      type: contaner');
    expect(findingsOf({ [TEMPLATE]: text })).toEqual([
      {
        file: TEMPLATE,
        line: 11,
        column: 13,
        severity: 'error',
        code: 'invalid-value',
        message: 'spec.hooks.onInit[0].type must be one of: approval, container, http, driver: did you mean "container"?',
      },
    ]);
  });

  it('lists the values without a suggestion when none is close', () => {
    const text = templateWithHooks('    - name: h', '      type: webhook');
    expect(findingsOf({ [TEMPLATE]: text })).toMatchObject([
      { line: 11, column: 13, code: 'invalid-value', message: 'spec.hooks.onInit[0].type must be one of: approval, container, http, driver' },
    ]);
  });
});

describe('missing required fields', () => {
  it('reports an Environment without spec.template at the spec key', () => {
    const text = yaml(...head('Environment', 'e'), 'spec:', '  agents:', '  - name: a');
    expect(findingsOf({ [ENVIRONMENT]: text })).toEqual([
      {
        file: ENVIRONMENT,
        line: 6,
        column: 1,
        severity: 'error',
        code: 'missing-field',
        message: 'spec is missing the required field "template": add it',
      },
    ]);
  });

  it('reports a template reference without a version at the template key', () => {
    const text = yaml(...head('Environment', 'e'), 'spec:', '  template:', '    name: t');
    expect(findingsOf({ [ENVIRONMENT]: text })).toMatchObject([
      { line: 7, column: 3, code: 'missing-field', message: 'spec.template is missing the required field "version": add it' },
    ]);
  });

  it('reports a container driver without its container options at the config key', () => {
    const text = yaml(...head('Driver', 'd'), 'spec:', '  config:', '    type: container');
    expect(findingsOf({ [DRIVER]: text })).toMatchObject([
      {
        line: 7,
        column: 3,
        code: 'missing-field',
        message: 'spec.config is missing the required field "container" (the type chosen here needs it): add it',
      },
    ]);
  });

  it('reports a container hook without options.container at the options key', () => {
    const text = templateWithHooks('    - name: h', '      type: container', '      options:', '        approval:', '          type: internal');
    expect(findingsOf({ [TEMPLATE]: text })).toEqual([
      {
        file: TEMPLATE,
        line: 12,
        column: 7,
        severity: 'error',
        code: 'missing-field',
        message: 'spec.hooks.onInit[0].options is missing the required field "container" (the type chosen here needs it): add it',
      },
    ]);
  });

  it('reports a container hook without options at the hook', () => {
    // line 10 is `    - name: h`: the hook mapping starts at column 7.
    const text = templateWithHooks('    - name: h', '      type: container');
    expect(findingsOf({ [TEMPLATE]: text })).toMatchObject([
      {
        line: 10,
        column: 7,
        code: 'missing-field',
        message: 'spec.hooks.onInit[0] is missing the required field "options" (the type chosen here needs it): add it',
      },
    ]);
  });

  it('reports a driver hook without a driver at the hook', () => {
    const text = templateWithHooks('    - name: h', '      type: driver');
    expect(findingsOf({ [TEMPLATE]: text })).toMatchObject([
      { line: 10, column: 7, code: 'missing-field', message: 'spec.hooks.onInit[0] is missing the required field "driver" (the type chosen here needs it): add it' },
    ]);
  });
});

describe('Cluster config, typed by cluster type', () => {
  it('accepts the documented mks fields and extra fields the provider may add', () => {
    const text = cluster(
      'mks',
      '    autoApproveNodes: true',
      '    somethingNew: {a: 1}',
      '    nodes:',
      '    - hostname: n1',
      '      privateIP: 10.0.0.1',
      '      roles: [ControlPlane, Worker]',
      '      gpu: true',
    );
    expect(findingsOf({ [CLUSTER]: text })).toEqual([]);
  });

  it('reports mks nodes that are not a list at the value', () => {
    expect(findingsOf({ [CLUSTER]: cluster('mks', '    nodes: 3') })).toEqual([
      {
        file: CLUSTER,
        line: 9,
        column: 12,
        severity: 'error',
        code: 'wrong-type',
        message: 'spec.config.nodes must be a list, not a number',
      },
    ]);
  });

  it('reports an mks node role that does not exist at the value', () => {
    // line 11 is `      roles: [Master]`.
    expect(findingsOf({ [CLUSTER]: cluster('mks', '    nodes:', '    - hostname: n1', '      roles: [Master]') })).toMatchObject([
      { line: 11, column: 15, code: 'invalid-value', message: 'spec.config.nodes[0].roles[0] must be one of: ControlPlane, Worker, Storage' },
    ]);
  });

  it('reports an mks node without a hostname at the node', () => {
    expect(findingsOf({ [CLUSTER]: cluster('mks', '    nodes:', '    - arch: amd64') })).toMatchObject([
      { line: 10, column: 7, code: 'missing-field' },
    ]);
  });

  it('reports a non-boolean autoApproveNodes at the value', () => {
    expect(findingsOf({ [CLUSTER]: cluster('mks', '    autoApproveNodes: "yes"') })).toMatchObject([
      { line: 9, column: 23, code: 'wrong-type', message: 'spec.config.autoApproveNodes must be true or false, not a string' },
    ]);
  });

  it('leaves fields that only mks types open under aws-eks and azure-aks', () => {
    expect(findingsOf({ [CLUSTER]: cluster('aws-eks', '    nodes: 3') })).toEqual([]);
    expect(findingsOf({ [CLUSTER]: cluster('azure-aks', '    nodes: 3', '    anything: {goes: [1, 2]}') })).toEqual([]);
  });

  it('types the documented aws-eks node group fields', () => {
    const text = cluster('aws-eks', '    managedNodeGroups:', '    - name: ng', '      desiredCapacity: two');
    expect(findingsOf({ [CLUSTER]: text })).toMatchObject([
      { line: 11, column: 24, code: 'wrong-type', message: 'spec.config.managedNodeGroups[0].desiredCapacity must be a whole number, not a string' },
    ]);
  });

  it('reports an unknown cluster type at the value with a suggestion', () => {
    expect(findingsOf({ [CLUSTER]: cluster('mk', '    nodes: 3') })).toEqual([
      {
        file: CLUSTER,
        line: 7,
        column: 9,
        severity: 'error',
        code: 'invalid-value',
        message: 'spec.type must be one of: aws-eks, azure-aks, mks: did you mean "mks"?',
      },
    ]);
  });
});

describe('values that may be secrets', () => {
  it('describes a wrong-typed password by its type only, never by its value', () => {
    // line 12 is `        password: 123456789`.
    const text = containerDriver(['      image: alpine', '      imagePullCredentials:', '        password: 123456789']);
    const findings = findingsOf({ [DRIVER]: text });
    expect(findings).toEqual([
      {
        file: DRIVER,
        line: 12,
        column: 19,
        severity: 'error',
        code: 'wrong-type',
        message: 'spec.config.container.imagePullCredentials.password must be a string, not a number',
      },
    ]);
    expect(JSON.stringify(findings)).not.toContain('123456789');
  });

  it('never quotes the value of a wrong-typed header, env var or enum', () => {
    const text = yaml(
      ...head('Driver', 'd'),
      'spec:',
      '  config:',
      '    type: container',
      '    container:',
      '      envVars:',
      '        TOKEN: {nested: s3cr3t-env}',
      '      kubeOptions:',
      '        tolerations:',
      '        - operator: s3cr3t-enum',
      '    http:',
      '      endpoint: [s3cr3t-url]',
      '      headers:',
      '        X-TOKEN: [s3cr3t-header]',
    );
    const findings = findingsOf({ [DRIVER]: text });
    expect(findings.map((f) => [f.line, f.code])).toEqual([
      [11, 'wrong-type'],
      [14, 'invalid-value'],
      [16, 'wrong-type'],
      [18, 'wrong-type'],
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/s3cr3t/);
  });
});
