// The app on push: the sync branch's revision is applied to the system (queued, after the webhook is
// answered), a redelivered push changes nothing, other branches are ignored; the API is mounted.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import examples from '@octokit/webhooks-examples';
import nock from 'nock';
import type { ApplicationFunctionOptions } from 'probot';
import { create as createTar } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnvsyncApp } from '../../src/app/index.js';
import { hashToken } from '../../src/system/api.js';
import { openStore, type Store } from '../../src/system/store.js';
import { EXAMPLE } from '../golden/scenarios.js';
import { testProbot } from '../helpers/probot.js';

const API = 'https://api.github.com';
type Example = { name: string; examples: Record<string, unknown>[] };
const pushExample = () => structuredClone((examples as unknown as Example[]).find((e) => e.name === 'push')!.examples[4]!) as {
  ref: string;
  after: string;
  repository: { default_branch: string; full_name: string };
  installation: { id: number };
};

function tarball(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'envsync-app-'));
  try {
    cpSync(EXAMPLE, join(dir, 'Codertocat-Hello-World-6113728'), { recursive: true });
    createTar({ gzip: true, cwd: dir, file: join(dir, 't.tgz'), sync: true, portable: true }, ['Codertocat-Hello-World-6113728']);
    return readFileSync(join(dir, 't.tgz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let store: Store;
type Handler = Parameters<ApplicationFunctionOptions['addHandler']>[0];
let handlers: Handler[];
let app: ReturnType<typeof createEnvsyncApp>;
let probot: ReturnType<typeof testProbot>;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  store = await openStore({ url: ':memory:' });
  handlers = [];
  app = createEnvsyncApp({ store, apiTokens: [{ name: 'ci', sha256: hashToken('secret-token'), projects: { '*': 'read' } }], driftMinutes: 0 });
  probot = testProbot();
  await probot.load(app.appFn, { cwd: process.cwd(), addHandler: (h: Handler) => handlers.push(h) });
});
afterEach(async () => {
  expect(app.running()?.failures.map((f) => String(f.error))).toEqual([]);
  await app.running()?.stop();
  await store.close();
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

const token = () => nock(API).post('/app/installations/1/access_tokens').reply(201, { token: 'installation-token', expires_at: '2099-01-01T00:00:00Z' });

describe('a push', () => {
  it('to the sync branch applies that revision to the system, after the webhook is answered', async () => {
    const payload = pushExample();
    token();
    nock(API)
      .get('/repos/Codertocat/Hello-World/contents/.github%2Fenvsync.yml')
      .query({ ref: 'master' })
      .reply(404, { message: 'Not Found' })
      .get(`/repos/Codertocat/Hello-World/tarball/${payload.after}`)
      .reply(200, tarball(), { 'content-type': 'application/x-gzip' });
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(await store.getAppliedRevision()).toBe(payload.after);
    expect(await store.listResources()).toHaveLength(15);
    expect((await store.listSyncEvents()).every((e) => e.trigger === 'webhook' && e.revision === payload.after)).toBe(true);
    expect(await store.getSetting('config-repository')).toBe('Codertocat/Hello-World');
  });

  it('redelivered changes nothing and asks GitHub nothing', async () => {
    const payload = pushExample();
    await store.recordDelivery('delivery-1', 'push');
    await probot.receive({ id: 'delivery-1', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(await store.listResources()).toEqual([]);
  });

  it('to another branch is not applied, even when that branch\'s own configuration names it the sync branch', async () => {
    const payload = pushExample();
    payload.ref = 'refs/heads/feature';
    token();
    // Only the default branch's configuration is read (a branch cannot name itself the sync branch).
    nock(API).get('/repos/Codertocat/Hello-World/contents/.github%2Fenvsync.yml').query({ ref: 'master' }).reply(404, {});
    await probot.receive({ id: 'delivery-2', name: 'push', payload } as never);
    await app.running()!.queue.idle();
    expect(await store.getAppliedRevision()).toBeUndefined();
  });
});

describe('the app server', () => {
  it('serves the system API under /api/v1, and leaves other paths to Probot', async () => {
    const server = createServer(async (req, res) => {
      for (const h of handlers) if (await h(req, res)) return;
      res.writeHead(404).end('not ours');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const api = await fetch(`${base}/api/v1/resources`, { headers: { authorization: 'Bearer secret-token' } });
      expect(api.status).toBe(200);
      expect(await api.json()).toEqual({ resources: [] });
      expect((await fetch(`${base}/api/v1/resources`)).status).toBe(401);
      expect(await (await fetch(`${base}/elsewhere`)).text()).toBe('not ours');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
