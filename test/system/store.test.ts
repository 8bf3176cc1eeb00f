import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Migrator, sql } from 'kysely';
import { connect as connectDatabase } from '../../src/system/connect.js';
import { migrations } from '../../src/system/migrations.js';
import { openStore } from '../../src/system/store.js';
import type { ResourceInput, ResourceKey, Store, SyncEvent } from '../../src/system/store.js';
import { postgresBackend, sqliteBackend } from './backends.js';
import type { TestBackend } from './backends.js';

const env = (name: string, spec: unknown = { template: 'web' }): ResourceInput => ({
  kind: 'Environment',
  project: 'shop',
  name,
  spec,
});
const keyOf = ({ kind, project, name, version }: ResourceKey): ResourceKey =>
  version === undefined ? { kind, project, name } : { kind, project, name, version };
const brief = (events: SyncEvent[]) =>
  events.map(({ trigger, actor, operation, kind, project, name, version, revision }) => ({
    trigger,
    actor,
    operation,
    ...keyOf({ kind, project, name, version }),
    revision,
  }));
const id = (key: ResourceKey) => JSON.stringify([key.kind, key.project, key.name, key.version ?? '']);

/** The events a correct apply of `to` over `from` records, in key order. */
function changesBetween(from: ResourceInput[], to: ResourceInput[]) {
  const before = new Map(from.map((r) => [id(r), r]));
  const after = new Map(to.map((r) => [id(r), r]));
  const changes: { operation: string; key: string }[] = [];
  for (const [key, r] of after) {
    const old = before.get(key);
    if (old === undefined) changes.push({ operation: 'create', key });
    else if (JSON.stringify(old.spec) !== JSON.stringify(r.spec)) changes.push({ operation: 'update', key });
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push({ operation: 'delete', key });
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

describe.each<[string, TestBackend]>([
  ['SQLite', sqliteBackend()],
  ['PostgreSQL', postgresBackend()],
])('store on %s', (_name, backend) => {
  let url = '';
  const open: Store[] = [];
  const connect = async () => {
    const store = await openStore({ url });
    open.push(store);
    return store;
  };

  beforeAll(() => backend.start(), 30_000);
  afterAll(() => backend.stop(), 30_000);
  beforeEach(async () => {
    url = await backend.fresh();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  it('creates the schema on a new database; reopening runs no migration again and loses nothing', async () => {
    const first = await connect();
    expect(await backend.tables(url)).toEqual(
      expect.arrayContaining(['approvals', 'deliveries', 'kysely_migration', 'meta', 'resources', 'runs', 'sync_events']),
    );
    await first.applyRevision({ revision: 'r1', resources: [env('dev')], trigger: 'webhook', actor: 'octocat' });
    await first.createRun({
      id: 'run-1',
      project: 'shop',
      environment: 'dev',
      action: 'deploy',
      revision: 'r1',
      status: 'queued',
      activities: [{ id: 'a' }],
      outputs: null,
    });
    await first.recordApproval({ repo: 'o/r', pullNumber: 7, sha: 'abc', gate: 'prod', user: 'ann', decision: 'approve' });
    expect(await first.acceptDelivery({ id: 'd-1', event: 'push' }, { task: 'apply-push', queue: 'o/r', payload: {} })).toBe('queued');
    await first.close();

    const second = await connect();
    const migrations = await backend.query(url, 'select name from kysely_migration');
    expect(migrations.map((row) => row.name)).toEqual(['0001_initial', '0002_durable_runtime', '0003_config_repositories', '0004_resource_generation', '0005_run_lifecycle', '0006_run_secrets', '0007_sync_events_by_spec', '0008_sync_event_fields']);
    expect(await second.getAppliedRevision()).toBe('r1');
    expect(await second.getResource(env('dev'))).toMatchObject({ spec: { template: 'web' }, revision: 'r1', origin: 'git' });
    expect(await second.getRun('run-1')).toMatchObject({ status: 'queued', activities: [{ id: 'a' }] });
    expect(await second.listApprovals('o/r', 7, 'abc')).toHaveLength(1);
    expect(await second.acceptDelivery({ id: 'd-1', event: 'push' }, { task: 'apply-push', queue: 'o/r', payload: {} })).toBe('duplicate');
    expect((await second.jobs.list()).map((j) => [j.task, j.key, j.state])).toEqual([['apply-push', 'delivery:d-1', 'pending']]);
    expect(await second.listSyncEvents()).toHaveLength(1);
  });

  it('applies a revision as creates, updates and deletes, with one exact event per change', async () => {
    const store = await connect();
    const template: ResourceInput = { kind: 'ResourceTemplate', project: 'shop', name: 'db', version: '1.0.0', spec: { engine: 'pg' } };
    const r1 = [env('dev'), env('prod'), env('stage'), template];
    expect(await store.applyRevision({ revision: 'r1', resources: r1, trigger: 'webhook', actor: 'octocat' })).toEqual({
      created: [env('dev'), env('prod'), env('stage'), template].map(keyOf),
      updated: [],
      deleted: [],
    });
    const stageBefore = await store.getResource(env('stage'));

    const r2 = [env('dev', { template: 'api' }), env('qa'), env('stage'), template];
    expect(await store.applyRevision({ revision: 'r2', resources: r2, trigger: 'manual', actor: 'ann' })).toEqual({
      created: [keyOf(env('qa'))],
      updated: [keyOf(env('dev'))],
      deleted: [keyOf(env('prod'))],
    });

    const events = await store.listSyncEvents();
    expect(brief(events)).toEqual([
      { trigger: 'webhook', actor: 'octocat', operation: 'create', ...keyOf(env('dev')), revision: 'r1' },
      { trigger: 'webhook', actor: 'octocat', operation: 'create', ...keyOf(env('prod')), revision: 'r1' },
      { trigger: 'webhook', actor: 'octocat', operation: 'create', ...keyOf(env('stage')), revision: 'r1' },
      { trigger: 'webhook', actor: 'octocat', operation: 'create', ...keyOf(template), revision: 'r1' },
      { trigger: 'manual', actor: 'ann', operation: 'update', ...keyOf(env('dev')), revision: 'r2' },
      { trigger: 'manual', actor: 'ann', operation: 'delete', ...keyOf(env('prod')), revision: 'r2' },
      { trigger: 'manual', actor: 'ann', operation: 'create', ...keyOf(env('qa')), revision: 'r2' },
    ]);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    expect(events.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);

    const stored = await store.listResources();
    const contents = (list: ResourceInput[]) => list.map((r) => ({ ...keyOf(r), spec: r.spec }));
    expect(contents(stored)).toEqual(contents(r2));
    expect(stored.every((r) => r.revision === 'r2' && r.origin === 'git')).toBe(true);
    const stageAfter = await store.getResource(env('stage'));
    expect(stageAfter?.updatedAt).toBe(stageBefore?.updatedAt);
    expect(await store.getAppliedRevision()).toBe('r2');
    expect(await store.getResource({ kind: 'ResourceTemplate', project: 'shop', name: 'db', version: '2.0.0' })).toBeUndefined();
  });

  it('treats an identical spec as unchanged, whatever its key order, and records no event for it', async () => {
    const store = await connect();
    await store.applyRevision({ revision: 'r1', resources: [env('dev', { a: 1, b: { c: 2, d: [3, 4] } })], trigger: 'webhook', actor: null });
    const result = await store.applyRevision({
      revision: 'r2',
      resources: [env('dev', { b: { d: [3, 4], c: 2 }, a: 1 })],
      trigger: 'webhook',
      actor: null,
    });
    expect(result).toEqual({ created: [], updated: [], deleted: [] });
    expect(await store.listSyncEvents()).toHaveLength(1);
    expect(await store.getResource(env('dev'))).toMatchObject({ revision: 'r2', spec: { a: 1, b: { c: 2, d: [3, 4] } } });
    expect(await store.getAppliedRevision()).toBe('r2');
  });

  it('sorts and filters resources in code-unit order on both backends', async () => {
    const store = await connect();
    const resources: ResourceInput[] = [
      { kind: 'Environment', project: 'b', name: 'x', spec: {} },
      { kind: 'Environment', project: 'B', name: 'x', spec: {} },
      { kind: 'Environment', project: 'a', name: 'x', spec: {} },
      { kind: 'Driver', project: 'a', name: 'tf', spec: {} },
      { kind: 'ResourceTemplate', project: 'a', name: 't', version: '2.0.0', spec: {} },
      { kind: 'ResourceTemplate', project: 'a', name: 't', version: '10.0.0', spec: {} },
    ];
    await store.applyRevision({ revision: 'r1', resources, trigger: 'webhook', actor: null });
    expect((await store.listResources()).map((r) => [r.kind, r.project, r.name, r.version])).toEqual([
      ['Driver', 'a', 'tf', undefined],
      ['Environment', 'B', 'x', undefined],
      ['Environment', 'a', 'x', undefined],
      ['Environment', 'b', 'x', undefined],
      ['ResourceTemplate', 'a', 't', '10.0.0'],
      ['ResourceTemplate', 'a', 't', '2.0.0'],
    ]);
    expect((await store.listResources({ project: 'a', kind: 'Environment' })).map((r) => r.project)).toEqual(['a']);
    expect(await store.listResources({ project: 'a' })).toHaveLength(4);
  });

  it('rolls the whole apply back when a spec cannot be stored', async () => {
    const store = await connect();
    await store.applyRevision({ revision: 'r1', resources: [env('dev'), env('prod')], trigger: 'webhook', actor: null });
    const before = await store.listResources();
    await expect(
      store.applyRevision({
        revision: 'r2',
        resources: [env('dev', { template: 'api' }), env('qa'), env('zz', { size: 10n })],
        trigger: 'webhook',
        actor: null,
      }),
    ).rejects.toThrow(/spec of Environment shop\/zz cannot be stored as JSON/);
    expect(await store.listResources()).toEqual(before);
    expect(await store.listSyncEvents()).toHaveLength(2);
    expect(await store.getAppliedRevision()).toBe('r1');
  });

  it('rolls back deletes and updates already written when a later write fails in the database', async () => {
    const store = await connect();
    await store.applyRevision({ revision: 'r1', resources: [env('dev'), env('prod')], trigger: 'webhook', actor: null });
    const before = await store.listResources();
    await backend.failInsertOf(url, 'boom');
    // dev is updated and prod deleted before the inserts run; the insert of boom then fails.
    await expect(
      store.applyRevision({
        revision: 'r2',
        resources: [env('dev', { template: 'api' }), env('boom')],
        trigger: 'webhook',
        actor: null,
      }),
    ).rejects.toThrow(/injected failure/);
    expect(await store.listResources()).toEqual(before);
    expect(await store.listSyncEvents()).toHaveLength(2);
    expect(await store.getAppliedRevision()).toBe('r1');
    // The store is usable after the failure.
    await store.applyRevision({ revision: 'r3', resources: [env('dev', { template: 'api' })], trigger: 'webhook', actor: null });
    expect((await store.listResources()).map((r) => r.name)).toEqual(['dev']);
  });

  it('rejects a revision that lists a resource twice, writing nothing', async () => {
    const store = await connect();
    await expect(
      store.applyRevision({ revision: 'r1', resources: [env('dev'), env('dev', {})], trigger: 'webhook', actor: null }),
    ).rejects.toThrow(/revision r1 lists Environment shop\/dev twice/);
    await expect(
      store.applyRevision({ revision: 'r1', resources: [env('')], trigger: 'webhook', actor: null }),
    ).rejects.toThrow(/non-empty name/);
    expect(await store.listResources()).toEqual([]);
    expect(await store.getAppliedRevision()).toBeUndefined();
  });

  it('serializes concurrent applies: each lands whole and the events tell a consistent story', async () => {
    const store = await connect();
    const set = (prefix: string, n: number, spec: unknown) =>
      Array.from({ length: n }, (_, i) => env(`${prefix}-${String(i).padStart(3, '0')}`, spec));
    const base = [...set('common', 30, { v: 0 }), ...set('old', 20, { v: 0 })];
    await store.applyRevision({ revision: 'r0', resources: base, trigger: 'webhook', actor: null });
    const revisions: Record<string, ResourceInput[]> = {
      r1: [...set('common', 30, { v: 1 }), ...set('one', 40, { v: 1 })],
      r2: [...set('common', 15, { v: 2 }), ...set('old', 20, { v: 0 }), ...set('two', 40, { v: 2 })],
    };
    const since = (await store.listSyncEvents()).at(-1)?.id ?? 0;
    await Promise.all(
      Object.entries(revisions).map(([revision, resources]) =>
        store.applyRevision({ revision, resources, trigger: 'webhook', actor: revision }),
      ),
    );

    const last = await store.getAppliedRevision();
    expect(['r1', 'r2']).toContain(last);
    const first = last === 'r1' ? 'r2' : 'r1';
    const stored = await store.listResources();
    expect(stored.map((r) => [r.name, r.spec, r.revision])).toEqual(
      [...(revisions[last ?? ''] ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)).map((r) => [r.name, r.spec, last]),
    );
    const events = await store.listSyncEvents({ since });
    const story = events.map((e) => ({ revision: e.revision, operation: e.operation, key: id(e) }));
    expect(story).toEqual([
      ...changesBetween(base, revisions[first] ?? []).map((c) => ({ revision: first, ...c })),
      ...changesBetween(revisions[first] ?? [], revisions[last ?? ''] ?? []).map((c) => ({ revision: last, ...c })),
    ]);
    expect(events.every((e) => e.actor === e.revision)).toBe(true);
  });

  it('records system changes with origin system, no revision and one event each', async () => {
    const store = await connect();
    await store.applyRevision({ revision: 'r1', resources: [env('dev')], trigger: 'webhook', actor: null });
    const since = (await store.listSyncEvents()).at(-1)?.id;

    expect(await store.putResource(env('qa', { template: 'api' }), { trigger: 'internal', actor: null })).toMatchObject({ outcome: 'created' });
    expect(await store.putResource(env('qa', { template: 'api' }), { trigger: 'manual', actor: 'ann' })).toMatchObject({ outcome: 'unchanged' });
    expect(await store.putResource(env('dev', { template: 'api' }), { trigger: 'manual', actor: 'ann' })).toMatchObject({ outcome: 'updated' });
    expect(await store.getResource(env('dev'))).toMatchObject({ origin: 'system', revision: null, spec: { template: 'api' } });
    expect(await store.getResource(env('qa'))).toMatchObject({ origin: 'system', revision: null });
    expect(await store.deleteResource(env('qa'), { trigger: 'manual', actor: 'bob' })).toBe(true);
    expect(await store.deleteResource(env('qa'), { trigger: 'manual', actor: 'bob' })).toBe(false);
    expect(await store.getResource(env('qa'))).toBeUndefined();
    expect(brief(await store.listSyncEvents({ since }))).toEqual([
      { trigger: 'internal', actor: null, operation: 'create', ...keyOf(env('qa')), revision: null },
      { trigger: 'manual', actor: 'ann', operation: 'update', ...keyOf(env('dev')), revision: null },
      { trigger: 'manual', actor: 'bob', operation: 'delete', ...keyOf(env('qa')), revision: null },
    ]);
    // The last change of each spec asked for, read by the spec: a spec with none is left out.
    expect(brief(await store.lastSyncEvents([keyOf(env('qa')), keyOf(env('dev')), keyOf(env('nope'))]))).toEqual([
      { trigger: 'manual', actor: 'ann', operation: 'update', ...keyOf(env('dev')), revision: null },
      { trigger: 'manual', actor: 'bob', operation: 'delete', ...keyOf(env('qa')), revision: null },
    ]);
    await expect(store.putResource(env('bad', { n: 1n }), { trigger: 'manual', actor: null })).rejects.toThrow(/cannot be stored/);
    expect(await store.getResource(env('bad'))).toBeUndefined();

    // Git catching up with the system (a merged bot PR) changes nothing but where the spec comes from.
    const count = (await store.listSyncEvents()).length;
    const result = await store.applyRevision({ revision: 'r2', resources: [env('dev', { template: 'api' })], trigger: 'webhook', actor: null });
    expect(result).toEqual({ created: [], updated: [], deleted: [] });
    expect(await store.listSyncEvents()).toHaveLength(count);
    expect(await store.getResource(env('dev'))).toMatchObject({ origin: 'git', revision: 'r2' });
  });

  it('lists the projects that hold a spec, and the specs changed outside Git, without reading the others', async () => {
    const store = await connect();
    await store.applyRevision({ revision: 'r1', resources: [env('a'), { ...env('c'), project: 'other' }], trigger: 'webhook', actor: null });
    await store.putResource(env('b'), { trigger: 'internal', actor: 'ann' });
    expect(await store.listProjects()).toEqual(['other', 'shop']);
    expect((await store.listResources({ origin: 'system' })).map((r) => r.name)).toEqual(['b']);
    expect((await store.listResources({ origin: 'git', project: 'shop' })).map((r) => r.name)).toEqual(['a']);
  });

  it('records what an update changed: the paths of its fields, never their values', async () => {
    const store = await connect();
    const spec = (replicas: string, team: string) => ({ spec: { variables: [{ name: 'replicas', value: replicas }, { name: 'db_password', value: team }] } });
    await store.applyRevision({ revision: 'r1', resources: [{ ...env('a'), spec: spec('1', 's3cret-one') }], trigger: 'webhook', actor: null });
    await store.applyRevision({ revision: 'r2', resources: [{ ...env('a'), spec: spec('2', 's3cret-two') }], trigger: 'webhook', actor: null });
    await store.putResource({ ...env('a'), spec: spec('4', 's3cret-two') }, { trigger: 'internal', actor: 'ann' });
    await store.deleteResource(env('a'), { trigger: 'internal', actor: 'ann' });
    const events = await store.listSyncEvents();
    expect(events.map((e) => [e.operation, e.fields])).toEqual([
      ['create', undefined],
      ['update', ['spec.variables[name=replicas].value', 'spec.variables[name=db_password].value']],
      ['update', ['spec.variables[name=replicas].value']],
      ['delete', undefined],
    ]);
    expect(JSON.stringify(events)).not.toContain('s3cret');
  });

  it('filters sync events by project, since and limit', async () => {
    const store = await connect();
    await store.applyRevision({
      revision: 'r1',
      resources: [env('a'), env('b'), { ...env('c'), project: 'other' }, env('d')],
      trigger: 'webhook',
      actor: null,
    });
    const all = await store.listSyncEvents();
    expect(all).toHaveLength(4);
    expect((await store.listSyncEvents({ project: 'other' })).map((e) => e.name)).toEqual(['c']);
    expect((await store.listSyncEvents({ since: all[1]?.id })).map((e) => e.id)).toEqual(all.slice(2).map((e) => e.id));
    expect((await store.listSyncEvents({ project: 'shop', limit: 2 })).map((e) => e.name)).toEqual(['a', 'b']);
    // The newest first, of the projects named (a console lists those its user may read).
    expect((await store.listSyncEvents({ projects: ['shop', 'other'], newest: true, limit: 2 })).map((e) => e.id)).toEqual(all.slice(-2).reverse().map((e) => e.id));
    expect((await store.listSyncEvents({ projects: ['other'] })).map((e) => e.name)).toEqual(['c']);
    expect(await store.listSyncEvents({ projects: [] })).toEqual([]);
  });

  it('creates, updates and lists runs', async () => {
    const store = await connect();
    const run = { project: 'shop', environment: 'dev', action: 'deploy' as const, revision: 'r1', status: 'queued' as const };
    const created = await store.createRun({ ...run, id: 'run-1', activities: { nodes: ['vpc', 'db'] }, outputs: {} });
    expect(created).toEqual({
      ...run,
      id: 'run-1',
      activities: { nodes: ['vpc', 'db'] },
      outputs: {},
      trigger: 'webhook',
      actor: null,
      reason: null,
      supersededBy: null,
      createdAt: expect.any(String),
      startedAt: null,
      finishedAt: null,
    });
    await store.createRun({ ...run, id: 'run-2', environment: 'prod', activities: [], outputs: null });
    await store.createRun({ ...run, id: 'run-3', action: 'destroy', activities: [], outputs: null });
    await expect(store.createRun({ ...run, id: 'run-1', activities: [], outputs: null })).rejects.toThrow(/run "run-1" already exists/);

    const started = '2024-05-01T10:00:00.000Z';
    expect(await store.updateRun('run-1', { status: 'in_progress', startedAt: started })).toMatchObject({
      status: 'in_progress',
      startedAt: started,
      finishedAt: null,
      activities: { nodes: ['vpc', 'db'] },
    });
    const done = await store.updateRun('run-1', {
      status: 'success',
      finishedAt: '2024-05-01T10:05:00.000Z',
      outputs: { db: { host: 'db.internal' } },
    });
    expect(done).toMatchObject({ status: 'success', startedAt: started, outputs: { db: { host: 'db.internal' } } });
    expect(await store.getRun('run-1')).toEqual(done);
    expect(await store.updateRun('run-1', {})).toEqual(done);
    await expect(store.updateRun('nope', { status: 'failure' })).rejects.toThrow(/cannot update run "nope": no run has that id/);
    await expect(store.updateRun('nope', {})).rejects.toThrow(/no run has that id/);
    expect(await store.getRun('nope')).toBeUndefined();

    expect((await store.listRuns()).map((r) => r.id)).toEqual(['run-3', 'run-2', 'run-1']);
    expect((await store.listRuns({ environment: 'dev' })).map((r) => r.id)).toEqual(['run-3', 'run-1']);
    expect((await store.listRuns({ project: 'shop', environment: 'prod' })).map((r) => r.id)).toEqual(['run-2']);
    expect(await store.listRuns({ project: 'other' })).toEqual([]);
    expect((await store.listRuns({ projects: ['shop', 'other'], limit: 2 })).map((r) => r.id)).toEqual(['run-3', 'run-2']);
    expect(await store.listRuns({ projects: [] })).toEqual([]);
  });

  it('records approvals idempotently, bound to repository, pull request and SHA', async () => {
    const store = await connect();
    // Decided at given times: a changed decision replaces the earlier one only when made later, and
    // two made within one millisecond by the clock would not be.
    const approval = { repo: 'o/r', pullNumber: 7, sha: 'abc', gate: 'prod', user: 'ann', decision: 'approve' as const, at: '2026-01-01T00:00:00.000Z' };
    await store.recordApproval(approval);
    const [first] = await store.listApprovals('o/r', 7, 'abc');
    await store.recordApproval(approval);
    expect(await store.listApprovals('o/r', 7, 'abc')).toEqual([first]);

    await store.recordApproval({ ...approval, user: 'bob' });
    await store.recordApproval({ ...approval, sha: 'def' });
    await store.recordApproval({ ...approval, pullNumber: 8 });
    const listed = await store.listApprovals('o/r', 7, 'abc');
    expect(listed.map((a) => [a.user, a.decision])).toEqual([
      ['ann', 'approve'],
      ['bob', 'approve'],
    ]);

    await store.recordApproval({ ...approval, decision: 'reject', at: '2026-01-01T00:00:01.000Z' });
    const changed = await store.listApprovals('o/r', 7, 'abc');
    expect(changed.find((a) => a.user === 'ann')?.decision).toBe('reject');
    expect(changed).toHaveLength(2);
    expect(await store.listApprovals('o/r', 7, 'zzz')).toEqual([]);
  });

  it('recognizes a redelivered webhook, also when deliveries race: one job each', async () => {
    const store = await connect();
    expect(await store.acceptDelivery({ id: 'd-1', event: 'push' }, { task: 'apply-push', queue: 'o/r', payload: {} })).toBe('queued');
    expect(await store.acceptDelivery({ id: 'd-1', event: 'push' }, { task: 'apply-push', queue: 'o/r', payload: {} })).toBe('duplicate');
    const raced = await Promise.all(Array.from({ length: 12 }, () => store.acceptDelivery({ id: 'd-2', event: 'pull_request' }, { task: 'apply-push', queue: 'o/r', payload: {} })));
    expect(raced.filter((o) => o === 'queued')).toHaveLength(1);
    expect((await store.jobs.list()).map((j) => j.key)).toEqual(['delivery:d-1', 'delivery:d-2']);
  });

  it('keeps following the repository a store of the previous version followed, with its installation, branch and applied revision', async () => {
    const { db, backend: kind } = connectDatabase({ url });
    const all = migrations(kind);
    const previous = { getMigrations: async () => ({ '0001_initial': all['0001_initial']!, '0002_durable_runtime': all['0002_durable_runtime']! }) };
    await new Migrator({ db, provider: previous }).migrateToLatest();
    await db.insertInto('meta').values([
      { key: 'setting:config-repository', value: 'acme/config' },
      { key: 'setting:installation-id', value: '42' },
      { key: 'setting:default-branch', value: 'trunk' },
      { key: 'applied_revision', value: 'r9' },
    ]).execute();
    await sql`insert into pushes (repo, sha, outcome, detail, at) values ('acme/config', 'r9', 'applied', 'applied', '2026-01-01T00:00:00.000Z')`.execute(db);
    await db.destroy();

    const store = await connect();
    expect(await store.listRepositories()).toEqual([{ repo: 'acme/config', installationId: 42, defaultBranch: 'trunk', projects: ['*'], appliedRevision: 'r9', runner: null, followedAt: expect.any(String) }]);
    // The pushes it kept are there, and a push may now be held.
    await store.recordPush({ repo: 'acme/config', sha: 'r10', outcome: 'held', detail: 'deletes all 3 specs of project pay' });
    expect((await store.listPushes('acme/config')).map((p) => `${p.sha} ${p.outcome}`)).toEqual(['r10 held', 'r9 applied']);
  });

  it('moves the GitHub bookkeeping of runs started by the previous version into their tracking', async () => {
    const { db, backend: kind } = connectDatabase({ url });
    const first = { getMigrations: async () => ({ '0001_initial': migrations(kind)['0001_initial']! }) };
    await new Migrator({ db, provider: first }).migrateToLatest();
    const dispatch = { order: 1, environment: 'shop/dev', action: 'deploy', branch: 'main', workflow: 'envsync-run.yml', sha: 'r1', gates: ['g'], after: [], labels: ['ubuntu-latest'], told: 'waiting for approval' };
    await db.insertInto('runs').values({ id: 'old-run', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'waiting', activities: '[]', outputs: '{}', created_at: '2026-01-01T00:00:00.000Z', started_at: null, finished_at: null }).execute();
    await db.insertInto('meta').values([
      { key: 'setting:config-repository', value: 'acme/config' },
      { key: 'setting:pending:old-run', value: JSON.stringify(dispatch) },
      { key: 'setting:deployment:old-run', value: '77' },
    ]).execute();
    await db.destroy();

    const store = await connect();
    const { told: _told, ...kept } = dispatch;
    expect(await store.getTracking('old-run')).toEqual({ runId: 'old-run', repo: 'acme/config', dispatch: kept, deploymentId: 77, dispatchRequestedAt: null, dispatchedAt: null, workflowRunId: null, secretsHandedAt: null });
    // The repository it kept as a loose setting is now the first followed repository, owning every project.
    expect(await store.listRepositories()).toEqual([{ repo: 'acme/config', installationId: null, defaultBranch: null, projects: ['*'], appliedRevision: null, runner: null, followedAt: expect.any(String) }]);
  });

  it('keeps the later of two decisions on a gate, by when they were made, not by when they were recorded', async () => {
    const store = await connect();
    const approval = { repo: 'o/r', pullNumber: 7, sha: 'abc', gate: 'prod', user: 'ann' };
    await store.recordApproval({ ...approval, decision: 'reject', at: '2026-01-01T10:00:02.000Z' });
    // An approval made before the rejection, recorded after it (its job was retried): it does not count.
    await store.recordApproval({ ...approval, decision: 'approve', at: '2026-01-01T10:00:01.000Z' });
    expect((await store.listApprovals('o/r', 7, 'abc')).map((a) => [a.decision, a.at])).toEqual([['reject', '2026-01-01T10:00:02.000Z']]);
    await store.recordApproval({ ...approval, decision: 'approve', at: '2026-01-01T10:00:03.000Z' });
    expect((await store.listApprovals('o/r', 7, 'abc')).map((a) => a.decision)).toEqual(['approve']);
  });

  it('keeps what a push came to, newest first', async () => {
    const store = await connect();
    await store.recordPush({ repo: 'o/r', sha: 'a', outcome: 'applied', detail: 'applied' });
    await store.recordPush({ repo: 'o/r', sha: 'b', outcome: 'stale', detail: 'older' });
    await store.recordPush({ repo: 'o/other', sha: 'c', outcome: 'applied', detail: 'applied' });
    expect((await store.listPushes('o/r')).map((p) => [p.sha, p.outcome, p.detail])).toEqual([
      ['b', 'stale', 'older'],
      ['a', 'applied', 'applied'],
    ]);
  });

  it('creates a run with its GitHub tracking in one commit, and records each step of it', async () => {
    const store = await connect();
    const dispatch = { order: 0, environment: 'shop/dev', action: 'deploy' as const, branch: 'main', workflow: 'envsync-run.yml', sha: 'r1', gates: [], after: [], labels: ['ubuntu-latest'], approvals: [{ number: 4, subject: 'h:main' }] };
    await store.createRun({ id: 'run-1', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'waiting', activities: [], outputs: {} }, { repo: 'o/r', dispatch });
    await expect(store.createRun({ id: 'run-1', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'waiting', activities: [], outputs: {} }, { repo: 'o/r', dispatch })).rejects.toThrow(/already exists/);
    // A deployment id past 2^31: GitHub's ids are, and PostgreSQL hands bigints back as text.
    await store.updateTracking('run-1', { deploymentId: 3_000_000_001, dispatchRequestedAt: '2026-01-01T00:00:00.000Z' });
    expect(await store.getTracking('run-1')).toEqual({ runId: 'run-1', repo: 'o/r', dispatch, deploymentId: 3_000_000_001, dispatchRequestedAt: '2026-01-01T00:00:00.000Z', dispatchedAt: null, workflowRunId: null, secretsHandedAt: null });
    // A run's secrets go out once: the first claim wins, every later one (a replay, another replica) is refused.
    expect(await Promise.all([store.claimRunSecrets('run-1', '2026-01-01T00:01:00.000Z'), store.claimRunSecrets('run-1', '2026-01-01T00:02:00.000Z')])).toEqual([true, false]);
    expect((await store.getTracking('run-1'))?.secretsHandedAt).toBe('2026-01-01T00:01:00.000Z');
    expect(await store.claimRunSecrets('no-such-run', '2026-01-01T00:03:00.000Z')).toBe(false);
    expect((await store.listUnfinishedRuns('o/r')).map((r) => r.run.id)).toEqual(['run-1']);
    // GitHub's names are not case-sensitive: a manual run recorded under the operator's spelling and a
    // merge's under the event's are one repository's runs.
    expect((await store.listUnfinishedRuns('O/R')).map((r) => r.run.id)).toEqual(['run-1']);
    await store.updateRun('run-1', { status: 'success' });
    expect(await store.listUnfinishedRuns('o/r')).toEqual([]);
    expect(await store.countRuns()).toEqual({ success: 1 });
  });

  it('moves the runs of a store of the previous version: their order kept, a run the API queued and nothing dispatched marked not run, saying why', async () => {
    const { db, backend: kind } = connectDatabase({ url });
    const all = migrations(kind);
    await new Migrator({ db, provider: { getMigrations: async () => Object.fromEntries(Object.entries(all).filter(([name]) => name < '0005')) } }).migrateToLatest();
    const row = (id: string, status: string) => sql`insert into runs (id, project, environment, action, revision, status, created_at) values (${id}, 'shop', 'dev', 'deploy', 'r1', ${status}, '2026-01-01T00:00:00.000Z')`.execute(db);
    await row('merged', 'queued');
    await row('api', 'queued');
    await row('done', 'success');
    await sql`insert into run_tracking (run_id, repo, dispatch) values ('merged', 'o/r', '{}')`.execute(db);
    await db.destroy();

    const store = await connect();
    expect((await store.listRuns()).map((r) => [r.id, r.status, r.trigger, r.actor, r.reason])).toEqual([
      ['done', 'success', 'webhook', null, null],
      ['api', 'not_run', 'webhook', null, 'started through the API before envsync dispatched manual runs: start it again'],
      ['merged', 'queued', 'webhook', null, null],
    ]);
    // A run made after the move comes after them all.
    await store.createRun({ id: 'new', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r2', status: 'waiting', trigger: 'manual', actor: 'ann', activities: [], outputs: {} });
    expect((await store.listRuns())[0]).toMatchObject({ id: 'new', trigger: 'manual', actor: 'ann', supersededBy: null, reason: null });
    await store.updateRun('new', { status: 'superseded', supersededBy: 'newer', reason: 'superseded' });
    expect(await store.getRun('new')).toMatchObject({ status: 'superseded', supersededBy: 'newer' });
  });

  it('records a run, its tracking and the job that takes it further in one commit', async () => {
    const store = await connect();
    const dispatch = { order: 0, environment: 'shop/dev', action: 'deploy' as const, branch: 'main', workflow: 'envsync-run.yml', sha: 'r1', gates: [], after: [], labels: ['ubuntu-latest'], approvals: [] };
    await store.createRun({ id: 'm-1', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'waiting', activities: [], outputs: {} }, { repo: 'o/r', dispatch }, { task: 'release-runs', queue: 'o/r', key: 'release:m-1', payload: { which: { run: 'm-1' } } });
    expect(await store.jobs.has('release:m-1')).toBe(true);
    // A second run of the same id commits nothing: neither run nor job.
    await expect(store.createRun({ id: 'm-1', project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'waiting', activities: [], outputs: {} }, { repo: 'o/r', dispatch }, { task: 'release-runs', queue: 'o/r', key: 'release:m-1b', payload: {} })).rejects.toThrow(/already exists/);
    expect(await store.jobs.has('release:m-1b')).toBe(false);
  });

  it('prunes the tracking of runs finished before the cutoff and old deliveries; runs, unfinished tracking and newer deliveries stay', async () => {
    const store = await connect();
    const dispatch = { order: 0, environment: 'shop/dev', action: 'deploy' as const, branch: 'main', workflow: 'envsync-run.yml', sha: 'r1', gates: [], after: [], labels: [], approvals: [] };
    for (const id of ['old', 'recent', 'running']) {
      await store.createRun({ id, project: 'shop', environment: 'dev', action: 'deploy', revision: 'r1', status: 'waiting', activities: [], outputs: {} }, { repo: 'o/r', dispatch });
    }
    await store.updateRun('old', { status: 'success', finishedAt: '2026-01-01T00:00:00.000Z' });
    await store.updateRun('recent', { status: 'failure', finishedAt: '2026-03-01T00:00:00.000Z' });
    await store.updateRun('running', { status: 'in_progress' });
    await store.acceptDelivery({ id: 'd-1', event: 'push' }, { task: 'apply-push', queue: 'o/r', payload: {} });
    const outcome = await store.prune('2026-02-01T00:00:00.000Z');
    expect(outcome).toEqual({ trackings: 1, deliveries: 0 });
    expect(await store.getTracking('old')).toBeUndefined();
    expect(await store.getTracking('recent')).toBeDefined();
    expect(await store.getTracking('running')).toBeDefined();
    expect((await store.listRuns()).map((r) => r.id).sort()).toEqual(['old', 'recent', 'running']);
    expect(await store.prune(new Date(Date.now() + 60_000).toISOString())).toEqual({ trackings: 1, deliveries: 1 });
    // Forgotten: the same delivery again is new work.
    expect(await store.acceptDelivery({ id: 'd-1', event: 'push' }, { task: 'apply-push', queue: 'o/r', payload: {} })).toBe('queued');
  });

  it('follows config repositories by name, whatever the case, and keeps what it learns of each', async () => {
    const store = await connect();
    expect(await store.followRepository('Acme/Config')).toBe(true);
    expect(await store.followRepository('acme/config')).toBe(false);
    expect(await store.followRepository('acme/other')).toBe(true);
    await expect(store.followRepository('acme')).rejects.toThrow('give it as OWNER/NAME');
    await store.updateRepository('ACME/config', { installationId: 3_000_000_001, defaultBranch: 'trunk', projects: ['pay*'] });
    await store.updateRepository('nobody/else', { installationId: 1 });
    await store.applyRevision({ revision: 'r1', resources: [], trigger: 'webhook', actor: null, repo: 'acme/CONFIG' });
    expect(await store.getRepository('acme/config')).toEqual({ repo: 'Acme/Config', installationId: 3_000_000_001, defaultBranch: 'trunk', projects: ['pay*'], appliedRevision: 'r1', runner: null, followedAt: expect.any(String) });
    const runner = { branch: 'trunk', workflow: 'run.yml', labels: { gpu: ['self-hosted', 'gpu'] }, defaultLabels: ['ubuntu-latest'], package: '@acme/envsync@1.2.3' };
    await store.applyRevision({ revision: 'r2', resources: [], trigger: 'webhook', actor: null, repo: 'acme/config', runner });
    expect(await store.getRepository('acme/config')).toMatchObject({ appliedRevision: 'r2', runner });
    expect(await store.getAppliedRevision('acme/config')).toBe('r2');
    expect(await store.getAppliedRevision('acme/other')).toBeUndefined();
    expect((await store.listRepositories()).map((r) => r.repo)).toEqual(['Acme/Config', 'acme/other']);
    expect(await store.unfollowRepository('acme/other')).toBe(true);
    expect(await store.unfollowRepository('acme/other')).toBe(false);
    expect(await store.getRepository('nobody/else')).toBeUndefined();
  });

  it('applies a revision only to the specs it owns: another repository\'s stay, with their revision', async () => {
    const store = await connect();
    const spec = (project: string, name: string) => ({ kind: 'ConfigContext', project, name, spec: { kind: 'ConfigContext', metadata: { name, project } } });
    await store.applyRevision({ revision: 'a1', resources: [spec('pay', 'x'), spec('pay', 'y')], trigger: 'webhook', actor: null, owns: (k) => k.project === 'pay' });
    await store.applyRevision({ revision: 'b1', resources: [spec('shop', 'z')], trigger: 'webhook', actor: null, owns: (k) => k.project === 'shop' });
    const result = await store.applyRevision({ revision: 'a2', resources: [spec('pay', 'x')], trigger: 'webhook', actor: null, owns: (k) => k.project === 'pay' });
    expect(result.deleted).toEqual([{ kind: 'ConfigContext', project: 'pay', name: 'y' }]);
    expect((await store.listResources()).map((r) => [r.project, r.name, r.revision])).toEqual([
      ['pay', 'x', 'a2'],
      ['shop', 'z', 'b1'],
    ]);
  });
});

describe('store on PostgreSQL shared by replicas', () => {
  const backend = postgresBackend();
  let url = '';
  const stores: Store[] = [];

  beforeAll(async () => {
    await backend.start();
    url = await backend.fresh();
  }, 30_000);
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await backend.stop();
  }, 30_000);

  it('serializes applies and deduplicates deliveries across replicas', async () => {
    // Two replicas starting together both migrate the same new database.
    stores.push(...(await Promise.all([openStore({ url }), openStore({ url })])));
    const [a, b] = stores as [Store, Store];
    const revision = (n: number) => Array.from({ length: 40 }, (_, i) => env(`e-${n}-${i}`, { n }));
    for (let round = 0; round < 5; round++) {
      const [x, y] = [`a${round}`, `b${round}`];
      await Promise.all([
        a.applyRevision({ revision: x, resources: revision(2 * round), trigger: 'webhook', actor: null }),
        b.applyRevision({ revision: y, resources: revision(2 * round + 1), trigger: 'webhook', actor: null }),
      ]);
      const last = await a.getAppliedRevision();
      const stored = await b.listResources();
      expect(stored).toHaveLength(40);
      expect(new Set(stored.map((r) => r.revision))).toEqual(new Set([last]));
    }
    // Every apply replaced the whole previous set: 40 creates and 40 deletes each, after the first.
    const events = await a.listSyncEvents();
    expect(events).toHaveLength(40 + 9 * 80);
    const runs = new Set<string>();
    let previous: string | null = null;
    for (const event of events) {
      if (event.revision !== previous) {
        expect(runs.has(event.revision ?? '')).toBe(false);
        runs.add(event.revision ?? '');
        previous = event.revision;
      }
    }
    const raced = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acceptDelivery({ id: 'shared', event: 'push' }, { task: 'apply-push', queue: 'o/r', payload: {} })));
    expect(raced.filter((o) => o === 'queued')).toHaveLength(1);
  });
});

describe('openStore', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'envsync-open-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to a SQLite file under the data folder, creating the folder', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const store = await openStore({ dataDir });
    await store.acceptDelivery({ id: 'x', event: 'push' }, { task: 'apply-push', queue: 'o/r', payload: {} });
    await store.close();
    await store.close();
    expect(existsSync(join(dataDir, 'envsync.sqlite'))).toBe(true);
  });

  it('accepts sqlite:PATH and :memory:', async () => {
    const path = join(dir, 'other', 'store.db');
    const file = await openStore({ url: `sqlite:${path}` });
    await file.close();
    expect(existsSync(path)).toBe(true);
    const memory = await openStore({ url: ':memory:' });
    expect(await memory.acceptDelivery({ id: 'x', event: 'push' }, { task: 'apply-push', queue: 'o/r', payload: {} })).toBe('queued');
    await memory.close();
  });

  it('rejects an unknown scheme without echoing the rest of the URL', async () => {
    await expect(openStore({ url: 'mysql://root:hunter2@db/x' })).rejects.toThrow(/unsupported store URL scheme "mysql:"/);
    await expect(openStore({ url: 'mysql://root:hunter2@db/x' })).rejects.not.toThrow(/hunter2/);
  });
});
