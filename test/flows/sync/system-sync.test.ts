// System to Git on GitHub, end to end against nock: the destination branch is read as one tarball,
// and the system's changes come back as one bot pull request (or a direct commit, per project),
// with no secret in any request.
import { Octokit } from '@octokit/core';
import nock from 'nock';
import jsyaml from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRepositoryConfig } from '../../../src/config/config.js';
import { OctokitPort } from '../../../src/github/octokit-port.js';
import { syncSystemToGit, syncTarget } from '../../../src/flows/sync/system-sync.js';
import { filesFromTarball } from '../../../src/github/tarball.js';
import { SystemService } from '../../../src/system/service.js';
import { openStore, type Store } from '../../../src/system/store.js';
import { tarballOf } from '../../helpers/github-fixtures.js';
import { exampleFiles } from '../../golden/scenarios.js';

const API = 'https://api.github.com';
const CANARY = 'CANARY-91ad3f';
const repo = { owner: 'acme', repo: 'config' };

/** The example repository as GitHub serves it: a gzipped tar under `acme-config-<sha>/`. */

let store: Store;
let service: SystemService;
let bodies: { path: string; body: unknown }[];

beforeEach(async () => {
  nock.disableNetConnect();
  bodies = [];
  store = await openStore({ url: ':memory:' });
  service = new SystemService(store);
  await service.applyRevision(exampleFiles(), 'rev-1', { trigger: 'webhook', actor: null });
});
afterEach(async () => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  await store.close();
  expect(pending).toEqual([]);
});

const record = (path: string) => (body: unknown) => {
  bodies.push({ path, body });
  return true;
};

function mockRead(target = repo, branch = 'main') {
  nock(API)
    .get(`/repos/${target.owner}/${target.repo}/tarball/${branch}`)
    .reply(200, tarballOf(exampleFiles()), { 'content-type': 'application/x-gzip' })
    .get(`/repos/${target.owner}/${target.repo}/branches/${branch}`)
    .reply(200, { commit: { sha: 'base-sha', commit: { tree: { sha: 'base-tree' } } } });
}

const port = () => new OctokitPort(new Octokit({ auth: 'test-token' }));

