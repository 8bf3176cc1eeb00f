// A spec read through the system API shows its secrets masked; sent back, the mask keeps the secret
// the system holds at that place, so a round trip never turns a secret into "(sensitive)" (which the
// next bot pull request would write over the real value in Git). Secrets planted as canaries never
// show in any answer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler, hashToken, type ApiToken } from '../../src/app/api.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, type ResourceKey, type Store } from '../../src/system/store.js';
import { exampleFiles } from '../golden/scenarios.js';
import { sources } from '../helpers/repo.js';

const CANARY = 'CANARY-mask-7730';
const CONTEXT_CANARY = `${CANARY}-context`;
const ENVIRONMENT_CANARY = `${CANARY}-environment`;
const TOKENS: ApiToken[] = [
  { name: 'console', sha256: hashToken('write-all'), projects: { '*': 'write' } },
  { name: 'auditor', sha256: hashToken('read-all'), projects: { '*': 'read' } },
];
const CONTEXT: ResourceKey = { kind: 'ConfigContext', project: 'platform', name: 'aws-account' };
const DEV: ResourceKey = { kind: 'Environment', project: 'payments', name: 'dev' };

/**
 * The example repository with canary secrets: the shared context's secret key, and dev overriding it
 * (a secret because the context marks it so, not because dev does).
 */
function filesWithCanaries() {
  return exampleFiles().map((f) => {
    let text = new TextDecoder().decode(f.content);
    if (f.path.endsWith('configcontexts/aws-account.yaml')) {
      text = text.replace('value: example-secret-access-key\n    valueType: text\n    options:\n      sensitive: true\n      override:\n        type: notallowed', `value: ${CONTEXT_CANARY}\n    valueType: text\n    options:\n      sensitive: true\n      override:\n        type: allowed`);
    } else if (f.path.endsWith('environments/dev.yaml')) {
      text = text.replace('  - name: replicas\n    value: "1"', `  - name: replicas\n    value: "1"\n  - name: aws_secret_access_key\n    value: ${ENVIRONMENT_CANARY}`);
    } else return f;
    return sources({ [f.path]: text })[0]!;
  });
}

type Entry = { name?: string; key?: string; value?: unknown; data?: unknown };
type Document = { metadata: Record<string, unknown>; spec: { variables?: Entry[]; envs?: Entry[]; files?: Entry[] } } & Record<string, unknown>;
const entry = (list: Entry[] | undefined, id: string) => list!.find((e) => e.name === id || e.key === id)!;

let store: Store;
let server: Server;
let base: string;
/** Every answer's status line, headers and body, for the canary search. */
const answers: string[] = [];

