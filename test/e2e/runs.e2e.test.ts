// Runs end to end, the real server against the fake GitHub: every run, whatever started it, goes
// through one lifecycle (a deployment, envsync's queue per environment, the dispatch, the results,
// the summary). Three quick merges of one environment run one after another with the middle one
// superseded, none cancelled; a run started through the API and one started with the CLI are
// dispatched, reported and summarized with trigger "manual" and their actor; "Re-run all checks"
// checks the pull request again. The example's approval hook is left out here, so that pushes run
// without an /approve (approvals of manual runs are covered in test/system/api.test.ts).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/system/store.js';
import { envsyncBin, exampleRepository } from '../../demo/sandbox.js';
import { World, type AppProcess } from '../../demo/world.js';
import { hashToken } from '../../src/app/api.js';

const world = new World();
let app: AppProcess;
const TOKEN = 'console-token-0123456789';
const STAGING = 'projects/payments/environments/staging.yaml';

/** The example without its approval hook: runs go without an /approve. */
function repositoryWithoutGates(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'envsync-runs-repo-')), 'config');
  cpSync(exampleRepository(), dir, { recursive: true });
  const template = join(dir, 'projects/payments/environmenttemplates/web-stack.yaml');
  const text = readFileSync(template, 'utf8');
  const hook = ['    - name: change-approval', '      type: approval', '      options:', '        approval:', '          type: internal', '      timeoutSeconds: 86400', '    - name: preflight', '      type: container', '      dependsOn:', '      - change-approval', ''].join('\n');
  const without = text.replace(hook, '    - name: preflight\n      type: container\n');
  if (without === text) throw new Error('the example template changed: update how the test removes its approval hook');
  writeFileSync(template, without);
  return dir;
}

beforeAll(async () => {
  await world.create(repositoryWithoutGates());
  // The system holds main as the team adopted envsync: a push then runs only what it changes.
  world.applyBase();
  const tokens = join(world.work, 'tokens.json');
  writeFileSync(tokens, JSON.stringify([{ name: 'platform-console', sha256: hashToken(TOKEN), projects: { payments: 'write' } }]));
  // Runs that have not reported are asked about on GitHub after 3 s here (10 minutes by default).
  app = await world.process('app', { ENVSYNC_API_TOKENS_FILE: tokens, ENVSYNC_RUN_FOLLOW_UP_MINUTES: '0.05' });
}, 60_000);
afterAll(() => world.stop());