describe('syncSystemToGit', () => {
  it('reads a revision from a tarball: the layout\'s spec files with their content', async () => {
    const files = await filesFromTarball(tarballOf(exampleFiles()), { root: '.', maxFileBytes: 1 << 20 });
    const withContent = (list: { path: string; content?: Uint8Array }[]) => list.filter((f) => f.content).map((f) => `${f.path} ${Buffer.from(f.content!).toString('base64')}`).sort();
    expect(withContent(files)).toEqual(withContent(exampleFiles()));
  });

  it('opens one bot pull request with the environment launched in the system, and no secret', async () => {
    await service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, { trigger: 'internal', actor: 'alice' });
    const context = (await store.getResource({ kind: 'ConfigContext', project: 'platform', name: 'aws-account' }))!;
    const spec = structuredClone(context.spec) as { spec: { variables: { value: string }[] } };
    spec.spec.variables[0]!.value = CANARY;
    await store.putResource({ kind: 'ConfigContext', project: 'platform', name: 'aws-account', spec }, { trigger: 'internal', actor: 'alice' });

    mockRead();
    nock(API)
      .get('/repos/acme/config/pulls')
      .query(true)
      .reply(200, [])
      .get(`/repos/acme/config/branches/${encodeURIComponent('envsync/system-sync/main')}`)
      .reply(404, {})
      .post('/repos/acme/config/git/trees', record('tree'))
      .reply(201, { sha: 'tree-new' })
      .post('/repos/acme/config/git/commits', record('commit'))
      .reply(201, { sha: 'commit-new' })
      .post('/repos/acme/config/git/refs', record('ref'))
      .reply(201, {})
      .post('/repos/acme/config/pulls', record('pull'))
      .reply(201, { number: 7 });

    const { config } = parseRepositoryConfig(undefined);
    const results = await syncSystemToGit({ port: port(), service, config, target: syncTarget(config, repo, 'main'), actors: ['alice'] });
    expect(results).toEqual([{ outcome: 'pull-request', number: 7, created: true, branch: 'envsync/system-sync/main', sha: 'commit-new' }]);
    const tree = (bodies.find((b) => b.path === 'tree')!.body as { tree: { path: string; content: string }[] }).tree;
    expect(tree.map((t) => t.path)).toEqual(['projects/payments/environments/qa.yaml', 'projects/platform/configcontexts/aws-account.yaml']);
    expect(jsyaml.load(tree[0]!.content)).toEqual({ apiVersion: 'eaas.envmgmt.io/v1', kind: 'Environment', metadata: { name: 'qa', project: 'payments' }, spec: { template: { name: 'web-stack', version: 'v1' }, variables: [{ name: 'owner_team', value: 'qa' }] } });
    expect(tree[1]!.content).toContain('    value: sealed://ConfigContext/platform/aws-account/spec.variables[0].value');
    expect((bodies.find((b) => b.path === 'commit')!.body as { message: string }).message).toBe(
      'System sync: 2 resources\n\nResource Environment/qa, Create\nResource ConfigContext/aws-account, Update',
    );
    expect(JSON.stringify(bodies)).not.toContain(CANARY);
  });

  it('commits directly for a project configured so, and opens a pull request for the others', async () => {
    await service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, { trigger: 'internal', actor: 'alice' });
    const notify = (await store.getResource({ kind: 'Driver', project: 'platform', name: 'notify' }))!;
    const driver = structuredClone(notify.spec) as { spec: { config: { timeoutSeconds: number } } };
    driver.spec.config.timeoutSeconds = 90;
    await store.putResource({ kind: 'Driver', project: 'platform', name: 'notify', spec: driver }, { trigger: 'internal', actor: 'bob' });
    const { config } = parseRepositoryConfig('sync:\n  projects:\n    payments:\n      delivery: commit\n');

    mockRead();
    nock(API)
      .post('/repos/acme/config/git/trees', record('commit-tree'))
      .reply(201, { sha: 't1' })
      .post('/repos/acme/config/git/commits')
      .reply(201, { sha: 'c1' })
      .patch('/repos/acme/config/git/refs/heads%2Fmain', { sha: 'c1', force: false })
      .reply(200, {})
      .get('/repos/acme/config/branches/main')
      .reply(200, { commit: { sha: 'c1', commit: { tree: { sha: 't1' } } } })
      .get('/repos/acme/config/pulls')
      .query(true)
      .reply(200, [])
      .get(`/repos/acme/config/branches/${encodeURIComponent('envsync/system-sync/main')}`)
      .reply(404, {})
      .post('/repos/acme/config/git/trees', record('pr-tree'))
      .reply(201, { sha: 't2' })
      .post('/repos/acme/config/git/commits')
      .reply(201, { sha: 'c2' })
      .post('/repos/acme/config/git/refs')
      .reply(201, {})
      .post('/repos/acme/config/pulls')
      .reply(201, { number: 8 });

    const results = await syncSystemToGit({ port: port(), service, config, target: syncTarget(config, repo, 'main') });
    expect(results.map((r) => r.outcome)).toEqual(['committed', 'pull-request']);
    const paths = (name: string) => (bodies.find((b) => b.path === name)!.body as { tree: { path: string }[] }).tree.map((t) => t.path);
    expect(paths('commit-tree')).toEqual(['projects/payments/environments/qa.yaml']);
    expect(paths('pr-tree')).toEqual(['projects/platform/drivers/notify.yaml']);
  });

  it('writes to the configured destination repository and branch', () => {
    const { config } = parseRepositoryConfig('branch: prod\nsync:\n  destination: {repository: acme/mirror, folder: envs}\n');
    expect(syncTarget(config, repo, 'main')).toEqual({ repo: { owner: 'acme', repo: 'mirror' }, branch: 'prod', root: 'envs' });
  });

  it('asks GitHub for nothing but the revision when the system holds what Git holds', async () => {
    nock(API).get('/repos/acme/config/tarball/main').reply(200, tarballOf(exampleFiles()), { 'content-type': 'application/x-gzip' });
    const { config } = parseRepositoryConfig(undefined);
    expect(await syncSystemToGit({ port: port(), service, config, target: syncTarget(config, repo, 'main') })).toEqual([{ outcome: 'nothing-to-do' }]);
  });
});
