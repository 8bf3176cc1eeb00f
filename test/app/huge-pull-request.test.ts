// A large repository and a pull request with many findings: the request count stays constant
// (at most 10, plus one per 50 annotations beyond the first 50), with no request per file.
import nock from 'nock';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createEnvsyncApp } from '../../src/app/index.js';
import { openStore, type Store } from '../../src/system/store.js';
import { generateRepository } from '../../bench/generate-repo.js';
import { pullRequestOpened, tarballOf } from '../helpers/github-fixtures.js';
import { testProbot } from '../helpers/probot.js';
import { sources } from '../helpers/repo.js';
import { SystemService } from '../../src/system/service.js';

/** A configuration of defaults only: the repository is a config repository. */
const DEFAULTS = '# envsync: the defaults\n';
const RAW = { 'content-type': 'application/vnd.github.raw+json' };

const API = 'https://api.github.com';
const REPO = '/repos/Codertocat/Hello-World';
const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);

let store: Store;
let app: ReturnType<typeof createEnvsyncApp>;

beforeEach(async () => {
  nock.disableNetConnect();
  store = await openStore({ url: ':memory:' });
  app = createEnvsyncApp({ system: new SystemService(store), driftMinutes: 0 });
});
afterEach(async () => {
  expect(app.running()?.failures.map((f) => String(f.error))).toEqual([]);
  await app.running()?.stop();
  await store.close();
  nock.cleanAll();
});

it('checks a pull request breaking 120 environments of a 2,000-spec repository in 10 requests: 8 (one reads the checks it ensures), and 2 for annotations past the first 50', async () => {
  const base = generateRepository(2_000);
  const head = new Map(base);
  let broken = 0;
  for (const [path, text] of base) {
    if (broken < 120 && path.includes('/environments/')) {
      head.set(path, text.replace(/name: et-\d+/, 'name: missing-template'));
      broken++;
    }
  }
  // The system holds the base: the pull request is planned against it.
  await store.followRepository('Codertocat/Hello-World');
  await new SystemService(store).applyRevision(sources(Object.fromEntries(base)), BASE, { trigger: 'webhook', actor: null }, { repo: 'Codertocat/Hello-World' });
  const counted: string[] = [];
  const count = (what: string) => () => counted.push(what);
  const annotations: number[] = [];
  nock(API)
    .post('/app/installations/1/access_tokens')
    .reply(201, { token: 't', expires_at: '2099-01-01T00:00:00Z' })
    .get(`${REPO}/pulls/2`)
    .reply(200, () => (count('pull')(), { number: 2, state: 'open', head: { sha: HEAD }, base: { sha: BASE, ref: 'main' }, user: { login: 'alice' } }))
    .get(`${REPO}/contents/.github%2Fenvsync.yml`)
    .query(true)
    .reply(() => (count('config')(), [200, DEFAULTS, RAW]))
    .get(`${REPO}/tarball/${HEAD}`)
    .reply(200, () => (count('tarball head')(), tarballOf(sources(Object.fromEntries(head)))), { 'content-type': 'application/x-gzip' })
    .get(`${REPO}/commits/${HEAD}/check-runs`)
    .query(true)
    .reply(200, () => (count('list checks')(), { check_runs: [] }))
    .post(`${REPO}/check-runs`)
    .times(2)
    .reply(201, (_uri, body: Record<string, any>) => (count(`create ${body.name}`)(), annotations.push(body.output.annotations?.length ?? 0), { id: 1 })) // eslint-disable-line @typescript-eslint/no-explicit-any
    .patch(`${REPO}/check-runs/1`)
    .times(2)
    .reply(200, (_uri, body: Record<string, any>) => (count('more annotations')(), annotations.push(body.output.annotations.length), {})) // eslint-disable-line @typescript-eslint/no-explicit-any
    .get(`${REPO}/issues/2/comments`)
    .query(true)
    .reply(200, () => (count('find comment')(), []))
    .post(`${REPO}/issues/2/comments`)
    .reply(201, () => (count('create comment')(), { id: 9 }));

  const probot = testProbot();
  await probot.load(app.appFn, { cwd: process.cwd(), addHandler: () => {} });
  await probot.receive({ id: 'huge', name: 'pull_request', payload: pullRequestOpened(HEAD, BASE) } as never);
  await app.running()!.queue.idle();

  expect(counted).toEqual([
    'pull',
    'config',
    'tarball head',
    'list checks',
    'create envsync/validate',
    'more annotations',
    'more annotations',
    'create envsync/plan',
    'find comment',
    'create comment',
  ]);
  expect(annotations).toEqual([50, 50, 20, 0]);
  expect(nock.pendingMocks()).toEqual([]);
});
