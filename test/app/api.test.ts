// The system API over HTTP: tokens scoped to projects, validation with the rules of `envsync
// validate` (an invalid spec is refused with its findings and nothing is stored), secrets masked.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler, hashToken, readApiTokens, type ApiToken } from '../../src/app/api.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, type Store } from '../../src/system/store.js';
import { exampleFiles } from '../golden/scenarios.js';

const TOKENS: ApiToken[] = [
  { name: 'payments-ci', sha256: hashToken('payments-write'), projects: { payments: 'write' } },
  { name: 'auditor', sha256: hashToken('read-all'), projects: { '*': 'read' } },
  { name: 'platform-ci', sha256: hashToken('platform-write'), projects: { platform: 'write' } },
  { name: 'payments-lead', sha256: hashToken('payments-lead'), projects: { payments: 'write' } },
];
const RUNNER = { branch: 'main', workflow: 'envsync-run.yml', labels: {}, defaultLabels: ['ubuntu-latest'] };

let store: Store;
let server: Server;
let base: string;

beforeAll(async () => {
  store = await openStore({ url: ':memory:' });
  const service = new SystemService(store);
  // Followed, with an applied revision and its runner settings: what a manual run is dispatched with.
  await store.followRepository('acme/config');
  await store.updateRepository('acme/config', { installationId: 7, defaultBranch: 'main' });
  await service.applyRevision(exampleFiles(), 'rev-1', { trigger: 'manual', actor: 'test' }, { repo: 'acme/config', projects: ['*'], runner: RUNNER });
  server = createServer(createApiHandler(service, TOKENS));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await store.close();
});

async function call(method: string, path: string, token?: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

describe('authentication and scope', () => {
  it('refuses a request without a token, and with an unknown one', async () => {
    expect(await call('GET', '/resources')).toMatchObject({ status: 401, body: { error: 'missing bearer token: send Authorization: Bearer <token>' } });
    expect(await call('GET', '/resources', 'guess')).toMatchObject({ status: 401, body: { error: 'unknown token' } });
  });

  it('lists only the projects a token may read', async () => {
    const { status, body } = await call('GET', '/resources', 'payments-write');
    expect(status).toBe(200);
    expect(new Set(body.resources.map((r: { project: string }) => r.project))).toEqual(new Set(['payments']));
    const all = await call('GET', '/resources', 'read-all');
    expect(new Set(all.body.resources.map((r: { project: string }) => r.project))).toEqual(new Set(['payments', 'platform']));
  });

  it('answers 404 for a project the token may not read, as if it did not exist', async () => {
    expect(await call('GET', '/resources/Driver/platform/notify', 'payments-write')).toMatchObject({ status: 404, body: { error: 'not found' } });
  });

  it('answers 403 to a read-only token that tries to change something', async () => {
    const result = await call('DELETE', '/resources/Environment/payments/dev', 'read-all');
    expect(result).toMatchObject({ status: 403, body: { error: 'token "auditor" may read but not change project payments' } });
  });

  it('does not let a token of project A change project B', async () => {
    const result = await call('POST', '/projects/payments/environments', 'platform-write', { name: 'x', template: { name: 'web-stack', version: 'v1' } });
    expect(result.status).toBe(404);
  });
});

describe('reading', () => {
  it('reads one spec, with its secrets masked', async () => {
    const { status, body } = await call('GET', '/resources/ConfigContext/platform/aws-account', 'read-all');
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: 'ConfigContext', project: 'platform', name: 'aws-account', origin: 'git', revision: 'rev-1' });
    expect(body.spec.spec.variables[0]).toEqual({ name: 'aws_secret_access_key', value: '(sensitive)', valueType: 'text', options: { sensitive: true, override: { type: 'notallowed' } } });
    expect(JSON.stringify(body)).not.toContain('example-secret-access-key');
    expect(JSON.stringify(body)).not.toContain('example-access-key-id');
  });

  it('answers 404 with what is missing for an unknown spec', async () => {
    expect(await call('GET', '/resources/Environment/payments/nope', 'read-all')).toMatchObject({ status: 404, body: { error: 'no Environment payments/nope in the system' } });
  });

  it('answers 404 for an unknown route and 405 for a wrong method', async () => {
    expect((await call('GET', '/nothing', 'read-all')).status).toBe(404);
    expect(await call('POST', '/resources', 'read-all', {})).toMatchObject({ status: 405, body: { error: 'use GET' } });
  });
});

