// A world for end-to-end tests and benchmarks of the runtime: the fake GitHub backed by a git repository holding the
// example config repository with a pull request that needs an approval, and real `envsync serve`
// processes (one or several, on SQLite or on one PostgreSQL) that a test can kill and start again.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { FakeGitHub } from './fake-github.js';
import { envsyncBin, exampleRepository, freePort, waitFor } from './sandbox.js';
import { Webhooks } from './webhooks.js';

export const WEBHOOK_SECRET = 'world-webhook-secret';
export const GATE = 'hook/onInit/change-approval';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

/** One `envsync serve` process; killed and started again on the same port and store. */
export class AppProcess {
  log = '';
  /** Where this process's log starts after its latest start (earlier lives are kept above). */
  since = 0;
  private child?: ChildProcess;
  readonly url: string;

  constructor(
    private readonly world: World,
    readonly port: number,
    readonly name: string,
    private readonly env: Record<string, string> = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.since = this.log.length;
    const child = spawn(process.execPath, [envsyncBin(), 'serve'], {
      cwd: this.world.work,
      env: {
        ...process.env,
        APP_ID: '1',
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET,
        GHE_HOST: this.world.host,
        GHE_PROTOCOL: 'http',
        PORT: String(this.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
        DATABASE_URL: this.world.databaseUrl,
        // Short, so that a restart takes a killed process's job back soon; not so short that a busy
        // test machine delays a heartbeat past it.
        ENVSYNC_JOB_LEASE_SECONDS: '2',
        ENVSYNC_JOB_POLL_MS: '100',
        ENVSYNC_DRIFT_MINUTES: '0',
        ...this.env,
      },
    });
    this.child = child;
    child.stdout!.on('data', (d) => (this.log += d));
    child.stderr!.on('data', (d) => (this.log += d));
    await this.until('the server to listen', () => this.current().includes('Listening on'));
  }

  /** This process's log since its latest start. */
  current(): string {
    return this.log.slice(this.since);
  }

  /** Kills the process with `signal` and waits until it has exited; resolves its exit code. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }

  /** How many jobs of `task` this process finished since its latest start. */
  done(task: string): number {
    return this.current().split('\n').filter((l) => l.includes(`"msg":"job done: ${task}"`)).length;
  }

  until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    return waitFor(`${this.name}: ${what}`, probe, timeoutMs, () => `\n--- ${this.name} log ---\n${this.log.slice(-4000)}`);
  }
}

export class World {
  readonly work = mkdtempSync(join(tmpdir(), 'envsync-world-'));
  readonly github = new FakeGitHub('acme', 'config');
  readonly clone = join(this.work, 'clone');
  readonly processes: AppProcess[] = [];
  host = '';
  base = '';
  head = '';

  constructor(readonly databaseUrl: string = `sqlite:${join(mkdtempSync(join(tmpdir(), 'envsync-world-db-')), 'store.db')}`) {}

  /**
   * The config repository on main (the example, or the folder given), and pull request #1 by alice
   * changing the example's template (it needs the approval gate).
   */
  async create(repository: string = exampleRepository()): Promise<void> {
    cpSync(repository, this.clone, { recursive: true });
    // A config repository holds its configuration on its default branch: the defaults, unless the folder has its own.
    if (!existsSync(join(this.clone, '.github', 'envsync.yml'))) {
      mkdirSync(join(this.clone, '.github'), { recursive: true });
      writeFileSync(join(this.clone, '.github', 'envsync.yml'), '# envsync: the defaults\n');
    }
    this.git('init', '-q', '-b', 'main');
    this.git('add', '-A');
    this.git('commit', '-q', '-m', 'base');
    this.base = this.github.pushFrom(this.clone, 'main');
    if (repository === exampleRepository()) {
      this.head = this.change('change', 'value: "2"', 'value: "4"');
      this.github.openPullRequest('change', 'main', 'alice');
    }
    this.github.permissions.set('carol', 'write');
    this.host = await this.github.start();
    this.follow(`${this.github.owner}/${this.github.repo}`);
  }

