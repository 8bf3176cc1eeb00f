// End to end: the real `envsync serve` process, signed webhooks over HTTP, and a local fake GitHub
// backed by a real git repository. A pull request is validated and planned, approvals are refused and
// accepted, redelivered and out-of-order events change nothing; the merge dispatches a run per
// environment, a real `envsync run` plays the runner and its results come back through workflow_run;
// a planted secret appears in no request the app sends and in none of its logs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../../demo/fake-github.js';
import { envsyncBin, exampleRepository, freePort, waitFor } from '../../demo/sandbox.js';
import { Webhooks } from '../../demo/webhooks.js';
import { zipSync } from 'fflate';

const SECRET = 'e2e-webhook-secret';
const CANARY = 'CANARY-e2e-7d41';

let github: FakeGitHub;
let webhooks: Webhooks;
let server: ChildProcess;
let serverLog = '';
let appUrl = '';
let work: string;
let head = '';
let base = '';

const until = <T>(what: string, probe: () => T | undefined, timeoutMs = 20_000) => waitFor(what, probe, timeoutMs, () => `\n--- server log ---\n${serverLog.replace(/\\n/g, ' ').slice(-3000)}`);

/** Pull request #1 (or #2), by alice, at `sha`. */
const pullRequest = (sha: string, action: 'opened' | 'synchronize' = 'opened', number = 1, baseSha = base) =>
  webhooks.pullRequest(action, { number, head: sha, headRef: number === 1 ? 'change' : `change-${number}`, base: baseSha, author: 'alice' });

/** Sends the last delivery of `event` again, with its id. */
const redeliver = (event: string) => {
  const last = webhooks.deliveries.findLast((d) => d.event === event)!;
  return webhooks.send(last.event, last.payload, last.id);
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-e2e-'));
  github = new FakeGitHub('acme', 'config');
  const clone = join(work, 'clone');
  cpSync(exampleRepository(), clone, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-C', clone, ...args], { encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'base');
  base = github.pushFrom(clone, 'main');
  // The change: a template edited, and a secret of a shared context rotated to the canary.
  const template = join(clone, 'projects/payments/environmenttemplates/web-stack.yaml');
  writeFileSync(template, readFileSync(template, 'utf8').replace('value: "2"', 'value: "4"'));
  const context = join(clone, 'projects/platform/configcontexts/aws-account.yaml');
  writeFileSync(context, readFileSync(context, 'utf8').replace('example-secret-access-key', CANARY));
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-am', 'change');
  head = github.pushFrom(clone, 'change');
  github.openPullRequest('change', 'main', 'alice');
  github.permissions.set('bob', 'read');
  github.permissions.set('carol', 'write');

  const host = await github.start();
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  webhooks = new Webhooks(appUrl, SECRET, 'acme', 'config');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  server = spawn(process.execPath, [envsyncBin(), 'serve'], {
    cwd: work,
    env: { ...process.env, APP_ID: '1', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, GHE_HOST: host, GHE_PROTOCOL: 'http', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'debug', LOG_FORMAT: 'json', DATABASE_URL: `sqlite:${join(work, 'store.db')}` },
  });
  server.stdout!.on('data', (d) => (serverLog += d));
  server.stderr!.on('data', (d) => (serverLog += d));
  await until('the server', () => serverLog.includes('Listening on') || undefined, 30_000);
});

