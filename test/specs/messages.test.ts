// Messages that point the right way: each finding blames the place that is wrong and says what the
// layout or the schema expects there.
import { describe, expect, it } from 'vitest';
import { findingsOf, yaml } from '../helpers/repo.js';

const template = (version: string) =>
  yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: EnvironmentTemplate', 'metadata:', '  name: web-stack', '  project: payments', 'spec:', `  version: ${version}`);

const environment = (...extra: string[]) =>
  yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: Environment', 'metadata:', '  name: dev', '  project: payments', 'spec:', '  template:', '    name: web-stack', '    version: v1', ...extra);

describe('a template version whose file name and spec.version disagree', () => {
  it('points at spec.version, not metadata.name, and says the two disagree', () => {
    expect(findingsOf({ 'projects/payments/environmenttemplates/web-stack@v2.yaml': template('v1') })).toEqual([
      {
        file: 'projects/payments/environmenttemplates/web-stack@v2.yaml',
        line: 7,
        column: 12,
        severity: 'error',
        code: 'name-mismatch',
        message: 'the file is named web-stack@v2.yaml but spec.version is "v1": the file name and the version must agree; set spec.version to "v2", or name the file web-stack@v1.yaml',
      },
    ]);
  });

  it('still blames metadata.name when the name before @ differs', () => {
    expect(findingsOf({ 'projects/payments/environmenttemplates/web@v1.yaml': template('v1') })).toMatchObject([
      { line: 4, column: 9, code: 'name-mismatch', message: 'metadata.name is "web-stack" but the file is named web@v1.yaml: name the file web-stack.yaml or web-stack@v1.yaml, or correct metadata.name' },
    ]);
  });
});

describe('a spec directly in projects/', () => {
  it('says where the layout keeps it, with its own project and name, instead of a project named after the file', () => {
    expect(findingsOf({ 'projects/dev.yaml': environment() })).toEqual([
      {
        file: 'projects/dev.yaml',
        line: 2,
        column: 7,
        severity: 'error',
        code: 'kind-folder-mismatch',
        message:
          'an Environment does not belong directly in projects/, where a file is a Project: the layout expects projects/<project>/environments/<name>.yaml; move it to projects/payments/environments/dev.yaml',
      },
    ]);
  });

  it('gives only the layout when the spec names no valid project, and no name-mismatch on top', () => {
    const text = yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: Driver', 'metadata:', '  name: runner', '  project: Payments!', 'spec:', '  config:', '    type: http', '    http:', '      endpoint: x');
    expect(findingsOf({ 'projects/dev.yaml': text }).filter((f) => f.code !== 'invalid-name')).toEqual([
      {
        file: 'projects/dev.yaml',
        line: 2,
        column: 7,
        severity: 'error',
        code: 'kind-folder-mismatch',
        message: 'a Driver does not belong directly in projects/, where a file is a Project: the layout expects projects/<project>/drivers/<name>.yaml',
      },
    ]);
  });
});

describe('a key indented one level too little', () => {
  it('says to check the indentation when the key is a field of spec, instead of "remove it"', () => {
    expect(findingsOf({ 'projects/payments/environments/dev.yaml': environment('agents:', '- name: runner') })).toEqual([
      {
        file: 'projects/payments/environments/dev.yaml',
        line: 10,
        column: 1,
        severity: 'error',
        code: 'unknown-field',
        message: 'unknown field "agents" in the document: check the indentation: `agents` belongs under `spec`',
      },
    ]);
  });

  it('names the whole path of the mapping it belongs to', () => {
    const text = yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: Environment', 'metadata:', '  name: dev', '  project: payments', 'spec:', '  template:', '    name: web-stack', '  version: v1');
    expect(findingsOf({ 'projects/payments/environments/dev.yaml': text })).toMatchObject([
      { line: 7, column: 3, code: 'missing-field', message: 'spec.template is missing the required field "version": add it' },
      { line: 9, column: 3, code: 'unknown-field', message: 'unknown field "version" in spec: check the indentation: `version` belongs under `spec.template`' },
    ]);
  });

  it('keeps "remove it" for a key no mapping one level down knows', () => {
    expect(findingsOf({ 'projects/payments/environments/dev.yaml': environment('colour: blue') })).toMatchObject([
      { line: 10, column: 1, code: 'unknown-field', message: 'unknown field "colour" in the document: remove it; known fields here: apiVersion, kind, metadata, spec' },
    ]);
  });
});

describe('articles', () => {
  it('writes "an" before a kind that starts with a vowel', () => {
    const messages = findingsOf({
      'projects/payments/drivers/dev.yaml': environment(),
      'projects/payments/environments/x.yaml': yaml('apiVersion: eaas.envmgmt.io/v2', 'kind: EnvironmentTemplate', 'metadata:', '  name: x', '  project: payments'),
      'projects/payments/environmenttemplates/payments.yaml': yaml('apiVersion: system.k8smgmt.io/v3', 'kind: Project', 'metadata:', '  name: payments'),
    }).map((f) => f.message);
    expect(messages).toEqual([
      'an Environment is in the "drivers" folder: move it to the "environments" folder or correct the kind',
      'apiVersion is "eaas.envmgmt.io/v2" (looks like a typo), but an EnvironmentTemplate is apiVersion "eaas.envmgmt.io/v1": correct it',
      'a Project is not an EnvironmentTemplate: keep it at projects/<name>.yaml',
    ]);
  });
});