describe('changing the system', () => {
  it('launches an environment from a template with variable values, recorded as an internal change', async () => {
    const result = await call('POST', '/projects/payments/environments', 'payments-write', { name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa-team', replicas: '2' } });
    expect(result).toMatchObject({ status: 201, body: { outcome: 'created' } });
    const stored = await call('GET', '/resources/Environment/payments/qa', 'read-all');
    expect(stored.body).toMatchObject({ origin: 'system', revision: null });
    expect(stored.body.spec.spec.variables).toEqual([{ name: 'owner_team', value: 'qa-team' }, { name: 'replicas', value: '2' }]);
    const events = await call('GET', '/events?project=payments', 'read-all');
    expect(events.body.events.at(-1)).toMatchObject({ trigger: 'internal', actor: 'payments-ci', operation: 'create', kind: 'Environment', name: 'qa', revision: null });
  });

  it('refuses an environment its template does not allow, with the findings, and stores nothing', async () => {
    const result = await call('POST', '/projects/payments/environments', 'payments-write', { name: 'bad', template: { name: 'web-stack', version: 'v1' }, variables: { replicas: '3' } });
    expect(result.status).toBe(422);
    expect(result.body.error).toBe('the spec is not valid: nothing was stored');
    expect(result.body.findings.map((f: { code: string }) => f.code).sort()).toEqual(['override-restricted', 'required-missing']);
    expect((await call('GET', '/resources/Environment/payments/bad', 'read-all')).status).toBe(404);
  });

  it('updates a spec sent as YAML and locates findings in that YAML', async () => {
    const yaml = [
      'apiVersion: eaas.envmgmt.io/v1',
      'kind: Environment',
      'metadata:',
      '  name: dev',
      '  project: payments',
      'spec:',
      '  template:',
      '    name: web-stack',
      '    version: v9',
      '',
    ].join('\n');
    const result = await call('PUT', '/resources/Environment/payments/dev', 'payments-write', yaml, 'application/yaml');
    expect(result.status).toBe(422);
    expect(result.body.findings).toEqual([
      expect.objectContaining({ file: 'projects/payments/environments/dev.yaml', line: 9, column: 14, code: 'ref-version-not-found' }),
    ]);
  });

  it('refuses a body that names another spec than the URL', async () => {
    const result = await call('PUT', '/resources/Environment/payments/dev', 'payments-write', { apiVersion: 'eaas.envmgmt.io/v1', kind: 'Environment', metadata: { name: 'staging', project: 'payments' }, spec: { template: { name: 'web-stack', version: 'v1' } } });
    expect(result).toMatchObject({ status: 400, body: { error: 'the body must be the Environment payments/dev of the URL (kind, metadata.project, metadata.name)' } });
  });

  it('refuses a body that does not parse, and one that is too large', async () => {
    expect(await call('PUT', '/resources/Environment/payments/dev', 'payments-write', '{not json')).toMatchObject({ status: 400 });
    const huge = JSON.stringify({ kind: 'Environment', padding: 'x'.repeat(1024 * 1024) });
    expect((await call('PUT', '/resources/Environment/payments/dev', 'payments-write', huge)).status).toBe(413);
  });

  it('refuses to delete a template that environments use, naming what uses it', async () => {
    const result = await call('DELETE', '/resources/EnvironmentTemplate/payments/web-stack?version=v1', 'payments-write');
    expect(result.status).toBe(409);
    expect(result.body.findings.map((f: { file: string; code: string }) => `${f.file} ${f.code}`)).toContain('projects/payments/environments/dev.yaml ref-not-found');
  });

  it('deletes an environment, then queues no run for it', async () => {
    expect((await call('DELETE', '/resources/Environment/payments/qa', 'payments-write')).status).toBe(204);
    expect((await call('POST', '/projects/payments/environments/qa/runs', 'payments-write', { action: 'deploy' })).status).toBe(404);
  });

  it('starts a manual run at the applied revision, with its trigger and actor, and its job in the same commit; the run waits for its gates', async () => {
    const run = await call('POST', '/projects/payments/environments/dev/runs', 'payments-write', { action: 'deploy' });
    expect(run).toMatchObject({ status: 201, body: { project: 'payments', environment: 'dev', action: 'deploy', status: 'waiting', revision: 'rev-1', trigger: 'manual', actor: 'payments-ci' } });
    expect(await store.getTracking(run.body.id)).toMatchObject({ repo: 'acme/config', dispatch: { environment: 'payments/dev', branch: 'main', sha: 'rev-1', gates: ['hook/onInit/change-approval'], approvals: [{ number: 0, subject: run.body.id }] } });
    expect((await store.jobs.list()).map((j) => [j.task, j.queue])).toEqual([['release-runs', 'acme/config']]);
    // A second run while this one waits: the waiting one is the one to approve.
    expect(await call('POST', '/projects/payments/environments/dev/runs', 'payments-lead', {})).toMatchObject({ status: 409, body: { error: `payments/dev has run ${run.body.id} waiting: it runs the state a new run would, or a newer one; approve it, or start a run once it has gone` } });
    const runs = await call('GET', '/runs?project=payments', 'read-all');
    expect(runs.body.runs[0].id).toBe(run.body.id);
    expect((await call('GET', `/runs/${run.body.id}`, 'platform-write')).status).toBe(404);
  });

  it('approves a manual run\'s gates for someone other than who started it, and refuses the starter and a reader', async () => {
    const run = (await call('POST', '/projects/payments/environments/staging/runs', 'payments-write', {})).body;
    expect(await call('POST', `/runs/${run.id}/approvals`, 'payments-write', {})).toMatchObject({ status: 403, body: { error: `payments-ci started run ${run.id}: someone else approves it` } });
    expect((await call('POST', `/runs/${run.id}/approvals`, 'read-all', {})).status).toBe(403);
    expect(await call('POST', `/runs/${run.id}/approvals`, 'payments-lead', { gate: 'nope' })).toMatchObject({ status: 400, body: { error: `run ${run.id} has no gate nope (its gates: hook/onInit/change-approval)` } });
    expect((await call('POST', `/runs/${run.id}/approvals`, 'payments-lead', {})).status).toBe(201);
    expect((await store.listApprovals('acme/config', 0, run.id)).map((a) => [a.gate, a.user, a.decision])).toEqual([['hook/onInit/change-approval', 'payments-lead', 'approve']]);
  });

  it('refuses a manual run of an environment that reads specs changed outside Git, saying which and what to do', async () => {
    const { body: staging } = await call('GET', '/resources/Environment/payments/staging', 'payments-write');
    const document = structuredClone(staging.spec);
    document.spec.variables[0].value = 'someone-else';
    expect((await call('PUT', '/resources/Environment/payments/staging', 'payments-write', document)).status).toBe(200);
    expect(await call('POST', '/projects/payments/environments/staging/runs', 'payments-write', {})).toMatchObject({
      status: 409,
      body: { error: expect.stringMatching(/^payments\/staging reads specs changed outside Git that acme\/config does not hold yet \(Environment payments\/staging\): the runner runs what Git holds/) },
    });
  });
});

describe('readApiTokens', () => {
  const write = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'envsync-tokens-'));
    writeFileSync(join(dir, 'tokens.json'), text);
    return join(dir, 'tokens.json');
  };

  it('reads the entries envsync system token prints', () => {
    const entry = { name: 'ci', sha256: hashToken('t'), projects: { payments: 'write' } };
    expect(readApiTokens(write(JSON.stringify([entry])))).toEqual([entry]);
  });

  it('refuses, naming the file and the entry, a file that is not JSON or an entry without its hash', () => {
    const broken = write('[{"name": "ci"');
    expect(() => readApiTokens(broken)).toThrow(`cannot read the API tokens file ${broken}: `);
    const partial = write(JSON.stringify([{ name: 'ci', sha256: hashToken('t'), projects: {} }, { name: 'console', projects: { payments: 'write' } }]));
    expect(() => readApiTokens(partial)).toThrow(
      `the API tokens file ${partial}, entry 2: each entry must be {"name", "sha256" (64 hex digits), "projects": {"PROJECT": "read"|"write"}}, as envsync system token prints it`,
    );
    expect(() => readApiTokens(join(partial, '..', 'missing.json'))).toThrow(/^cannot read the API tokens file .*missing\.json: ENOENT/);
  });
});