async function call(method: string, path: string, options: { token?: string; body?: unknown; type?: string; headers?: Record<string, string> } = {}) {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${options.token ?? 'write-all'}`, ...(body !== undefined ? { 'content-type': options.type ?? 'application/json' } : {}), ...options.headers },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  answers.push(`${res.status} ${JSON.stringify([...res.headers])} ${text}`);
  return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : undefined };
}

const held = async (key: ResourceKey) => (await store.getResource(key))!.spec as Document;

beforeAll(async () => {
  store = await openStore({ url: ':memory:' });
  const service = new SystemService(store);
  await service.applyRevision(filesWithCanaries(), 'rev-1', { trigger: 'manual', actor: 'test' });
  server = createServer(createApiHandler(service, TOKENS));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  await store.close();
});

describe('a spec read, changed and sent back', () => {
  it('keeps every secret the system holds and applies the change', async () => {
    const read = await call('GET', '/resources/ConfigContext/platform/aws-account');
    const document = read.body.spec as Document;
    expect(entry(document.spec.variables, 'aws_secret_access_key').value).toBe('(sensitive)');
    entry(document.spec.envs, 'AWS_REGION').value = 'eu-central-1';
    expect(await call('PUT', '/resources/ConfigContext/platform/aws-account', { body: document, headers: { 'if-match': read.etag! } })).toMatchObject({ status: 200, body: { outcome: 'updated' } });

    const stored = await held(CONTEXT);
    expect(entry(stored.spec.envs, 'AWS_REGION').value).toBe('eu-central-1');
    expect(entry(stored.spec.variables, 'aws_secret_access_key').value).toBe(CONTEXT_CANARY);
    expect(entry(stored.spec.envs, 'AWS_ACCESS_KEY_ID').value).toBe('example-access-key-id');
    expect(entry(stored.spec.files, 'backend.tfvars.json').data).toBe('eyJidWNrZXQiOiAiZXhhbXBsZS1zdGF0ZSJ9');
  });

  it('keeps a secret an environment overrides, masked because its template says so', async () => {
    const read = await call('GET', '/resources/Environment/payments/dev');
    const document = read.body.spec as Document;
    expect(entry(document.spec.variables, 'aws_secret_access_key').value).toBe('(sensitive)');
    entry(document.spec.variables, 'owner_team').value = 'payments-core';
    expect((await call('PUT', '/resources/Environment/payments/dev', { body: document, headers: { 'if-match': read.etag! } })).status).toBe(200);

    const stored = await held(DEV);
    expect(entry(stored.spec.variables, 'owner_team').value).toBe('payments-core');
    expect(entry(stored.spec.variables, 'aws_secret_access_key').value).toBe(ENVIRONMENT_CANARY);
  });

  it('takes a secret the client replaced with a real value', async () => {
    const read = await call('GET', '/resources/ConfigContext/platform/aws-account');
    const document = read.body.spec as Document;
    entry(document.spec.variables, 'aws_secret_access_key').value = `${CANARY}-rotated`;
    expect((await call('PUT', '/resources/ConfigContext/platform/aws-account', { body: document, headers: { 'if-match': read.etag! } })).status).toBe(200);
    expect(entry((await held(CONTEXT)).spec.variables, 'aws_secret_access_key').value).toBe(`${CANARY}-rotated`);
  });
});

describe('the mask where the system holds no secret', () => {
  it('refuses a new spec sent with the mask with 422, naming and locating the place, and stores nothing', async () => {
    const yaml = [
      'apiVersion: eaas.envmgmt.io/v1',
      'kind: ConfigContext',
      'metadata:',
      '  name: database',
      '  project: platform',
      'spec:',
      '  variables:',
      '  - name: DB_PASS',
      '    value: (sensitive)',
      '    options:',
      '      sensitive: true',
      '',
    ].join('\n');
    const answer = await call('PUT', '/resources/ConfigContext/platform/database', { body: yaml, type: 'application/yaml' });
    expect(answer).toEqual({
      status: 422,
      etag: null,
      body: {
        error: 'the spec sends "(sensitive)" where the system cannot keep the secret it holds (spec.variables[DB_PASS].value): nothing was stored',
        findings: [
          {
            file: 'request',
            line: 9,
            column: 12,
            severity: 'error',
            code: 'masked-value',
            message: 'spec.variables[DB_PASS].value: "(sensitive)" is the mask GET shows, not a value; the system holds no secret at this place to keep: send the real value',
          },
        ],
      },
    });
    expect(await store.getResource({ kind: 'ConfigContext', project: 'platform', name: 'database' })).toBeUndefined();
  });

  it('refuses the mask on an entry the system does not hold (a renamed secret), keeping the spec as it was', async () => {
    const before = await held(CONTEXT);
    const read = await call('GET', '/resources/ConfigContext/platform/aws-account');
    const document = read.body.spec as Document;
    entry(document.spec.variables, 'aws_secret_access_key').name = 'aws_secret_key';
    const answer = await call('PUT', '/resources/ConfigContext/platform/aws-account', { body: document, headers: { 'if-match': read.etag! } });
    expect(answer.status).toBe(422);
    expect(answer.body.findings.map((f: { message: string }) => f.message)).toEqual([
      'spec.variables[aws_secret_key].value: "(sensitive)" is the mask GET shows, not a value; the system holds no secret at this place to keep: send the real value',
    ]);
    expect(await held(CONTEXT)).toEqual(before);
  });
});

describe('canary secrets', () => {
  it('appear in no answer of the API: reads, lists, writes, refusals, conflicts, events', async () => {
    await call('GET', '/resources', { token: 'read-all' });
    await call('GET', '/resources?project=payments&kind=Environment');
    const dev = await call('GET', '/resources/Environment/payments/dev', { token: 'read-all' });
    await call('GET', '/resources/ConfigContext/platform/aws-account', { token: 'read-all' });
    const invalid = { ...(dev.body.spec as Document), spec: { ...(dev.body.spec as Document).spec, bogus: 1 } };
    expect((await call('PUT', '/resources/Environment/payments/dev', { body: invalid })).status).toBe(422);
    expect((await call('PUT', '/resources/Environment/payments/dev', { body: dev.body.spec, headers: { 'if-match': '"0"' } })).status).toBe(412);
    expect((await call('DELETE', '/resources/ConfigContext/platform/aws-account')).status).toBe(409);
    await call('GET', '/events');

    expect(answers.length).toBeGreaterThan(10);
    expect(answers.filter((answer) => answer.includes(CANARY))).toEqual([]);
    // The canaries are still what the store holds: the search above looked for values that exist.
    expect(JSON.stringify(await held(DEV))).toContain(ENVIRONMENT_CANARY);
  });
});