  /** The system holds main's head, applied by hand (`envsync system apply`), as an operator adopting envsync does. */
  applyBase(): void {
    execFileSync(process.execPath, [envsyncBin(), 'system', 'apply', this.clone, '--ref', this.base, '--store', this.databaseUrl], { cwd: this.work, encoding: 'utf8' });
  }

  /** The operator declares a config repository: `envsync system follow` against the world's store. */
  follow(repository: string): void {
    execFileSync(process.execPath, [envsyncBin(), 'system', 'follow', repository, '--store', this.databaseUrl], { cwd: this.work, encoding: 'utf8' });
  }

  /** A commit on `branch` (from main's head) that edits the example's web-stack template; returns its sha. */
  change(branch: string, from: string, to: string): string {
    return this.commit(branch, 'projects/payments/environmenttemplates/web-stack.yaml', from, to);
  }

  /** A commit on `branch` (from main's head) that replaces `from` with `to` in one file; returns its sha. */
  commit(branch: string, path: string, from: string, to: string): string {
    this.git('fetch', '-q', this.github.gitDir, 'main');
    this.git('checkout', '-q', '-B', branch, 'FETCH_HEAD');
    const file = join(this.clone, path);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(from)) throw new Error(`${path} holds no ${from}`);
    writeFileSync(file, text.replace(from, to));
    this.git('commit', '-q', '-am', `${path}: ${to}`);
    return this.github.pushFrom(this.clone, branch);
  }

  private git(...args: string[]): string {
    return execFileSync('git', ['-C', this.clone, '-c', 'user.name=Alice', '-c', 'user.email=alice@example.com', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();
  }

  async process(name = `app-${this.processes.length + 1}`, env: Record<string, string> = {}): Promise<AppProcess> {
    const app = new AppProcess(this, await freePort(), name, env);
    this.processes.push(app);
    await app.start();
    return app;
  }

  private readonly senders = new Map<AppProcess, Webhooks>();

  /** GitHub's deliveries to `app` (one sender per process, so that delivery ids never repeat by chance). */
  webhooks(app: AppProcess): Webhooks {
    if (!this.senders.has(app)) this.senders.set(app, new Webhooks(app.url, WEBHOOK_SECRET, 'acme', 'config'));
    return this.senders.get(app)!;
  }

  /** The results a runner would upload for `runId`, as the artifact of workflow run `workflowRun`. */
  uploadResults(workflowRun: number, runId: string, environment: string, revision: string, status: 'success' | 'failure' = 'success'): void {
    const [project, name] = environment.split('/') as [string, string];
    const results = { project, environment: name, action: 'deploy', revision, status, activities: [{ id: 'resource/network/apply', status, attempts: 1, startedAt: 1000, finishedAt: 2000, type: 'stage', dependsOn: [] }], outputs: {} };
    this.github.artifacts.push({ id: workflowRun * 10, run: workflowRun, name: `envsync-results-${runId}`, zip: Buffer.from(zipSync({ 'envsync-results.json': new TextEncoder().encode(JSON.stringify(results)) })) });
  }

  async stop(): Promise<void> {
    for (const app of this.processes) await app.kill('SIGKILL');
    await this.github.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
}

/** What GitHub shows, without ids: what a test compares before and after faults. */
export function githubState(github: FakeGitHub) {
  return {
    checks: github.checks.map((c) => `${c.name} ${c.head_sha.slice(0, 7)} ${c.status} ${c.conclusion} "${(c.output as { title?: string })?.title}" annotations ${c.annotations.length}`),
    comments: github.comments.map((c) => `#${c.issue} ${c.body.split('\n')[0]}`),
    reactions: github.reactions.map((r) => r.content),
    deployments: github.deployments.map((d) => `${d.environment} ${d.ref.slice(0, 7)}: ${d.statuses.map((s) => `${s.state} "${s.description}"`).join(', ')}`),
    dispatches: github.dispatches.map((d) => `${d.workflow}@${d.ref} ${d.inputs.environment} ${d.inputs.action} ${d.inputs.sha?.slice(0, 7)} [${d.inputs.approved}] ${d.inputs['run-id']}`),
    workflowRuns: github.workflowRuns.map((r) => `${r.display_title} ${r.status}${r.conclusion ? ` ${r.conclusion}` : ''}`),
  };
}
