// System to Git, end to end on GitHub in memory: the destination branch is read as one tarball, and
// the system's changes come back as one bot pull request (or a direct commit, per project), with no
// secret anywhere on GitHub. The pull request's title names the change, its description has the
// changed fields, who made the change and through what, and its commit says the same.
import jsyaml from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRepositoryConfig } from '../../../src/config/config.js';
import { syncBranch } from '../../../src/flows/sync/deliver.js';
import type { SystemChange } from '../../../src/system/records.js';
import { MemoryPort } from '../../../src/github/memory-port.js';
import { syncSystemToGit, syncTarget } from '../../../src/flows/sync/system-sync.js';
import { filesFromTarball } from '../../../src/github/tarball.js';
import { SystemService } from '../../../src/system/service.js';
import { openStore, type Store } from '../../../src/system/store.js';
import { contentsOf, tarballOf } from '../../helpers/github-fixtures.js';
import { exampleFiles } from '../../golden/scenarios.js';
import { botPullRequestBody, changedStaging } from './bot-pr-text.js';

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
    expect(port.commits.get(sha)!.message).toBe(
      [
        'envsync: change 2 specs in 2 projects (Environment payments/qa, ConfigContext platform/aws-account)',
        '',
        '- create Environment payments/qa: created through the system API by the API token alice',
        '- update ConfigContext platform/aws-account (aws_secret_access_key): updated through the system API by the API token alice',
      ].join('\n'),
    );
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

/** The platform console's API token: the system API records its name as the actor. */
const CONSOLE: SystemChange = { trigger: 'internal', actor: 'platform-console' };
const BY_CONSOLE = 'This spec changed in the system outside Git by `platform-console`.';

/** Sets one variable of a spec through the service, as the API or `envsync system` does. */
async function setVariable(kind: string, project: string, name: string, variable: string, value: string, change: SystemChange) {
  const { spec } = await service.get({ kind, project, name });
  const document = structuredClone(spec) as { spec: { variables: { name: string; value: string }[] } };
  document.spec.variables.find((v) => v.name === variable)!.value = value;
  await service.put(document as unknown as Record<string, unknown>, change);
}

/** Delivers the system's changes to main as the configuration says; answers the bot pull request and its commit's message. */
async function delivered(configText?: string) {
  const { config } = parseRepositoryConfig(configText);
  await syncSystemToGit({ port, service, config, target: syncTarget(config, repo, 'main'), actors: ['platform-console'] });
  const [pr, ...others] = port.pullRequests;
  expect(others).toEqual([]);
  return { title: pr?.title, body: pr?.body, message: port.commits.get(port.branches.get(pr ? BRANCH : 'main')!)!.message };
}

