// System to Git, end to end on GitHub in memory: the destination branch is read as one tarball, and
// the system's changes come back as one bot pull request (or a direct commit, per project), with no
// secret anywhere on GitHub.
import jsyaml from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRepositoryConfig } from '../../../src/config/config.js';
import { syncBranch } from '../../../src/flows/sync/deliver.js';
import { MemoryPort } from '../../../src/github/memory-port.js';
import { syncSystemToGit, syncTarget } from '../../../src/flows/sync/system-sync.js';
import { filesFromTarball } from '../../../src/github/tarball.js';
import { SystemService } from '../../../src/system/service.js';
import { openStore, type Store } from '../../../src/system/store.js';
import { contentsOf, tarballOf } from '../../helpers/github-fixtures.js';
import { exampleFiles } from '../../golden/scenarios.js';

const CANARY = 'CANARY-91ad3f';
const repo = { owner: 'acme', repo: 'config' };
const BRANCH = syncBranch('main');

let store: Store;
let service: SystemService;
let port: MemoryPort;
/** main, holding the example repository. */
let base: string;

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  service = new SystemService(store);
  await service.applyRevision(exampleFiles(), 'rev-1', { trigger: 'webhook', actor: null });
  port = new MemoryPort();
  base = port.commit({ branch: 'main', tree: contentsOf(exampleFiles()) });
});
afterEach(() => store.close());

const launchQa = () => service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, { trigger: 'internal', actor: 'alice' });
/** The paths a commit changed since its first parent. */
const changedBy = async (sha: string) => (await port.changedFiles(repo, port.commits.get(sha)!.parents[0]!, sha)).files!.map((f) => f.path);

describe('syncSystemToGit', () => {
  it('reads a revision from a tarball: the layout\'s spec files with their content', async () => {
    const files = await filesFromTarball(tarballOf(exampleFiles()), { root: '.', maxFileBytes: 1 << 20 });
    const withContent = (list: { path: string; content?: Uint8Array }[]) => list.filter((f) => f.content).map((f) => `${f.path} ${Buffer.from(f.content!).toString('base64')}`).sort();
    expect(withContent(files)).toEqual(withContent(exampleFiles()));
  });

  it('opens one bot pull request with the environment launched in the system, and no secret', async () => {
    await launchQa();
    const context = (await store.getResource({ kind: 'ConfigContext', project: 'platform', name: 'aws-account' }))!;
    const spec = structuredClone(context.spec) as { spec: { variables: { value: string }[] } };
    spec.spec.variables[0]!.value = CANARY;
    await store.putResource({ kind: 'ConfigContext', project: 'platform', name: 'aws-account', spec }, { trigger: 'internal', actor: 'alice' });

    const { config } = parseRepositoryConfig(undefined);
    const results = await syncSystemToGit({ port, service, config, target: syncTarget(config, repo, 'main'), actors: ['alice'] });
    const sha = port.branches.get(BRANCH)!;
    expect(results).toEqual([{ outcome: 'pull-request', number: 1, created: true, branch: BRANCH, sha }]);
    expect(await changedBy(sha)).toEqual(['projects/payments/environments/qa.yaml', 'projects/platform/configcontexts/aws-account.yaml']);
    const files = port.filesAt(sha);
    expect(jsyaml.load(files['projects/payments/environments/qa.yaml']!)).toEqual({ apiVersion: 'eaas.envmgmt.io/v1', kind: 'Environment', metadata: { name: 'qa', project: 'payments' }, spec: { template: { name: 'web-stack', version: 'v1' }, variables: [{ name: 'owner_team', value: 'qa' }] } });
    expect(files['projects/platform/configcontexts/aws-account.yaml']).toContain('    value: sealed://ConfigContext/platform/aws-account/spec.variables[aws_secret_access_key].value');
    expect(port.commits.get(sha)!.message).toBe('System sync: 2 resources\n\nResource Environment/qa, Create\nResource ConfigContext/aws-account, Update');
    // Nowhere on GitHub: no file of any commit, no pull request, no write.
    const everything = JSON.stringify([[...port.commits.keys()].map((c) => port.filesAt(c)), port.pullRequests, port.calls]);
    expect(everything).toContain('qa.yaml');
    expect(everything).not.toContain(CANARY);
  });

  it('commits directly for a project configured so, and opens a pull request for the others', async () => {
    await launchQa();
    const notify = (await store.getResource({ kind: 'Driver', project: 'platform', name: 'notify' }))!;
    const driver = structuredClone(notify.spec) as { spec: { config: { timeoutSeconds: number } } };
    driver.spec.config.timeoutSeconds = 90;
    await store.putResource({ kind: 'Driver', project: 'platform', name: 'notify', spec: driver }, { trigger: 'internal', actor: 'bob' });
    const { config } = parseRepositoryConfig('sync:\n  projects:\n    payments:\n      delivery: commit\n');

    const results = await syncSystemToGit({ port, service, config, target: syncTarget(config, repo, 'main') });
    expect(results.map((r) => r.outcome)).toEqual(['committed', 'pull-request']);
    const [committed, proposed] = [port.branches.get('main')!, port.branches.get(BRANCH)!];
    expect(port.commits.get(committed)!.parents).toEqual([base]);
    expect(await changedBy(committed)).toEqual(['projects/payments/environments/qa.yaml']);
    // The pull request goes on main as the direct commit left it.
    expect(port.commits.get(proposed)!.parents).toEqual([committed]);
    expect(await changedBy(proposed)).toEqual(['projects/platform/drivers/notify.yaml']);
  });

  it('writes to the configured destination repository and branch', () => {
    const { config } = parseRepositoryConfig('branch: prod\nsync:\n  destination: {repository: acme/mirror, folder: envs}\n');
    expect(syncTarget(config, repo, 'main')).toEqual({ repo: { owner: 'acme', repo: 'mirror' }, branch: 'prod', root: 'envs' });
  });

  it('asks GitHub for nothing but the revision when the system holds what Git holds', async () => {
    const { config } = parseRepositoryConfig(undefined);
    expect(await syncSystemToGit({ port, service, config, target: syncTarget(config, repo, 'main') })).toEqual([{ outcome: 'nothing-to-do' }]);
    expect([port.reads, port.calls]).toEqual([['getTarball main'], []]);
  });
});