async function store<T>(read: (s: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const opened = await openStore({ url: world.databaseUrl });
  try {
    return await read(opened);
  } finally {
    await opened.close();
  }
}

/** A commit on main that sets staging's owner team, pushed and delivered; resolves its sha. */
async function pushStaging(team: string, before: string): Promise<string> {
  const current = /value: ([\w-]+)\n {2}envVars/.exec(readFileSync(join(world.clone, STAGING), 'utf8'))![1]!;
  const sha = world.commit('main', STAGING, `value: ${current}\n  envVars`, `value: ${team}\n  envVars`);
  expect(await world.webhooks(app).push(before, sha, 'carol')).toBe(200);
  return sha;
}

/** GitHub Actions carrying out a dispatch: the workflow run starts, uploads its results, completes. */
async function carryOut(dispatch: (typeof world.github.dispatches)[number]): Promise<void> {
  const webhooks = world.webhooks(app);
  const runId = dispatch.inputs['run-id']!;
  const title = `envsync ${dispatch.inputs.action} ${dispatch.inputs.environment} (run ${runId})`;
  const run = { id: dispatch.workflowRun, title, headSha: dispatch.inputs.sha!, url: `https://github.example/acme/config/actions/runs/${dispatch.workflowRun}`, path: '.github/workflows/envsync-run.yml' };
  const done = app.done('follow-workflow-run');
  expect(await webhooks.workflowRun('in_progress', { ...run, conclusion: null })).toBe(200);
  world.uploadResults(dispatch.workflowRun, runId, dispatch.inputs.environment!, dispatch.inputs.sha!);
  expect(await webhooks.workflowRun('completed', { ...run, conclusion: 'success' })).toBe(200);
  await app.until(`the results of ${runId}`, () => app.done('follow-workflow-run') >= done + 2);
}

const dispatchesOf = (environment: string) => world.github.dispatches.filter((d) => d.inputs.environment === environment);

describe('three quick merges of one environment', () => {
  it('run one after another: the second superseded by the third, which goes once the first finished, and nothing cancelled', async () => {
    const pushes = app.done('apply-push');
    // Pushed and delivered back to back, as merges that land within seconds.
    const first = await pushStaging('team-one', world.base);
    const second = await pushStaging('team-two', first);
    const third = await pushStaging('team-three', second);
    await app.until('the three pushes applied', () => app.done('apply-push') >= pushes + 3);
    const id = (sha: string) => `${sha.slice(0, 12)}-payments.staging-deploy`;

    expect(dispatchesOf('payments/staging').map((d) => d.inputs['run-id'])).toEqual([id(first)]);
    const waiting = await store(async (s) => ({ second: await s.getRun(id(second)), third: await s.getRun(id(third)) }));
    expect(waiting.second).toMatchObject({ status: 'superseded', supersededBy: id(third), reason: `superseded by run ${id(third)}, which runs the newer state of payments/staging` });
    expect(waiting.third).toMatchObject({ status: 'waiting', reason: `run ${id(first)} of the same environment`, trigger: 'webhook', actor: 'carol' });
    const deployment = (sha: string) => world.github.deployments.find((d) => d.ref === sha && d.environment === 'payments/staging');
    expect(deployment(third)?.statuses.at(-1)).toMatchObject({ state: 'queued', description: `waiting for run ${id(first)} of the same environment` });

    await carryOut(dispatchesOf('payments/staging')[0]!);
    await app.until('the third run dispatched', () => dispatchesOf('payments/staging').length === 2);
    expect(dispatchesOf('payments/staging')[1]!.inputs).toMatchObject({ 'run-id': id(third), sha: third });
    await carryOut(dispatchesOf('payments/staging')[1]!);

    expect(await store(async (s) => (await s.listRuns({ environment: 'staging' })).map((r) => [r.id, r.status]).reverse())).toEqual([
      [id(first), 'success'],
      [id(second), 'superseded'],
      [id(third), 'success'],
    ]);
    expect(world.github.workflowRuns.filter((r) => r.conclusion === 'cancelled')).toEqual([]);
    expect(world.github.requests.filter((r) => r.path.endsWith('/cancel'))).toEqual([]);
    expect(deployment(first)?.description).toBe('envsync deploy of payments/staging: started by a Git change, pushed by carol');
    expect(deployment(first)?.statuses.at(-1)?.state).toBe('success');
    // The summary of a push with no pull request goes on its commit.
    expect(world.github.comments.find((c) => c.commit === third)?.body).toMatch(/^### envsync deploy of `payments\/staging`: success\n\nStarted by a Git change, pushed by carol · revision `[0-9a-f]{40}`\n/);
  }, 90_000);
});

describe('a manual run', () => {
  const applied = () => store(async (s) => (await s.getRepository('acme/config'))!.appliedRevision!);

  it('started through the API is dispatched at the applied revision, reported and summarized with trigger manual and its actor', async () => {
    const res = await fetch(`${app.url}/api/v1/projects/payments/environments/dev/runs`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
    const run = (await res.json()) as { id: string; status: string; trigger: string; actor: string; revision: string };
    expect(res.status).toBe(201);
    expect(run).toMatchObject({ status: 'waiting', trigger: 'manual', actor: 'platform-console', revision: await applied() });
    await app.until('the manual run dispatched', () => world.github.dispatches.some((d) => d.inputs['run-id'] === run.id));
    const dispatch = world.github.dispatches.find((d) => d.inputs['run-id'] === run.id)!;
    expect(dispatch.inputs).toMatchObject({ environment: 'payments/dev', action: 'deploy', sha: run.revision, approved: '' });
    await carryOut(dispatch);

    const after = (await (await fetch(`${app.url}/api/v1/runs/${run.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ status: 'success', trigger: 'manual', actor: 'platform-console' });
    const deployment = world.github.deployments.find((d) => d.payload.runId === run.id)!;
    expect(deployment).toMatchObject({ environment: 'payments/dev', ref: run.revision, description: 'envsync deploy of payments/dev: started manually by platform-console' });
    expect(deployment.statuses.map((s) => s.state)).toEqual(['queued', 'in_progress', 'success']);
    const summary = world.github.comments.find((c) => c.commit === run.revision && c.body.includes(`<!-- envsync:run ${run.id} -->`));
    expect(summary?.body).toMatch(/^### envsync deploy of `payments\/dev`: success\n\nStarted manually by platform-console · revision /);
  }, 60_000);

  it('started with envsync system run is recorded with its job in the store and dispatched by the server', async () => {
    const out = execFileSync(process.execPath, [envsyncBin(), 'system', 'run', 'payments/dev', '--store', world.databaseUrl], { cwd: world.work, env: { ...process.env, ENVSYNC_ACTOR: 'ann' }, encoding: 'utf8' });
    const id = /^(manual-[\w-]+)\twaiting/.exec(out)?.[1];
    expect(id).toBeDefined();
    await app.until('the CLI run dispatched', () => world.github.dispatches.some((d) => d.inputs['run-id'] === id));
    await carryOut(world.github.dispatches.find((d) => d.inputs['run-id'] === id)!);
    expect(await store((s) => s.getRun(id!))).toMatchObject({ status: 'success', trigger: 'manual', actor: 'ann', revision: await applied() });
    const listed = execFileSync(process.execPath, [envsyncBin(), 'system', 'runs', 'payments/dev', '--store', world.databaseUrl], { cwd: world.work, encoding: 'utf8' });
    expect(listed.split('\n')[0]).toBe(`${id}\tsuccess\tpayments/dev deploy\tmanual\tann\t${(await applied()).slice(0, 12)}`);
  }, 60_000);

  it('of an environment changed outside Git is refused, saying which spec and what to do', async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const current = (await (await fetch(`${app.url}/api/v1/resources/Environment/payments/dev`, { headers })).json()) as { spec: { spec: { variables: { name: string; value: string }[] } } };
    current.spec.spec.variables.find((v) => v.name === 'replicas')!.value = '4';
    expect((await fetch(`${app.url}/api/v1/resources/Environment/payments/dev`, { method: 'PUT', headers, body: JSON.stringify(current.spec) })).status).toBe(200);
    const res = await fetch(`${app.url}/api/v1/projects/payments/environments/dev/runs`, { method: 'POST', headers, body: '{}' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/^payments\/dev reads specs changed outside Git that acme\/config does not hold yet \(Environment payments\/dev\): the runner runs what Git holds/);
  }, 60_000);
});

describe('a run whose workflow_run events never came', () => {
  it('is settled from what GitHub says of its workflow run, and the next run of its environment goes', async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const run = (await (await fetch(`${app.url}/api/v1/projects/payments/environments/staging/runs`, { method: 'POST', headers, body: '{}' })).json()) as { id: string };
    await app.until('the run dispatched', () => world.github.dispatches.some((d) => d.inputs['run-id'] === run.id));
    const dispatch = world.github.dispatches.find((d) => d.inputs['run-id'] === run.id)!;
    // The workflow ran and finished on GitHub; its webhooks were lost (the app was unreachable).
    world.uploadResults(dispatch.workflowRun, run.id, 'payments/staging', dispatch.inputs.sha!);
    Object.assign(world.github.workflowRuns.find((r) => r.id === dispatch.workflowRun)!, { status: 'completed', conclusion: 'success' });
    await app.until('the follow-up that settled it', () => app.current().includes(`"settled":["${run.id}"]`));
    expect(await store((s) => s.getRun(run.id))).toMatchObject({ status: 'success', trigger: 'manual' });
    expect(world.github.deployments.find((d) => d.payload.runId === run.id)?.statuses.at(-1)?.state).toBe('success');
  }, 60_000);
});

describe('"Re-run all checks" on a pull request', () => {
  it('checks the pull request again', async () => {
    const head = world.commit('rerun', STAGING, 'eu-central-1', 'eu-west-1');
    const { number } = world.github.openPullRequest('rerun', 'main', 'alice');
    const webhooks = world.webhooks(app);
    const checked = app.done('check-pull-request');
    expect(await webhooks.pullRequest('opened', { number, head, headRef: 'rerun', base: world.github.sha('main'), author: 'alice' })).toBe(200);
    await app.until('the pull request checked', () => app.done('check-pull-request') > checked);
    expect(await webhooks.send('check_suite', { action: 'rerequested', check_suite: { head_sha: head, pull_requests: [{ number }] }, repository: { name: 'config', owner: { login: 'acme' }, default_branch: 'main' }, installation: { id: 1 }, sender: { login: 'alice' } })).toBe(200);
    // The signal that it was handled: the check job ran a second time.
    await app.until('the pull request checked again', () => app.done('check-pull-request') > checked + 1);
    expect(world.github.checks.filter((c) => c.head_sha === head && c.name === 'envsync/validate').at(-1)).toMatchObject({ status: 'completed', conclusion: 'success' });
  }, 60_000);
});
