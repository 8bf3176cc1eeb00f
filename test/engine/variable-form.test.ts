// An environment's variables as a form, and the document a filled-in form makes: a new environment
// carries only what differs from its template; a change touches only the entries that changed.
import { describe, expect, it } from 'vitest';
import { environmentDocument, missingRequired, variableAt, variableFields, type VariableField } from '../../src/engine/variable-form.js';
import { SpecIndex } from '../../src/engine/spec-index.js';
import { loadSpecs } from '../../src/specs/load.js';
import { exampleFiles } from '../golden/scenarios.js';

const index = new SpecIndex(loadSpecs(exampleFiles()).specs);
const template = index.find('EnvironmentTemplate', 'payments', 'web-stack')[0]!;
const dev = index.find('Environment', 'payments', 'dev')[0]!.data;

const field = (over: Partial<VariableField> & { name: string }): VariableField => ({ valueType: 'text', required: false, override: 'allowed', sensitive: false, set: false, hasTemplateValue: over.default !== undefined, ...over });

describe('variableFields', () => {
  it('offers the template\'s variables and its contexts\', with their rules, and an environment\'s own values', () => {
    expect(variableFields(template, index, dev)).toEqual([
      { name: 'replicas', valueType: 'text', required: false, override: 'restricted', allowed: ['1', '2', '4'], default: '2', hasTemplateValue: true, sensitive: false, current: '1', set: true },
      { name: 'owner_team', valueType: 'text', description: 'Team that owns the environment', required: true, override: 'allowed', hasTemplateValue: false, sensitive: false, current: 'payments-dev', set: true },
      { name: 'database_subnet', valueType: 'expression', required: false, override: 'notallowed', default: '$(resource."network".output.private_subnet_id.value)$', hasTemplateValue: true, sensitive: false, set: false },
      { name: 'tags', valueType: 'json', required: false, override: 'allowed', default: '{"cost-center": "payments"}', hasTemplateValue: true, sensitive: false, set: false },
      expect.objectContaining({ name: 'aws_secret_access_key', sensitive: true, set: false }),
    ]);
  });

  it('never gives a secret\'s value, the template\'s or the environment\'s', () => {
    const secret = variableFields(template, index, { spec: { variables: [{ name: 'aws_secret_access_key', value: 'hunter2' }] } }).find((f) => f.name === 'aws_secret_access_key')!;
    expect(secret).not.toHaveProperty('default');
    expect(secret).not.toHaveProperty('current');
    expect(secret.set).toBe(true);
  });
});

describe('environmentDocument', () => {
  const input = { project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' } };
  const fields = [field({ name: 'replicas', default: '2' }), field({ name: 'team', required: true }), field({ name: 'token', sensitive: true }), field({ name: 'fixed', override: 'notallowed', default: 'x' })];

  it('makes a new environment with only the values that differ from the template\'s', () => {
    expect(environmentDocument(input, fields, { replicas: '2', team: 'qa', token: '', fixed: 'changed' })).toEqual({
      apiVersion: 'eaas.envmgmt.io/v1',
      kind: 'Environment',
      metadata: { name: 'qa', project: 'payments' },
      spec: { template: { name: 'web-stack', version: 'v1' }, variables: [{ name: 'team', value: 'qa' }] },
    });
  });

  it('changes an existing environment\'s changed entries in place, drops one emptied, keeps a secret left empty, keeps entries it does not know', () => {
    const existing = { kind: 'Environment', metadata: { name: 'qa', project: 'payments', labels: { a: 'b' } }, spec: { template: input.template, variables: [{ name: 'other', value: 'kept' }, { name: 'replicas', value: '1' }, { name: 'token', value: 's3cret' }, { name: 'team', value: 'old' }] } };
    const document = environmentDocument(input, fields, { replicas: '', team: 'new', token: '' }, existing);
    expect(document).toEqual({ ...existing, spec: { template: input.template, variables: [{ name: 'other', value: 'kept' }, { name: 'token', value: 's3cret' }, { name: 'team', value: 'new' }] } });
    expect(existing.spec.variables[1]).toEqual({ name: 'replicas', value: '1' });
  });

  it('names the variable a finding\'s path points into', () => {
    const document = { spec: { variables: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }] } };
    expect(variableAt(document, ['spec', 'variables', 1, 'value'])).toBe('b');
    expect(variableAt(document, ['spec', 'variables'])).toBeUndefined();
    expect(variableAt(document, ['spec', 'template'])).toBeUndefined();
  });

  it('finds required variables left without a value, where the template gives none and no secret is set', () => {
    const required = [field({ name: 'team', required: true }), field({ name: 'size', required: true, default: 's' }), field({ name: 'key', required: true, sensitive: true, set: true })];
    expect(missingRequired(required, { team: '', size: '', key: '' })).toEqual(['team']);
  });
});
