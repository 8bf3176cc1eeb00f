// Regressions of defects a review found: secrets through template-declared sensitivity, names that
// would become paths outside the checkout, cross-project writes, hostile request bodies.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planExport, type SystemSpec } from '../../src/engine/export.js';
import { planChange } from '../../src/engine/plan/plan.js';
import { unsealFrom } from '../../src/engine/secrets.js';
import { loadSpecs } from '../../src/specs/load.js';
import { createApiHandler, hashToken } from '../../src/app/api.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, type Store } from '../../src/system/store.js';
import { exampleFiles } from '../golden/scenarios.js';
import { findingsOf, sources } from '../helpers/repo.js';

const CANARY = 'CANARY-review-5521';

/** The example repository where dev overrides a variable the template's context marks sensitive. */
function withOverride(value: string, extra = '') {
  return exampleFiles().map((f) => {
    if (f.path !== 'projects/payments/environments/dev.yaml' && f.path !== 'projects/platform/configcontexts/aws-account.yaml') return f;
    let text = new TextDecoder().decode(f.content);
    if (f.path.endsWith('aws-account.yaml')) text = text.replace('    value: example-secret-access-key\n    valueType: text\n    options:\n      sensitive: true\n      override:\n        type: notallowed', '    value: example-secret-access-key\n    valueType: text\n    options:\n      sensitive: true\n      override:\n        type: allowed');
    else text = text.replace('  - name: replicas\n    value: "1"', `  - name: replicas\n    value: "1"\n  - name: aws_secret_access_key\n    value: ${value}${extra}`);
    return sources({ [f.path]: text })[0]!;
  });
}

describe('template-declared secrets', () => {
  it('are sealed when an environment overriding one is exported to Git', () => {
    const git = loadSpecs(exampleFiles());
    const system: SystemSpec[] = loadSpecs(withOverride(CANARY)).specs.map((s) => ({ kind: s.kind.kind, project: s.project, name: s.name, ...(s.version !== undefined ? { version: s.version } : {}), document: structuredClone(s.data) }));
    const plan = planExport(git, system);
    expect(plan.files.map((f) => f.content ?? '').join('\n')).not.toContain(CANARY);
    expect(plan.secrets).toContainEqual({ file: 'projects/payments/environments/dev.yaml', path: 'spec.variables[2].value', outcome: 'sealed' });
  });

  it('are masked in the plan of an environment that does not validate', () => {
    const plan = planChange({
      base: { revision: 'base', loaded: loadSpecs(exampleFiles()) },
      head: { revision: 'head', loaded: loadSpecs(withOverride(CANARY, '\n    bogusField: 1')) },
    });
    expect(JSON.stringify(plan)).not.toContain(CANARY);
  });

  it('are masked in the plan when the template cannot be found at all', () => {
    const files = withOverride(CANARY).map((f) => (f.path.endsWith('dev.yaml') ? sources({ [f.path]: new TextDecoder().decode(f.content).replace('name: web-stack', 'name: gone') })[0]! : f));
    const plan = planChange({ base: { revision: 'b', loaded: loadSpecs(exampleFiles()) }, head: { revision: 'h', loaded: loadSpecs(files) } });
    expect(JSON.stringify(plan)).not.toContain(CANARY);
  });
});

describe('validation messages', () => {
  it('never quote a file\'s content nor a credential-named env var, even unmarked', () => {
    const text = [
      'apiVersion: eaas.envmgmt.io/v1',
      'kind: ConfigContext',
      'metadata:',
      '  name: c',
      '  project: p',
      'spec:',
      '  envs:',
      '  - key: DB_PASSWORD',
      `    value: ${CANARY}-env`,
      '    options:',
      '      override:',
      '        type: restricted',
      '        restrictedValues: [a]',
      '  files:',
      '  - name: key.pem',
      `    data: ${CANARY}-file`,
      '    options:',
      '      override:',
      '        type: restricted',
      '        restrictedValues: [b]',
      '',
    ].join('\n');
    const findings = findingsOf({ 'projects/p/configcontexts/c.yaml': text });
    expect(findings.map((f) => f.code)).toEqual(['restricted-default', 'restricted-default']);
    expect(JSON.stringify(findings)).not.toContain(CANARY);
  });
});

