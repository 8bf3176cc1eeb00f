// Bot pull requests and direct commits through the GitHub port, against nock: every request body is
// asserted, and the number of requests does not grow with the number of files.
import { Octokit } from '@octokit/core';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliver, syncBranch } from '../../../src/flows/sync/deliver.js';
import { noreplyAuthor, OctokitPort } from '../../../src/github/octokit-port.js';
import type { ExportPlan } from '../../../src/engine/export.js';
import { BOT_PR_MARKER } from '../../../src/render/bot-pr.js';

const API = 'https://api.github.com';
const repo = { owner: 'acme', repo: 'config' };
const BRANCH = syncBranch('main');
/** Every request the port sends, as `METHOD /path`, recorded by an Octokit hook. */
let requests: string[];
const port = () => {
  const octokit = new Octokit({ auth: 'test-token' });
  octokit.hook.before('request', (options) => {
    requests.push(`${options.method} ${String(options.url)}`);
  });
  return new OctokitPort(octokit, { identity: async () => BOT });
};
/** The app's account, as GitHub writes it on the commits the app makes. */
const BOT = noreplyAuthor('envsync[bot]', 90210);

const planOf = (count: number): ExportPlan => ({
  files: Array.from({ length: count }, (_, i) => ({
    path: `projects/payments/environments/env-${i}.yaml`,
    content: `name: env-${i}\n`,
    resource: { kind: 'Environment', project: 'payments', name: `env-${i}`, operation: 'Update' as const },
  })),
  secrets: [{ file: 'projects/payments/environments/env-0.yaml', path: 'spec.variables[0].value', outcome: 'sealed' }],
  rewritten: [],
});

