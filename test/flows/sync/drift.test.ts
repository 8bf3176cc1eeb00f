// The drift check the app runs on a schedule, on GitHub in memory: in sync, system-wins (a bot pull
// request) and git-wins (Git re-applied, recorded as a manual sync).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CONFIG_PATH } from '../../../src/config/config.js';
import { checkDrift } from '../../../src/flows/sync/drift.js';
import { syncBranch } from '../../../src/flows/sync/deliver.js';
import { Revisions } from '../../../src/flows/revisions.js';
import { MemoryPort } from '../../../src/github/memory-port.js';
import { SystemService } from '../../../src/system/service.js';
import { openStore, type Store } from '../../../src/system/store.js';
import { exampleFiles } from '../../golden/scenarios.js';
import { contentsOf } from '../../helpers/github-fixtures.js';
import { botPullRequestBody, changedStaging } from './bot-pr-text.js';

/** A configuration of defaults only: the repository is a config repository. */
const DEFAULTS = '# envsync: the defaults\n';

const repo = { owner: 'acme', repo: 'config' };
const QA = 'projects/payments/environments/qa.yaml';
let store: Store;
let service: SystemService;
let port: MemoryPort;

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  service = new SystemService(store);
  await store.followRepository('acme/config');
  await service.applyRevision(exampleFiles(), 'rev-1', { trigger: 'webhook', actor: null }, { repo: 'acme/config' });
  port = new MemoryPort();
});
afterEach(() => store.close());

/**
 * main at rev-1 (the revision the system applied) with `config`, then at head-sha: a merge whose push
 * has not been applied yet.
 */
function repository(config = DEFAULTS) {
  port.commit({ branch: 'main', sha: 'rev-1', tree: { ...contentsOf(exampleFiles()), [CONFIG_PATH]: config } });
  port.commit({ branch: 'main', sha: 'head-sha', files: { 'README.md': 'a merge not applied yet\n' } });
}
const launchQa = () => service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, { trigger: 'internal', actor: 'alice' });

it('finds nothing to do when the system holds what the revision it applied holds', async () => {
  repository();
  expect(await checkDrift(port, service, repo, 'main')).toEqual({ drift: 0, settled: 'in-sync' });
  expect(port.reads).toEqual([`getFile ${CONFIG_PATH}@main`, 'getBranch main', 'getTarball rev-1']);
  expect(port.calls).toEqual([]);
});

it('reads the applied revision once: a later check finds it kept, and downloads nothing', async () => {
  repository();
  const revisions = new Revisions();
  expect(await checkDrift(port, service, repo, 'main', undefined, revisions)).toEqual({ drift: 0, settled: 'in-sync' });
  expect(await checkDrift(port, service, repo, 'main', undefined, revisions)).toEqual({ drift: 0, settled: 'in-sync' });
  expect(revisions.counts).toEqual({ tarballs: 1, changes: 0, fetched: 0 });
  expect(port.reads.filter((r) => r.startsWith('getTarball'))).toEqual(['getTarball rev-1']);
});

it('system-wins: opens a bot pull request with what changed outside Git, on the branch as it is now', async () => {
  repository();
  await launchQa();
  expect(await checkDrift(port, service, repo, 'main')).toEqual({ drift: 1, settled: 'system-wins', detail: 'pull-request' });
  const sha = port.branches.get(syncBranch('main'))!;
  // The bot pull request is made against the branch as it is now.
  expect(port.reads.filter((r) => r.startsWith('getTarball'))).toEqual(['getTarball rev-1', 'getTarball main']);
  expect(port.commits.get(sha)!.parents).toEqual(['head-sha']);
  expect((await port.changedFiles(repo, 'main', sha)).files).toEqual([{ path: QA, status: 'added' }]);
  expect(port.pullRequests.map((p) => [p.head, p.baseRef, p.state])).toEqual([[syncBranch('main'), 'main', 'open']]);
  expect(port.branches.get('main')).toBe('head-sha');
});

it("system-wins: the bot pull request says the drift check found the change, and who made it without the app's knowing", async () => {
  repository();
  // Someone ran `envsync system` against the store with no app to report it.
  const staging = (await store.getResource({ kind: 'Environment', project: 'payments', name: 'staging' }))!;
  const document = structuredClone(staging.spec) as { spec: { variables: { name: string; value: string }[] } };
  document.spec.variables.find((v) => v.name === 'owner_team')!.value = 'payments-platform';
  await store.putResource({ ...staging, spec: document }, { trigger: 'manual', actor: 'ops' });
  expect(await checkDrift(port, service, repo, 'main')).toEqual({ drift: 1, settled: 'system-wins', detail: 'pull-request' });
  const title = 'envsync: update Environment payments/staging (owner_team)';
  expect(port.pullRequests.map((p) => [p.title, p.body])).toEqual([
    [title, botPullRequestBody('Found by the scheduled drift check (envsync drift check): this spec changed in the system outside Git.', changedStaging('updated with `envsync system` by `ops`'))],
  ]);
  expect(port.commits.get(port.branches.get(syncBranch('main'))!)!.message).toBe(`${title}\n\nUpdated with envsync system by ops.\nFound by the scheduled drift check (envsync drift check).`);
});

it('git-wins: re-applies the revision the system applied, recorded as a manual sync, and leaves a newer head to its push', async () => {
  repository('drift:\n  mode: git-wins\n');
  await launchQa();
  expect(await checkDrift(port, service, repo, 'main')).toEqual({ drift: 1, settled: 'git-wins', detail: '0 created, 0 updated, 1 deleted' });
  expect((await store.listSyncEvents()).at(-1)).toMatchObject({ trigger: 'manual', actor: 'envsync drift check', operation: 'delete', name: 'qa', revision: 'rev-1' });
  expect(await store.getAppliedRevision('acme/config')).toBe('rev-1');
  expect(port.reads.filter((r) => r.startsWith('getTarball'))).toEqual(['getTarball rev-1']);
  expect(port.calls).toEqual([]);
});