afterAll(async () => {
  server?.kill('SIGTERM');
  await github?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the app server, end to end', () => {
  it('answers a signed pull_request webhook, then checks and plans the pull request', async () => {
    expect(await pullRequest(head)).toBe(200);
    const plan = await until('the plan comment', () => github.comments.find((c) => c.issue === 1));
    expect(plan.body).toContain('### envsync plan:');
    expect(plan.body).toContain('ConfigContext <code>platform/aws-account</code> changed');
    expect(github.checks.map((c) => [c.name, c.head_sha, c.status, c.conclusion])).toEqual([
      ['envsync/validate', head, 'completed', 'success'],
      ['envsync/plan', head, 'completed', 'success'],
      ['envsync/approval: hook/onInit/change-approval', head, 'queued', null],
    ]);
  });

  it('refuses a webhook whose signature does not match', async () => {
    const res = await fetch(`${appUrl}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'forged', 'x-hub-signature-256': 'sha256=00' },
      body: '{}',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses /approve from the author and from a reader, with replies; accepts it from a writer', async () => {
    await webhooks.comment(1, '/approve', 'alice');
    await until('the reply to the author', () => github.comments.find((c) => c.body.startsWith('@alice')));
    await webhooks.comment(1, '/approve', 'bob');
    await until('the reply to the reader', () => github.comments.find((c) => c.body.startsWith('@bob')));
    expect(github.checks.at(-1)!.conclusion).toBeNull();
    await webhooks.comment(1, '/approve', 'carol');
    const gate = await until('the approved gate', () => github.checks.find((c) => c.conclusion === 'success' && c.name.startsWith('envsync/approval')));
    expect(gate.output).toEqual({ title: 'approved by @carol', summary: 'Gate `hook/onInit/change-approval`: approved by @carol for this commit.' });
  });

  it('does nothing twice for a redelivered webhook, nor for an event about an older head', async () => {
    const before = github.checks.length;
    expect(await redeliver('pull_request')).toBe(200);
    expect(await pullRequest(base, 'synchronize')).toBe(200);
    // Commands of the same pull request are queued behind those events: once /help is answered, they
    // have been handled.
    await webhooks.comment(1, '/help', 'dave');
    await until('the help reply', () => github.comments.find((c) => c.body.startsWith('envsync commands')));
    expect(github.checks.length).toBe(before);
  });

  it('on merge, starts a deployment per affected environment and dispatches the runner workflow at the merge commit', async () => {
    const merge = github.merge(1);
    expect(await webhooks.push(base, merge, 'Codertocat')).toBe(200);
    await until('two runs dispatched and shown', () => (github.dispatches.length === 2 && github.deployments.every((d) => d.statuses.length > 0)) || undefined);
    const run = (env: string) => `${merge.slice(0, 12)}-payments-${env}-deploy`;
    expect(github.dispatches).toEqual(
      ['dev', 'staging'].map((env) => ({
        workflow: 'envsync-run.yml',
        ref: 'main',
        inputs: { environment: `payments/${env}`, action: 'deploy', sha: merge, approved: 'hook/onInit/change-approval', 'runs-on': '["ubuntu-latest"]', 'run-id': run(env) },
        workflowRun: expect.any(Number),
      })),
    );
    expect(github.deployments.map((d) => [d.environment, d.ref, d.statuses.map((s) => s.description)])).toEqual([
      ['payments/dev', merge, ['dispatched to envsync-run.yml']],
      ['payments/staging', merge, ['dispatched to envsync-run.yml']],
    ]);
    // Redelivered (the same delivery: no job at all), and sent again (a new delivery: a job that
    // finds the revision applied): nothing starts twice.
    expect(await redeliver('push')).toBe(200);
    await until('the redelivery recognised', () => serverLog.includes(`"delivery":"${webhooks.deliveries.findLast((d) => d.event === 'push')!.id}","event":"push","task":"apply-push","queue":"acme/config","outcome":"duplicate"`) || undefined);
    const logged = serverLog.length;
    expect(await webhooks.push(base, merge, 'Codertocat')).toBe(200);
    await until('the second push handled', () => serverLog.slice(logged).includes(`is applied already`) || undefined);
    expect(github.dispatches).toHaveLength(2);
  });

  it('records what the runner reports: the results artifact, the deployment status and a summary on the merged pull request', async () => {
    const { inputs } = github.dispatches[0]!;
    // The runner's part, played for real: envsync run in a checkout of the dispatched commit.
    const checkout = join(work, 'runner');
    execFileSync('git', ['clone', '-q', github.gitDir, checkout]);
    execFileSync('git', ['-C', checkout, 'checkout', '-q', inputs.sha!]);
    execFileSync(process.execPath, [envsyncBin(), 'run', inputs.environment!, '--action', inputs.action!, '--dry-run', '--approved', inputs.approved!], { cwd: checkout, env: { ...process.env, GITHUB_STEP_SUMMARY: '' } });
    const results = readFileSync(join(checkout, 'envsync-results.json'));
    github.artifacts.push({ id: 900, run: 555, name: `envsync-results-${inputs['run-id']}`, zip: Buffer.from(zipSync({ 'envsync-results.json': new Uint8Array(results) })) });

    const completed = { id: 555, title: `envsync deploy ${inputs.environment} (run ${inputs['run-id']})`, headSha: inputs.sha!, conclusion: 'success', url: 'https://github.example/acme/config/actions/runs/555', path: '.github/workflows/envsync-run.yml' };
    expect(await webhooks.workflowRun('completed', completed)).toBe(200);
    const summary = await until('the run summary comment', () => github.comments.find((c) => c.body.startsWith('### envsync deploy of `payments/dev`: success')));
    expect(summary.issue).toBe(1);
    expect(summary.body).toContain('| ✅ success | `hook/onInit/change-approval` | approval |');
    expect(github.deployments[0]!.statuses.at(-1)).toEqual({ state: 'success', description: 'deploy of payments/dev: success', log_url: 'https://github.example/acme/config/actions/runs/555' });
  });

  it('holds the runs of a merge nobody approved, and /approve on the merged pull request releases them', async () => {
    // A second change, checked but merged without approval.
    const clone = join(work, 'clone');
    const git = (...args: string[]) => execFileSync('git', ['-C', clone, ...args], { encoding: 'utf8' });
    git('fetch', '-q', github.gitDir, 'main');
    git('checkout', '-q', 'FETCH_HEAD');
    const template = join(clone, 'projects/payments/environmenttemplates/web-stack.yaml');
    writeFileSync(template, readFileSync(template, 'utf8').replace('value: "4"', 'value: "2"'));
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-am', 'second change');
    const head2 = github.pushFrom(clone, 'change-2');
    github.openPullRequest('change-2', 'main', 'alice');
    const checked = github.checks.length;
    await pullRequest(head2, 'opened', 2, github.sha('main'));
    await until('the second pull request checked', () => github.checks.length >= checked + 3 || undefined);

    const merge = github.merge(2);
    expect(await webhooks.push(base, merge, 'Codertocat')).toBe(200);
    const held = await until('two held runs', () => {
      const mine = github.deployments.filter((d) => d.ref === merge);
      return (mine.length === 2 && mine.every((d) => d.statuses.length > 0) && mine) || undefined;
    });
    expect(held.map((d) => d.statuses.map((s) => s.description))).toEqual([
      ['waiting for approval of hook/onInit/change-approval: /approve on #2'],
      ['waiting for approval of hook/onInit/change-approval: /approve on #2'],
    ]);
    expect(github.dispatches).toHaveLength(2);

    await webhooks.comment(2, '/approve', 'carol');
    await until('the held runs dispatched', () => github.dispatches.length === 4 || undefined);
    expect(github.dispatches.slice(2).map((d) => [d.inputs.environment, d.inputs.sha])).toEqual([
      ['payments/dev', merge],
      ['payments/staging', merge],
    ]);
  }, 60_000);

  it('sends the planted secret in no request and writes it in no log', () => {
    expect(github.requests.length).toBeGreaterThan(10);
    for (const r of github.requests) expect(r.body).not.toContain(CANARY);
    expect(github.comments.map((c) => c.body).join('\n')).not.toContain(CANARY);
    expect(serverLog).not.toContain(CANARY);
    expect(github.requests.filter((r) => !/^\/(repos|app)\//.test(r.path))).toEqual([]);
  });
});
