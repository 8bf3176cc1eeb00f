// The drift check the app runs on a schedule: in sync, system-wins (a bot pull request) and
// git-wins (Git re-applied, recorded as a manual sync).
import { Octokit } from '@octokit/core';
import nock from 'nock';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { checkDrift } from '../../../src/flows/sync/drift.js';
import { Revisions } from '../../../src/flows/revisions.js';
import { OctokitPort } from '../../../src/github/octokit-port.js';
import { SystemService } from '../../../src/system/service.js';
import { openStore, type Store } from '../../../src/system/store.js';
import { exampleFiles } from '../../golden/scenarios.js';
import { tarballOf } from '../../helpers/github-fixtures.js';

/** A configuration of defaults only: the repository is a config repository. */
const DEFAULTS = '# envsync: the defaults\n';
const RAW = { 'content-type': 'application/vnd.github.raw+json' };

const API = 'https://api.github.com';
const repo = { owner: 'acme', repo: 'config' };
let store: Store;
let service: SystemService;

const tarball = () => tarballOf(exampleFiles());

beforeEach(async () => {
  nock.disableNetConnect();
  store = await openStore({ url: ':memory:' });
  service = new SystemService(store);
  await store.followRepository('acme/config');
  await service.applyRevision(exampleFiles(), 'rev-1', { trigger: 'webhook', actor: null }, { repo: 'acme/config' });
});
afterEach(async () => {
  await store.close();
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

const port = () => new OctokitPort(new Octokit({ auth: 't' }));
const mockConfig = (text?: string) =>
  text === undefined
    ? nock(API).get('/repos/acme/config/contents/.github%2Fenvsync.yml').query({ ref: 'main' }).reply(200, DEFAULTS, RAW)
    : nock(API).get('/repos/acme/config/contents/.github%2Fenvsync.yml').query({ ref: 'main' }).reply(200, text, { 'content-type': 'application/vnd.github.raw+json' });

const mockBranch = (times = 1) =>
  nock(API).get('/repos/acme/config/branches/main').times(times).reply(200, { commit: { sha: 'head-sha', commit: { tree: { sha: 't' } } } });

it('finds nothing to do when the system holds what the revision it applied holds', async () => {
  mockConfig();
  mockBranch();
  nock(API).get('/repos/acme/config/tarball/rev-1').reply(200, tarball(), { 'content-type': 'application/x-gzip' });
  expect(await checkDrift(port(), service, repo, 'main')).toEqual({ drift: 0, settled: 'in-sync' });
});

it('reads the applied revision once: a later check finds it kept, and downloads nothing', async () => {
  const revisions = new Revisions();
  mockConfig();
  mockBranch();
  nock(API).get('/repos/acme/config/tarball/rev-1').reply(200, tarball(), { 'content-type': 'application/x-gzip' });
  expect(await checkDrift(port(), service, repo, 'main', undefined, revisions)).toEqual({ drift: 0, settled: 'in-sync' });
  mockConfig();
  mockBranch();
  expect(await checkDrift(port(), service, repo, 'main', undefined, revisions)).toEqual({ drift: 0, settled: 'in-sync' });
  expect(revisions.counts).toEqual({ tarballs: 1, changes: 0, fetched: 0 });
});

it('system-wins: opens a bot pull request with what changed outside Git', async () => {
  await service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, { trigger: 'internal', actor: 'alice' });
  mockConfig();
  mockBranch(2);
  nock(API)
    .get('/repos/acme/config/tarball/rev-1')
    .reply(200, tarball(), { 'content-type': 'application/x-gzip' })
    // The bot pull request is made against the branch as it is now.
    .get('/repos/acme/config/tarball/main')
    .reply(200, tarball(), { 'content-type': 'application/x-gzip' })
    .get('/repos/acme/config/pulls')
    .query(true)
    .reply(200, [])
    .get(`/repos/acme/config/branches/${encodeURIComponent('envsync/system-sync/main')}`)
    .reply(404, {})
    .post('/repos/acme/config/git/trees')
    .reply(201, { sha: 't2' })
    .post('/repos/acme/config/git/commits')
    .reply(201, { sha: 'c2' })
    .post('/repos/acme/config/git/refs')
    .reply(201, {})
    .post('/repos/acme/config/pulls')
    .reply(201, { number: 3 });
  expect(await checkDrift(port(), service, repo, 'main')).toEqual({ drift: 1, settled: 'system-wins', detail: 'pull-request' });
});

it('git-wins: re-applies the revision the system applied, recorded as a manual sync, and leaves a newer head to its push', async () => {
  await service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, { trigger: 'internal', actor: 'alice' });
  mockConfig('drift:\n  mode: git-wins\n');
  // The branch's head (head-sha) is a merge whose push has not been applied yet: not applied here.
  mockBranch();
  nock(API).get('/repos/acme/config/tarball/rev-1').reply(200, tarball(), { 'content-type': 'application/x-gzip' });
  expect(await checkDrift(port(), service, repo, 'main')).toEqual({ drift: 1, settled: 'git-wins', detail: '0 created, 0 updated, 1 deleted' });
  expect((await store.listSyncEvents()).at(-1)).toMatchObject({ trigger: 'manual', actor: 'envsync drift check', operation: 'delete', name: 'qa', revision: 'rev-1' });
  expect(await store.getAppliedRevision('acme/config')).toBe('rev-1');
});