describe('what the bot pull request says', () => {
  it("names the story's change: staging's owner team, changed by the platform console's API token", async () => {
    await setVariable('Environment', 'payments', 'staging', 'owner_team', 'payments-platform', CONSOLE);
    const cause = 'updated through the system API by the API token `platform-console`';
    expect(await delivered()).toEqual({
      title: 'envsync: update Environment payments/staging (owner_team)',
      body: botPullRequestBody(BY_CONSOLE, changedStaging(cause)),
      message: 'envsync: update Environment payments/staging (owner_team)\n\nUpdated through the system API by the API token platform-console.',
    });
  });

  it('says a rotated secret is sealed, and shows its value nowhere', async () => {
    await setVariable('ConfigContext', 'platform', 'aws-account', 'aws_secret_access_key', CANARY, CONSOLE);
    expect(await delivered()).toEqual({
      title: 'envsync: update ConfigContext platform/aws-account (aws_secret_access_key)',
      body: botPullRequestBody(
        BY_CONSOLE,
        [
          '#### update ConfigContext `platform/aws-account`',
          '',
          '`projects/platform/configcontexts/aws-account.yaml`: updated through the system API by the API token `platform-console`.',
          '',
          '| field | before<br>→ after |',
          '| --- | --- |',
          '| `spec.variables[name=aws_secret_access_key].value` | (sensitive)<br>→ (sensitive, sealed) |',
          '',
          '(sensitive, sealed): a secret. Git gets a `sealed://` reference in its place; the system keeps the value, which is never shown.',
        ],
      ),
      message: 'envsync: update ConfigContext platform/aws-account (aws_secret_access_key)\n\nUpdated through the system API by the API token platform-console.',
    });
    // Nor the value Git had before.
    const everything = JSON.stringify([port.pullRequests, [...port.commits.values()].map((c) => c.message), port.calls]);
    expect(everything).not.toContain(CANARY);
    expect(everything).not.toContain('example-secret-access-key');
  });

  it('lists the fields of an environment launched in the system', async () => {
    await service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, CONSOLE);
    expect(await delivered()).toEqual({
      title: 'envsync: create Environment payments/qa',
      body: botPullRequestBody(BY_CONSOLE, launchedQa('created through the system API by the API token `platform-console`')),
      message: 'envsync: create Environment payments/qa\n\nCreated through the system API by the API token platform-console.',
    });
  });

  it('lists what a spec deleted in the system held', async () => {
    await service.delete({ kind: 'Environment', project: 'payments', name: 'staging' }, CONSOLE);
    expect(await delivered()).toEqual({
      title: 'envsync: delete Environment payments/staging',
      body: botPullRequestBody(BY_CONSOLE, [
        '#### delete Environment `payments/staging`',
        '',
        '`projects/payments/environments/staging.yaml`: deleted through the system API by the API token `platform-console`.',
        '',
        '| field | value it had |',
        '| --- | --- |',
        '| `spec.template.name` | `"web-stack"` |',
        '| `spec.template.version` | `"v1"` |',
        '| `spec.agents[name=linux-large].name` | `"linux-large"` |',
        '| `spec.variables[name=owner_team].value` | `"payments-sre"` |',
        '| `spec.envVars[key=AWS_REGION].value` | `"eu-central-1"` |',
      ]),
      message: 'envsync: delete Environment payments/staging\n\nDeleted through the system API by the API token platform-console.',
    });
  });

  it('of several specs names them in its title and says of each who changed it and through what', async () => {
    await setVariable('Environment', 'payments', 'staging', 'owner_team', 'payments-platform', CONSOLE);
    await setVariable('Environment', 'payments', 'dev', 'replicas', '2', { trigger: 'manual', actor: 'alice' });
    await service.launch({ project: 'payments', name: 'qa', template: { name: 'web-stack', version: 'v1' }, variables: { owner_team: 'qa' } }, CONSOLE);
    const title = 'envsync: change 3 specs in payments (Environment dev, Environment qa, Environment staging)';
    const byConsole = 'through the system API by the API token `platform-console`';
    expect(await delivered()).toEqual({
      title,
      body: botPullRequestBody('These 3 specs changed in the system outside Git by `platform-console`.', [
        '#### update Environment `payments/dev`',
        '',
        '`projects/payments/environments/dev.yaml`: updated with `envsync system` by `alice`.',
        '',
        '| field | before<br>→ after |',
        '| --- | --- |',
        '| `spec.variables[name=replicas].value` | `"1"`<br>→ `"2"` |',
        '',
        ...launchedQa(`created ${byConsole}`),
        '',
        ...changedStaging(`updated ${byConsole}`),
      ]),
      message: [
        title,
        '',
        '- update Environment payments/dev (replicas): updated with envsync system by alice',
        '- create Environment payments/qa: created through the system API by the API token platform-console',
        '- update Environment payments/staging (owner_team): updated through the system API by the API token platform-console',
      ].join('\n'),
    });
  });

  it('is the message of a direct commit, which names the change as the pull request would', async () => {
    await setVariable('Environment', 'payments', 'staging', 'owner_team', 'payments-platform', CONSOLE);
    expect(await delivered('sync:\n  delivery: commit\n')).toEqual({
      title: undefined,
      body: undefined,
      message: 'envsync: update Environment payments/staging (owner_team)\n\nUpdated through the system API by the API token platform-console.',
    });
  });
});

/** The description's lines of the environment qa launched with owner_team qa. */
const launchedQa = (cause: string) => [
  '#### create Environment `payments/qa`',
  '',
  `\`projects/payments/environments/qa.yaml\`: ${cause}.`,
  '',
  '| field | value |',
  '| --- | --- |',
  '| `spec.template.name` | `"web-stack"` |',
  '| `spec.template.version` | `"v1"` |',
  '| `spec.variables[name=owner_team].value` | `"qa"` |',
];
