// `envsync export --github OWNER/REPO`, run in-process so that nock stands in for GitHub.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { create as createTar } from 'tar';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SystemService } from '../../src/system/service.js';
import { openStore } from '../../src/system/store.js';
import { EXAMPLE, exampleFiles } from '../golden/scenarios.js';

const API = 'https://api.github.com';
let work: string;
let output: string;
const io = () => ({ cwd: work, stdout: (t: string) => void (output += t), stderr: (t: string) => void (output += t) });

beforeEach(() => {
  nock.disableNetConnect();
  work = mkdtempSync(join(tmpdir(), 'envsync-export-gh-'));
  output = '';
  process.env.GITHUB_TOKEN = 'test-token';
});
afterEach(() => {
  delete process.env.GITHUB_TOKEN;
  const pending = nock.pendingMocks();
  nock.cleanAll();
  rmSync(work, { recursive: true, force: true });
  expect(pending).toEqual([]);
});

function tarball(): Buffer {
  cpSync(EXAMPLE, join(work, 'acme-config-1a2b3c'), { recursive: true });
  createTar({ gzip: true, cwd: work, file: join(work, 'r.tgz'), sync: true, portable: true }, ['acme-config-1a2b3c']);
  return readFileSync(join(work, 'r.tgz'));
}

it('opens a bot pull request on GitHub with what changed in the system', async () => {
  const url = `sqlite:${join(work, 'store.db')}`;
  const store = await openStore({ url });
  const service = new SystemService(store);
  await service.applyRevision(exampleFiles(), 'rev-1', { trigger: 'webhook', actor: null });
  await service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, { trigger: 'manual', actor: 'alice' });
  await store.close();

  nock(API)
    .get('/repos/acme/config/contents/.github%2Fenvsync.yml')
    .query({ ref: 'main' })
    .reply(404, { message: 'Not Found' })
    .get('/repos/acme/config/tarball/main')
    .reply(200, tarball(), { 'content-type': 'application/x-gzip' })
    .get('/repos/acme/config/branches/main')
    .reply(200, { commit: { sha: 'base-sha', commit: { tree: { sha: 'base-tree' } } } })
    .get('/repos/acme/config/pulls')
    .query(true)
    .reply(200, [])
    .get(`/repos/acme/config/branches/${encodeURIComponent('envsync/system-sync/main')}`)
    .reply(404, {})
    .post('/repos/acme/config/git/trees', (body) => body.tree.length === 1 && body.tree[0].path === 'projects/payments/environments/qa.yaml')
    .reply(201, { sha: 'tree' })
    .post('/repos/acme/config/git/commits')
    .reply(201, { sha: 'commit' })
    .post('/repos/acme/config/git/refs')
    .reply(201, {})
    .post('/repos/acme/config/pulls')
    .reply(201, { number: 12 });

  expect(await main(['export', '--github', 'acme/config', '--branch', 'main', '--store', url], io())).toBe(0);
  expect(output).toBe('opened pull request #12 from envsync/system-sync/main\n');
});

it('asks for a token before doing anything', async () => {
  delete process.env.GITHUB_TOKEN;
  expect(await main(['export', '--github', 'acme/config'], io())).toBe(2);
  expect(output).toContain('set GITHUB_TOKEN to a token that may push to the repository and open pull requests');
});
