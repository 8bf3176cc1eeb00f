// Concurrent edits through the system API: every spec has an ETag, a write sent with If-Match is
// refused with 412 when the spec moved since it was read, and the check is made inside the store's
// write, so that it holds between replicas too. On both backends, against the real HTTP API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Migrator, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiHandler, hashToken, type ApiToken } from '../../src/app/api.js';
import { connect as connectDatabase } from '../../src/system/connect.js';
import { migrations } from '../../src/system/migrations.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, StaleWrite, type ResourceKey, type Store } from '../../src/system/store.js';
import { exampleFiles } from '../golden/scenarios.js';
import { postgresBackend, sqliteBackend, type TestBackend } from '../system/backends.js';

const TOKENS: ApiToken[] = [{ name: 'console', sha256: hashToken('write-all'), projects: { '*': 'write' } }];
const DEV: ResourceKey = { kind: 'Environment', project: 'payments', name: 'dev' };
const DEV_PATH = '/resources/Environment/payments/dev';

interface Variable {
  name: string;
  value: string;
}
type EnvironmentDocument = { spec: { variables: Variable[] } } & Record<string, unknown>;

/** An API server over its own service: what one replica serves. */
async function serveReplica(store: Store): Promise<{ base: string; server: Server }> {
  const server = createServer(createApiHandler(new SystemService(store), TOKENS));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, server };
}

async function call(base: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: 'Bearer write-all', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : undefined };
}

/** One client's edit: read the environment, add its variable, send it back with the ETag it read. */
async function addVariable(base: string, variable: Variable) {
  const read = await call(base, 'GET', DEV_PATH);
  const document = read.body.spec as EnvironmentDocument;
  document.spec.variables.push(variable);
  const written = await call(base, 'PUT', DEV_PATH, { body: document, headers: { 'if-match': read.etag! } });
  return { sent: read.etag!, ...written };
}

/** A client that does what a 412 says: read again and reapply, until its change is stored. */
async function addVariableUntilStored(base: string, variable: Variable, attempts: number) {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const answer = await addVariable(base, variable);
    if (answer.status !== 412) return { attempt, status: answer.status };
  }
  throw new Error(`${variable.name} was refused ${attempts} times`);
}

async function variablesHeld(store: Store): Promise<string[]> {
  const held = (await store.getResource(DEV))!.spec as EnvironmentDocument;
  return held.spec.variables.map((v) => v.name);
}

