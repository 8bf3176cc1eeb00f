// envsync's whole loop, played on one machine: the real app server (`envsync serve`, a child
// process) against a fake GitHub backed by real git repositories, with signed webhooks, a local
// Actions runner carrying out the app's dispatches with the real `envsync run`, and the system API.
// The acceptance test asserts each step's outcome; `npm run demo` narrates the same steps.
//
// 1. a pull request breaks a spec           5. an environment is changed through the system API
// 2. a push fixes it and changes a template  6. the bot's pull request is merged
// 3. /approve from the author, a reader, an approver   7. every webhook is delivered again
// 4. the merge: runs dispatched, run, reported          8. a secret rotated through the API is sealed
//                                                          in Git, and a run gets it through OIDC
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_MARKER } from '../src/render/plan-markdown.js';
import { openStore } from '../src/system/store.js';
import { runDispatch, type Dispatch, type WorkflowRunResult } from './actions-runner.js';
import { FakeGitHub } from './fake-github.js';
import { commitAll, Endpoints, envsyncBin, freePort, infrastructureRepository, installStandIns, prepareConfigRepository, waitFor } from './sandbox.js';
import { Webhooks } from './webhooks.js';

const OWNER = 'acme';
const REPO = 'config';
/** The webhook secret and the private key are credentials too: the canary search looks for both. */
const WEBHOOK_SECRET = `story-webhook-secret-${Math.random().toString(36).slice(2, 10)}`;
/** A token shaped as the OIDC tokens runners will present (a JWT), sent to the system API by a stranger. */
const OIDC_SHAPED = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImNhbmFyeSJ9.eyJzdWIiOiJyZXBvOmFjbWUvY29uZmlnIn0.${Math.random().toString(36).slice(2)}canarysig`;
/** The change the story makes through the system API: staging gets a new owner team. */
export const NEW_OWNER = 'payments-platform';
/** Where the shared context's secret access key is, as the bot pull request of step 8 seals it. */
export const ROTATED_REFERENCE = 'sealed://ConfigContext/platform/aws-account/spec.variables[aws_secret_access_key].value';

/** What a reader of a comment sees: without the markers the app keeps in it (HTML comments). */
export const visibleText = (body: string) => body.replace(/\n*<!-- envsync:[^>]*-->\n?/g, '');

export interface StoryOptions {
  /** An empty folder for everything the story makes: repositories, the store, runner workspaces. */
  work: string;
  /** A secret planted in the specs (the shared context's secret access key), looked for in every output. */
  canary: string;
  /** Told what happens while the story waits (the demo prints it). */
  say?: (line: string) => void;
  /** The app's log level (debug logs the most, so that the canary search covers the most). */
  logLevel?: string;
}

type Check = FakeGitHub['checks'][number];
type Comment = FakeGitHub['comments'][number];

export interface RunnerRun {
  dispatch: Dispatch;
  workflowRun: number;
  result: WorkflowRunResult;
  /** The job's files the run wrote into the checkout (results), by path. */
  written: Record<string, string>;
}

export class Story {
  readonly github = new FakeGitHub(OWNER, REPO);
  readonly endpoints = new Endpoints();
  readonly clone: string;
  readonly runs: RunnerRun[] = [];
  serverLog = '';
  /** The commit on main before the story (the repository as the team adopted envsync). */
  base = '';
  webhooks!: Webhooks;
  private server?: ChildProcess;
  private appUrl = '';
  private apiToken = '';
  /** Carol's own token: she approves runs another client started (four eyes). */
  private approverToken = '';
  private privateKey: { privateKey: string } = { privateKey: '' };
  private toolsPath = '';
  private readonly say: (line: string) => void;

  constructor(readonly options: StoryOptions) {
    this.clone = join(options.work, 'config');
    this.say = options.say ?? (() => undefined);
  }

  private cli(args: string[], env: Record<string, string> = {}): string {
    return execFileSync(process.execPath, [envsyncBin(), ...args], { cwd: this.options.work, env: { ...process.env, ...env }, encoding: 'utf8' });
  }

  private git(...args: string[]): string {
    return execFileSync('git', ['-C', this.clone, '-c', 'user.name=Alice', '-c', 'user.email=alice@example.com', ...args], { encoding: 'utf8' }).trim();
  }

  private get databaseUrl(): string {
    return `sqlite:${join(this.options.work, 'store.db')}`;
  }

  /** The console's address (sign in there as any user of the fake GitHub: alice and carol may write, bob may read). */
  get consoleUrl(): string {
    return `${this.appUrl}/console`;
  }

  /** Waits until `probe` gives a value; on timeout the error shows the end of the app's log. */
  until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    return waitFor(what, probe, timeoutMs, () => `\n--- app log ---\n${this.serverLog.slice(-4000)}`);
  }

  /**
   * The team's config repository as it adopted envsync (the example, with `envsync init`'s workflow
   * and settings), the system holding it, and the app server started against the fake GitHub.
   */
  async start(): Promise<void> {
    const { work, canary } = this.options;
    const endpoints = await this.endpoints.start();
    infrastructureRepository(join(work, 'infrastructure'));
    this.toolsPath = installStandIns(join(work, 'bin'), { npm: true });
    prepareConfigRepository(this.clone, { endpoints, secrets: { secretKey: canary } });
    // The app's address is known before the repository adopts envsync: runs ask it for sealed secrets.
    const port = await freePort();
    this.appUrl = `http://127.0.0.1:${port}`;
    this.cli(['init', this.clone, '--app-url', this.appUrl]);
    commitAll(this.clone, 'Adopt envsync', true);
    this.base = this.github.pushFrom(this.clone, 'main');
    this.say(`config repository ${OWNER}/${REPO}: the example specs, the runner workflow and .github/envsync.yml from envsync init (${this.base.slice(0, 7)})`);

    this.say(this.cli(['system', 'follow', `${OWNER}/${REPO}`], { DATABASE_URL: this.databaseUrl }).trim().replace(/^following/, 'the operator follows'));
    this.say(this.cli(['system', 'apply', this.clone, '--ref', 'HEAD'], { DATABASE_URL: this.databaseUrl }).trim().replace(/^applied/, 'the system holds main:'));
    const token = /token \(shown once; give it to the client\): (\S+)\nconfiguration entry \(add it to the tokens file\):\n(.+)\n/.exec(this.cli(['system', 'token', 'platform-console', '--project', 'payments=write', '--project', 'platform=write']));
    if (!token) throw new Error('envsync system token printed no token');
    this.apiToken = token[1]!;
    const approver = /token \(shown once; give it to the client\): (\S+)\nconfiguration entry \(add it to the tokens file\):\n(.+)\n/.exec(this.cli(['system', 'token', 'carol', '--project', 'payments=write']));
    if (!approver) throw new Error('envsync system token printed no token');
    this.approverToken = approver[1]!;
    writeFileSync(join(work, 'api-tokens.json'), `[${token[2]},${approver[2]}]\n`);
    this.say('an API token for the platform console, with write access to projects payments and platform');

    this.github.permissions.set('alice', 'write');
    this.github.permissions.set('bob', 'read');
    this.github.permissions.set('carol', 'write');
    const host = await this.github.start();
    const { privateKey } = (this.privateKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }));
    const env: Record<string, string | undefined> = {
      ...process.env,
      APP_ID: '1',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET,
      GHE_HOST: host,
      GHE_PROTOCOL: 'http',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: this.options.logLevel ?? 'debug',
      LOG_FORMAT: 'json',
      DATABASE_URL: this.databaseUrl,
      ENVSYNC_API_TOKENS_FILE: join(work, 'api-tokens.json'),
      ENVSYNC_SYNC_DELAY_MS: '300',
      ENVSYNC_DRIFT_MINUTES: '0',
      // Runners prove who they are with tokens of the fake GitHub's OIDC issuer, for this audience.
      ENVSYNC_PUBLIC_URL: this.appUrl,
      ENVSYNC_OIDC_ISSUER: `${this.github.webRoot}/_oidc`,
      // The console signs people in with the app's OAuth client on the fake GitHub.
      GITHUB_CLIENT_ID: this.github.oauthApp.clientId,
      GITHUB_CLIENT_SECRET: this.github.oauthApp.clientSecret,
    };
    const server = spawn(process.execPath, [envsyncBin(), 'serve'], { cwd: work, env });
    this.server = server;
    server.stdout.on('data', (d) => (this.serverLog += d));
    server.stderr.on('data', (d) => (this.serverLog += d));
    await this.until('the app server to listen', () => this.serverLog.includes('Listening on'), 30_000);
    this.webhooks = new Webhooks(this.appUrl, WEBHOOK_SECRET, OWNER, REPO);
    this.say(`the app server (envsync serve) listens on ${this.appUrl}; the fake GitHub on http://${host}`);
  }

  async stop(): Promise<void> {
    if (this.server && this.server.exitCode === null) {
      const exited = new Promise((resolve) => this.server!.once('exit', resolve));
      this.server.kill('SIGTERM');
      await exited;
    }
    await this.endpoints.stop();
    await this.github.stop();
  }

  private edit(path: string, from: string, to: string): void {
    const file = join(this.clone, path);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(from)) throw new Error(`${path} holds no ${JSON.stringify(from)}`);
    writeFileSync(file, text.replace(from, to));
  }

  private commitAndPush(message: string, branch: string): string {
    this.git('commit', '-q', '-am', message);
    return this.github.pushFrom(this.clone, branch);
  }

  private latestCheck(name: string, sha: string): Check | undefined {
    return this.github.checks.filter((c) => c.name === name && c.head_sha === sha).at(-1);
  }

  planComment(number: number): Comment | undefined {
    return this.github.comments.find((c) => c.issue === number && c.body.startsWith(PLAN_MARKER));
  }

  /**
   * The team's first push to main after adopting envsync (a README line): the app applies it and so
   * learns which projects the repository owns, which is what the console's access follows.
   */
  async firstPush(): Promise<string> {
    const before = this.github.sha('main');
    const logged = this.serverLog.length;
    writeFileSync(join(this.clone, 'README.md'), 'Our environments, managed with envsync.\n');
    this.git('add', 'README.md');
    const after = this.commitAndPush('Say what this repository is', 'main');
    this.say(`@alice pushes ${after.slice(0, 7)} to main: webhook push → ${await this.webhooks.push(before, after, 'alice')}`);
    await this.until('the push applied', () => this.serverLog.slice(logged).includes('revision applied to the system'));
    await this.settled();
    return after;
  }

  /** 1. Alice opens a pull request that scales dev to 3 replicas, a value the template does not allow. */
  async openBrokenPullRequest(): Promise<{ number: number; head: string; validate: Check; comment: Comment }> {
    this.git('checkout', '-q', '-b', 'scale-dev');
    this.edit('projects/payments/environments/dev.yaml', '  - name: replicas\n    value: "1"', '  - name: replicas\n    value: "3"');
    const head = this.commitAndPush('Scale dev to 3 replicas', 'scale-dev');
    const { number } = this.github.openPullRequest('scale-dev', 'main', 'alice');
    this.say(`pull request #${number} by @alice: dev.yaml replicas "1" → "3"; webhook pull_request.opened → ${await this.webhooks.pullRequest('opened', { number, head, headRef: 'scale-dev', base: this.base, author: 'alice' })}`);
    const validate = await this.until('the validate check', () => {
      const check = this.latestCheck('envsync/validate', head);
      return check?.status === 'completed' && check;
    });
    const comment = await this.until('the plan comment', () => this.planComment(number)?.body.includes(head) && this.planComment(number));
    return { number, head, validate, comment };
  }

  /** 2. Alice pushes a fix (2 replicas) and a new preflight image in the template both environments use. */
  async pushFix(number: number): Promise<{ head: string; comment: Comment; checks: Check[] }> {
    this.edit('projects/payments/environments/dev.yaml', '    value: "3"', '    value: "2"');
    this.edit('projects/payments/environmenttemplates/web-stack.yaml', 'image: ghcr.io/example/preflight:2', 'image: ghcr.io/example/preflight:3');
    const head = this.commitAndPush('Fix dev replicas; preflight 3 for every environment', 'scale-dev');
    this.say(`push to #${number}: replicas "2", and the web-stack template's preflight image 2 → 3; webhook pull_request.synchronize → ${await this.webhooks.pullRequest('synchronize', { number, head, headRef: 'scale-dev', base: this.base, author: 'alice' })}`);
    const checks = await this.until('the checks of the new head', () => {
      const names = ['envsync/validate', 'envsync/plan', 'envsync/approval: hook/onInit/change-approval'];
      const latest = names.map((n) => this.latestCheck(n, head));
      return latest.every((c) => c && (c.status === 'completed' || c.name.includes('approval'))) && (latest as Check[]);
    });
    const comment = await this.until('the plan comment of the new head', () => this.planComment(number)?.body.includes(head) && this.planComment(number));
    return { head, comment, checks };
  }

  /** 3. `/approve` from `user`: the bot's answer (a reply, or the gate's check turning green). */
  async approve(number: number, user: string, head: string): Promise<{ reply?: Comment; replyText?: string; gate: Check }> {
    const before = this.github.comments.length;
    this.say(`@${user} comments /approve on #${number}: webhook issue_comment.created → ${await this.webhooks.comment(number, '/approve', user)}`);
    const gateName = 'envsync/approval: hook/onInit/change-approval';
    const outcome = await this.until(`the answer to @${user}`, () => {
      const reply = this.github.comments.slice(before).find((c) => c.body.startsWith(`@${user}`));
      const gate = this.latestCheck(gateName, head);
      if (reply) return { reply, replyText: visibleText(reply.body), gate: gate! };
      return gate?.conclusion === 'success' && gate.output && JSON.stringify(gate.output).includes(`@${user}`) ? { gate } : undefined;
    });
    return outcome;
  }

  /** 4a. Carol merges: the push to main applies the revision and dispatches a run per environment. */
  async merge(number: number): Promise<{ merge: string; dispatches: Dispatch[]; deployments: FakeGitHub['deployments'] }> {
    const before = this.github.sha('main');
    const [logged, dispatched] = [this.serverLog.length, this.github.dispatches.length];
    const merge = this.github.merge(number);
    this.say(`@carol merges #${number} (${merge.slice(0, 7)}): webhook push → ${await this.webhooks.push(before, merge, 'carol')}`);
    await this.until('the merge applied to the system', () => this.serverLog.slice(logged).split('\n').some((l) => l.includes('revision applied to the system') && l.includes(merge)));
    const dispatches = await this.until('the runs dispatched', () => {
      const mine = this.github.deployments.filter((d) => d.ref === merge);
      return mine.length === 2 && mine.every((d) => d.statuses.length > 0) && this.github.dispatches.length >= dispatched + 2 && this.github.dispatches.slice(-2);
    });
    return { merge, dispatches, deployments: this.github.deployments.filter((d) => d.ref === merge) };
  }

  /** What the system API answers (as the platform console would see it). */
  async api(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown, as: 'console' | 'carol' = 'console'): Promise<{ status: number; data: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(`${this.appUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${as === 'carol' ? this.approverToken : this.apiToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, data: (await res.json()) as unknown };
  }

  /**
   * 4b. GitHub Actions carries out each dispatch not carried out yet: the runner workflow as
   * committed, `envsync run` on the merged commit, the results uploaded; GitHub then tells the app
   * (workflow_run in_progress, completed), and the app marks the deployments.
   */
  async runDispatched(): Promise<RunnerRun[]> {
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_') && !k.startsWith('RUNNER_') && k !== 'CI'));
    Object.assign(env, {
      PATH: `${this.toolsPath}:${process.env.PATH ?? ''}`,
      FAKE_LOG: join(this.options.work, 'tools.log'),
      // What a self-hosted runner of this team has configured: where the infrastructure repository is.
      ENVSYNC_REPOSITORY_INFRASTRUCTURE_URL: `file://${join(this.options.work, 'infrastructure')}`,
    });
    const done: RunnerRun[] = [];
    for (const dispatch of this.github.dispatches.slice(this.runs.length)) {
      // The workflow run GitHub made for this dispatch.
      const workflowRun = dispatch.workflowRun;
      const url = `https://github.example/${OWNER}/${REPO}/actions/runs/${workflowRun}`;
      const path = `.github/workflows/${dispatch.workflow}`;
      const result = await runDispatch(this.github, dispatch, {
        workspace: join(this.options.work, `runner-${workflowRun}`, 'workspace'),
        env,
        runId: workflowRun,
        onStart: async ({ title, headSha }) => {
          this.say(`Actions: "${title}" on ${dispatch.inputs['runs-on']}; webhook workflow_run.in_progress → ${await this.webhooks.workflowRun('in_progress', { id: workflowRun, title, headSha, conclusion: null, url, path })}`);
        },
      });
      const written = Object.fromEntries(
        execFileSync('git', ['-C', result.workspace, 'ls-files', '--others', '--modified'], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map((f) => [f, readFileSync(join(result.workspace, f), 'utf8')]),
      );
      const run: RunnerRun = { dispatch, workflowRun, result, written };
      this.runs.push(run);
      done.push(run);
      this.say(`Actions: ${result.conclusion}, artifact ${result.artifacts.join(', ') || '(none)'}; webhook workflow_run.completed → ${await this.webhooks.workflowRun('completed', { id: workflowRun, title: result.title, headSha: result.headSha, conclusion: result.conclusion, url, path })}`);
    }
    await this.until('the deployments marked', () =>
      done.every((r) => {
        const deployment = this.github.deployments.find((d) => d.environment === r.dispatch.inputs.environment && d.ref === r.dispatch.inputs.sha);
        return ['success', 'failure', 'error'].includes(deployment?.statuses.at(-1)?.state ?? '');
      }),
    );
    await this.until('the run summaries', () => done.every((r) => this.runSummary(r)));
    return done;
  }

  /** The app's comment on the merged pull request about one run. */
  runSummary(run: RunnerRun): Comment | undefined {
    return this.github.comments.find((c) => c.body.startsWith(`### envsync ${run.dispatch.inputs.action} of \`${run.dispatch.inputs.environment}\``) && c.body.includes(`runs/${run.workflowRun})`));
  }

  /** 5. The platform console changes staging's owner team through the system API: the bot opens a pull request. */
  async changeThroughApi(): Promise<{ status: number; pull: FakeGitHub['pulls'][number]; diff: string }> {
    const pulls = this.github.pulls.length;
    const { data: staging } = await this.api('GET', '/resources/Environment/payments/staging');
    const document = structuredClone(staging.spec) as { spec: { variables: { name: string; value: string }[] } };
    document.spec.variables.find((v) => v.name === 'owner_team')!.value = NEW_OWNER;
    const { status } = await this.api('PUT', '/resources/Environment/payments/staging', document);
    this.say(`the platform console: PUT /api/v1/resources/Environment/payments/staging (owner_team → ${NEW_OWNER}) → ${status}`);
    const pull = await this.until('the bot pull request', () => this.github.pulls.length > pulls && this.github.pulls.at(-1));
    return { status, pull, diff: this.github.diff(pull.number) };
  }

  /** 6. Carol merges the bot's pull request: the push applies it, and nothing runs or opens again. */
  async mergeBotPullRequest(number: number): Promise<{ merge: string; applied: string }> {
    const before = this.github.sha('main');
    const logged = this.serverLog.length;
    const merge = this.github.merge(number);
    this.say(`@carol merges the bot's #${number} (${merge.slice(0, 7)}): webhook push → ${await this.webhooks.push(before, merge, 'carol')}`);
    const applied = await this.until('the merge applied', () => this.serverLog.slice(logged).split('\n').find((l) => l.includes('revision applied to the system') && l.includes(merge)));
    // Whatever the apply set off (a system change to sync back, had it made one) has run.
    await this.settled();
    return { merge, applied };
  }

  /**
   * Until the app has nothing to do: no job running, none due within 5 s (a change gathered for Git
   * waits 300 ms here; the scheduled ones, a prune or a follow-up of runs, come later). Read from the store, as another process would: the
   * signal that what was sent has been handled, so that a test may then say what did not happen.
   */
  async settled(): Promise<void> {
    const store = await openStore({ url: this.databaseUrl });
    try {
      for (const started = Date.now(); ; ) {
        const busy = (await store.jobs.list()).filter((j) => j.state === 'running' || (j.state === 'pending' && Date.parse(j.runAt) - Date.now() < 5_000));
        if (busy.length === 0) return;
        if (Date.now() - started > 30_000) throw new Error(`the app did not settle: ${busy.map((j) => `${j.task} ${j.state}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await store.close();
    }
  }

  /**
   * 8a. A platform engineer rotates the shared context's secret access key in the console: the bot's
   * pull request writes a sealed:// reference where Git had the old key; the system keeps the new one.
   */
  async rotateSharedSecret(value: string): Promise<{ status: number; pull: FakeGitHub['pulls'][number]; diff: string }> {
    const pulls = this.github.pulls.length;
    const { data: context } = await this.api('GET', '/resources/ConfigContext/platform/aws-account');
    const document = structuredClone(context.spec) as { spec: { variables: { name: string; value: string }[] } };
    document.spec.variables.find((v) => v.name === 'aws_secret_access_key')!.value = value;
    const { status } = await this.api('PUT', '/resources/ConfigContext/platform/aws-account', document);
    this.say(`the platform console: PUT /api/v1/resources/ConfigContext/platform/aws-account (aws_secret_access_key rotated) → ${status}`);
    const pull = await this.until('the bot pull request', () => this.github.pulls.length > pulls && this.github.pulls.at(-1));
    return { status, pull, diff: this.github.diff(pull.number) };
  }

  /**
   * 8b. A run of `environment` started in the console (the system API's Run), and its approval gate
   * approved there by Carol (not whoever started it): it is dispatched.
   */
  async startRun(environment: string): Promise<{ status: number; id: string; approved: number }> {
    const dispatched = this.github.dispatches.length;
    const [project, name] = environment.split('/');
    const { status, data } = await this.api('POST', `/projects/${project}/environments/${name}/runs`, { action: 'deploy' });
    if (status !== 201) throw new Error(`the run of ${environment} was refused (${status}): ${String(data.error)}`);
    this.say(`the platform console: POST /api/v1/projects/${project}/environments/${name}/runs → ${status} (run ${String(data.id)}, ${String(data.status)})`);
    const approval = await this.api('POST', `/runs/${String(data.id)}/approvals`, {}, 'carol');
    this.say(`Carol approves it: POST /api/v1/runs/${String(data.id)}/approvals → ${approval.status}`);
    await this.until('the run dispatched', () => this.github.dispatches.length > dispatched);
    return { status, id: String(data.id), approved: approval.status };
  }

  /** What the stand-in tools were given (their arguments and environment), one call per line: where a secret is meant to arrive. */
  toolCalls(): string {
    return readFileSync(join(this.options.work, 'tools.log'), 'utf8');
  }

  /** 7. GitHub delivers every webhook of the story again (as "Redeliver" does): the app's answers. */
  async redeliverAll(): Promise<{ statuses: number[]; requests: FakeGitHub['requests'] }> {
    const before = this.github.requests.length;
    const statuses = await this.webhooks.redeliverAll();
    this.say(`${statuses.length} deliveries sent again, answered ${[...new Set(statuses)].join(', ')}`);
    // A delivery seen before is answered without a job, unless its job had failed for good: then it
    // is queued again, and has run once the queue has settled.
    await this.settled();
    return { statuses, requests: this.github.requests.slice(before) };
  }

  /**
   * A request to the system API with a token shaped as a runner's OIDC token (refused): its header
   * must reach no log either.
   */
  async presentForeignToken(): Promise<number> {
    return (await fetch(`${this.appUrl}/api/v1/resources`, { headers: { authorization: `Bearer ${OIDC_SHAPED}` } })).status;
  }

  /** Every place the canary, or a credential of the app, shows up in what envsync sent, logged or wrote (expected: none). */
  leaks(extraFiles: string[] = []): string[] {
    const found: string[] = [];
    // The key's body, not its PEM header (which any key shares).
    const keyBody = this.privateKey.privateKey.split('\n').slice(3, 6).join('\n');
    const credentials: [string, string][] = [
      ['the API token', this.apiToken],
      ["Carol's API token", this.approverToken],
      ['the OIDC-shaped token', OIDC_SHAPED],
      ['the webhook secret', WEBHOOK_SECRET],
      ['the installation token', this.github.installationToken],
      ['the private key', keyBody],
      ...this.github.oidc.issued.map((token, i): [string, string] => [`OIDC token ${i + 1} of a runner`, token]),
      ['the OAuth client secret', this.github.oauthApp.clientSecret],
      ...this.github.userTokens.map((token, i): [string, string] => [`the user token of sign-in ${i + 1}`, token]),
    ];
    for (const [what, value] of credentials) {
      if (value && this.serverLog.includes(value)) found.push(`${what} in the app log`);
      for (const run of this.runs) if (value && `${run.result.log}${run.result.summary}`.includes(value)) found.push(`${what} in the log of workflow run ${run.workflowRun}`);
    }
    const { canary } = this.options;
    for (const r of this.github.requests) if (r.body.includes(canary) || r.path.includes(canary)) found.push(`request ${r.method} ${r.path}`);
    for (const c of this.github.comments) if (c.body.includes(canary)) found.push(`comment ${c.id} on #${c.issue}`);
    for (const c of this.github.checks) if (JSON.stringify(c).includes(canary)) found.push(`check ${c.name}`);
    if (this.serverLog.includes(canary)) found.push('the app log');
    for (const run of this.runs) {
      if (run.result.log.includes(canary)) found.push(`the log of workflow run ${run.workflowRun}`);
      if (run.result.summary.includes(canary)) found.push(`the job summary of workflow run ${run.workflowRun}`);
      for (const [file, text] of Object.entries(run.written)) if (text.includes(canary)) found.push(`${file} of workflow run ${run.workflowRun}`);
    }
    for (const a of this.github.artifacts) if (a.zip.includes(canary)) found.push(`artifact ${a.name}`);
    // What the bot wrote: a line it removed is what Git held before (the planted secret, in the specs).
    for (const pr of this.github.pulls.filter((p) => p.author === 'envsync[bot]')) {
      const added = this.github.diff(pr.number).split('\n').filter((l) => l.startsWith('+'));
      if (`${pr.title}\n${pr.body}\n${added.join('\n')}`.includes(canary)) found.push(`bot pull request #${pr.number}`);
    }
    for (const file of extraFiles.flatMap(filesUnder)) if (readFileSync(file, 'utf8').includes(canary)) found.push(file);
    return found;
  }
}

function filesUnder(path: string): string[] {
  if (!statSync(path, { throwIfNoEntry: false })) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}