beforeEach(() => {
  nock.disableNetConnect();
  requests = [];
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

const branchReply = (sha: string, tree: string) => ({ commit: { sha, commit: { tree: { sha: tree } } } });

function mockCommit(treeBody: (body: { base_tree: string; tree: unknown[] }) => boolean, message: string) {
  nock(API)
    .post('/repos/acme/config/git/trees', (body) => treeBody(body))
    .reply(201, { sha: 'tree-new' })
    // No author: GitHub then writes the app's account and signs the commit (Verified).
    .post('/repos/acme/config/git/commits', (body) => JSON.stringify(body) === JSON.stringify({ message, tree: 'tree-new', parents: ['base-sha'] }))
    .reply(201, { sha: 'commit-new' });
}

describe('a bot pull request', () => {
  it('is opened on the deterministic branch with one tree and one commit for all files', async () => {
    nock(API)
      .get('/repos/acme/config/branches/main')
      .reply(200, branchReply('base-sha', 'base-tree'))
      .get('/repos/acme/config/pulls')
      .query({ head: `acme:${BRANCH}`, state: 'all', per_page: 1 })
      .reply(200, [])
      .get(`/repos/acme/config/branches/${encodeURIComponent(BRANCH)}`)
      .reply(404, { message: 'Branch not found' });
    mockCommit(
      (body) =>
        body.base_tree === 'base-tree' &&
        JSON.stringify(body.tree) ===
          JSON.stringify([
            { path: 'projects/payments/environments/env-0.yaml', mode: '100644', type: 'blob', content: 'name: env-0\n' },
            { path: 'projects/payments/environments/env-1.yaml', mode: '100644', type: 'blob', content: 'name: env-1\n' },
          ]),
      'System sync: 2 resources\n\nResource Environment/env-0, Update\nResource Environment/env-1, Update',
    );
    let prBody = '';
    nock(API)
      .post('/repos/acme/config/git/refs', { ref: `refs/heads/${BRANCH}`, sha: 'commit-new' })
      .reply(201, {})
      .post('/repos/acme/config/pulls', (body) => {
        prBody = body.body;
        return body.head === BRANCH && body.base === 'main' && body.title === 'envsync: system sync of 2 resources';
      })
      .reply(201, { number: 42 });

    const result = await deliver(port(), { repo, base: 'main', mode: 'pull-request', plan: planOf(2), actors: ['alice'] });
    expect(result).toEqual({ outcome: 'pull-request', number: 42, created: true, branch: BRANCH, sha: 'commit-new' });
    expect(prBody.startsWith(`${BOT_PR_MARKER}\nThese specs changed in the system outside Git (by alice).`)).toBe(true);
    expect(prBody).toContain('- `projects/payments/environments/env-0.yaml` `spec.variables[0].value`: changed in the system; written as a `sealed://` reference, the system keeps the value');
  });

  it('is updated in place when the system changes again before merge: no second pull request', async () => {
    nock(API)
      .get('/repos/acme/config/branches/main')
      .reply(200, branchReply('base-sha', 'base-tree'))
      .get('/repos/acme/config/pulls')
      .query(true)
      .reply(200, [{ number: 42, state: 'open', merged_at: null }])
      .get(`/repos/acme/config/branches/${encodeURIComponent(BRANCH)}`)
      .reply(200, branchReply('old-bot-commit', 'old-tree'))
      .get('/repos/acme/config/compare/base-sha...old-bot-commit')
      // One commit of this version, one of a version before it (which wrote the bot's name without its account id).
      .reply(200, { commits: [{ sha: 'earlier-bot-commit', commit: { author: { name: 'envsync[bot]', email: 'envsync[bot]@users.noreply.github.com' } } }, { sha: 'old-bot-commit', commit: { author: BOT } }] });
    mockCommit(() => true, 'Resource Environment/env-0, Update');
    nock(API)
      .patch(`/repos/acme/config/git/refs/${encodeURIComponent(`heads/${BRANCH}`)}`, { sha: 'commit-new', force: true })
      .reply(200, {})
      .patch('/repos/acme/config/pulls/42', (body) => body.title === 'envsync: Resource Environment/env-0, Update')
      .reply(200, {});
    expect(await deliver(port(), { repo, base: 'main', mode: 'pull-request', plan: planOf(1) })).toEqual({
      outcome: 'pull-request',
      number: 42,
      created: false,
      branch: BRANCH,
      sha: 'commit-new',
    });
  });

  it('is not reopened once closed without merging, and nothing is written', async () => {
    nock(API)
      .get('/repos/acme/config/branches/main')
      .reply(200, branchReply('base-sha', 'base-tree'))
      .get('/repos/acme/config/pulls')
      .query(true)
      .reply(200, [{ number: 42, state: 'closed', merged_at: null }]);
    expect(await deliver(port(), { repo, base: 'main', mode: 'pull-request', plan: planOf(1) })).toEqual({
      outcome: 'skipped',
      reason: `bot pull request #42 was closed without merging; envsync does not reopen it: delete the branch ${BRANCH} to let it open a new one`,
    });
    expect(requests).toEqual(['GET /repos/{owner}/{repo}/branches/{branch}', 'GET /repos/{owner}/{repo}/pulls']);
  });

  it('never overwrites a commit a person pushed to the bot branch', async () => {
    nock(API)
      .get('/repos/acme/config/branches/main')
      .reply(200, branchReply('base-sha', 'base-tree'))
      .get('/repos/acme/config/pulls')
      .query(true)
      .reply(200, [{ number: 42, state: 'open', merged_at: null }])
      .get(`/repos/acme/config/branches/${encodeURIComponent(BRANCH)}`)
      .reply(200, branchReply('human-commit', 't'))
      .get('/repos/acme/config/compare/base-sha...human-commit')
      // A name alone proves nothing: anyone can write "envsync[bot]" as a commit's author.
      .reply(200, {
        commits: [
          { sha: 'c1', commit: { author: BOT } },
          { sha: 'human-commit', commit: { author: { name: 'Bob', email: 'bob@acme.example' } } },
          { sha: 'lookalike', commit: { author: { name: 'envsync[bot]', email: 'envsync[bot]@example.com' } } },
        ],
      });
    expect(await deliver(port(), { repo, base: 'main', mode: 'pull-request', plan: planOf(1) })).toEqual({
      outcome: 'skipped',
      reason: `branch ${BRANCH} has commits by Bob, envsync[bot]; envsync never overwrites them: merge or close pull request #42 first`,
    });
    expect(requests.filter((r) => !r.startsWith('GET'))).toEqual([]);
    expect(requests).toHaveLength(4);
  });

  it('opens a new pull request after the previous one was merged', async () => {
    nock(API)
      .get('/repos/acme/config/branches/main')
      .reply(200, branchReply('base-sha', 'base-tree'))
      .get('/repos/acme/config/pulls')
      .query(true)
      .reply(200, [{ number: 41, state: 'closed', merged_at: '2026-11-20T10:00:00Z' }])
      .get(`/repos/acme/config/branches/${encodeURIComponent(BRANCH)}`)
      .reply(404, {});
    mockCommit(() => true, 'Resource Environment/env-0, Update');
    nock(API).post('/repos/acme/config/git/refs').reply(201, {}).post('/repos/acme/config/pulls').reply(201, { number: 43 });
    expect(await deliver(port(), { repo, base: 'main', mode: 'pull-request', plan: planOf(1) })).toMatchObject({ outcome: 'pull-request', number: 43, created: true });
  });

  it('costs the same number of requests for 100 files as for 1', async () => {
    const run = async (count: number) => {
      requests = [];
      nock(API)
        .get('/repos/acme/config/branches/main')
        .reply(200, branchReply('base-sha', 'base-tree'))
        .get('/repos/acme/config/pulls')
        .query(true)
        .reply(200, [])
        .get(`/repos/acme/config/branches/${encodeURIComponent(BRANCH)}`)
        .reply(404, {});
      mockCommit((body) => body.tree.length === count, count === 1 ? 'Resource Environment/env-0, Update' : `System sync: ${count} resources\n\n${Array.from({ length: count }, (_, i) => `Resource Environment/env-${i}, Update`).join('\n')}`);
      nock(API).post('/repos/acme/config/git/refs').reply(201, {}).post('/repos/acme/config/pulls').reply(201, { number: 1 });
      await deliver(port(), { repo, base: 'main', mode: 'pull-request', plan: planOf(count) });
      return [...requests];
    };
    const one = await run(1);
    const hundred = await run(100);
    expect(hundred).toEqual(one);
    expect(one).toEqual([
      'GET /repos/{owner}/{repo}/branches/{branch}',
      'GET /repos/{owner}/{repo}/pulls',
      'GET /repos/{owner}/{repo}/branches/{branch}',
      'POST /repos/{owner}/{repo}/git/trees',
      'POST /repos/{owner}/{repo}/git/commits',
      'POST /repos/{owner}/{repo}/git/refs',
      'POST /repos/{owner}/{repo}/pulls',
    ]);
  });
});

describe('a direct commit', () => {
  it('lands on the sync branch with the vendor-style message, fast-forward only', async () => {
    nock(API).get('/repos/acme/config/branches/main').reply(200, branchReply('base-sha', 'base-tree'));
    mockCommit(() => true, 'Resource Environment/env-0, Update');
    nock(API).patch('/repos/acme/config/git/refs/heads%2Fmain', { sha: 'commit-new', force: false }).reply(200, {});
    expect(await deliver(port(), { repo, base: 'main', mode: 'commit', plan: planOf(1) })).toEqual({ outcome: 'committed', sha: 'commit-new' });
  });

  it('deletes a file with a null blob in the same tree', async () => {
    const plan: ExportPlan = { files: [{ path: 'projects/payments/environments/old.yaml', content: null, resource: { kind: 'Environment', project: 'payments', name: 'old', operation: 'Delete' } }], secrets: [], rewritten: [] };
    nock(API).get('/repos/acme/config/branches/main').reply(200, branchReply('base-sha', 'base-tree'));
    mockCommit((body) => JSON.stringify(body.tree) === JSON.stringify([{ path: 'projects/payments/environments/old.yaml', mode: '100644', type: 'blob', sha: null }]), 'Resource Environment/old, Delete');
    nock(API).patch('/repos/acme/config/git/refs/heads%2Fmain').reply(200, {});
    expect(await deliver(port(), { repo, base: 'main', mode: 'commit', plan })).toEqual({ outcome: 'committed', sha: 'commit-new' });
  });

  it('does nothing, and asks GitHub nothing, when there is no change', async () => {
    expect(await deliver(port(), { repo, base: 'main', mode: 'commit', plan: { files: [], secrets: [], rewritten: [] } })).toEqual({ outcome: 'nothing-to-do' });
    expect(requests).toEqual([]);
  });
});