describe.each<[string, TestBackend]>([
  ['SQLite', sqliteBackend()],
  ['PostgreSQL', postgresBackend()],
])('the system API on %s', (_name, backend) => {
  const stores: Store[] = [];
  const servers: Server[] = [];
  let url = '';
  /** Two replicas: on PostgreSQL each with its own store; SQLite has one store per process, which both share. */
  let replicas: string[] = [];
  let store: Store;

  beforeAll(() => backend.start(), 30_000);
  afterAll(() => backend.stop(), 30_000);
  beforeEach(async () => {
    url = await backend.fresh();
    store = await openStore({ url });
    stores.push(store);
    await new SystemService(store).applyRevision(exampleFiles(), 'rev-1', { trigger: 'manual', actor: 'test' });
    const second = backend.name === 'PostgreSQL' ? await openStore({ url }) : store;
    if (second !== store) stores.push(second);
    const served = [await serveReplica(store), await serveReplica(second)];
    servers.push(...served.map((s) => s.server));
    replicas = served.map((s) => s.base);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((closed) => s.close(closed))));
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it('keeps every change of 20 clients that edit one spec at once: each answer is 200 or 412, every 200 survives, every 412 names the newer ETag', async () => {
    const clients = Array.from({ length: 20 }, (_, i) => ({ name: `client_${i}`, value: String(i) }));
    const answers = await Promise.all(clients.map((variable, i) => addVariable(replicas[i % 2]!, variable)));

    expect(answers.filter((a) => a.status !== 200 && a.status !== 412)).toEqual([]);
    const stored = clients.filter((_, i) => answers[i]!.status === 200).map((c) => c.name);
    expect(stored.length).toBeGreaterThan(0);
    expect((await variablesHeld(store)).filter((name) => name.startsWith('client_')).sort()).toEqual(stored.sort());
    for (const refused of answers.filter((a) => a.status === 412)) {
      expect(refused.body.etag).toMatch(/^"\d+"$/);
      expect(refused.etag).toBe(refused.body.etag);
      expect(Number(JSON.parse(refused.body.etag))).toBeGreaterThan(Number(JSON.parse(refused.sent)));
      expect(refused.body.error).toContain(`GET it again, reapply your change to what it holds now, and send that with If-Match: ${refused.body.etag}`);
    }
  });

  it('stores all 20 changes when each refused client reads again and reapplies, as the 412 says', async () => {
    const clients = Array.from({ length: 20 }, (_, i) => ({ name: `client_${i}`, value: String(i) }));
    // A 412 means another client's change was stored after this one's read: with 19 others, the
    // 20th attempt is stored at the latest.
    const outcomes = await Promise.all(clients.map((variable, i) => addVariableUntilStored(replicas[i % 2]!, variable, 20)));
    expect(outcomes.map((o) => o.status)).toEqual(clients.map(() => 200));
    expect((await variablesHeld(store)).filter((name) => name.startsWith('client_')).sort()).toEqual(clients.map((c) => c.name).sort());
  });

  it('answers one 200 and one 412 to two replicas sent the same If-Match at once', async () => {
    const read = await call(replicas[0]!, 'GET', DEV_PATH);
    const edits = ['left', 'right'].map((name) => {
      const document = structuredClone(read.body.spec) as EnvironmentDocument;
      document.spec.variables.push({ name, value: '1' });
      return document;
    });
    const answers = await Promise.all(edits.map((body, i) => call(replicas[i]!, 'PUT', DEV_PATH, { body, headers: { 'if-match': read.etag! } })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
    const winner = answers[0]!.status === 200 ? 'left' : 'right';
    expect((await variablesHeld(store)).filter((name) => name === 'left' || name === 'right')).toEqual([winner]);
    expect(answers.find((a) => a.status === 412)!.body.etag).toBe((await call(replicas[0]!, 'GET', DEV_PATH)).etag);
  });

  it('gives a spec a new ETag when it changes, and keeps it when a write changes nothing', async () => {
    const first = await call(replicas[0]!, 'GET', DEV_PATH);
    expect(first.etag).toMatch(/^"\d+"$/);
    expect((await call(replicas[0]!, 'PUT', DEV_PATH, { body: first.body.spec, headers: { 'if-match': first.etag! } })).body).toEqual({ outcome: 'unchanged' });
    expect((await call(replicas[1]!, 'GET', DEV_PATH)).etag).toBe(first.etag);
    const changed = structuredClone(first.body.spec) as EnvironmentDocument;
    changed.spec.variables[0]!.value = 'team-d';
    expect((await call(replicas[0]!, 'PUT', DEV_PATH, { body: changed, headers: { 'if-match': first.etag! } })).status).toBe(200);
    expect((await call(replicas[1]!, 'GET', DEV_PATH)).etag).not.toBe(first.etag);
  });

  it('answers a PUT with the ETag of the version it stored, which the next edit can send without reading again', async () => {
    const read = await call(replicas[0]!, 'GET', DEV_PATH);
    const unchanged = await call(replicas[0]!, 'PUT', DEV_PATH, { body: read.body.spec, headers: { 'if-match': read.etag! } });
    expect(unchanged.etag).toBe(read.etag);
    const changed = structuredClone(read.body.spec) as EnvironmentDocument;
    changed.spec.variables[0]!.value = 'team-e';
    const first = await call(replicas[0]!, 'PUT', DEV_PATH, { body: changed, headers: { 'if-match': read.etag! } });
    expect(first.etag).toBe((await call(replicas[1]!, 'GET', DEV_PATH)).etag);
    changed.spec.variables[0]!.value = 'team-f';
    expect((await call(replicas[1]!, 'PUT', DEV_PATH, { body: changed, headers: { 'if-match': first.etag! } })).status).toBe(200);
  });

  it('keeps accepting writes sent without If-Match, as before ETags', async () => {
    const read = await call(replicas[0]!, 'GET', DEV_PATH);
    const changed = structuredClone(read.body.spec) as EnvironmentDocument;
    changed.spec.variables[0]!.value = 'team-a';
    expect((await call(replicas[1]!, 'PUT', DEV_PATH, { body: changed, headers: { 'if-match': read.etag! } })).status).toBe(200);
    changed.spec.variables[0]!.value = 'team-b';
    expect((await call(replicas[0]!, 'PUT', DEV_PATH, { body: changed })).status).toBe(200);
    expect(((await store.getResource(DEV))!.spec as EnvironmentDocument).spec.variables[0]!.value).toBe('team-b');
  });

  it('creates only with If-None-Match: *, refusing with 412 and the ETag when the spec exists', async () => {
    const read = await call(replicas[0]!, 'GET', DEV_PATH);
    const exists = await call(replicas[0]!, 'PUT', DEV_PATH, { body: read.body.spec, headers: { 'if-none-match': '*' } });
    expect(exists).toMatchObject({ status: 412, etag: read.etag, body: { etag: read.etag } });
    expect(exists.body.error).toBe(`Environment payments/dev exists already (ETag ${read.etag}) and If-None-Match: * only creates: nothing was stored. GET it, reapply your change to what it holds, and send that with If-Match: ${read.etag}`);
    const qa = { ...(structuredClone(read.body.spec) as EnvironmentDocument), metadata: { name: 'qa', project: 'payments' } };
    expect((await call(replicas[0]!, 'PUT', '/resources/Environment/payments/qa', { body: qa, headers: { 'if-none-match': '*' } })).status).toBe(201);
  });

  it('refuses a PUT with If-Match for a spec that no longer exists, saying how to create it again', async () => {
    const read = await call(replicas[0]!, 'GET', DEV_PATH);
    const qa = { ...(structuredClone(read.body.spec) as EnvironmentDocument), metadata: { name: 'qa', project: 'payments' } };
    const answer = await call(replicas[0]!, 'PUT', '/resources/Environment/payments/qa', { body: qa, headers: { 'if-match': read.etag! } });
    expect(answer).toMatchObject({ status: 412, etag: null, body: { etag: null } });
    expect(answer.body.error).toBe(`Environment payments/qa no longer exists, so If-Match: ${read.etag} does not hold: nothing was stored. Send it without If-Match (or with If-None-Match: *) to create it again`);
  });

  it('deletes with If-Match only the version read, and answers 412 with the current ETag otherwise', async () => {
    const read = await call(replicas[0]!, 'GET', DEV_PATH);
    const changed = structuredClone(read.body.spec) as EnvironmentDocument;
    changed.spec.variables[0]!.value = 'team-c';
    expect((await call(replicas[1]!, 'PUT', DEV_PATH, { body: changed })).status).toBe(200);
    const now = await call(replicas[1]!, 'GET', DEV_PATH);
    expect(await call(replicas[0]!, 'DELETE', DEV_PATH, { headers: { 'if-match': read.etag! } })).toMatchObject({ status: 412, etag: now.etag, body: { etag: now.etag } });
    expect(await store.getResource(DEV)).toBeDefined();
    expect((await call(replicas[0]!, 'DELETE', DEV_PATH, { headers: { 'if-match': now.etag! } })).status).toBe(204);
    expect(await store.getResource(DEV)).toBeUndefined();
  });

  it('refuses an If-Match that is no ETag with 400, saying how to send one; a weak ETag never matches', async () => {
    const read = await call(replicas[0]!, 'GET', DEV_PATH);
    const unquoted = await call(replicas[0]!, 'PUT', DEV_PATH, { body: read.body.spec, headers: { 'if-match': JSON.parse(read.etag!) } });
    expect(unquoted).toMatchObject({ status: 400, body: { error: 'if-match takes ETags as GET answers them, quotes included (if-match: "12"), or *' } });
    expect((await call(replicas[0]!, 'PUT', DEV_PATH, { body: read.body.spec, headers: { 'if-match': `W/${read.etag}` } })).status).toBe(412);
    expect((await call(replicas[0]!, 'PUT', DEV_PATH, { body: read.body.spec, headers: { 'if-match': `"0", ${read.etag}` } })).status).toBe(200);
  });
});

describe.each<[string, TestBackend]>([
  ['SQLite', sqliteBackend()],
  ['PostgreSQL', postgresBackend()],
])('conditional writes of the store on %s', (_name, backend) => {
  let url = '';
  const open: Store[] = [];
  const env = (name: string, template: string) => ({ kind: 'Environment', project: 'shop', name, spec: { template } });
  const change = { trigger: 'manual' as const, actor: 'ann' };

  beforeAll(() => backend.start(), 30_000);
  afterAll(() => backend.stop(), 30_000);
  beforeEach(async () => {
    url = await backend.fresh();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const connect = async () => {
    const store = await openStore({ url });
    open.push(store);
    return store;
  };

  it('lets one of two writes expecting the same generation commit, and tells the other the generation it found', async () => {
    const store = await connect();
    await store.putResource(env('dev', 'web'), change);
    const { generation } = (await store.getResource(env('dev', 'web')))!;
    const results = await Promise.allSettled([store.putResource(env('dev', 'a'), change, { generation }), store.putResource(env('dev', 'b'), change, { generation })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const held = (await store.getResource(env('dev', 'web')))!;
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(StaleWrite);
    expect((rejected.reason as StaleWrite).current).toBe(held.generation);
    expect(held.generation).toBeGreaterThan(generation);
  });

  it('refuses a delete expecting another generation, and a create expecting the spec absent when it exists', async () => {
    const store = await connect();
    await store.putResource(env('dev', 'web'), change);
    const { generation } = (await store.getResource(env('dev', 'web')))!;
    await expect(store.deleteResource(env('dev', 'web'), change, { generation: generation - 1 })).rejects.toMatchObject({ current: generation });
    await expect(store.putResource(env('dev', 'api'), change, { generation: null })).rejects.toMatchObject({ current: generation });
    expect((await store.getResource(env('dev', 'web')))!.spec).toEqual({ template: 'web' });
    expect(await store.listSyncEvents()).toHaveLength(1);
  });

  it('moves the generation with the spec (from Git too), not when a merge only restamps it, and never hands one out again', async () => {
    const store = await connect();
    await store.putResource(env('dev', 'web'), change);
    const created = (await store.getResource(env('dev', 'web')))!.generation;
    await store.applyRevision({ revision: 'r1', resources: [env('dev', 'web')], trigger: 'webhook', actor: null });
    expect((await store.getResource(env('dev', 'web')))!).toMatchObject({ revision: 'r1', generation: created });
    await store.applyRevision({ revision: 'r2', resources: [env('dev', 'api')], trigger: 'webhook', actor: null });
    const fromGit = (await store.getResource(env('dev', 'web')))!.generation;
    expect(fromGit).toBeGreaterThan(created);
    await store.deleteResource(env('dev', 'web'), change);
    await store.putResource(env('dev', 'web'), change);
    expect((await store.getResource(env('dev', 'web')))!.generation).toBeGreaterThan(fromGit);
  });

  it('gives the specs a store of the previous version holds generation 0, which a conditional write can name', async () => {
    const { db, backend: kind } = connectDatabase({ url });
    const all = migrations(kind);
    const previous = { getMigrations: async () => Object.fromEntries(Object.entries(all).filter(([name]) => name < '0004')) };
    await new Migrator({ db, provider: previous }).migrateToLatest();
    await sql`insert into resources (kind, project, name, version, spec, revision, origin, updated_at)
      values ('Environment', 'shop', 'dev', '', '{"template":"web"}', 'r1', 'git', '2026-01-01T00:00:00.000Z')`.execute(db);
    await db.destroy();

    const store = await connect();
    expect((await store.getResource(env('dev', 'web')))!.generation).toBe(0);
    expect(await store.putResource(env('dev', 'api'), change, { generation: 0 })).toMatchObject({ outcome: 'updated' });
    expect((await store.getResource(env('dev', 'web')))!.generation).toBeGreaterThan(0);
  });
});