describe('unsealing', () => {
  it('restores the system\'s value at a secret place, and leaves a reference where the place is no longer secret', () => {
    const git = { spec: { variables: [{ name: 'a', value: 'sealed://x', options: { sensitive: true } }, { name: 'b', value: 'sealed://y' }] } };
    const system = { spec: { variables: [{ name: 'a', value: 'real-a', options: { sensitive: true } }, { name: 'b', value: 'real-b', options: { sensitive: true } }] } };
    expect(unsealFrom(git, system)).toEqual({ spec: { variables: [{ name: 'a', value: 'real-a', options: { sensitive: true } }, { name: 'b', value: 'sealed://y' }] } });
  });
});

describe('the system API', () => {
  let store: Store;
  let server: Server;
  let base: string;
  const call = async (method: string, path: string, token: string, body?: string, type = 'application/json') => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': type }, ...(body !== undefined ? { body } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    store = await openStore({ url: ':memory:' });
    const service = new SystemService(store);
    await service.applyRevision(exampleFiles(), 'rev-1', { trigger: 'manual', actor: null });
    server = createServer(
      createApiHandler(service, [
        { name: 'payments', sha256: hashToken('payments'), projects: { payments: 'write' } },
        { name: 'other', sha256: hashToken('other'), projects: { other: 'write' } },
      ]),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await store.close();
  });

  it('refuses an unknown kind whose name would climb out of a checkout, and stores nothing', async () => {
    const name = '..%2F..%2Fpwned';
    const result = await call('PUT', `/resources/Foo/payments/${name}`, 'payments', JSON.stringify({ kind: 'Foo', metadata: { project: 'payments', name: '../../pwned' } }));
    expect(result.status).toBe(422);
    expect((await store.listResources()).some((r) => r.kind === 'Foo')).toBe(false);
  });

  it('refuses a template version that is not a name', async () => {
    const doc = { apiVersion: 'eaas.envmgmt.io/v1', kind: 'ResourceTemplate', metadata: { name: 'network', project: 'payments' }, spec: { version: 'v1/../../x', provider: 'opentofu' } };
    const result = await call('PUT', '/resources/ResourceTemplate/payments/network', 'payments', JSON.stringify(doc));
    expect(result.status).toBe(422);
  });

  it('does not let a token of another project rewrite a Project through a mismatched URL', async () => {
    const doc = { apiVersion: 'system.k8smgmt.io/v3', kind: 'Project', metadata: { name: 'payments', description: 'taken' } };
    expect((await call('PUT', '/resources/Project/other/payments', 'other', JSON.stringify(doc))).status).toBe(400);
    expect((await call('PUT', '/resources/Project/payments/payments', 'other', JSON.stringify(doc))).status).toBe(404);
  });

  it('refuses an alias bomb at once, with the finding', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`), 'kind: Environment'].join('\n');
    const started = Date.now();
    const result = await call('PUT', '/resources/Environment/payments/dev', 'payments', bomb, 'application/yaml');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.status).toBe(400);
    expect(result.body.error).toContain('YAML aliases expand this document');
  });

  it('answers 400 to a URL that is not valid percent-encoding', async () => {
    expect((await call('GET', '/resources/Environment/payments/%E0', 'payments')).status).toBe(400);
  });
});

describe('changes to the system made at the same time', () => {
  it('cannot both delete a template and launch an environment from it: the later one sees the earlier', async () => {
    const store = await openStore({ url: ':memory:' });
    try {
      const service = new SystemService(store);
      const change = { trigger: 'internal' as const, actor: 'test' };
      await service.applyRevision(exampleFiles(), 'rev-1', { trigger: 'manual', actor: null });
      const original = await service.get({ kind: 'EnvironmentTemplate', project: 'payments', name: 'web-stack', version: 'v1' });
      const spare = structuredClone(original.spec) as { metadata: { name: string } };
      spare.metadata.name = 'spare-stack';
      await service.put(spare as unknown as Record<string, unknown>, change);
      const template = { kind: 'EnvironmentTemplate', project: 'payments', name: 'spare-stack', version: 'v1' };

      const [launched, deleted] = await Promise.allSettled([
        service.launch({ project: 'payments', name: 'qa', template: { name: 'spare-stack', version: 'v1' }, variables: { owner_team: 'qa-team' } }, change),
        service.delete(template, change),
      ]);
      // The launch was asked first, so it lands first and the delete is refused for it.
      expect(launched).toMatchObject({ status: 'fulfilled', value: { outcome: 'created' } });
      expect(deleted).toMatchObject({ status: 'rejected', reason: { status: 409 } });
      expect(await store.getResource(template)).toBeDefined();
    } finally {
      await store.close();
    }
  });
});
